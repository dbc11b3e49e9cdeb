// The orthogonal depth-2 networks f_S of Goel, Gollakota, Jin, Karmalkar, Klivans (ICML 2020):
// construction, exact second moment, and the subset feature.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "relureg/net2.hpp"

namespace relureg::orthogonal {

// f_S(x) = Σ_{s ∈ {±1}^k} χ(s) σ(s·x_S/√k), χ(s) = Π s_j (papers.md §3.2, construction [I]).
// Pairing s with −s: f_S = Σ_{s₁ = +1} χ(s)[σ(t_s) + (−1)^k σ(−t_s)], t_s = s·x_S/√k. For ReLU
// σ(t) − σ(−t) = t, so odd k ≥ 3 gives f_S ≡ 0 (and k = 1 the linear x_i); for the sigmoid
// σ(t) + σ(−t) = 1, so even k gives f_S ≡ 0. Returns "" when f_S is non-trivial, else the reason.
std::string zero_reason(Activation activation, std::size_t k);

// E[f_S(x)²] under x ~ N(0, I), exactly: f_S is a sum of 2^k unit-norm units, and two units s, s'
// that differ in i coordinates have correlation ρ = (k − 2i)/k and χ(s)χ(s') = (−1)^i, so
// E[f_S²] = 2^k Σ_i C(k, i)(−1)^i κ((k − 2i)/k) with κ(ρ) = E[σ(g)σ(g')], corr(g, g') = ρ.
// ReLU: κ is the arc-cosine kernel (closed form). Sigmoid: κ = ¼ + ¼E[tanh(g/2)tanh(g'/2)] (the
// ¼ cancels in the alternating sum), the expectation by nested adaptive quadrature.
double second_moment(std::size_t k, Activation activation);

// The network f_S·scale on d features (2^k units without biases, unit s: weights s_j/√k on S,
// output weight χ(s)·scale). Units are ordered by s read as binary digits (s_j = +1 ↔ bit 0).
Net2Model network(std::size_t d, const std::vector<std::size_t>& subset, Activation activation,
                  double scale);

// f_S(x) (unscaled) from the subset's coordinates, through the paired form above; `values` are
// x_S. Agrees with network(...).predict_one up to rounding.
double feature(const double* values, std::size_t k, Activation activation);

// The ordered k-subsets of {0, …, d−1} in lexicographic order: C(d, k) of them.
std::size_t subset_count(std::size_t d, std::size_t k);             // saturates at SIZE_MAX
bool next_subset(std::vector<std::size_t>& subset, std::size_t d);  // false after the last

}  // namespace relureg::orthogonal
