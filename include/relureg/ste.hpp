// Straight-through estimators for the binary-activation network (Yin et al. 2019): closed forms,
// the coarse-gradient data pass, and population coarse gradient descent.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "relureg/binact2.hpp"
#include "relureg/engine.hpp"

namespace relureg::ste {

// The STE μ whose derivative replaces σ' = 0 in the backward pass: identity (μ' = 1), relu
// (μ' = 1{t > 0}) or clipped-relu (μ' = 1{0 < t < 1}).
enum class Ste { identity, relu, clipped_relu };
std::string ste_name(Ste ste);
Ste ste_from_name(const std::string& name);  // InputError for an unknown name

// The teacher y*(Z) = v*ᵀσ(Z w*) with ‖w*‖ = 1; Z has i.i.d. N(0, 1) entries.
struct Teacher {
  std::vector<double> v_star;  // m
  std::vector<double> w_star;  // n, unit norm
};

// All closed forms below use the paper's objective f(v, w) = E_Z[½(vᵀσ(Zw) − y*(Z))²], which is
// half the mean square loss used everywhere else in relureg.

// Lemma 1: f(v, w) = ⅛[vᵀ(I + 11ᵀ)v − 2vᵀ((1 − 2θ/π)I + 11ᵀ)v* + v*ᵀ(I + 11ᵀ)v*], θ = θ(w, w*);
// for w = 0 (σ(0) = 0: no unit fires) f = ⅛ v*ᵀ(I + 11ᵀ)v*.
double objective(const Teacher& teacher, std::span<const double> v, std::span<const double> w);

struct Gradient {
  std::vector<double> v;  // m
  std::vector<double> w;  // n
};

// Lemma 2: ∂f/∂v = ¼(I + 11ᵀ)v − ¼((1 − 2θ/π)I + 11ᵀ)v*, and for θ ∈ (0, π)
// ∂f/∂w = −vᵀv*/(2π‖w‖) · (I − ŵŵᵀ)w*/‖(I − ŵŵᵀ)w*‖; at θ = 0 or π (where f is not
// differentiable in w unless vᵀv* = 0) the w-part is returned as 0.
Gradient true_gradient(const Teacher& teacher, std::span<const double> v,
                       std::span<const double> w);

// E_Z of the coarse w-gradient g_μ = Zᵀ(μ'(Zw) ⊙ v)(vᵀσ(Zw) − y*): Lemma 7 (identity),
// Lemma 4 (relu; written as h/(2√(2π)) ŵ − vᵀv*/(2√(2π)) (ŵ + w*), the paper's form with
// cos(θ/2)(ŵ + w*)/‖ŵ + w*‖ = (ŵ + w*)/2, which is also defined at θ = π), and for clipped-relu
// the form derived in papers.md §6.2 [D] (checked against Monte Carlo in the tests).
std::vector<double> expected_coarse_gradient(const Teacher& teacher, std::span<const double> v,
                                             std::span<const double> w, Ste ste);

// Proposition 1: the spurious local minimum θ = π, v = (I + 11ᵀ)⁻¹(11ᵀ − I)v*, which exists when
// (1ᵀv*)² < ((m + 1)/2)‖v*‖².
struct SpuriousMinimum {
  bool exists = false;
  std::vector<double> v;
  std::vector<double> w;  // −w*
  double objective = 0;
};
SpuriousMinimum spurious_minimum(const Teacher& teacher);

// Empirical one-pass statistics of a binact2 model on data (rows = flattened Z, labels y):
// loss = mean (vᵀσ(Zw) − y)², grad_v = mean σ(Zw)(vᵀσ(Zw) − y) (= ∂ of half the loss), and the
// mean coarse w-gradient with the chosen STE.
struct CoarseStats {
  double loss = 0;
  std::vector<double> grad_v;
  std::vector<double> grad_w;
};
CoarseStats coarse_stats(const Engine& engine, const DataSource& data, const Binact2Model& model,
                         Ste ste);

// Algorithm 1 of the paper, population version: vᵗ⁺¹ = vᵗ − η ∂f/∂v, wᵗ⁺¹ = wᵗ − η E[g_μ], with
// the closed forms above. The trace records, per iterate (0..iterations), f, θ(w, w*), ‖w‖ and
// the cosine between E[g_μ] and the true ∂f/∂w (NaN where the latter is 0).
struct CgdTrace {
  std::vector<double> objective, theta, w_norm, cosine_w;
  std::vector<double> v, w;  // the last iterate
};
CgdTrace population_cgd(const Teacher& teacher, std::vector<double> v, std::vector<double> w,
                        Ste ste, double step, std::size_t iterations);

}  // namespace relureg::ste
