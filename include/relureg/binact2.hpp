// The binary-activation network y = vᵀ1{Zw > 0} on m patches of n features (model "binact2").
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace relureg {

// Yin, Lyu, Zhang, Osher, Qi, Xin, "Understanding Straight-Through Estimator in Training
// Activation Quantized Neural Nets", ICLR 2019: a one-hidden-layer net whose m hidden units share
// one filter w ∈ R^n, each applied to its own patch Z_i (row i of Z ∈ R^{m×n}), with the binary
// activation σ(t) = 1{t > 0} and output weights v ∈ R^m. A data row holds Z row by row: m·n
// features, feature i·n + j is Z_ij.
struct Binact2Model {
  std::size_t patches = 0;  // m
  std::size_t filter = 0;   // n
  std::vector<double> v;    // m output weights
  std::vector<double> w;    // n filter weights

  std::size_t dim() const { return patches * filter; }
  double predict_one(const float* x) const;
};

// Patches m and filter size n = d / m for d features; InputError (naming `owner`) unless m ≥ 1
// divides d.
std::size_t filter_size(std::size_t d, std::size_t patches, const std::string& owner);

// The model keys of a "binact2" model file: "patches", "filter", "v", "w".
nlohmann::json binact2_to_json(const Binact2Model& model);
Binact2Model binact2_from_json(const nlohmann::json& j, const std::string& origin);

}  // namespace relureg
