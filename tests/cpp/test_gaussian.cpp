// Tests of the adaptive quadrature and the Gaussian ReLU closed forms (papers.md §7, sota.md D1).
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <vector>

#include "relureg/gaussian.hpp"
#include "relureg/quadrature.hpp"

namespace relureg {
namespace {

using Vec = std::vector<double>;
constexpr double kInf = std::numeric_limits<double>::infinity();

double relu(double z) {
  return z > 0 ? z : 0.0;
}
double dot(const Vec& u, const double* x) {
  double s = 0;
  for (std::size_t j = 0; j < u.size(); ++j) s += u[j] * x[j];
  return s;
}

// Mean and standard error of fn(x) over `samples` draws of x ~ N(0, I_d).
template <class Fn>
std::pair<double, double> monte_carlo(std::size_t d, std::size_t samples, std::uint64_t seed,
                                      Fn fn) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::vector<double> x(d);
  double sum = 0, sum_squares = 0;
  for (std::size_t i = 0; i < samples; ++i) {
    for (double& v : x) v = normal(rng);
    const double value = fn(x.data());
    sum += value;
    sum_squares += value * value;
  }
  const double m = static_cast<double>(samples), mean = sum / m;
  return {mean, std::sqrt((sum_squares / m - mean * mean) / m)};
}

TEST(Quadrature, HalfGaussianIntegralOnHalfLine) {
  const auto r = quadrature::integrate([](double t) { return std::exp(-t * t / 2); }, 0, kInf);
  EXPECT_NEAR(r.value, std::sqrt(std::numbers::pi / 2), 1e-12);
  EXPECT_LT(r.error, 1e-11);
}

TEST(Quadrature, PolynomialIsExactAndLimitsMayBeReversed) {
  auto cubic = [](double t) { return t * t * t - 2 * t + 1; };  // ∫_{-1}^{2} = 3.75
  EXPECT_NEAR(quadrature::integrate(cubic, -1, 2).value, 3.75, 1e-14);
  EXPECT_NEAR(quadrature::integrate(cubic, 2, -1).value, -3.75, 1e-14);
  EXPECT_EQ(quadrature::integrate(cubic, 1, 1).value, 0.0);
}

TEST(Quadrature, WholeLineAndKinkedIntegrands) {
  const auto density = quadrature::integrate(gaussian::normal_pdf, -kInf, kInf);
  EXPECT_NEAR(density.value, 1.0, 1e-12);
  EXPECT_NEAR(quadrature::integrate(gaussian::normal_pdf, -kInf, 1.0).value,
              gaussian::normal_cdf(1.0), 1e-12);
  // |t| has a kink at 0 inside [-1, 2]: ∫ = 1/2 + 2 = 2.5; bisection must resolve it.
  EXPECT_NEAR(quadrature::integrate([](double t) { return std::abs(t); }, -1, 2).value, 2.5, 1e-10);
}

TEST(Gaussian, DensityAndDistributionValues) {
  EXPECT_NEAR(gaussian::normal_pdf(0), 1 / std::sqrt(2 * std::numbers::pi), 1e-16);
  EXPECT_DOUBLE_EQ(gaussian::normal_cdf(0), 0.5);
  EXPECT_NEAR(gaussian::normal_cdf(1.959963984540054), 0.975, 1e-15);
  EXPECT_NEAR(gaussian::normal_cdf(-10), 7.619853024160527e-24, 1e-36);  // tail kept accurate
}

TEST(Gaussian, AngleIsStableAndHandlesZeroVectors) {
  EXPECT_NEAR(gaussian::angle(Vec{1, 2}, Vec{2, 4}), 0.0, 1e-15);
  EXPECT_NEAR(gaussian::angle(Vec{1, 2}, Vec{-1, -2}), std::numbers::pi, 1e-15);
  EXPECT_NEAR(gaussian::angle(Vec{1, 0}, Vec{0, 3}), std::numbers::pi / 2, 1e-15);
  EXPECT_NEAR(gaussian::angle(Vec{1, 0}, Vec{1, 1e-10}), 1e-10, 1e-20);
  EXPECT_EQ(gaussian::angle(Vec{0, 0}, Vec{1, 1}), 0.0);
}

TEST(Gaussian, SingleReluMomentsMatchSpecialValues) {
  const Vec u = {3, 4};  // ‖u‖ = 5
  EXPECT_NEAR(gaussian::relu_mean(u, 0), 5 / std::sqrt(2 * std::numbers::pi), 1e-15);
  EXPECT_NEAR(gaussian::relu_second_moment(u, 0), 12.5, 1e-14);
  EXPECT_EQ(gaussian::relu_mean(Vec{0, 0}, 0.7), 0.7);
  EXPECT_EQ(gaussian::relu_mean(Vec{0, 0}, -0.7), 0.0);
  EXPECT_DOUBLE_EQ(gaussian::relu_second_moment(Vec{0, 0}, 0.7), 0.49);
  // Far-positive bias: the ReLU is the identity, E = a and E[²] = a² + s².
  EXPECT_NEAR(gaussian::relu_mean(u, 100), 100, 1e-12);
  EXPECT_NEAR(gaussian::relu_second_moment(u, 100), 10025, 1e-9);
}

TEST(Gaussian, ArcCosineKernelSpecialAnglesAndMonteCarlo) {
  // θ = 0: E[ReLU(g)²]·‖u‖‖v‖ = ‖u‖‖v‖/2; θ = π/2: independent, (1/√(2π))²; θ = π: disjoint.
  EXPECT_NEAR(gaussian::relu_kernel(Vec{2, 0}, Vec{3, 0}), 3.0, 1e-15);
  EXPECT_NEAR(gaussian::relu_kernel(Vec{1, 0}, Vec{0, 1}), 1 / (2 * std::numbers::pi), 1e-16);
  EXPECT_NEAR(gaussian::relu_kernel(Vec{1, 0}, Vec{-1, 0}), 0.0, 1e-16);
  const double thetas[] = {0.3, 1.2, 2.5};
  for (int i = 0; i < 3; ++i) {
    const Vec u = {1.3, 0, 0}, v = {0.8 * std::cos(thetas[i]), 0.8 * std::sin(thetas[i]), 0};
    const double kernel = gaussian::relu_kernel(u, v);
    const auto [mc, se] = monte_carlo(
        3, 1'000'000, 11 + i, [&](const double* x) { return relu(dot(u, x)) * relu(dot(v, x)); });
    EXPECT_LT(se, 1.5e-3);
    EXPECT_NEAR(mc, kernel, 4 * se) << "theta " << thetas[i];
  }
}

TEST(Gaussian, BiasedProductAndDistanceMatchMonteCarlo) {
  const Vec u = {1.2, -0.4, 0.5}, v = {0.3, 0.9, -1.1};
  const double a = 0.3, c = -0.5;
  const double product = gaussian::relu_product(u, a, v, c);
  const double distance = gaussian::relu_distance(u, a, v, c);
  const auto [mc_product, se_product] = monte_carlo(
      3, 1'000'000, 7, [&](const double* x) { return relu(dot(u, x) + a) * relu(dot(v, x) + c); });
  const auto [mc_distance, se_distance] = monte_carlo(3, 1'000'000, 8, [&](const double* x) {
    const double gap = relu(dot(u, x) + a) - relu(dot(v, x) + c);
    return gap * gap;
  });
  EXPECT_LT(se_product, 1e-3);
  EXPECT_NEAR(mc_product, product, 4 * se_product);
  EXPECT_LT(se_distance, 3e-3);
  EXPECT_NEAR(mc_distance, distance, 4 * se_distance);
}

TEST(Gaussian, ChowVectorIsHalfTheWeight) {
  // Stein's identity (sota.md D1): E[ReLU(w·x) x] = w/2.
  const Vec w = {0.8, -0.6, 0.3};
  for (std::size_t j = 0; j < 3; ++j) {
    const auto [mc, se] =
        monte_carlo(3, 1'000'000, 20 + j, [&](const double* x) { return relu(dot(w, x)) * x[j]; });
    EXPECT_NEAR(mc, w[j] / 2, 4 * se) << "coordinate " << j;
  }
}

TEST(Gaussian, ProductQuadraturePathAgreesWithClosedForms) {
  const Vec u = {1.0, 0.3, -0.2}, v = {0.5, -0.4, 1.1};
  // A tiny bias forces the quadrature path; the kernel changes by at most ~1e-9.
  EXPECT_NEAR(gaussian::relu_product(u, 1e-9, v, 0), gaussian::relu_kernel(u, v), 1e-8);
  EXPECT_NEAR(gaussian::relu_product(u, 0, v, 0), gaussian::relu_kernel(u, v), 1e-15);
  // Parallel (σ = 0, a kink): E[f²] in closed form.
  EXPECT_NEAR(gaussian::relu_product(u, 0.3, u, 0.3), gaussian::relu_second_moment(u, 0.3), 1e-12);
  EXPECT_NEAR(gaussian::relu_product(u, -0.8, Vec{2, 0.6, -0.4}, -1.6),
              2 * gaussian::relu_second_moment(u, -0.8), 1e-12);
  // Orthogonal: independent factors.
  const Vec p = {0, 1, 0}, q = {0, 0, 2};
  EXPECT_NEAR(gaussian::relu_product(p, 0.3, q, -0.5),
              gaussian::relu_mean(p, 0.3) * gaussian::relu_mean(q, -0.5), 1e-12);
  // Anti-parallel: (a + s g)(c − s' g) on −a/s < g < c/s', integrated by hand with
  // ∫gφ = −φ and ∫g²φ = Φ − gφ.
  const double s = std::sqrt(1.0 + 0.09 + 0.04), s2 = 2 * s, a = 0.4, c = 0.7;
  const double lo = -a / s, hi = c / s2;
  auto Phi = gaussian::normal_cdf;
  auto phi = gaussian::normal_pdf;
  const double exact = a * c * (Phi(hi) - Phi(lo)) + (s * c - a * s2) * (phi(lo) - phi(hi)) -
                       s * s2 * (Phi(hi) - hi * phi(hi) - Phi(lo) + lo * phi(lo));
  EXPECT_NEAR(gaussian::relu_product(u, a, Vec{-2, -0.6, 0.4}, c), exact, 1e-12);
  // Zero vectors reduce to constants.
  EXPECT_NEAR(gaussian::relu_product(Vec{0, 0, 0}, 0.5, v, 0.2), 0.5 * gaussian::relu_mean(v, 0.2),
              1e-15);
  EXPECT_EQ(gaussian::relu_product(Vec{0, 0, 0}, -0.5, v, 0.2), 0.0);
}

TEST(Gaussian, DistanceIdentities) {
  const Vec u = {1.0, 0.3, -0.2}, v = {0.5, -0.4, 1.1};
  EXPECT_LT(gaussian::relu_distance(u, 0.4, u, 0.4), 1e-12);
  const double theta = gaussian::angle(u, v);
  const double nu = std::sqrt(1.13), nv = std::sqrt(1.62);
  const double closed =
      (nu * nu + nv * nv) / 2 -
      nu * nv * (std::sin(theta) + (std::numbers::pi - theta) * std::cos(theta)) / std::numbers::pi;
  EXPECT_NEAR(gaussian::relu_distance(u, 0, v, 0), closed, 1e-13);
  // 1-Lipschitz: ≤ ‖u − v‖² + (a − c)².
  EXPECT_LE(gaussian::relu_distance(u, 0.2, v, -0.1), 0.5 * 0.5 + 0.7 * 0.7 + 1.3 * 1.3 + 0.09);
}

}  // namespace
}  // namespace relureg
