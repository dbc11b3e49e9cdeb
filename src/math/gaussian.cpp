// Gaussian closed forms for ReLUs (papers.md §7) and the biased product by 1-D quadrature.
#include "relureg/gaussian.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

#include "relureg/quadrature.hpp"

namespace relureg::gaussian {
namespace {

double dot(std::span<const double> u, std::span<const double> v) {
  if (u.size() != v.size()) throw std::invalid_argument("gaussian: vectors of different sizes");
  double s = 0;
  for (std::size_t j = 0; j < u.size(); ++j) s += u[j] * v[j];
  return s;
}

double norm(std::span<const double> u) {
  return std::sqrt(dot(u, u));
}

// E[(m + σ g)_+] for g ~ N(0, 1): m Φ(m/σ) + σ φ(m/σ), and max(m, 0) when σ = 0.
double shifted_relu_mean(double m, double sigma) {
  if (sigma <= 0) return std::max(m, 0.0);
  return m * normal_cdf(m / sigma) + sigma * normal_pdf(m / sigma);
}

}  // namespace

double normal_pdf(double t) {
  return std::exp(-0.5 * t * t) / std::sqrt(2 * std::numbers::pi);
}

double normal_cdf(double t) {
  return 0.5 * std::erfc(-t / std::numbers::sqrt2);
}

double angle(std::span<const double> u, std::span<const double> v) {
  const double nu = norm(u), nv = norm(v);
  if (u.size() != v.size()) throw std::invalid_argument("gaussian: vectors of different sizes");
  if (nu == 0 || nv == 0) return 0;
  // θ = 2 atan2(‖û − v̂‖, ‖û + v̂‖) (Kahan): accurate near 0 and π, unlike acos of the cosine.
  double diff = 0, sum = 0;
  for (std::size_t j = 0; j < u.size(); ++j) {
    const double a = u[j] / nu, b = v[j] / nv;
    diff += (a - b) * (a - b);
    sum += (a + b) * (a + b);
  }
  return 2 * std::atan2(std::sqrt(diff), std::sqrt(sum));
}

double relu_kernel(std::span<const double> u, std::span<const double> v) {
  // Cho & Saul 2009, degree-1 arc-cosine kernel.
  const double nu = norm(u), nv = norm(v);
  if (nu == 0 || nv == 0) return 0;
  const double theta = angle(u, v);
  return nu * nv * (std::sin(theta) + (std::numbers::pi - theta) * std::cos(theta)) /
         (2 * std::numbers::pi);
}

double relu_mean(std::span<const double> u, double a) {
  return shifted_relu_mean(a, norm(u));
}

double relu_second_moment(std::span<const double> u, double a) {
  // E[(s g + a)_+²] = (a² + s²) Φ(a/s) + a s φ(a/s).
  const double s = norm(u);
  if (s == 0) return a > 0 ? a * a : 0.0;
  return (a * a + s * s) * normal_cdf(a / s) + a * s * normal_pdf(a / s);
}

double relu_product(std::span<const double> u, double a, std::span<const double> v, double c) {
  if (u.size() != v.size()) throw std::invalid_argument("gaussian: vectors of different sizes");
  const double su = norm(u), sv = norm(v);
  if (su == 0) return std::max(a, 0.0) * relu_mean(v, c);
  if (sv == 0) return std::max(c, 0.0) * relu_mean(u, a);
  if (a == 0 && c == 0) return relu_kernel(u, v);
  // Condition on t = v̂·x ~ N(0, 1): u·x + a | t ~ N(a + su ρ t, su² (1 − ρ²)), so
  // E[f g] = ∫_{t > −c/sv} (sv t + c) φ(t) E[(u·x + a)_+ | t] dt.
  const double theta = angle(u, v);
  const double rho = std::cos(theta);
  const double sigma = su * std::sin(theta);
  auto integrand = [&](double t) {
    return (sv * t + c) * normal_pdf(t) * shifted_relu_mean(a + su * rho * t, sigma);
  };
  // Below −38.5 the density underflows; the inner mean has a kink (σ = 0) or a sharp bend
  // (small σ) where a + su ρ t = 0, so that point is a breakpoint of the integration.
  constexpr double kFarTail = 38.5;
  const double lower = std::max(-c / sv, -kFarTail);
  if (lower >= kFarTail) return 0;
  double total = 0;
  double from = lower;
  if (rho != 0) {
    const double kink = -a / (su * rho);
    if (kink > lower && kink < kFarTail) {
      total += quadrature::integrate(integrand, lower, kink).value;
      from = kink;
    }
  }
  total += quadrature::integrate(integrand, from, std::numeric_limits<double>::infinity()).value;
  return total;
}

double relu_distance(std::span<const double> w, double b, std::span<const double> w_star,
                     double b_star) {
  const double value = relu_second_moment(w, b) + relu_second_moment(w_star, b_star) -
                       2 * relu_product(w, b, w_star, b_star);
  return std::max(value, 0.0);
}

}  // namespace relureg::gaussian
