// Sample weights: a weight of 2 equals the row duplicated and 0 the row removed, for every
// learner that takes weights; the others and bad weights fail with one-line errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "relureg/family.hpp"
#include "relureg/io.hpp"
#include "relureg/learner.hpp"
#include "relureg/model_ops.hpp"
#include "relureg/sources.hpp"
#include "relureg/standardize.hpp"
#include "test_support.hpp"
#include "tradeoff_test_util.hpp"

namespace relureg {
namespace {

using testing::input_error_of;

// Weights 1, except row 3 (2), row 10 (0, i.e. removed) and row 17 (3).
std::vector<double> test_weights(std::size_t n) {
  std::vector<double> w(n, 1.0);
  w[3] = 2;
  w[10] = 0;
  w[17] = 3;
  return w;
}

// The rows of `data`, each repeated as many times as its (whole) weight.
Dataset repeated(const Dataset& data, const std::vector<double>& weights) {
  std::size_t rows = 0;
  for (double w : weights) rows += static_cast<std::size_t>(w);
  Dataset out(rows, data.d, true);
  std::size_t next = 0;
  for (std::size_t i = 0; i < data.n; ++i)
    for (int copy = 0; copy < static_cast<int>(weights[i]); ++copy, ++next) {
      std::copy(data.X.begin() + i * data.d, data.X.begin() + (i + 1) * data.d, out.row(next));
      out.y[next] = data.y[i];
    }
  return out;
}

struct WeightedCase {
  std::string learner, family;
  std::size_t d;
  std::vector<std::string> params;
  bool bias;
  bool standardize;
};

FitResult fit_on(const WeightedCase& c, const DataSource& data, const Engine& engine) {
  const LearnerEntry& entry = find_learner(c.learner);
  ParamValues params = ParamValues::parse(entry.params, c.params, c.learner);
  params.set_fit_bias(c.bias);
  FitContext context{&engine, 7, {}};
  context.standardize = c.standardize;
  return fit_learner_standardized(entry, params, data, context);
}

class WeightedFit : public ::testing::TestWithParam<WeightedCase> {};

// Weight 2 (and 3) on a row gives the fit of the data with the row repeated, and weight 0 the
// fit without it: the same model within 1e-12 (relative), predictions compared on every row.
TEST_P(WeightedFit, WeightTwoIsTheRowDuplicatedAndZeroTheRowRemoved) {
  const WeightedCase& c = GetParam();
  const Engine& engine = testing::two_threads();
  const Dataset data = generate_instance(c.family, 120, c.d, 5, {}, engine).data;
  const std::vector<double> weights = test_weights(data.n);
  const DatasetView view = data.view();  // the source a WeightedSource wraps must outlive it
  const WeightedSource weighted(view, weights);
  const Dataset copies = repeated(data, weights);
  ASSERT_EQ(copies.n, data.n + 1 + 2 - 1);
  const FitResult a = fit_on(c, weighted, engine);
  const FitResult b = fit_on(c, copies.view(), engine);
  const std::vector<double> pa = predict(engine, a.model, data.view());
  const std::vector<double> pb = predict(engine, b.model, data.view());
  double scale = 0;
  for (double p : pb) scale = std::max(scale, std::abs(p));
  for (std::size_t i = 0; i < pa.size(); ++i)
    ASSERT_NEAR(pa[i], pb[i], 1e-12 * std::max(1.0, scale)) << c.learner << " row " << i;
  ASSERT_FALSE(a.loss_history.empty());
  EXPECT_NEAR(a.loss_history.back(), b.loss_history.back(),
              1e-12 * std::max(1.0, std::abs(b.loss_history.back())));
  // A weighted fit is the same on any number of threads and blocks.
  const Engine one(EngineOptions{1, 16}), two(EngineOptions{2, 16});
  const std::vector<double> p1 = predict(engine, fit_on(c, weighted, one).model, data.view());
  const std::vector<double> p2 = predict(engine, fit_on(c, weighted, two).model, data.view());
  EXPECT_EQ(p1, p2);
}

INSTANTIATE_TEST_SUITE_P(
    EveryWeightedLearner, WeightedFit,
    ::testing::Values(
        WeightedCase{"moment", "label-noise", 4, {}, false, false},
        WeightedCase{"moment", "label-noise", 4, {}, true, false},
        WeightedCase{"gd", "label-noise", 4, {"max_passes=200"}, false, false},
        WeightedCase{"gd", "label-noise", 4, {"max_passes=200"}, true, true},
        WeightedCase{"glmtron", "label-noise", 4, {"max_passes=200"}, false, false},
        WeightedCase{"glmtron", "label-noise", 4, {"max_passes=200"}, true, true},
        WeightedCase{"hs-average", "halfspace", 4, {}, false, false},
        WeightedCase{"hs-abl", "halfspace", 4, {}, false, false},
        WeightedCase{
            "net2-gd", "teacher-net2", 4, {"units=2", "max_passes=40", "restarts=1"}, false, false},
        WeightedCase{"net2-enum", "teacher-net2", 3, {"grid=3"}, false, false},
        WeightedCase{"ste-cgd", "binact-teacher", 8, {"batch=0", "max_passes=40"}, false, false}),
    [](const ::testing::TestParamInfo<WeightedCase>& info) {
      std::string name = info.param.learner + (info.param.bias ? "_bias" : "");
      std::replace(name.begin(), name.end(), '-', '_');
      return name;
    });

TEST(SampleWeights, TheTableSaysWhichLearnersTakeThem) {
  EXPECT_EQ(weighted_learner_names(),
            "moment, gd, glmtron, hs-average, hs-abl, net2-gd, net2-enum, ste-cgd");
}

TEST(SampleWeights, ALearnerThatTakesNoneFailsWithOneLineNamingIt) {
  const Engine& engine = testing::two_threads();
  const Dataset data = generate_instance("label-noise", 50, 3, 1, {}, engine).data;
  const std::vector<double> weights(data.n, 1.0);
  const DatasetView view = data.view();
  const WeightedSource weighted(view, weights);
  const LearnerEntry& entry = find_learner("exhaustive");
  const ParamValues params = ParamValues::parse(entry.params, {}, "exhaustive");
  EXPECT_EQ(input_error_of([&] {
              fit_learner(entry, params, weighted, {&engine, 1, {}});
            }),
            "learner 'exhaustive' does not take sample weights (learners that do: moment, gd, "
            "glmtron, hs-average, hs-abl, net2-gd, net2-enum, ste-cgd)");
}

TEST(SampleWeights, BadWeightsAreOneLineErrors) {
  const Dataset data(5, 2, true);
  const DatasetView view = data.view();
  auto error = [&](std::vector<double> w) {
    return input_error_of([&] { WeightedSource(view, w); });
  };
  EXPECT_EQ(error({1, 1, 1}), "sample weights: 3 weights for 5 rows (give one weight per row)");
  EXPECT_EQ(error({1, 1, -0.5, 1, 1}),
            "sample weights: the weight of row 3 is negative (-0.5; weights must be >= 0)");
  EXPECT_EQ(error({1, std::nan(""), 1, 1, 1}),
            "sample weights: the weight of row 2 is NaN (weights must be finite and >= 0)");
  EXPECT_EQ(error({1, 1, 1, 1, std::numeric_limits<double>::infinity()}),
            "sample weights: the weight of row 5 is infinite (weights must be finite and >= 0)");
  EXPECT_EQ(error({0, 0, 0, 0, 0}),
            "sample weights: every weight is 0 (at least one row must count)");
}

TEST(SampleWeights, UnweightedMeansAreUnchangedAndWeightedOnesDivideByTheTotalWeight) {
  Dataset data(3, 1, true);
  data.X = {1, 2, 4};
  data.y = {0, 0, 0};
  const Engine& engine = testing::two_threads();
  auto mean_x = [&](const DataSource& source) {
    return engine.mean_rows(source, 1,
                            [](const float* x, double, double* acc) { acc[0] += x[0]; })[0];
  };
  EXPECT_EQ(mean_x(data.view()), 7.0 / 3.0);
  const std::vector<double> weights{1, 0, 3};
  EXPECT_EQ(mean_x(WeightedSource(data.view(), weights)), 13.0 / 4.0);
  double total = 0;
  engine.sum(
      WeightedSource(data.view(), weights), 1, [](const RowBlock&, double*) {}, &total);
  EXPECT_EQ(total, 4.0);
}

class WeightsFile : public testing::TempDirTest {};

TEST_F(WeightsFile, ReadsOneColumnCsvWithHeaderQuotesAndCrlf) {
  const std::string file = write("w.csv", "weight\r\n1\r\n\"2.5\"\r\n0\r\n");
  EXPECT_EQ(read_weights(file, 3, "d.csv"), (std::vector<double>{1, 2.5, 0}));
  EXPECT_EQ(input_error_of([&] { read_weights(file, 4, "d.csv"); }),
            file + ": 3 weights for 4 rows in d.csv");
  const std::string bad = write("bad.csv", "w\n1\nx\n");
  EXPECT_EQ(input_error_of([&] { read_weights(bad, 2, "d.csv"); }),
            bad + ":3: 'x' is not a number");
  const std::string wide = write("wide.csv", "w,v\n1,2\n");
  EXPECT_EQ(input_error_of([&] { read_weights(wide, 1, "d.csv"); }),
            wide + ":1: a weights file has one column (one weight per line)");
  EXPECT_EQ(input_error_of([&] { read_weights(path("w.txt"), 1, "d.csv"); }),
            path("w.txt") + ": a weights file must end in .csv or .npy");
}

TEST_F(WeightsFile, CliFitWithWeightsEqualsTheRowsRepeated) {
  using testing::run_cli;
  ASSERT_EQ(run_cli({"generate", "--family", "label-noise", "--n", "40", "--d", "3", "--seed", "2",
                     "-o", path("d.csv"), "--quiet"})
                .code,
            0);
  const Dataset data = read_dataset(path("d.csv"));
  const std::vector<double> weights = test_weights(data.n);
  std::string text = "weight\n";
  for (double w : weights) text += std::to_string(static_cast<int>(w)) + "\n";
  write("w.csv", text);
  write_dataset(path("copies.csv"), repeated(data, weights));
  const auto fit = [&](const std::vector<std::string>& extra, const std::string& out) {
    std::vector<std::string> args{"fit", "--learner", "gd", "--bias", "-o", path(out), "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(args);
  };
  ASSERT_EQ(fit({path("d.csv"), "--weights", path("w.csv")}, "a.json").code, 0);
  ASSERT_EQ(fit({path("copies.csv")}, "b.json").code, 0);
  const ModelFile a = read_model_file(path("a.json")), b = read_model_file(path("b.json"));
  const auto& wa = std::get<ReluModel>(a.model).w;
  const auto& wb = std::get<ReluModel>(b.model).w;
  ASSERT_EQ(wa.size(), wb.size());
  for (std::size_t j = 0; j < wa.size(); ++j) EXPECT_NEAR(wa[j], wb[j], 1e-12);
  EXPECT_NEAR(std::get<ReluModel>(a.model).b, std::get<ReluModel>(b.model).b, 1e-12);
  const testing::CliRun r = run_cli({"fit", path("d.csv"), "--learner", "exhaustive", "--weights",
                                     path("w.csv"), "-o", path("c.json")});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(
      r.err,
      "relureg: error: --weights: learner 'exhaustive' does not take sample weights "
      "(learners that do: moment, gd, glmtron, hs-average, hs-abl, net2-gd, net2-enum, ste-cgd)\n");
  EXPECT_FALSE(std::filesystem::exists(path("c.json")));
  std::string negative = "w\n1\n-2\n";
  for (int i = 0; i < 38; ++i) negative += "1\n";
  write("neg.csv", negative);
  const testing::CliRun n = run_cli({"fit", path("d.csv"), "--learner", "gd", "--weights",
                                     path("neg.csv"), "-o", path("c.json")});
  EXPECT_EQ(n.err, "relureg: error: " + path("neg.csv") +
                       ": the weight of row 2 is negative (-2; weights must be >= 0)\n");
  EXPECT_FALSE(std::filesystem::exists(path("c.json")));
}

}  // namespace
}  // namespace relureg
