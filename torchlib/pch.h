#pragma once
// Shared precompiled header for every LibTorch translation unit.
#include <torch/torch.h>
