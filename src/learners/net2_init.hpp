// Initial hidden layers of depth-2 networks shared by the net2 learners (seeded, data-free).
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "relureg/net2.hpp"

namespace relureg::detail {

// Unit j's weights: "gaussian" draws N(0, I/d) entries (‖w_j‖ ≈ 1); "orthogonal" makes the units
// orthonormal (Gram–Schmidt of Gaussian vectors, in groups of d when k > d). Output weights are
// ±1/k with random signs, biases 0.
Net2Model initial_net2(std::size_t d, std::size_t units, bool bias, Activation activation,
                       const std::string& init, std::mt19937_64& rng);

}  // namespace relureg::detail
