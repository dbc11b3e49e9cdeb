// hs-adversarial: the worst halfspace oracle GKK19's reduction allows, and gkk19 over it.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <vector>

#include "relureg/family.hpp"
#include "relureg/halfspace.hpp"
#include "relureg/learner.hpp"
#include "relureg/score.hpp"
#include "test_support.hpp"

namespace relureg {
namespace {

using testing::input_error_of;
using testing::two_threads;

FitResult fit_named(const std::string& name, const std::vector<std::string>& params,
                    const Instance& inst, const GroundTruth* truth) {
  const LearnerEntry& entry = find_learner(name);
  FitContext context{&two_threads(), 1, {}};
  context.truth = truth;
  return fit_learner(entry, ParamValues::parse(entry.params, params, name), inst.data.view(),
                     context);
}

TEST(HsAdversarial, WithoutAGroundTruthItIsAOneLineError) {
  const Instance inst = generate_instance("halfspace", 1000, 5, 1, {}, two_threads());
  EXPECT_EQ(input_error_of([&] { fit_named("hs-adversarial", {}, inst, nullptr); }),
            "learner 'hs-adversarial' needs the instance's ground truth (it turns w* away): give "
            "`relureg fit --truth FILE.truth.json`, or run it in `relureg tradeoff` on a family");
  EXPECT_EQ(input_error_of([&] {
              fit_named("gkk19", {"halfspace=hs-adversarial"},
                        generate_instance("two-point-noise", 1000, 5, 1, {}, two_threads()),
                        nullptr);
            }),
            "learner 'hs-adversarial' needs the instance's ground truth (it turns w* away): give "
            "`relureg fit --truth FILE.truth.json`, or run it in `relureg tradeoff` on a family");
  const Instance other = generate_instance("halfspace", 1000, 4, 1, {}, two_threads());
  EXPECT_EQ(input_error_of([&] { fit_named("hs-adversarial", {}, inst, &other.truth); }),
            "hs-adversarial: the ground truth has d = 4, the data 5");
}

// On the halfspace family with a fraction eta of labels flipped far from the boundary, a direction
// at angle θ from w* errs on about eta + θ/π of the rows. The returned direction errs at most C
// times the best direction of the circle it scans, at the largest angle that keeps that promise:
// about π(C − 1)·best.
TEST(HsAdversarial, ReturnsTheLargestAngleWithinTheFactor) {
  const Instance inst =
      generate_instance("halfspace", 50000, 6, 3, {"eta=0.05", "flips=far"}, two_threads());
  const Engine& e = two_threads();
  for (const double factor : {1.0, 2.0, 4.0}) {
    const FitResult fit =
        fit_named("hs-adversarial", {fmt::format("factor={}", factor)}, inst, &inst.truth);
    const auto& w = fit.as<HalfspaceModel>().w;
    const double best = fit.details["best_error"].get<double>();
    const double error = zero_one_error(e, inst.data.view(), w, 0.0);
    double cosine = 0;
    double norm = 0;
    for (std::size_t j = 0; j < w.size(); ++j)
      cosine += w[j] * inst.truth.w_star[j], norm += inst.truth.w_star[j] * inst.truth.w_star[j];
    cosine /= std::sqrt(norm);
    const double angle = std::acos(std::clamp(cosine, -1.0, 1.0));
    std::cout << fmt::format(
        "[ report ] hs-adversarial factor {}: best error {:.5f}, returned {:.5f} at angle {:.4f}"
        " (pi (C - 1) best = {:.4f})\n",
        factor, best, error, angle, M_PI * (factor - 1) * best);
    EXPECT_NEAR(fit.loss_history.back(), error, 1e-12);
    EXPECT_NEAR(fit.details["angle"].get<double>(), angle, 1e-6);
    EXPECT_LE(error, factor * best + 1e-12);
    EXPECT_LE(best, fit.details["teacher_error"].get<double>());
    EXPECT_NEAR(best, 0.05, 0.005);
    EXPECT_NEAR(angle, M_PI * (factor - 1) * best, 0.15 * M_PI * (factor - 1) * best + 0.02);
  }
}

// gkk19 passes the ground truth to its halfspace learner; over the worst oracle its loss on the
// two-point family at opt = 1e-5 is many times opt, while over hs-abl it stays near opt.
TEST(HsAdversarial, Gkk19OverTheWorstOracleLosesManyTimesOpt) {
  const Instance inst =
      generate_instance("two-point-noise", 50000, 10, 2, {"noise=1e-5"}, two_threads());
  const FitResult worst = fit_named("gkk19", {"halfspace=hs-adversarial"}, inst, &inst.truth);
  const FitResult good = fit_named("gkk19", {"halfspace=hs-abl"}, inst, &inst.truth);
  const double worst_ratio = *score(worst.model, inst.truth, two_threads()).ratio;
  const double good_ratio = *score(good.model, inst.truth, two_threads()).ratio;
  std::cout << fmt::format(
      "[ report ] two-point-noise opt 1e-5: gkk19/hs-adversarial {:.2f}·opt, "
      "gkk19/hs-abl {:.2f}·opt\n",
      worst_ratio, good_ratio);
  EXPECT_GT(worst_ratio, 5.0);
  EXPECT_LT(good_ratio, worst_ratio / 2);
}

}  // namespace
}  // namespace relureg
