// The separation families: side-signal's exact loss and the gap it opens between the moment
// learners and gradient descent; two-point-noise's law.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "families/families.hpp"
#include "relureg/family.hpp"
#include "relureg/learner.hpp"
#include "relureg/model_ops.hpp"
#include "relureg/score.hpp"
#include "test_support.hpp"

namespace relureg {
namespace {

using testing::two_threads;

// The exact loss (closed forms and one quadrature) agrees with Monte Carlo on fresh rows, for the
// teacher and for ReLUs off the plane of w* and u, with and without bias.
TEST(SideSignal, ExactLossMatchesMonteCarlo) {
  const Instance inst = generate_instance("side-signal", 10, 6, 4,
                                          {"beta=0.3", "norm=1.5", "noise=0.01"}, two_threads());
  const GroundTruth& truth = inst.truth;
  EXPECT_EQ(truth.opt_kind, "exact");
  EXPECT_NEAR(truth.opt, 0.3 * 0.3 * 1.5 * 1.5 / 2 + 0.01, 1e-15);
  EXPECT_LE(truth.opt_error, 1e-9);
  const auto u = truth.facts["side_direction"].get<std::vector<double>>();
  EXPECT_NEAR(families::dot(u, truth.w_star), 0.0, 1e-12);
  EXPECT_NEAR(families::dot(u, u), 1.0, 1e-12);
  std::vector<ReluModel> models = {{truth.w_star, 0.0, false}, {u, 0.3, true}};
  std::vector<double> mixed(6);
  for (std::size_t j = 0; j < 6; ++j)
    mixed[j] = 0.7 * truth.w_star[j] + 0.8 * u[j] + 0.1 * static_cast<double>(j % 3);
  models.push_back({mixed, -0.2, true});
  models.push_back({mixed, 0.0, false});
  for (const ReluModel& m : models) {
    const PopulationLoss exact = population_loss(m, truth, two_threads());
    EXPECT_EQ(exact.method, "exact");
    const PopulationLoss mc =
        families::monte_carlo_loss(find_family("side-signal").rows(truth), m, 400000, 9, 2);
    std::cout << "[ report ] side-signal loss: exact " << exact.value << ", Monte Carlo "
              << mc.value << " +- " << mc.stderr_ << "\n";
    EXPECT_NEAR(exact.value, mc.value, 4 * mc.stderr_);
  }
}

TEST(SideSignal, RejectsOneDimension) {
  EXPECT_EQ(testing::input_error_of(
                [] { generate_instance("side-signal", 10, 1, 1, {}, two_threads()); }),
            "family 'side-signal' needs d of at least 2");
}

// Moment and GLMtron follow E[yx], which the side signal turns by atan(beta) away from w*; gd
// descends to the teacher. Population losses (exact) against the exact homogeneous opt.
TEST(SideSignal, SeparatesTheMomentLearnersFromGradientDescent) {
  const Instance inst =
      generate_instance("side-signal", 100000, 10, 1, {"beta=0.1"}, two_threads());
  std::map<std::string, double> ratio;
  for (const std::string name : {"moment", "glmtron", "gd"}) {
    const LearnerEntry& entry = find_learner(name);
    const FitResult fit = fit_learner(entry, ParamValues::defaults(entry.params), inst.data.view(),
                                      {&two_threads(), 1, {}});
    const Score s = score(fit.model, inst.truth, two_threads());
    EXPECT_EQ(s.opt_kind, "exact");
    EXPECT_EQ(s.population.method, "exact");
    ratio[name] = *s.ratio;
    std::cout << fmt::format("[ report ] side-signal beta=0.1 d=10 n=1e5 seed 1: {} {:.5f}·opt\n",
                             name, ratio[name]);
  }
  EXPECT_GE(ratio["moment"], 1.5);
  EXPECT_GE(ratio["glmtron"], 1.5);
  EXPECT_LE(ratio["gd"], 1.01);
}

// The noise takes the values ±s and 0, s = spread·noise^(1/3), with P(ξ ≠ 0) = noise/s², so its
// variance is the opt; when spread·noise^(1/3) < √noise, ξ = ±√noise always.
TEST(TwoPointNoise, NoiseIsTwoPointWithTheOptAsVariance) {
  for (const auto& [noise, spread] :
       std::vector<std::pair<double, double>>{{1e-3, 0.5}, {0.05, 0.5}}) {
    const Instance inst = generate_instance(
        "two-point-noise", 200000, 5, 3,
        {"noise=" + std::to_string(noise), "spread=" + std::to_string(spread)}, two_threads());
    const GroundTruth& truth = inst.truth;
    const double s = std::max(spread * std::cbrt(noise), std::sqrt(noise));
    EXPECT_NEAR(truth.facts["noise_value"].get<double>(), s, 1e-15);
    EXPECT_NEAR(truth.facts["noise_probability"].get<double>(), std::min(1.0, noise / (s * s)),
                1e-15);
    EXPECT_EQ(truth.opt, noise);
    EXPECT_EQ(truth.homogeneous->opt, noise);
    const ReluModel teacher{truth.w_star, 0.0, false};
    std::size_t nonzero = 0;
    double sum_sq = 0;
    for (std::size_t r = 0; r < inst.data.n; ++r) {
      const double xi = inst.data.y[r] - teacher.predict_one(&inst.data.X[r * inst.data.d]);
      const bool zero = std::abs(xi) < 1e-12;
      EXPECT_TRUE(zero || std::abs(std::abs(xi) - s) < 1e-12) << xi;
      nonzero += !zero;
      sum_sq += xi * xi;
    }
    const double p = std::min(1.0, noise / (s * s)), n = static_cast<double>(inst.data.n);
    std::cout << "[ report ] two-point-noise " << noise << ": P(xi != 0) " << nonzero / n
              << " (law " << p << "), mean xi^2 " << sum_sq / n << "\n";
    EXPECT_NEAR(nonzero / n, p, 4 * std::sqrt(p * (1 - p) / n) + 1e-9);
    EXPECT_NEAR(sum_sq / n, noise, 4 * s * s * std::sqrt(p * (1 - p) / n) + 1e-9);
  }
}

}  // namespace
}  // namespace relureg
