// Halfspace learners, the halfspace family and its opt, the row adapters, and bad ±1 input.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/gaussian.hpp"
#include "relureg/halfspace.hpp"
#include "relureg/learner.hpp"
#include "relureg/model_ops.hpp"
#include "relureg/sources.hpp"

#include "test_support.hpp"

namespace relureg {
namespace {

using testing::input_error_of;

// One thread: the suite runs tests in parallel (ctest -j), and the results do not depend on the
// thread count (the determinism tests below compare 1 and 2 threads).
const Engine& engine1() {
  static const Engine engine(EngineOptions{1});
  return engine;
}

FitResult fit(const std::string& learner, const DataSource& data, const Engine& engine,
              const std::vector<std::string>& params = {}, bool bias = false) {
  const LearnerEntry& entry = find_learner(learner);
  ParamValues values = ParamValues::parse(entry.params, params, learner);
  values.set_fit_bias(bias);
  return fit_learner(entry, values, data, {&engine, 7, {}});
}

TEST(HalfspaceFamily, LabelsAreSignsAndTheTeacherErrsOnTheFlippedFraction) {
  for (const std::string flips : {"near", "far"}) {
    const Instance inst =
        generate_instance("halfspace", 40000, 8, 3, {"eta=0.1", "flips=" + flips}, engine1());
    for (double y : inst.data.y) ASSERT_TRUE(y == 1.0 || y == -1.0);
    const double error = zero_one_error(engine1(), inst.data.view(), inst.truth.w_star, 0.0);
    const double se = std::sqrt(0.1 * 0.9 / 40000);
    EXPECT_NEAR(error, 0.1, 4 * se) << flips;
    EXPECT_NEAR(inst.truth.teacher_loss, 0.1, 1e-10) << flips;
    EXPECT_EQ(inst.truth.opt_kind, "exact");
  }
}

TEST(HalfspaceFamily, BadParametersAreNamed) {
  EXPECT_EQ(input_error_of([] { generate_instance("halfspace", 10, 1, 1, {}, engine1()); }),
            "family 'halfspace' needs d of at least 2");
  EXPECT_EQ(
      input_error_of([] { generate_instance("halfspace", 10, 3, 1, {"eta=0.5"}, engine1()); }),
      "parameter 'eta' for family 'halfspace': 0.5 is out of range [0, 0.4999]");
  EXPECT_EQ(
      input_error_of([] { generate_instance("halfspace", 10, 3, 1, {"flips=middle"}, engine1()); }),
      "parameter 'flips' for family 'halfspace': 'middle' is not one of near|far");
}

TEST(HalfspaceFamily, OptIsEtaForFarFlipsAndBelowEtaForNearFlips) {
  const Instance far =
      generate_instance("halfspace", 100, 5, 1, {"eta=0.05", "flips=far"}, engine1());
  EXPECT_NEAR(far.truth.opt, 0.05, 1e-10);
  EXPECT_EQ(far.truth.w_opt, far.truth.w_star);
  // Near flips: turning the halfspace by θ ≈ 0.053 rad trades wedge mass inside the flipped band
  // for mass outside it. Reference value by scipy quad + a 2001-point angle grid: 0.0380374.
  const Instance near =
      generate_instance("halfspace", 200000, 5, 1, {"eta=0.05", "flips=near"}, engine1());
  EXPECT_NEAR(near.truth.opt, 0.0380374, 2e-6);
  EXPECT_NEAR(gaussian::angle(near.truth.w_opt, near.truth.w_star), 0.0534, 2e-3);
  // The empirical error of the best halfspace agrees with its exact population error.
  const double empirical = zero_one_error(engine1(), near.data.view(), near.truth.w_opt, 0.0);
  EXPECT_NEAR(empirical, near.truth.opt, 4 * std::sqrt(0.038 * 0.962 / 200000));
}

TEST(HalfspaceFamily, PopulationErrorOfAnyHalfspaceMatchesTheSample) {
  const Instance inst =
      generate_instance("halfspace", 200000, 4, 9, {"eta=0.2", "flips=far"}, engine1());
  HalfspaceModel model{inst.truth.w_star, 0.0, false};
  for (std::size_t j = 0; j < model.w.size(); ++j) model.w[j] += 0.4 * std::sin(2.0 + j);
  for (double b : {0.0, 0.3}) {
    model.b = b;
    const double exact = population_loss(model, inst.truth, engine1()).value;
    const double empirical = zero_one_error(engine1(), inst.data.view(), model.w, b);
    EXPECT_NEAR(empirical, exact, 4 * std::sqrt(exact * (1 - exact) / 200000)) << b;
    EXPECT_GT(exact, inst.truth.opt + 0.01);
  }
}

// The bar: with 5 % adversarial flips in d = 20, hs-abl and hs-sigmoid reach 0/1 error
// ≤ 3η + 0.01; in fact both are within 0.005 of opt. hs-average is reported only.
TEST(HalfspaceLearners, AblAndSigmoidReachThreeEtaOnFivePercentFlips) {
  const double eta = 0.05;
  for (const std::string flips : {"near", "far"}) {
    const Instance inst =
        generate_instance("halfspace", 60000, 20, 21, {"eta=0.05", "flips=" + flips}, engine1());
    for (const std::string learner : {"hs-abl", "hs-sigmoid", "hs-average"}) {
      const FitResult result = fit(learner, inst.data.view(), engine1());
      const double error = population_loss(result.model, inst.truth, engine1()).value;
      RecordProperty(learner + "_" + flips + "_error", std::to_string(error));
      std::cout << "[ report ] " << learner << " flips=" << flips << " error " << error << " opt "
                << inst.truth.opt << "\n";
      EXPECT_NEAR(std::sqrt(std::inner_product(result.as<HalfspaceModel>().w.begin(),
                                               result.as<HalfspaceModel>().w.end(),
                                               result.as<HalfspaceModel>().w.begin(), 0.0)),
                  1.0, 1e-12);
      EXPECT_GE(error, inst.truth.opt - 1e-12) << learner;  // nothing beats opt
      if (learner == "hs-average") continue;
      EXPECT_LE(error, 3 * eta + 0.01) << learner << " " << flips;
      EXPECT_LE(error, inst.truth.opt + 0.005) << learner << " " << flips;
    }
  }
}

TEST(HalfspaceLearners, SigmoidRecordsEverySigmaAndPicksTheBestHoldOut) {
  const Instance inst =
      generate_instance("halfspace", 20000, 10, 4, {"eta=0.1", "flips=far"}, engine1());
  const FitResult result = fit("hs-sigmoid", inst.data.view(), engine1(), {"sigmas=5"});
  const auto& candidates = result.details["candidates"];
  ASSERT_EQ(candidates.size(), 6u);  // the averaging start and 5 values of σ
  EXPECT_EQ(candidates[1]["sigma"].get<double>(), 0.5);
  EXPECT_EQ(candidates[5]["sigma"].get<double>(), 0.5 / 16);
  const std::size_t chosen = result.details["chosen"].get<std::size_t>();
  for (const auto& c : candidates)
    EXPECT_GE(c["holdout_error"].get<double>(), candidates[chosen]["holdout_error"].get<double>());
  EXPECT_EQ(result.details["holdout_rows"].get<std::size_t>(), 4000u);
  EXPECT_EQ(result.loss_history.size(), 6u);
}

TEST(HalfspaceLearners, OneAndTwoThreadsGiveBitIdenticalDirections) {
  const Engine one(EngineOptions{1}), two(EngineOptions{2});
  const Instance inst = generate_instance("halfspace", 30000, 6, 5, {"eta=0.1", "flips=near"}, one);
  for (const std::string learner : {"hs-average", "hs-abl", "hs-sigmoid"}) {
    const FitResult a = fit(learner, inst.data.view(), one);
    const FitResult b = fit(learner, inst.data.view(), two);
    EXPECT_EQ(a.as<HalfspaceModel>().w, b.as<HalfspaceModel>().w) << learner;
    EXPECT_EQ(a.loss_history, b.loss_history) << learner;
  }
}

TEST(HalfspaceLearners, LabelsThatAreNotSignsAreRejectedWithTheRow) {
  Dataset data(3, 2);
  data.X = {1, 0, 0, 1, 1, 1};
  data.y = {1, -1, 0.5};
  for (const std::string learner : {"hs-average", "hs-abl", "hs-sigmoid"})
    EXPECT_EQ(input_error_of([&] { fit(learner, data.view(), engine1()); }),
              learner +
                  ": labels must be -1 or +1 for a halfspace, row 3 has label 0.5 (1 of 3 rows "
                  "are not ±1)");
  data.y = {1, -1, 1};
  EXPECT_EQ(input_error_of([&] { fit("hs-abl", data.view(), engine1(), {}, true); }),
            "hs-abl: learns homogeneous halfspaces sign(w·x) only; --bias is not supported");
}

TEST(HalfspaceLearners, AblStopsWithTheCurrentDirectionWhenTheBandIsTooSmall) {
  const Instance inst =
      generate_instance("halfspace", 300, 5, 6, {"eta=0.05", "flips=near"}, engine1());
  // No round has 1000 rows in its band: the fit is the averaging direction, documented.
  const FitResult stopped = fit("hs-abl", inst.data.view(), engine1(), {"min_band=1000"});
  const FitResult average = fit("hs-average", inst.data.view(), engine1());
  EXPECT_EQ(stopped.stop_reason, "band_too_small");
  EXPECT_EQ(stopped.details["stopped_at_round"].get<int>(), 1);
  EXPECT_EQ(stopped.as<HalfspaceModel>().w, average.as<HalfspaceModel>().w);
  // With the default schedule the band of 300 rows empties out after a few rounds.
  const FitResult defaults = fit("hs-abl", inst.data.view(), engine1());
  EXPECT_EQ(defaults.stop_reason, "band_too_small");
  const int round = defaults.details["stopped_at_round"].get<int>();
  EXPECT_GT(round, 1);
  EXPECT_LT(defaults.details["rounds"][round - 1]["band_rows"].get<int>(), 50);
  EXPECT_EQ(defaults.loss_history.size(), static_cast<std::size_t>(round));
}

TEST(HalfspaceLearners, ProgressIsReportedAgainstThePassBudgetAndCanStopTheFit) {
  const Instance inst =
      generate_instance("halfspace", 20000, 5, 8, {"eta=0.05", "flips=far"}, engine1());
  for (const std::string learner : {"hs-abl", "hs-sigmoid"}) {
    const LearnerEntry& entry = find_learner(learner);
    std::vector<FitProgress> seen;
    FitContext context{&engine1(), 1, [&](const FitProgress& p) {
                         seen.push_back(p);
                         return seen.size() < 3;
                       }};
    const FitResult result =
        fit_learner(entry, ParamValues::defaults(entry.params), inst.data.view(), context);
    EXPECT_EQ(result.stop_reason, "callback") << learner;
    ASSERT_EQ(seen.size(), 3u) << learner;
    EXPECT_LT(seen[0].passes, seen[2].passes) << learner;
    EXPECT_LE(seen[2].passes, seen[2].max_iterations) << learner;
    EXPECT_EQ(seen[0].max_iterations, seen[2].max_iterations) << learner;
  }
  // gkk19 forwards its halfspace learner's progress and stops the threshold loop with it.
  const Instance relu = generate_instance("label-noise", 20000, 5, 8, {}, engine1());
  const LearnerEntry& gkk19 = find_learner("gkk19");
  std::size_t calls = 0, last_passes = 0, budget = 0;
  FitContext context{&engine1(), 1, [&](const FitProgress& p) {
                       EXPECT_GE(p.passes, last_passes);
                       last_passes = p.passes;
                       budget = p.max_iterations;
                       return ++calls < 15;
                     }};
  const FitResult result =
      fit_learner(gkk19, ParamValues::defaults(gkk19.params), relu.data.view(), context);
  EXPECT_EQ(result.stop_reason, "callback");
  EXPECT_EQ(calls, 15u);
  EXPECT_EQ(budget, 8u * (3 + 10 * 13 + 4));           // 8 thresholds, hs-abl's budget + 4 each
  EXPECT_EQ(result.details["candidates"].size(), 2u);  // 10 rounds per threshold: stopped in 2nd
}

TEST(Sources, SliceAndRelabelledViewsShareTheRows) {
  Dataset data(5, 2);
  for (std::size_t i = 0; i < 10; ++i) data.X[i] = static_cast<float>(i);
  data.y = {0, 1, 2, 3, 4};
  const DatasetView view = data.view();
  const SliceSource slice(view, 1, 4);
  EXPECT_EQ(slice.rows(), 3u);
  const RowBlock blk = slice.block(1, 2);
  EXPECT_EQ(blk.first_row, 1u);
  EXPECT_EQ(blk.X[0], 4.0f);
  EXPECT_EQ(blk.y[1], 3.0);
  const std::vector<double> labels = {-1, 1, -1};
  const RelabelledSource relabelled(slice, labels);
  EXPECT_EQ(relabelled.block(0, 3).y[2], -1.0);
  EXPECT_EQ(relabelled.block(0, 3).X[0], 2.0f);
  EXPECT_THROW(SliceSource(view, 3, 6), std::out_of_range);
  EXPECT_THROW(slice.block(2, 2), std::out_of_range);
  EXPECT_THROW(RelabelledSource(slice, std::vector<double>(2)), std::invalid_argument);
  // The engine sums over a slice exactly as over the same rows of a copy.
  const double sum = engine1().sum_rows(
      slice, 1, [](const float* x, double y, double* acc) { acc[0] += x[1] * y; })[0];
  EXPECT_EQ(sum, 3.0 * 1 + 5.0 * 2 + 7.0 * 3);
}

}  // namespace
}  // namespace relureg
