// Learners on instances with known ground truth: recovery, loss against opt, determinism.
#include <gtest/gtest.h>

#include <cmath>

#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/gaussian.hpp"
#include "relureg/kernels.hpp"
#include "relureg/learner.hpp"
#include "relureg/model_ops.hpp"
#include "test_support.hpp"

namespace relureg {
namespace {

using testing::distance;

FitResult fit(const std::string& learner, const Instance& instance, const Engine& engine,
              const std::vector<std::string>& params = {}, bool bias = false) {
  const LearnerEntry& entry = find_learner(learner);
  ParamValues values = ParamValues::parse(entry.params, params, learner);
  values.set_fit_bias(bias);
  FitContext context{&engine, 7, {}};
  return fit_learner(entry, values, instance.data.view(), context);
}

TEST(Realizable, TeacherLossThroughTheEngineIsExactlyZero) {
  const Engine engine(EngineOptions{2});
  const Instance instance = generate_instance("realizable", 50000, 37, 5, {"bias=0.2"}, engine);
  const ReluModel teacher{instance.truth.w_star, instance.truth.b_star, true};
  EXPECT_EQ(relu_loss(engine, instance.data.view(), teacher.w, teacher.b), 0.0);
}

class RealizableRecovery : public ::testing::TestWithParam<std::string> {};

TEST_P(RealizableRecovery, RecoversTheTeacherInDimension20) {
  const Engine engine(EngineOptions{2});
  const Instance instance = generate_instance("realizable", 200000, 20, 11, {}, engine);
  const FitResult result = fit(GetParam(), instance, engine);
  const double error = distance(result.relu().w, instance.truth.w_star);
  EXPECT_LE(error, 1e-2) << GetParam() << " passes " << result.passes;
  EXPECT_GT(result.passes, 0u);
  EXPECT_FALSE(result.stop_reason.empty());
  EXPECT_EQ(result.relu().b, 0.0);
}

INSTANTIATE_TEST_SUITE_P(Learners, RealizableRecovery,
                         ::testing::Values("gd", "moment", "glmtron"));

TEST(LabelNoise, GlmtronAndGdFromMomentReachWithinFivePercentOfOpt) {
  const Engine engine(EngineOptions{2});
  const Instance instance =
      generate_instance("label-noise", 200000, 20, 12, {"noise=0.05"}, engine);
  ASSERT_DOUBLE_EQ(instance.truth.opt, 0.05);
  for (const auto& [learner, params] :
       std::vector<std::pair<std::string, std::vector<std::string>>>{{"glmtron", {}},
                                                                     {"gd", {"init=moment"}}}) {
    const FitResult result = fit(learner, instance, engine, params);
    const PopulationLoss pop = population_loss(result.model, instance.truth, engine);
    EXPECT_EQ(pop.method, "exact");
    EXPECT_LE(pop.value, 1.05 * instance.truth.opt) << learner;
    EXPECT_GE(pop.value, instance.truth.opt) << learner;  // nobody beats the Bayes predictor
  }
}

TEST(Moment, StaysWithinNineTimesOptOnAdversarialInstances) {
  const Engine engine(EngineOptions{2});
  for (const std::string rule : {"shift", "slab"}) {
    const Instance instance =
        generate_instance("adversarial", 100000, 10, 13,
                          {"rule=" + rule, "noise=0.02", "eval_samples=200000"}, engine);
    const FitResult result = fit("moment", instance, engine);
    const PopulationLoss pop = population_loss(result.model, instance.truth, engine);
    EXPECT_LE(pop.value, 9 * instance.truth.opt) << rule;
    EXPECT_GT(pop.value, 0.5 * instance.truth.opt) << rule;
  }
}

TEST(Determinism, OneAndTwoThreadsGiveBitIdenticalModels) {
  const Engine one(EngineOptions{1});
  const Engine two(EngineOptions{2});
  const Instance instance =
      generate_instance("label-noise", 30000, 8, 14, {"noise=0.1", "bias=0.3"}, one);
  for (const std::string learner : {"moment", "gd", "glmtron"}) {
    for (bool bias : {false, true}) {
      const FitResult a = fit(learner, instance, one, {}, bias);
      const FitResult b = fit(learner, instance, two, {}, bias);
      EXPECT_EQ(a.relu().w, b.relu().w) << learner << " bias " << bias;
      EXPECT_EQ(a.relu().b, b.relu().b) << learner << " bias " << bias;
      EXPECT_EQ(a.loss_history, b.loss_history) << learner << " bias " << bias;
    }
  }
}

TEST(Bias, GdAndMomentRecoverABiasedTeacher) {
  const Engine engine(EngineOptions{2});
  const Instance instance = generate_instance("realizable", 100000, 5, 15, {"bias=-0.5"}, engine);
  for (const std::string learner : {"gd", "glmtron"}) {
    const FitResult result = fit(learner, instance, engine, {}, true);
    EXPECT_LE(distance(result.relu().w, instance.truth.w_star), 1e-2) << learner;
    EXPECT_NEAR(result.relu().b, -0.5, 1e-2) << learner;
  }
  const FitResult moment = fit("moment", instance, engine, {}, true);
  EXPECT_LE(distance(moment.relu().w, instance.truth.w_star), 3e-2);
  EXPECT_NEAR(moment.relu().b, -0.5, 3e-2);
}

TEST(Exhaustive, CertifiesOptInTwoDimensions) {
  const Engine engine(EngineOptions{2});
  const Instance instance = generate_instance("label-noise", 50000, 2, 16, {"noise=0.05"}, engine);
  const FitResult ex = fit("exhaustive", instance, engine);
  const FitResult gd = fit("gd", instance, engine);
  // The reference is at least as good as gradient descent on the same sample...
  EXPECT_LE(ex.loss_history.back(), gd.loss_history.back() + 1e-9);
  // ...and its population loss is opt up to the sampling error of a 2-D fit.
  const PopulationLoss pop = population_loss(ex.model, instance.truth, engine);
  EXPECT_LE(pop.value, 1.002 * instance.truth.opt);
  EXPECT_EQ(ex.details["grid_directions"].get<std::size_t>(), 4096u);
}

TEST(Exhaustive, RejectsLargeDimensions) {
  const Engine engine(EngineOptions{1});
  const Instance instance = generate_instance("realizable", 100, 4, 1, {}, engine);
  try {
    fit("exhaustive", instance, engine);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "exhaustive: d = 4 is too large (the direction grid covers d <= 3)");
  }
}

TEST(Gd, ZeroStartWithAutogradConventionNeverMoves) {
  const Engine engine(EngineOptions{1});
  const Instance instance = generate_instance("realizable", 5000, 4, 2, {}, engine);
  const FitResult stuck = fit("gd", instance, engine, {"relu_grad_at_zero=0", "max_passes=20"});
  for (double v : stuck.relu().w) EXPECT_EQ(v, 0.0);
  const FitResult moving = fit("gd", instance, engine, {"max_passes=200"});
  EXPECT_LT(distance(moving.relu().w, instance.truth.w_star), 1e-6);
}

TEST(Gd, DivergenceWithoutBacktrackingIsAnError) {
  const Engine engine(EngineOptions{1});
  const Instance instance = generate_instance("realizable", 2000, 3, 3, {"norm=10"}, engine);
  try {
    fit("gd", instance, engine, {"step=1000", "backtrack=0", "init=moment", "max_passes=400"});
    FAIL() << "expected DivergenceError";
  } catch (const DivergenceError& e) {
    EXPECT_NE(std::string(e.what()).find("gd diverged at iteration"), std::string::npos);
  }
}

TEST(Params, UnknownAndOutOfRangeParametersAreNamed) {
  const LearnerEntry& gd = find_learner("gd");
  auto message = [&](const std::vector<std::string>& a) {
    try {
      ParamValues::parse(gd.params, a, "learner 'gd'");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message({"speed=1"}),
            "unknown parameter 'speed' for learner 'gd' (known: max_passes, tol, step, radius, "
            "backtrack, float32_dot, init, relu_grad_at_zero)");
  EXPECT_EQ(message({"tol=abc"}), "parameter 'tol' for learner 'gd': expected a number, got 'abc'");
  EXPECT_EQ(message({"tol=-1"}), "parameter 'tol' for learner 'gd': -1 is out of range [0, 1]");
  EXPECT_EQ(message({"init=ones"}),
            "parameter 'init' for learner 'gd': 'ones' is not one of zero|random|moment");
  EXPECT_EQ(message({"max_passes=2.5"}),
            "parameter 'max_passes' for learner 'gd': expected a whole number, got '2.5'");
  try {
    find_learner("sgd");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "unknown learner 'sgd' (choose one of: moment, gd, glmtron, dktz22, wzdd23, gv25, "
                 "isotron, l-isotron, ptas, exhaustive, "
                 "exhaustive-subsets, gkk19, hs-average, hs-abl, hs-sigmoid, hs-adversarial, "
                 "net2-gd, net2-enum, "
                 "orthogonal-subsets, ste-cgd)");
  }
}

}  // namespace
}  // namespace relureg
