#pragma once
// Live LibTorch models for cell genomes: the NAS-Bench-201 ResNet-CIFAR
// skeleton with the genome's cell, as in the benchmark's reference code
// (ReLU-Conv-BN convolutions, average pooling without padded zeros, residual
// reduction blocks). This header is free of LibTorch so that only
// cell_network.cc pays for parsing it.
#include <memory>
#include <string>
#include <vector>

#include "searchspaces/cell/cell_space.h"

namespace gos {
class TorchModel;
}

namespace gos::cell {

// The network for `genome`; throws gos::Error naming an operation the builder
// does not know (it knows the NAS-Bench-201 operations).
std::shared_ptr<TorchModel> build_cell_network(const CellGenome& genome, const std::vector<std::string>& operations,
                                               int nodes, const SkeletonConfig& skeleton);

// The trainable network for `genome` (cell_space.h ModelFactory): weights
// initialised after seeding LibTorch's generator with a hash of the arch
// string, input {1, 3, image_size, image_size}, skeleton.classes classes.
GenomeModel make_cell_model(const CellGenome& genome, const std::vector<std::string>& operations, int nodes,
                            const SkeletonConfig& skeleton);

// A workload that runs one inference forward pass of the network on a fixed
// random batch of skeleton.batch x 3 x image_size x image_size.
std::unique_ptr<Workload> make_cell_workload(const CellGenome& genome, const std::vector<std::string>& operations,
                                             int nodes, const SkeletonConfig& skeleton);

}  // namespace gos::cell
