// Sparse parity in Gaussian space: correlations of a ReLU with χ_S(sign g) by 1-D quadrature.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace relureg::parity {

// Dawson's integral F(x) = e^{−x²} ∫_0^x e^{t²} dt (Rybicki's sum, asymptotic series for x > 6;
// relative error below 1e-14).
double dawson(double x);

// G(t) = E[sin(t|g|)] = E[sin(t g) sign g] for g ~ N(0, 1); equals (2/√π) F(t/√2).
double sign_sine_mean(double t);

// E[ReLU(w·g + b) χ_S(sign g)] for g ~ N(0, I_d), χ_S(sign g) = Π_{i∈S} sign(g_i).
// Writes |s| = (2/π) ∫_0^∞ (1 − cos ωs)/ω² dω with s = w·g + b; the characteristic function of
// w·g against χ_S factorises into i·G(ω w_i) per i ∈ S and e^{−ω² w_j²/2} per j ∉ S, which leaves
// one non-negative 1-D integral (times cos ωb or sin ωb, which oscillate when b ≠ 0), done by
// adaptive Gauss–Kronrod (papers.md §1.4 step 5, extended to any w and b).
double relu_parity_correlation(std::span<const double> w, double b, std::span<const std::size_t> S);

// c_k = E[ReLU(1_S·g/√k) χ_S(sign g)] for |S| = k: (−1)^{k/2+1}·(1/π)∫_0^∞ G(ω/√k)^k ω^{−2} dω
// for even k, 1/√(2π) for k = 1 and exactly 0 for odd k ≥ 3 (ReLU(t) − ReLU(−t) = t).
double parity_correlation(std::size_t k);

// The ground truth of the lifted k-sparse parity with noise rate η (labels ỹ = (1 + ℓ)/2 ∈ {0,1},
// E[ỹ | g] = ½ + ½(1 − 2η) χ_S(sign g)) for ReLUs max(0, w·g), ‖w‖ ≤ 1 (papers.md §1.4 step 6):
// along a unit u the best scale is a(u) = 1/√(2π) + (1 − 2η) c(u) and the loss ½ − a(u)²/2;
// the best u is 1_S/√k with one sign flipped when c_k < 0 (checked numerically for k = 2, 4, 6).
struct ParityGap {
  std::size_t k = 0;
  double eta = 0;
  double c_k = 0;         // signed correlation of the all-plus direction
  double best_scale = 0;  // a* = 1/√(2π) + (1 − 2η)|c_k|
  double opt = 0;         // ½ − a*²/2
  double b0 = 0;          // loss of the best ReLU when labels carry no information: ½ − 1/(4π)
  double gap = 0;         // Δ_k = b0 − opt = (1 − 2η)|c_k|/√(2π) + (1 − 2η)² c_k²/2
};
ParityGap parity_gap(std::size_t k, double eta);

// The signs of the best direction on S (sorted): all +1, the last one −1 when c_k < 0.
std::vector<double> best_signs(std::size_t k);

}  // namespace relureg::parity
