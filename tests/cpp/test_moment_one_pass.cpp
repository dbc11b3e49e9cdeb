// The moment estimator in one pass (passes=1) against the two-pass estimator and the ground truth.
#include <gtest/gtest.h>

#include <cmath>

#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/kernels.hpp"
#include "relureg/learner.hpp"
#include "relureg/model_ops.hpp"
#include "test_support.hpp"

namespace relureg {
namespace {

using testing::distance;

FitResult fit_moment(const Instance& instance, const Engine& engine,
                     const std::vector<std::string>& params, bool bias = false,
                     const DataSource* source = nullptr) {
  const LearnerEntry& entry = find_learner("moment");
  ParamValues values = ParamValues::parse(entry.params, params, "moment");
  values.set_fit_bias(bias);
  FitContext context{&engine, 7, {}};
  const DatasetView view = instance.data.view();
  return fit_learner(entry, values, source ? *source : view, context);
}

TEST(MomentOnePass, RecoversARealizableTeacherInOnePass) {
  const Engine engine(EngineOptions{2});
  const Instance instance = generate_instance("realizable", 200000, 20, 11, {}, engine);
  const FitResult one = fit_moment(instance, engine, {"passes=1"});
  const FitResult two = fit_moment(instance, engine, {});
  EXPECT_EQ(one.passes, 1u);
  EXPECT_EQ(two.passes, 2u);
  // Realizable data: the centred Chow direction is w*/‖w*‖ up to sampling error (as for two
  // passes), and the one-pass scale is exact on the rows every block direction gets right.
  EXPECT_LE(distance(one.relu().w, instance.truth.w_star), 1e-2);
  EXPECT_LE(distance(one.relu().w, two.relu().w), 1e-4);
  EXPECT_EQ(one.stop_reason, "closed_form");
  EXPECT_EQ(one.details.at("refit"), "one_pass");
}

TEST(MomentOnePass, MatchesTheTwoPassLossOnLabelNoiseAndAdversarialData) {
  const Engine engine(EngineOptions{2});
  struct Case {
    std::string family;
    std::vector<std::string> params;
  };
  for (const Case& c :
       {Case{"label-noise", {"noise=0.05"}}, Case{"adversarial", {"rule=shift", "noise=0.02"}}}) {
    const Instance instance = generate_instance(c.family, 100000, 20, 21, c.params, engine);
    const FitResult one = fit_moment(instance, engine, {"passes=1"});
    const FitResult two = fit_moment(instance, engine, {});
    ASSERT_EQ(one.passes, 1u);
    const double loss_one = population_loss(one.model, instance.truth, engine).value;
    const double loss_two = population_loss(two.model, instance.truth, engine).value;
    // Same direction, scales within 0.05 %: population losses within 3e-5 relative.
    EXPECT_NEAR(loss_one / loss_two, 1.0, 3e-5) << c.family;
    EXPECT_LE(loss_one, 9 * instance.truth.opt) << c.family;  // the estimator's bound
    double scale_one = 0, scale_two = 0;
    for (std::size_t j = 0; j < one.relu().w.size(); ++j) {
      scale_one += one.relu().w[j] * one.relu().w[j];
      scale_two += two.relu().w[j] * two.relu().w[j];
    }
    EXPECT_NEAR(std::sqrt(scale_one / scale_two), 1.0, 5e-4) << c.family;
    // The reported training loss comes from the same pass's statistics: within 1 % of the
    // exact training loss of the same model.
    const double exact = relu_loss(engine, instance.data.view(), one.relu().w, 0.0);
    EXPECT_NEAR(one.loss_history.back() / exact, 1.0, 1e-2) << c.family;
  }
}

TEST(MomentOnePass, BitIdenticalForOneAndTwoThreadsAndUnitWeightsChangeNothing) {
  const Engine one(EngineOptions{1});
  const Engine two(EngineOptions{2});
  const Instance instance =
      generate_instance("label-noise", 30000, 8, 14, {"noise=0.1", "bias=0.3"}, one);
  const FitResult a = fit_moment(instance, one, {"passes=1"});
  const FitResult b = fit_moment(instance, two, {"passes=1"});
  EXPECT_EQ(a.relu().w, b.relu().w);
  EXPECT_EQ(a.loss_history, b.loss_history);
  // Weights of 1 give the unweighted fit up to rounding.
  const std::vector<double> ones(instance.data.n, 1.0);
  const DatasetView weighted(instance.data.X.data(), instance.data.y.data(), instance.data.n,
                             instance.data.d, ones.data());
  const FitResult w = fit_moment(instance, two, {"passes=1"}, false, &weighted);
  EXPECT_LE(distance(w.relu().w, a.relu().w), 1e-12);
}

TEST(MomentOnePass, RefusesABias) {
  const Engine engine(EngineOptions{1});
  const Instance instance = generate_instance("realizable", 1000, 4, 3, {}, engine);
  try {
    fit_moment(instance, engine, {"passes=1"}, true);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "moment: passes=1 fits a ReLU without a bias (the (a, b) refit of --bias reads "
                 "the data again); use passes=2 with --bias");
  }
}

}  // namespace
}  // namespace relureg
