// GGJKK20's orthogonal networks: exact second moments, the network, and the paired feature.
#include "relureg/orthogonal.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

#include "relureg/gaussian.hpp"
#include "relureg/quadrature.hpp"

namespace relureg::orthogonal {
namespace {

double binomial(std::size_t k, std::size_t i) {
  double c = 1;
  for (std::size_t j = 1; j <= i; ++j) c = c * static_cast<double>(k - i + j) / j;
  return c;
}

// κ(ρ) = E[ReLU(g)ReLU(g')] = (√(1 − ρ²) + (π − arccos ρ)ρ)/(2π) (Cho & Saul).
double relu_kappa(double rho) {
  rho = std::clamp(rho, -1.0, 1.0);
  return (std::sqrt(1 - rho * rho) + (std::numbers::pi - std::acos(rho)) * rho) /
         (2 * std::numbers::pi);
}

// E[tanh(g/2) tanh(g'/2)] for standard normals of correlation ρ: condition on g = t,
// g' = ρt + √(1 − ρ²)u; both integrals over R as twice the half line of the even integrand part.
double tanh_kappa(double rho) {
  if (rho == 0) return 0;
  const double s = std::sqrt(std::max(0.0, 1 - rho * rho));
  auto inner = [&](double t) {  // E_u[tanh((ρt + s u)/2)]
    if (s == 0) return std::tanh(rho * t / 2);
    auto f = [&](double u) {
      return gaussian::normal_pdf(u) *
             (std::tanh((rho * t + s * u) / 2) + std::tanh((rho * t - s * u) / 2));
    };
    return quadrature::integrate(f, 0, std::numeric_limits<double>::infinity(), 1e-14, 1e-12).value;
  };
  // tanh(t/2)·inner(t) is even in t.
  auto outer = [&](double t) { return 2 * gaussian::normal_pdf(t) * std::tanh(t / 2) * inner(t); };
  return quadrature::integrate(outer, 0, std::numeric_limits<double>::infinity(), 1e-14, 1e-12)
      .value;
}

}  // namespace

std::string zero_reason(Activation activation, std::size_t k) {
  if (k == 0) return "k must be at least 1";
  if (activation == Activation::relu && k % 2 == 1)
    return k == 1 ? "with ReLU and k = 1 the network is the linear function x_i (ReLU(t) - "
                    "ReLU(-t) = t); use an even k or activation=sigmoid"
                  : fmt::format(
                        "with ReLU and odd k = {} the network is identically zero (ReLU(t) - "
                        "ReLU(-t) = t, so the units s and -s cancel); use an even k, or "
                        "activation=sigmoid with odd k",
                        k);
  if (activation == Activation::sigmoid && k % 2 == 0)
    return fmt::format(
        "with the sigmoid and even k = {} the network is identically zero (sigmoid(t) + "
        "sigmoid(-t) = 1, so the units s and -s add up to a constant that cancels); use an odd "
        "k, or activation=relu with even k",
        k);
  return "";
}

double second_moment(std::size_t k, Activation activation) {
  double total = 0;
  for (std::size_t i = 0; i <= k; ++i) {
    const double rho = static_cast<double>(static_cast<long>(k) - 2 * static_cast<long>(i)) /
                       static_cast<double>(k);
    const double kappa = activation == Activation::relu ? relu_kappa(rho) : 0.25 * tanh_kappa(rho);
    total += binomial(k, i) * (i % 2 ? -1.0 : 1.0) * kappa;
  }
  return std::ldexp(total, static_cast<int>(k));
}

Net2Model network(std::size_t d, const std::vector<std::size_t>& subset, Activation activation,
                  double scale) {
  const std::size_t k = subset.size();
  if (k == 0 || k > 24) throw std::invalid_argument("orthogonal::network: need 1 <= k <= 24");
  const std::size_t units = std::size_t{1} << k;
  Net2Model model = zero_net2(d, units, false, activation);
  const double inv = 1 / std::sqrt(static_cast<double>(k));
  for (std::size_t u = 0; u < units; ++u) {
    double chi = 1;
    for (std::size_t j = 0; j < k; ++j) {
      const double s = (u >> j) & 1 ? -1.0 : 1.0;
      chi *= s;
      model.W[u * d + subset[j]] = s * inv;
    }
    model.a[u] = chi * scale;
  }
  return model;
}

double feature(const double* values, std::size_t k, Activation activation) {
  const double inv = 1 / std::sqrt(static_cast<double>(k));
  const bool odd = k % 2 == 1;
  double total = 0;
  // s₁ = +1; the remaining signs from the bits of u.
  for (std::size_t u = 0; u < (std::size_t{1} << (k - 1)); ++u) {
    double t = values[0], chi = 1;
    for (std::size_t j = 1; j < k; ++j) {
      const bool minus = (u >> (j - 1)) & 1;
      t += minus ? -values[j] : values[j];
      if (minus) chi = -chi;
    }
    t *= inv;
    double pair = 0;
    if (activation == Activation::relu)
      pair = odd ? t : std::abs(t);  // ReLU(t) ∓ ReLU(−t)
    else
      pair = odd ? std::tanh(t / 2) : 1.0;  // σ(t) − σ(−t) = tanh(t/2); σ(t) + σ(−t) = 1
    total += chi * pair;
  }
  return total;
}

std::size_t subset_count(std::size_t d, std::size_t k) {
  if (k > d) return 0;
  const double c = binomial(d, k);
  return c >= 1.8e19 ? std::numeric_limits<std::size_t>::max()
                     : static_cast<std::size_t>(std::llround(c));
}

bool next_subset(std::vector<std::size_t>& subset, std::size_t d) {
  const std::size_t k = subset.size();
  for (std::size_t i = k; i-- > 0;) {
    if (subset[i] < d - k + i) {
      ++subset[i];
      for (std::size_t j = i + 1; j < k; ++j) subset[j] = subset[j - 1] + 1;
      return true;
    }
  }
  return false;
}

}  // namespace relureg::orthogonal
