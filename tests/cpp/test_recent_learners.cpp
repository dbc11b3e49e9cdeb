// The learners after 2019 (dktz22, wzdd23): recovery, loss against opt, bias, the minibatch path.
#include <gtest/gtest.h>

#include <cmath>

#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/learner.hpp"
#include "relureg/model_ops.hpp"
#include "test_support.hpp"

namespace relureg {
namespace {

using relureg::testing::two_threads;

using testing::distance;

FitResult fit(const std::string& learner, const Instance& instance,
              const std::vector<std::string>& params = {}, bool bias = false) {
  const LearnerEntry& entry = find_learner(learner);
  ParamValues values = ParamValues::parse(entry.params, params, "learner '" + learner + "'");
  values.set_fit_bias(bias);
  FitContext context{&two_threads(), 7, {}};
  return fit_learner(entry, values, instance.data.view(), context);
}

const Instance& realizable_d20() {
  static const Instance instance =
      generate_instance("realizable", 200000, 20, 11, {}, two_threads());
  return instance;
}

const Instance& label_noise_d20() {
  static const Instance instance =
      generate_instance("label-noise", 200000, 20, 12, {"noise=0.05"}, two_threads());
  return instance;
}

class RecentRecovery : public ::testing::TestWithParam<std::string> {};

TEST_P(RecentRecovery, RecoversTheTeacherInDimension20) {
  const FitResult result = fit(GetParam(), realizable_d20());
  EXPECT_LE(distance(result.relu().w, realizable_d20().truth.w_star), 1e-2) << GetParam();
  EXPECT_EQ(result.relu().b, 0.0);
  EXPECT_EQ(result.stop_reason, "converged") << GetParam();
}

TEST_P(RecentRecovery, LabelNoiseWithinFivePercentOfOpt) {
  const Instance& instance = label_noise_d20();
  const FitResult result = fit(GetParam(), instance);
  const PopulationLoss pop = population_loss(result.model, instance.truth, two_threads());
  EXPECT_EQ(pop.method, "exact");
  EXPECT_LE(pop.value, 1.05 * instance.truth.opt) << GetParam();
  EXPECT_GE(pop.value, instance.truth.opt) << GetParam();
}

TEST_P(RecentRecovery, FitsABiasWhenAsked) {
  const Engine& engine = two_threads();
  const Instance instance = generate_instance("realizable", 100000, 5, 15, {"bias=-0.5"}, engine);
  const FitResult result = fit(GetParam(), instance, {}, true);
  EXPECT_LE(distance(result.relu().w, instance.truth.w_star), 1e-2) << GetParam();
  EXPECT_NEAR(result.relu().b, -0.5, 1e-2) << GetParam();
  EXPECT_TRUE(result.relu().bias);
}

TEST_P(RecentRecovery, OneAndTwoThreadsGiveBitIdenticalModels) {
  const Engine one(EngineOptions{1});
  const Instance instance =
      generate_instance("label-noise", 30000, 8, 14, {"noise=0.1", "bias=0.3"}, one);
  for (bool bias : {false, true}) {
    const LearnerEntry& entry = find_learner(GetParam());
    ParamValues values = ParamValues::parse(entry.params, {}, GetParam());
    values.set_fit_bias(bias);
    const FitResult a = fit_learner(entry, values, instance.data.view(), {&one, 7, {}});
    const FitResult b = fit_learner(entry, values, instance.data.view(), {&two_threads(), 7, {}});
    EXPECT_EQ(a.relu().w, b.relu().w) << GetParam() << " bias " << bias;
    EXPECT_EQ(a.relu().b, b.relu().b) << GetParam() << " bias " << bias;
  }
}

INSTANTIATE_TEST_SUITE_P(Learners, RecentRecovery, ::testing::Values("dktz22", "wzdd23"));

TEST(Dktz22, StartsFromTheChowVectorWithTheSmoothnessStep) {
  const FitResult result = fit("dktz22", label_noise_d20());
  EXPECT_EQ(result.details["init"], "chow");
  // Isotropic features: λ_max(Ê[x xᵀ]) ≈ 1 + 2√(d/n), so the step is ≈ 1/2.
  const double top = result.details["lambda_max"].get<double>();
  EXPECT_GT(top, 1.0);
  EXPECT_LT(top, 1.05);
  EXPECT_DOUBLE_EQ(result.details["step"].get<double>(), 1 / (2 * top));
  // The start is already close (D2: ‖w₀ − w*‖ ≤ 2√opt); descent brings it closer.
  const auto w0 = result.details["initial_w"].get<std::vector<double>>();
  const auto& w_star = label_noise_d20().truth.w_star;
  EXPECT_LT(distance(w0, w_star), 2 * std::sqrt(0.05));
  EXPECT_LT(distance(result.relu().w, w_star), distance(w0, w_star));
}

TEST(Wzdd23, OneSweepOfConstantMinibatchesRecoversARealizableTeacher) {
  // 200000 rows in batches of 4096: 48 surrogate steps, each on fresh rows, in one sweep.
  const FitResult result = fit("wzdd23", realizable_d20(), {"growth=1", "epochs=1"});
  EXPECT_EQ(result.details["steps"].get<std::size_t>(), 48u);
  EXPECT_EQ(result.stop_reason, "epochs");
  EXPECT_LE(distance(result.relu().w, realizable_d20().truth.w_star), 1e-6);
}

TEST(Wzdd23, GrowingBatchesEndAtTheSurrogateMinimiserOfGlmtron) {
  const FitResult minibatch = fit("wzdd23", label_noise_d20());
  const FitResult full = fit("glmtron", label_noise_d20());
  EXPECT_LE(distance(minibatch.relu().w, full.relu().w), 1e-4);
}

TEST(Wzdd23, DivergenceIsAnErrorNamingTheEpoch) {
  const Instance instance =
      generate_instance("realizable", 20000, 3, 3, {"norm=10"}, two_threads());
  try {
    fit("wzdd23", instance, {"step=100", "epochs=400"});
    FAIL() << "expected DivergenceError";
  } catch (const DivergenceError& e) {
    EXPECT_NE(std::string(e.what()).find("wzdd23 diverged in epoch"), std::string::npos)
        << e.what();
  }
}

TEST(BiasEverywhere, EveryReluLearnerFitsABiasAndTheOthersRefuseInOneLine) {
  const Engine& engine = two_threads();
  const Instance instance = generate_instance("realizable", 3000, 3, 3, {"bias=-0.3"}, engine);
  std::vector<std::string> refusing;
  for (const LearnerEntry& entry : learner_table()) {
    if (instance_task(entry.task) != Task::relu && entry.task != Task::sim) continue;
    ParamValues values = ParamValues::parse(entry.params, {}, entry.name);
    values.set_fit_bias(true);
    if (!entry.fits_bias) {
      refusing.push_back(entry.name);
      EXPECT_EQ(relureg::testing::input_error_of([&] {
                  fit_learner(entry, values, instance.data.view(), {&engine, 1, {}});
                }),
                entry.name + ": fits no bias; --bias is not supported");
      continue;
    }
    if (entry.task == Task::piecewise) values = ParamValues::parse(entry.params, {"degree=2"}, "");
    values.set_fit_bias(true);
    const FitResult result = fit_learner(entry, values, instance.data.view(), {&engine, 1, {}});
    if (const auto* piecewise = std::get_if<PiecewiseModel>(&result.model)) {  // ptas: its split
      EXPECT_TRUE(piecewise->bias) << entry.name;
      EXPECT_TRUE(std::isfinite(piecewise->b)) << entry.name;
      continue;
    }
    EXPECT_TRUE(result.relu().bias) << entry.name;
    EXPECT_TRUE(std::isfinite(result.relu().b)) << entry.name;
  }
  // The single-index learners put any offset into their link.
  EXPECT_EQ(refusing, (std::vector<std::string>{"isotron", "l-isotron"}));
}

}  // namespace
}  // namespace relureg
