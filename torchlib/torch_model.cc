#include "torchlib/torch_model.h"

namespace gos {

TorchModel::~TorchModel() = default;

}  // namespace gos
