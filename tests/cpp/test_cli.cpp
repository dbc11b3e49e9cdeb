// The command line, in process: the data commands end to end and every bad-input message.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "progress.hpp"
#include "tradeoff_test_util.hpp"

namespace fs = std::filesystem;

namespace relureg {
namespace {

class Cli : public testing::TempDirTest {
 protected:
  // Runs `fit` on `data` and checks the exact error line and that no model file was written.
  void expect_fit_error(const std::string& data, const std::string& message,
                        std::vector<std::string> extra = {},
                        const std::string& learner = "moment") {
    std::vector<std::string> args{"fit", data, "--learner", learner, "-o", path("m.json")};
    args.insert(args.end(), extra.begin(), extra.end());
    const CliRun r = run(args);
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_EQ(r.err, "relureg: error: " + message + "\n");
    EXPECT_FALSE(fs::exists(path("m.json")));
  }
};

TEST_F(Cli, GenerateFitEvaluatePredictEndToEnd) {
  CliRun r = run({"generate", "--family", "label-noise", "--n", "20000", "--d", "5", "--seed", "3",
                  "--param", "noise=0.01", "-o", path("data.csv")});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_TRUE(fs::exists(path("data.truth.json")));
  const auto truth = nlohmann::json::parse(std::ifstream(path("data.truth.json")));
  EXPECT_DOUBLE_EQ(truth["opt"].template get<double>(), 0.01);
  EXPECT_EQ(truth["w_star"].size(), 5u);

  r = run({"fit", path("data.csv"), "--learner", "glmtron", "--param", "max_passes=300", "--param",
           "tol=1e-9", "-o", path("model.json"), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  const auto model = nlohmann::json::parse(std::ifstream(path("model.json")));
  EXPECT_EQ(model["learner"], "glmtron");
  EXPECT_EQ(model["w"].size(), 5u);
  EXPECT_EQ(model["params"]["max_passes"], 300);
  EXPECT_GT(model["metrics"]["passes"].get<int>(), 1);
  EXPECT_EQ(model["metrics"]["loss_history"].size() > 1, true);

  r = run({"evaluate", "--model", path("model.json"), path("data.csv"), "--truth",
           path("data.truth.json")});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto ev = nlohmann::json::parse(r.out);
  EXPECT_EQ(ev["n"], 20000);
  EXPECT_NEAR(ev["loss"].get<double>(), model["metrics"]["train_loss"].get<double>(), 1e-12);
  EXPECT_LT(ev["population_loss"].get<double>(), 1.05 * 0.01);
  EXPECT_EQ(ev["population_loss_method"], "exact");

  r = run({"predict", "--model", path("model.json"), path("data.csv"), "-o", path("pred.csv")});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> lines = testing::read_lines(path("pred.csv"));
  ASSERT_EQ(lines.size(), 20001u);
  EXPECT_EQ(lines[0], "prediction");
}

TEST_F(Cli, NpyDataWithLabelsFile) {
  generate("realizable", 5000, 3, "x.npy");
  EXPECT_TRUE(fs::exists(path("x.labels.npy")));
  const CliRun r = run({"fit", path("x.npy"), "--labels", path("x.labels.npy"), "--learner", "gd",
                        "-o", path("m.json"), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto model = nlohmann::json::parse(std::ifstream(path("m.json")));
  EXPECT_LT(model["metrics"]["train_loss"].get<double>(), 1e-12);
}

TEST_F(Cli, FitRecordsWhenEachProgressReportCame) {
  generate("label-noise", 4000, 3, "x.npy");
  const CliRun r = run({"fit", path("x.npy"), "--labels", path("x.labels.npy"), "--learner", "gd",
                        "--param", "max_passes=6", "--param", "tol=0", "--param", "backtrack=0",
                        "-o", path("m.json"), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto metrics = nlohmann::json::parse(std::ifstream(path("m.json")))["metrics"];
  EXPECT_EQ(metrics["passes"], 6);
  // gd reports after each step, from its second pass on (the first computes the starting loss).
  EXPECT_EQ(metrics["timeline"]["passes"], nlohmann::json({2, 3, 4, 5, 6}));
  const auto seconds = metrics["timeline"]["seconds"].get<std::vector<double>>();
  ASSERT_EQ(seconds.size(), 5u);
  EXPECT_GE(seconds.front(), 0.0);
  EXPECT_TRUE(std::is_sorted(seconds.begin(), seconds.end()));
}

TEST_F(Cli, BadInputGetsOneLineErrorsAndNoOutputFile) {
  expect_fit_error(path("missing.csv"),
                   path("missing.csv") + ": cannot open file: No such file or directory");
  write("ragged.csv", "x0,x1,y\n1,2,3\n4,5\n");
  expect_fit_error(path("ragged.csv"), path("ragged.csv") + ":3: expected 3 columns, found 2");
  write("text.csv", "x0,x1,y\n1,2,3\n4,abc,6\n");
  expect_fit_error(path("text.csv"), path("text.csv") + ":3:2: not a number: 'abc'");
  write("nan.csv", "x0,x1,y\n1,2,3\n\n4,5,nan\n");
  expect_fit_error(path("nan.csv"), path("nan.csv") + ":4:3: value is not finite: 'nan'");
  write("nolabel.csv", "a,b\n1,2\n");
  expect_fit_error(path("nolabel.csv"),
                   path("nolabel.csv") + ":1: no label column 'y' in header (use --label NAME)");
  write("empty.csv", "x0,y\n\n");
  expect_fit_error(path("empty.csv"), path("empty.csv") + ": no data rows");
  write("data.txt", "x0,y\n1,2\n");
  expect_fit_error(path("data.txt"),
                   path("data.txt") + ": unknown file format (expected .csv or .npy)");
  write("ok.csv", "x0,target\n1,2\n3,4\n");
  expect_fit_error(path("ok.csv"),
                   "unknown learner 'nope' (choose one of: moment, gd, glmtron, dktz22, wzdd23, "
                   "gv25, isotron, l-isotron, ptas, exhaustive, "
                   "exhaustive-subsets, gkk19, hs-average, hs-abl, hs-sigmoid, hs-adversarial, "
                   "net2-gd, net2-enum, "
                   "orthogonal-subsets, ste-cgd)",
                   {}, "nope");
  expect_fit_error(
      path("ok.csv"),
      "unknown parameter 'rate' for learner 'moment' (known: radius, ridge, center, passes)",
      {"--param", "rate=1", "--label", "target"});
}

TEST_F(Cli, NpyWithUnsupportedDtypeIsRejected) {
  // A valid NPY 1.0 header for an int64 (2, 1) array.
  std::string header = "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 1), }";
  header += std::string(128 - 10 - header.size() - 1, ' ') + "\n";
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  bytes += header + std::string(16, '\0');
  std::ofstream(path("int.npy"), std::ios::binary) << bytes;
  expect_fit_error(
      path("int.npy"),
      path("int.npy") + ": unsupported NPY dtype '<i8' (need float32 '<f4' or float64 '<f8')");
}

TEST_F(Cli, DimensionMismatchBetweenModelAndData) {
  generate("realizable", 100, 3, "d3.csv");
  generate("realizable", 100, 2, "d2.csv");
  ASSERT_EQ(
      run({"fit", path("d3.csv"), "--learner", "moment", "-o", path("m.json"), "--quiet"}).code, 0);
  CliRun r = run({"evaluate", "--model", path("m.json"), path("d2.csv")});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "relureg: error: " + path("d2.csv") + ": model expects 3 features, data has 2\n");
  write("bad.truth.json", "{\"opt\": ");
  r = run(
      {"evaluate", "--model", path("m.json"), path("d3.csv"), "--truth", path("bad.truth.json")});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "relureg: error: " + path("bad.truth.json") + ": not valid JSON (byte 9)\n");
  r = run({"predict", "--model", path("m.json"), path("d2.csv"), "-o", path("p.csv")});
  EXPECT_EQ(r.code, 1);
  EXPECT_FALSE(fs::exists(path("p.csv")));
}

TEST_F(Cli, UnknownOptionIsAUsageError) {
  const CliRun r = run({"fit", "x.csv", "--learner", "gd", "-o", "m.json", "--speed", "3"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("relureg: error: "), std::string::npos);
  EXPECT_NE(r.err.find("--speed"), std::string::npos);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
}

TEST(ProgressBar, DrawsPassLossAndEtaThenClearsItsLine) {
  std::ostringstream err;
  cli::ProgressBar bar(err, true, "gd", 0.0);
  const ProgressCallback callback = bar.callback();
  ASSERT_TRUE(callback);
  EXPECT_TRUE(callback({10, 100, 25, 0.125}));
  const std::string drawn = err.str();
  EXPECT_NE(drawn.find("gd ["), std::string::npos);
  EXPECT_NE(drawn.find(" 25% pass 25 loss 0.125"), std::string::npos) << drawn;
  EXPECT_NE(drawn.find("eta "), std::string::npos);
  bar.finish();
  EXPECT_EQ(err.str().back(), '\r');
  std::ostringstream quiet;
  cli::ProgressBar off(quiet, false, "gd", 0.0);
  EXPECT_FALSE(off.callback());
}

TEST_F(Cli, ListingsReadTheNameTables) {
  CliRun r = run({"learners"});
  EXPECT_EQ(r.code, 0);
  for (const char* name : {"moment", "gd", "glmtron", "exhaustive", "max_passes", "Soltanolkotabi"})
    EXPECT_NE(r.out.find(name), std::string::npos) << name;
  r = run({"families"});
  EXPECT_EQ(r.code, 0);
  for (const char* name : {"realizable", "label-noise", "adversarial", "non-gaussian"})
    EXPECT_NE(r.out.find(name), std::string::npos) << name;
}

TEST_F(Cli, DemoPrintsOneRowPerLearner) {
  const CliRun r = run({"demo", "--n", "20000", "--d", "2", "--seed", "1", "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* name : {"moment", "gd", "glmtron", "exhaustive"})
    EXPECT_NE(r.out.find(std::string("\n") + name + " "), std::string::npos) << name << r.out;
  EXPECT_NE(r.out.find("opt=0.05 (exact, homogeneous ReLUs)"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace relureg
