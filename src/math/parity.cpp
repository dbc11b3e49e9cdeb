// Correlations of a ReLU with a lifted parity χ_S(sign g) under g ~ N(0, I), by 1-D quadrature.
#include "relureg/parity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

#include "relureg/gaussian.hpp"
#include "relureg/quadrature.hpp"

namespace relureg::parity {
namespace {

constexpr double kPi = std::numbers::pi;

// |G(t)| ≤ kSineBound·√(2/π)/t for t > 0: max_x 2x·F(x) ≈ 1.2849 (at x ≈ 1.5).
constexpr double kSineBound = 1.3;

// E[ReLU(u t + b + r h) sign t] for independent t, h ~ N(0, 1): the one-coordinate case, as
// ∫_0^∞ φ(t) (m(b + u t) − m(b − u t)) dt with m(μ) = E[(μ + r h)_+] (no oscillation).
double one_coordinate_correlation(double u, double r, double b) {
  auto relu_mean_at = [r](double mu) {
    if (r <= 0) return std::max(mu, 0.0);
    return mu * gaussian::normal_cdf(mu / r) + r * gaussian::normal_pdf(mu / r);
  };
  auto f = [&](double t) {
    return gaussian::normal_pdf(t) * (relu_mean_at(b + u * t) - relu_mean_at(b - u * t));
  };
  // Without r the integrand has a kink at |b/u|; split there so that both pieces are smooth.
  const double kink = std::abs(b / u);
  if (r > 0 || kink == 0 || kink > 40)
    return quadrature::integrate(f, 0, std::numeric_limits<double>::infinity()).value;
  return quadrature::integrate(f, 0, kink).value +
         quadrature::integrate(f, kink, std::numeric_limits<double>::infinity()).value;
}

}  // namespace

double dawson(double x) {
  if (x < 0) return -dawson(-x);
  if (x < 0.2) {  // Maclaurin series Σ (−2x²)^n x/(2n+1)!!
    double term = x, sum = x;
    for (int n = 0; n < 30 && std::abs(term) > 1e-18 * sum; ++n) {
      term *= -2 * x * x / (2 * n + 3);
      sum += term;
    }
    return sum;
  }
  if (x > 6) {  // asymptotic series 1/(2x) Σ (2n−1)!!/(2x²)^n, summed while the terms shrink
    const double inv = 1 / (2 * x * x);
    double term = 1, sum = 1;
    for (int n = 0; n < 200; ++n) {
      const double next = term * (2 * n + 1) * inv;
      if (next >= term || next < 1e-18 * sum) break;
      term = next;
      sum += term;
    }
    return sum / (2 * x);
  }
  // Rybicki: F(x) = lim_{h→0} (1/√π) Σ_{n odd} e^{−(x − nh)²}/n, error ~ e^{−(π/2h)²} ≈ 7e-18 for
  // h = 1/4; terms with |x − nh| > 8 are below e^{−64} and dropped.
  constexpr double h = 0.25;
  const long last = static_cast<long>(std::ceil((x + 8) / h));
  const long first = last % 2 == 0 ? -last + 1 : -last;
  double sum = 0;
  for (long n = first; n <= last; n += 2) {  // odd n
    const double gap = x - static_cast<double>(n) * h;
    if (std::abs(gap) > 8) continue;
    sum += std::exp(-gap * gap) / static_cast<double>(n);
  }
  return sum / std::sqrt(kPi);
}

double sign_sine_mean(double t) {
  return 2 / std::sqrt(kPi) * dawson(t / std::numbers::sqrt2);
}

double relu_parity_correlation(std::span<const double> w, double b,
                               std::span<const std::size_t> S) {
  const std::size_t d = w.size();
  std::vector<bool> in_set(d, false);
  for (std::size_t i : S) {
    if (i >= d) throw std::invalid_argument("relu_parity_correlation: index outside w");
    if (in_set[i]) throw std::invalid_argument("relu_parity_correlation: repeated index");
    in_set[i] = true;
  }
  if (S.empty()) return gaussian::relu_mean(w, b);
  std::vector<double> u;
  double rest2 = 0;
  for (std::size_t j = 0; j < d; ++j) {
    if (in_set[j])
      u.push_back(w[j]);
    else
      rest2 += w[j] * w[j];
  }
  // A coordinate of S that w ignores leaves χ_S independent of w·g: zero correlation.
  for (double v : u)
    if (v == 0) return 0;
  const std::size_t k = u.size();
  const double r = std::sqrt(rest2);
  if (k == 1) return one_coordinate_correlation(u[0], r, b);
  if (k % 2 == 1 && b == 0) return 0;  // odd k ≥ 3: ReLU(s) − ReLU(−s) = s is uncorrelated

  // ReLU(s) = s/2 + |s|/2; for k ≥ 2 the linear part is uncorrelated with χ_S, and
  // E[|s| χ_S] = −(2/π) ∫_0^∞ E[cos(ω s) χ_S] ω^{−2} dω with
  // E[e^{iωs} χ_S] = e^{iωb} e^{−ω²r²/2} Π_{i∈S} i G(ω u_i).
  double u_min = std::abs(u[0]), u_max = u_min, sign_product = 1;
  for (double v : u) {
    u_min = std::min(u_min, std::abs(v));
    u_max = std::max(u_max, std::abs(v));
    sign_product *= v > 0 ? 1 : -1;
  }
  const bool equal = u_max - u_min <= 1e-15 * u_max;
  const double i_power = (k / 2) % 2 == 0 ? 1.0 : -1.0;  // i^k = ±1 (even k) or ±i (odd k)
  auto integrand = [&](double omega) {
    double p = std::exp(-0.5 * omega * omega * rest2);
    if (equal) {
      p *= sign_product * std::pow(sign_sine_mean(omega * u_max), static_cast<double>(k));
    } else {
      for (double v : u) p *= sign_sine_mean(omega * v);
    }
    // Re[e^{iωb} i^k]: (−1)^{k/2} cos ωb for even k, −(−1)^{(k−1)/2} sin ωb for odd k.
    const double phase =
        k % 2 == 0 ? i_power * std::cos(omega * b) : -i_power * std::sin(omega * b);
    return phase * p / (omega * omega);
  };
  // Panels [0, a0], [a0, 2a0], [2a0, 4a0], ...; past ω the integrand is bounded by
  // C ω^{−k−2} e^{−ω²r²/2}, C = Π (1.3 √(2/π)/|u_i|), so the rest of the integral is below
  // C ω^{−k−1}/(k+1)·e^{−ω²r²/2}: stop once that is negligible.
  double log_c = 0;
  for (double v : u) log_c += std::log(kSineBound * std::sqrt(2 / kPi) / std::abs(v));
  double lo = 0, hi = 1 / u_max, total = 0;
  for (int panel = 0; panel < 200; ++panel) {
    const double abs_tol = std::max(1e-18, 1e-14 * std::abs(total));
    total += quadrature::integrate(integrand, lo, hi, abs_tol, 1e-12).value;
    const double log_tail = log_c - static_cast<double>(k + 1) * std::log(hi) -
                            std::log(static_cast<double>(k + 1)) - 0.5 * hi * hi * rest2;
    if (hi > 1 / u_min && std::exp(log_tail) < std::max(1e-18, 1e-14 * std::abs(total))) break;
    lo = hi;
    hi *= 2;
  }
  return -total / kPi;
}

double parity_correlation(std::size_t k) {
  if (k == 0) throw std::invalid_argument("parity_correlation: k must be at least 1");
  if (k == 1) return 1 / std::sqrt(2 * kPi);
  if (k % 2 == 1) return 0;
  const std::vector<double> w(k, 1 / std::sqrt(static_cast<double>(k)));
  std::vector<std::size_t> S(k);
  for (std::size_t i = 0; i < k; ++i) S[i] = i;
  return relu_parity_correlation(w, 0.0, S);
}

ParityGap parity_gap(std::size_t k, double eta) {
  if (!(eta >= 0 && eta < 0.5)) throw std::invalid_argument("parity_gap: eta must be in [0, 0.5)");
  ParityGap g;
  g.k = k;
  g.eta = eta;
  g.c_k = parity_correlation(k);
  const double signal = (1 - 2 * eta) * std::abs(g.c_k);
  g.best_scale = 1 / std::sqrt(2 * kPi) + signal;
  g.opt = 0.5 - 0.5 * g.best_scale * g.best_scale;
  g.b0 = 0.5 - 1 / (4 * kPi);
  g.gap = signal / std::sqrt(2 * kPi) + 0.5 * signal * signal;
  return g;
}

std::vector<double> best_signs(std::size_t k) {
  std::vector<double> signs(k, 1.0);
  if (k > 0 && parity_correlation(k) < 0) signs.back() = -1;
  return signs;
}

}  // namespace relureg::parity
