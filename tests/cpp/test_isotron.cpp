// isotron and l-isotron: direction recovery under non-ReLU links, the "sim" model kind.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "relureg/family.hpp"
#include "relureg/learner.hpp"
#include "relureg/model_ops.hpp"
#include "relureg/score.hpp"
#include "relureg/tradeoff.hpp"
#include "test_support.hpp"
#include "tradeoff_test_util.hpp"

namespace relureg {
namespace {

using relureg::testing::input_error_of;
using relureg::testing::two_threads;

// y = g(w*·x) + N(0, noise²), x ~ N(0, I_d), ‖w*‖ = 1.
struct LinkTeacher {
  std::vector<double> w_star;
  Dataset data;

  template <class Link>
  LinkTeacher(std::size_t n, std::size_t d, Link g, double noise, std::uint64_t seed) {
    testing::GaussianDraws draws(seed);
    w_star = draws.unit_vector(d);
    data = draws.single_index_rows(n, w_star, [&](double s) { return g(s) + noise * draws(); });
  }

  double direction_error(const std::vector<double>& w) const {
    double norm2 = 0;
    for (double v : w) norm2 += v * v;
    double e = 0;
    for (std::size_t j = 0; j < w.size(); ++j)
      e += std::pow(w[j] / std::sqrt(norm2) - w_star[j], 2);
    return std::sqrt(e);
  }
};

double softplus(double t) {
  return t > 30 ? t : std::log1p(std::exp(t));
}
double clipped(double t) {
  return std::clamp(t, 0.0, 1.0);
}

FitResult fit(const std::string& learner, const DataSource& data,
              const std::vector<std::string>& params = {}, bool bias = false) {
  const LearnerEntry& entry = find_learner(learner);
  ParamValues values = ParamValues::parse(entry.params, params, learner);
  values.set_fit_bias(bias);
  return fit_learner(entry, values, data, {&two_threads(), 7, {}});
}

class IsotronLinks : public ::testing::TestWithParam<std::string> {};

TEST_P(IsotronLinks, RecoversTheDirectionUnderASoftplusLink) {
  const LinkTeacher t(200000, 20, softplus, 0.1, 41);
  const FitResult result = fit(GetParam(), t.data.view());
  const SimModel& model = result.as<SimModel>();
  EXPECT_LE(t.direction_error(model.w), 0.05) << GetParam();
  EXPECT_EQ(task_of(result.model), Task::sim);
  // The fitted link tracks softplus where the data are: g(0) = log 2, g(2) = 2.127.
  EXPECT_NEAR(model.link(0.0), std::log(2.0), 0.05) << GetParam();
  EXPECT_NEAR(model.link(2.0), softplus(2.0), 0.1) << GetParam();
}

TEST_P(IsotronLinks, RecoversTheDirectionUnderAClippedLink) {
  const LinkTeacher t(200000, 20, clipped, 0.1, 42);
  const FitResult result = fit(GetParam(), t.data.view());
  EXPECT_LE(t.direction_error(result.as<SimModel>().w), 0.05) << GetParam();
  EXPECT_NEAR(result.as<SimModel>().link(3.0), 1.0, 0.05) << GetParam();
  EXPECT_NEAR(result.as<SimModel>().link(-3.0), 0.0, 0.05) << GetParam();
}

TEST_P(IsotronLinks, OnAReluTeacherWithLabelNoiseItsLossIsComparableWithOpt) {
  const Instance instance =
      generate_instance("label-noise", 200000, 20, 12, {"noise=0.05"}, two_threads());
  const FitResult result = fit(GetParam(), instance.data.view());
  const Score s = score(result.model, instance.truth, two_threads());
  EXPECT_EQ(s.population.method, "monte-carlo");
  EXPECT_LE(s.ratio, 1.05) << GetParam();
  EXPECT_GE(s.ratio, 0.98) << GetParam();
}

TEST_P(IsotronLinks, RefusesABiasInOneLine) {
  const LinkTeacher t(1000, 3, softplus, 0.1, 43);
  EXPECT_EQ(input_error_of([&] { fit(GetParam(), t.data.view(), {}, true); }),
            GetParam() + ": fits no bias; --bias is not supported");
}

INSTANTIATE_TEST_SUITE_P(Learners, IsotronLinks, ::testing::Values("isotron", "l-isotron"));

TEST(SimModel, ModelFileRoundTripAndPredictions) {
  const LinkTeacher t(20000, 5, softplus, 0.1, 44);
  const FitResult result = fit("l-isotron", t.data.view());
  const nlohmann::json j = to_json(ModelFile{result.model, "l-isotron", {}, {}});
  EXPECT_EQ(j["type"], "sim");
  const ModelFile back = model_file_from_json(j, "model");
  EXPECT_EQ(predict(two_threads(), back.model, t.data.view()),
            predict(two_threads(), result.model, t.data.view()));
  EXPECT_DOUBLE_EQ(evaluate(two_threads(), back.model, t.data.view()).loss,
                   result.loss_history.back());
}

TEST(SimModel, LinkInterpolatesAndIsConstantOutsideItsKnots) {
  const SimModel m{{1.0, 0.0}, {-1.0, 0.0, 2.0}, {0.0, 0.5, 1.5}};
  EXPECT_DOUBLE_EQ(m.link(-5), 0.0);
  EXPECT_DOUBLE_EQ(m.link(-0.5), 0.25);
  EXPECT_DOUBLE_EQ(m.link(1.0), 1.0);
  EXPECT_DOUBLE_EQ(m.link(7), 1.5);
  const float x[2] = {0.5f, 9.0f};
  EXPECT_DOUBLE_EQ(m.predict_one(x), 0.75);
}

TEST(SimModel, BadModelFilesAreOneLineErrors) {
  auto message = [](const nlohmann::json& j) {
    return input_error_of([&] { model_file_from_json(j, "m.json"); });
  };
  nlohmann::json j = {{"type", "sim"}, {"w", {1, 0}}, {"knots", {0, 1}}, {"values", {0, 1}}};
  EXPECT_EQ(message(j), "(no InputError)");
  j["knots"] = {1, 0};
  EXPECT_EQ(message(j), "m.json: key 'knots' must be increasing");
  j["knots"] = {0, 1};
  j["values"] = {1, 0};
  EXPECT_EQ(message(j), "m.json: key 'values' must be non-decreasing");
  j["values"] = {0, 1, 2};
  EXPECT_EQ(message(j),
            "m.json: keys 'knots' and 'values' must have the same length (got 2 and 3)");
  j.erase("values");
  EXPECT_EQ(message(j), "m.json: key 'values' must be a non-empty array of numbers");
}

// The link-teacher family (task sim) brings isotron and l-isotron into the laboratory's grid:
// each runs on it, scored by Monte Carlo against opt = the noise variance.
TEST(LinkTeacher, IsotronAndLIsotronJoinTheGrid) {
  const tradeoff::RunResult result = testing::run_grid_ok(
      "seeds = 1\nd = [5]\nn = [20000]\nlearners = [\"isotron\", \"l-isotron\"]\n"
      "[families.link-teacher]\nlink = [\"softplus\", \"clipped\"]\nnoise = 0.01\n",
      "sim.toml", 4);
  for (const tradeoff::Row& row : result.rows) {
    EXPECT_EQ(row["opt"], 0.01);
    EXPECT_EQ(row["opt_class"], "single-index models");
    EXPECT_EQ(row["population_loss_method"], "monte-carlo");
    // 1e6 fresh rows: the standard error is about 1.5e-5, 0.15 % of opt.
    EXPECT_GT(row["ratio_to_opt"].get<double>(), 0.99) << row.dump();
    EXPECT_LT(row["ratio_to_opt"].get<double>(), 1.05) << row.dump();
  }
}

TEST(LinkTeacher, TheFamilysRowsFollowItsLink) {
  const Instance instance =
      generate_instance("link-teacher", 20000, 3, 4, {"link=clipped", "noise=0"}, two_threads());
  for (double y : instance.data.y) {
    EXPECT_GE(y, 0.0);
    EXPECT_LE(y, 1.0);
  }
  EXPECT_EQ(instance.truth.opt, 0.0);
  EXPECT_EQ(instance.truth.teacher["link"], "clipped");
}

}  // namespace
}  // namespace relureg
