// ptas (DGKKS20's approximation scheme) and its piecewise model kind: the (1 + η)·opt + 0.01
// guarantee on an adversarial d = 5 instance, the cost refusal, the model file, the grid.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>

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

FitResult fit_ptas(const Instance& instance, const std::vector<std::string>& params,
                   bool bias = false) {
  const LearnerEntry& entry = find_learner("ptas");
  ParamValues values = ParamValues::parse(entry.params, params, "learner 'ptas'");
  values.set_fit_bias(bias);
  return fit_learner(entry, values, instance.data.view(), {&two_threads(), 7, {}});
}

TEST(Ptas, AdversarialSlabInDimensionFiveWithinOnePlusEtaOptPlusOneHundredth) {
  // The slab rule relabels the rows at the teacher's boundary: where the band's polynomial works.
  const Instance instance = generate_instance(
      "adversarial", 60000, 5, 3, {"rule=slab", "eta=0.1", "search_samples=20000"}, two_threads());
  const FitResult result = fit_ptas(instance, {"eta=0.5"}, true);
  const PiecewiseModel& model = result.as<PiecewiseModel>();
  EXPECT_EQ(task_of(result.model), Task::piecewise);
  EXPECT_EQ(result.details["degree"].get<std::size_t>(), 8u);         // ⌈1/η³⌉
  EXPECT_EQ(result.details["basis_size"].get<std::size_t>(), 1287u);  // C(13, 8)
  const Score s = score(result.model, instance.truth, two_threads());
  EXPECT_EQ(s.opt, instance.truth.opt);  // improper: against the opt over ReLUs with a bias
  EXPECT_LE(s.population.value, 1.5 * s.opt + 0.01) << result.details.dump();
  // The start alone (t = 0) is a candidate, so the hold-out choice can only improve on it.
  EXPECT_GE(model.band, 0.0);
  EXPECT_EQ(model.coef.size(), static_cast<std::size_t>(piecewise_basis_size(
                                   5, result.details["chosen_degree"].get<std::size_t>())));
}

TEST(Ptas, RealizableTeacherIsRecoveredThroughTheStart) {
  const Instance instance = generate_instance("realizable", 20000, 3, 2, {}, two_threads());
  const FitResult result = fit_ptas(instance, {"degree=3"});
  EXPECT_LT(score(result.model, instance.truth, two_threads()).population.value, 1e-4);
}

TEST(Ptas, RefusesARunWhoseEstimateExceedsMaxSeconds) {
  const Instance instance = generate_instance("label-noise", 20000, 5, 1, {}, two_threads());
  const std::string message = input_error_of([&] { fit_ptas(instance, {"max_seconds=0"}); });
  // Exact up to the measured seconds.
  EXPECT_TRUE(std::regex_match(
      message, std::regex(R"(ptas: the estimated time, about [0-9.e+-]+ s \(degree 8 in d = 5: )"
                          R"(1287 basis polynomials\), exceeds max_seconds = 0; lower the )"
                          R"(degree \(raise eta\) or raise max_seconds)")))
      << message;
  EXPECT_EQ(input_error_of([&] { fit_ptas(instance, {"eta=0.1"}); }),
            "ptas: degree 1000 = ceil(1/eta^3) is above 40; raise eta or set degree");
  EXPECT_EQ(input_error_of([&] { fit_ptas(instance, {"degree=20"}); }),
            "ptas: degree 20 in d = 5 has 5.313e+04 basis polynomials, more than 6000 (their "
            "Gram matrix would not fit in memory); lower the degree or raise eta");
}

TEST(Ptas, TheEstimateNamesTheSearch) {
  const Instance instance = generate_instance("label-noise", 10000, 5, 1, {}, two_threads());
  const LearnerEntry& entry = find_learner("ptas");
  const auto e = estimate_learner(entry, ParamValues::defaults(entry.params), instance.data.view(),
                                  {&two_threads(), 0, {}});
  ASSERT_TRUE(e.has_value());
  EXPECT_GT(e->seconds, 0);
  EXPECT_EQ(e->summary.rfind("ptas: degree 8 in d = 5 (1287 basis polynomials), 5 bands", 0), 0u)
      << e->summary;
}

TEST(PiecewiseModel, RegionsAndTheBasis) {
  PiecewiseModel m;
  m.w = {1.0, 0.0};
  m.b = -0.5;
  m.band = 0.25;
  m.frame = orthonormal_frame(m.w);
  ASSERT_EQ(m.frame, (std::vector<double>{0.0, 1.0}));
  m.set_degree(2);
  // Exponents (u0, u1) graded: (0,0) (1,0) (0,1) (2,0) (1,1) (0,2).
  EXPECT_EQ(m.exponents, (std::vector<std::uint8_t>{0, 0, 1, 0, 0, 1, 2, 0, 1, 1, 0, 2}));
  m.coef = {0.5, 0, 0, 0, 0, 0};
  m.coef[1] = 1;  // + √3·u0 (orthonormal Legendre)
  m.coef[5] = 2;  // + 2·(u1² − 1)/√2 (orthonormal Hermite)
  m.w_pos = {2.0, 1.0};
  m.b_pos = -1;
  const float below[] = {0.0f, 3.0f}, above[] = {1.0f, 3.0f}, inside[] = {0.625f, 2.0f};
  EXPECT_EQ(m.predict_one(below), 0.0);
  EXPECT_DOUBLE_EQ(m.predict_one(above), 2.0 + 3.0 - 1.0);
  // z = 0.125, u0 = 0.5, u1 = 2.
  EXPECT_NEAR(m.predict_one(inside), 0.5 + std::sqrt(3.0) * 0.5 + 2 * 3.0 / std::sqrt(2.0), 1e-12);
  EXPECT_EQ(piecewise_basis_size(5, 8), 1287.0);
}

TEST(PiecewiseModel, ModelFileRoundTripAndOneLineErrors) {
  PiecewiseModel m;
  m.w = {0.6, 0.8};
  m.b = 0.1;
  m.bias = true;
  m.band = 0.3;
  m.frame = orthonormal_frame(m.w);
  m.set_degree(1);
  m.coef = {0.1, 0.2, 0.3};
  m.w_pos = {0.5, 0.5};
  m.b_pos = 0.2;
  ModelFile file{m, "ptas", {}, {}};
  const nlohmann::json j = to_json(file);
  EXPECT_EQ(j["type"], "piecewise");
  const ModelFile back = model_file_from_json(j, "m.json");
  const PiecewiseModel& r = std::get<PiecewiseModel>(back.model);
  EXPECT_EQ(r.coef, m.coef);
  EXPECT_EQ(r.frame, m.frame);
  EXPECT_EQ(r.exponents, m.exponents);
  const float x[] = {0.2f, 0.1f};
  EXPECT_EQ(r.predict_one(x), m.predict_one(x));
  auto error_after = [&](auto change) {
    nlohmann::json bad = j;
    change(bad);
    return input_error_of([&] { model_file_from_json(bad, "m.json"); });
  };
  EXPECT_EQ(error_after([](nlohmann::json& b) {
              b["coef"] = {1, 2};
            }),
            "m.json: key 'coef' must hold C(d + degree, degree) = 3 numbers (got 2)");
  EXPECT_EQ(error_after([](nlohmann::json& b) { b.erase("frame"); }),
            "m.json: missing key 'frame'");
  EXPECT_EQ(error_after([](nlohmann::json& b) { b["band"] = -1; }),
            "m.json: key 'band' must be >= 0");
  EXPECT_EQ(error_after([](nlohmann::json& b) {
              b["frame"] = {{1, 0, 0}};
            }),
            "m.json: every row of key 'frame' must have d = 2 numbers");
}

TEST(Ptas, JoinsTheGridOnReluFamilies) {
  const tradeoff::RunResult result = testing::run_grid_ok(
      "seeds = 1\nd = [3]\nn = [6000]\nbias = true\nlearners = [\"gd\", { name = \"ptas\", "
      "params = { degree = 3 } }]\n[families.label-noise]\nnoise = 0.01\n",
      "ptas.toml", 2);
  ASSERT_EQ(result.rows.size(), 2u);
  for (const tradeoff::Row& row : result.rows) {
    EXPECT_EQ(row["measure"], "square loss");
    EXPECT_EQ(row["opt"], 0.01);
    EXPECT_LT(row["ratio_to_opt"].get<double>(), 1.1) << row.dump();
  }
  EXPECT_EQ(result.rows[1]["learner_name"], "ptas");
}

}  // namespace
}  // namespace relureg
