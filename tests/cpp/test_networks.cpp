// Depth-2 networks: model files, the fused pass, exact population losses, net2-gd and net2-enum.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/learner.hpp"
#include "relureg/model_ops.hpp"
#include "relureg/net2_gaussian.hpp"
#include "relureg/net2_kernels.hpp"

#include "test_support.hpp"

namespace relureg {
namespace {

using testing::input_error_after;
using testing::input_error_of;
using testing::two_threads;

FitResult fit(const std::string& learner, const Instance& instance, const Engine& engine,
              const std::vector<std::string>& params = {}, bool bias = false,
              ProgressCallback progress = {}) {
  const LearnerEntry& entry = find_learner(learner);
  ParamValues values = ParamValues::parse(entry.params, params, learner);
  values.set_fit_bias(bias);
  FitContext context{&engine, 7, std::move(progress)};
  return fit_learner(entry, values, instance.data.view(), context);
}

// A small fixed network with biases, for the pass and the JSON tests.
Net2Model sample_network(Activation activation) {
  Net2Model model = zero_net2(3, 2, true, activation);
  model.W = {0.5, -1.0, 0.25, -0.3, 0.8, 1.1};
  model.b = {0.1, -0.2};
  model.a = {1.5, -0.7};
  model.c = 0.05;
  return model;
}

TEST(Net2Model, JsonRoundTripAndErrors) {
  ModelFile file;
  file.model = sample_network(Activation::sigmoid);
  file.learner = "net2-gd";
  const nlohmann::json j = to_json(file);
  EXPECT_EQ(j["type"], "net2");
  EXPECT_EQ(j["units"], 2);
  EXPECT_EQ(j["activation"], "sigmoid");
  EXPECT_FALSE(j.contains("w"));
  const ModelFile back = model_file_from_json(j, "m.json");
  EXPECT_EQ(back.task(), Task::net2);
  const Net2Model& net = std::get<Net2Model>(back.model);
  const Net2Model& sent = std::get<Net2Model>(file.model);
  EXPECT_EQ(net.W, sent.W);
  EXPECT_EQ(net.a, sent.a);
  EXPECT_EQ(net.b, sent.b);
  EXPECT_EQ(net.c, 0.05);
  EXPECT_TRUE(net.bias);
  EXPECT_EQ(net.activation, Activation::sigmoid);
  EXPECT_EQ(model_dim(back.model), 3u);

  // Files written before the "type" key existed are ReLU files.
  const ModelFile old = model_file_from_json({{"w", {1.0, 2.0}}, {"b", 0.5}}, "old.json");
  EXPECT_EQ(old.task(), Task::relu);
  EXPECT_EQ(std::get<ReluModel>(old.model).w, (std::vector<double>{1.0, 2.0}));
  EXPECT_EQ(to_json(old)["type"], "relu");

  EXPECT_EQ(input_error_of([] {
              model_file_from_json({{"type", "tree"}}, "m.json");
            }),
            "m.json: unsupported model type \"tree\" (expected \"relu\", \"halfspace\", "
            "\"net2\", \"binact2\", \"sim\" or \"piecewise\")");
  const auto read = [](const nlohmann::json& changed) { model_file_from_json(changed, "m.json"); };
  EXPECT_EQ(input_error_after(
                j, [](auto& c) { c.erase("a"); }, read),
            "m.json: missing key 'a'");
  EXPECT_EQ(input_error_after(
                j,
                [](auto& c) {
                  c["W"][1] = {1.0, 2.0};
                },
                read),
            "m.json: key 'W' entry 1 must be an array of 3 numbers");
  EXPECT_EQ(input_error_after(
                j, [](auto& c) { c["activation"] = "tanh"; }, read),
            "m.json: unknown activation 'tanh' (expected relu or sigmoid)");
}

TEST(Net2Kernel, GradientMatchesCentralDifferencesAndOutputLayerIsLeastSquares) {
  const Engine& engine = two_threads();
  const Instance instance =
      generate_instance("teacher-net2", 3000, 3, 4, {"units=3", "hidden_bias=0.5"}, engine);
  const DatasetView data = instance.data.view();
  for (Activation activation : {Activation::relu, Activation::sigmoid}) {
    Net2Model model = sample_network(activation);
    const Net2Stats stats = net2_stats(engine, data, model);
    EXPECT_NEAR(stats.loss, net2_loss(engine, data, model), 1e-12);
    std::vector<double> p = net2_parameters(model);
    ASSERT_EQ(stats.grad.size(), p.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
      const double h = 1e-6;
      Net2Model plus = model, minus = model;
      std::vector<double> q = p;
      q[i] += h;
      set_net2_parameters(plus, q);
      q[i] -= 2 * h;
      set_net2_parameters(minus, q);
      const double numeric =
          (net2_loss(engine, data, plus) - net2_loss(engine, data, minus)) / (2 * h);
      EXPECT_NEAR(stats.grad[i], numeric, 1e-5 * (1 + std::abs(numeric)))
          << activation_name(activation) << " parameter " << i;
    }
    // The least-squares output layer cannot be beaten by perturbing a or c.
    const double fitted = fit_output_layer(engine, data, model, 0.0);
    EXPECT_NEAR(fitted, net2_loss(engine, data, model), 1e-10);
    for (double delta : {-1e-3, 1e-3}) {
      Net2Model moved = model;
      moved.a[1] += delta;
      moved.c -= delta;
      EXPECT_GT(net2_loss(engine, data, moved), fitted);
    }
  }
}

TEST(TeacherNet2, TeacherLossIsExactlyZeroAndPopulationLossIsExact) {
  const Engine& engine = two_threads();
  const Instance instance =
      generate_instance("teacher-net2", 40000, 5, 9,
                        {"units=3", "noise=0", "output=signs", "hidden_bias=0.3"}, engine);
  const GroundTruth& truth = instance.truth;
  ASSERT_TRUE(truth.teacher.is_object());
  const Net2Model teacher = net2_from_json(truth.teacher["network"], "truth");
  EXPECT_EQ(teacher.units(), 3u);
  EXPECT_EQ(net2_loss(engine, instance.data.view(), teacher), 0.0);
  EXPECT_EQ(truth.opt, 0.0);
  EXPECT_EQ(truth.opt_kind, "exact");
  // The exact E[(f − f*)²] of a perturbed network agrees with the empirical loss (fresh law).
  Net2Model other = teacher;
  for (double& w : other.W) w *= 0.8;
  other.b[0] += 0.2;
  other.c = 0.1;
  const PopulationLoss exact = population_loss(other, truth, engine);
  EXPECT_EQ(exact.method, "exact");
  const double empirical = net2_loss(engine, instance.data.view(), other);
  EXPECT_NEAR(exact.value, empirical, 0.02 * exact.value);
  EXPECT_GT(exact.value, 0.01);
  // Sigmoid models fall back to Monte Carlo.
  other.activation = Activation::sigmoid;
  EXPECT_EQ(population_loss(other, truth, engine).method, "monte-carlo");
  // And the ReLU-family entry point of the same instance is exact too.
  const ReluModel relu{{0.3, 0.1, -0.2, 0.0, 0.5}, 0.1, true};
  const PopulationLoss relu_loss = population_loss(relu, truth, engine);
  EXPECT_EQ(relu_loss.method, "exact");
  EXPECT_NEAR(relu_loss.value,
              gaussian::net2_distance(
                  [&] {
                    Net2Model one = zero_net2(5, 1, true, Activation::relu);
                    one.W = relu.w;
                    one.b = {relu.b};
                    one.a = {1};
                    return one;
                  }(),
                  teacher),
              1e-14);
}

TEST(Net2Gd, RecoversARealizableTwoUnitTeacherInDimensionTen) {
  const Engine engine(EngineOptions{1});  // hundreds of short passes: no thread start-up costs
  const Instance instance =
      generate_instance("teacher-net2", 10000, 10, 21, {"units=2", "noise=0"}, engine);
  const FitResult result =
      fit("net2-gd", instance, engine, {"units=2", "max_passes=400", "restarts=2"});
  const PopulationLoss pop = population_loss(result.as<Net2Model>(), instance.truth, engine);
  EXPECT_EQ(pop.method, "exact");
  EXPECT_LE(pop.value, 1e-4) << "train " << result.loss_history.back();
  EXPECT_LE(result.loss_history.back(), 1e-4);
  EXPECT_EQ(result.details["restarts"].size(), 2u);
  // The hidden units found are the teacher's (up to order and scale).
  const Net2Model teacher = net2_from_json(instance.truth.teacher["network"], "truth");
  for (std::size_t j = 0; j < 2; ++j) {
    double best = 0;
    for (std::size_t u = 0; u < 2; ++u) {
      double dot = 0, norm = 0;
      for (std::size_t i = 0; i < 10; ++i) {
        dot += result.as<Net2Model>().unit(u)[i] * teacher.unit(j)[i];
        norm += result.as<Net2Model>().unit(u)[i] * result.as<Net2Model>().unit(u)[i];
      }
      best = std::max(best, dot / std::sqrt(norm));
    }
    EXPECT_GT(best, 0.995) << "teacher unit " << j;
  }
}

TEST(Net2Gd, MinibatchAdamAndPlainGdDescendAndFullBatchIsThreadIndependent) {
  const Engine one(EngineOptions{1});
  const Engine& two = two_threads();
  const Instance instance =
      generate_instance("teacher-net2", 8192, 6, 5, {"units=2", "noise=0.01"}, two);
  const double start = [&] {  // the loss of the least-squares output layer at the first init
    return fit("net2-gd", instance, two, {"max_passes=1", "restarts=1"}).loss_history.front();
  }();
  const FitResult mini = fit("net2-gd", instance, two,
                             {"batch=256", "max_passes=40", "restarts=1", "step=0.01", "tol=0"});
  EXPECT_EQ(mini.loss_history.size(), 41u);  // 40 epochs and the final full loss
  EXPECT_LT(mini.loss_history.back(), 0.5 * start);
  const FitResult gd =
      fit("net2-gd", instance, two, {"optimizer=gd", "step=0.5", "max_passes=200", "restarts=1"});
  for (std::size_t i = 1; i + 1 < gd.loss_history.size(); ++i)
    EXPECT_LE(gd.loss_history[i], gd.loss_history[i - 1]) << i;  // backtracking: monotone
  EXPECT_LT(gd.loss_history.back(), 0.5 * start);
  const FitResult a = fit("net2-gd", instance, one, {"max_passes=50", "restarts=1"});
  const FitResult b = fit("net2-gd", instance, two, {"max_passes=50", "restarts=1"});
  EXPECT_EQ(a.as<Net2Model>().W, b.as<Net2Model>().W);
  EXPECT_EQ(a.loss_history, b.loss_history);
}

TEST(Net2Enum, EnumerationIsNearOptOnASmallTeacherWithEstimateAndProgress) {
  const Engine& engine = two_threads();
  const Instance instance =
      generate_instance("teacher-net2", 20000, 2, 3, {"units=2", "noise=0.01"}, engine);
  const LearnerEntry& entry = find_learner("net2-enum");
  const ParamValues params = ParamValues::parse(entry.params, {"grid=41", "dim=2"}, "net2-enum");
  FitContext context{&engine, 7, {}};
  const auto estimate = estimate_learner(entry, params, instance.data.view(), context);
  ASSERT_TRUE(estimate.has_value());
  EXPECT_GT(estimate->seconds, 0);
  EXPECT_NE(estimate->summary.find("160 directions in R^2"), std::string::npos)
      << estimate->summary;
  EXPECT_NE(estimate->summary.find("C(160, 2) = 1.27e+04 tuples"), std::string::npos)
      << estimate->summary;
  std::vector<double> fractions;
  context.progress = [&](const FitProgress& p) {
    fractions.push_back(p.fraction);
    return true;
  };
  const FitResult result = fit_learner(entry, params, instance.data.view(), context);
  ASSERT_FALSE(fractions.empty());
  EXPECT_DOUBLE_EQ(fractions.back(), 1.0);
  for (std::size_t i = 1; i < fractions.size(); ++i) EXPECT_GE(fractions[i], fractions[i - 1]);
  EXPECT_EQ(result.details["directions"], 160);
  const PopulationLoss pop = population_loss(result.as<Net2Model>(), instance.truth, engine);
  EXPECT_LE(pop.value - instance.truth.opt, 0.01) << pop.value;
  // The moments' loss is the model's training loss (up to the tiny ridge).
  EXPECT_NEAR(result.details["moment_loss"].get<double>(), result.loss_history.back(), 1e-8);
  // Stopping from the callback returns the best tuple so far.
  context.progress = [](const FitProgress&) { return false; };
  EXPECT_EQ(fit_learner(entry, params, instance.data.view(), context).stop_reason, "callback");
  // Too many tuples is refused before any work.
  const ParamValues huge =
      ParamValues::parse(entry.params, {"grid=41", "dim=2", "units=5"}, "net2-enum");
  EXPECT_EQ(input_error_of([&] { fit_learner(entry, huge, instance.data.view(), context); }),
            "net2-enum: C(160, 5) = 8.2e+08 tuples exceed max_tuples = 1e+08; lower units, dim "
            "or grid, or raise max_tuples");
}

}  // namespace
}  // namespace relureg
