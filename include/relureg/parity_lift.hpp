// The GKK19 reduction as a tool: a Boolean k-sparse parity / LPN data set lifted to Gaussian
// ReLU regression (Klivans–Kothari's lift), and the ground truth of a known planted set.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "relureg/dataset.hpp"
#include "relureg/family.hpp"

namespace relureg {

// Where a cell is, for messages: row (0-based) and feature index, or nullopt for the row's label
// (the CLI's is io.hpp's cell_location, "file:line:column").
using CellLocator = std::function<std::string(std::size_t row, std::optional<std::size_t> feature)>;

struct LiftedParity {
  Dataset data;
  std::string label_encoding;  // "-1/1" or "0/1", as found in the input
};

// GKK19's reduction from k-sparse parity with noise (papers.md §1.4 steps 1–3): every Boolean row
// b ∈ {±1}^d becomes x_j = b_j |z_j| with z_j ~ N(0, 1) fresh (so x ~ N(0, I) exactly when b is
// uniform, and sign x = b), and its label ℓ ∈ {±1} becomes y = (1 + ℓ)/2 ∈ {0, 1}; 0/1 labels are
// taken as y itself (1 ↔ ℓ = +1, as `relureg generate --family sparse-parity` writes them).
// Rows keep their order; z is drawn from `seed` block by block (the same for any thread count).
// A feature that is not exactly −1 or 1, a label that is not −1/1 or 0/1, or labels that mix the
// two encodings throw InputError "<where>: ..." naming the first such cell.
LiftedParity lift_parity(const Dataset& boolean, std::uint64_t seed, const CellLocator& where);

// The exact ground truth of a lifted parity on the set S (indices below d, no padding) with label
// noise rate eta: the record the sparse-parity family writes (opt and Δ_k by quadrature), so an
// instance made elsewhere is scored like a generated one.
GroundTruth lifted_parity_truth(std::vector<std::size_t> S, std::size_t d, double eta,
                                std::uint64_t seed);

}  // namespace relureg
