// The command line with halfspace models: --task, ±1 label errors naming the file, 0/1 error.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "tradeoff_test_util.hpp"

namespace fs = std::filesystem;

namespace relureg {
namespace {

class CliHalfspace : public testing::TempDirTest {};

TEST_F(CliHalfspace, GenerateFitEvaluatePredictHalfspace) {
  CliRun r = run({"generate", "--family", "halfspace", "--n", "20000", "--d", "6", "--seed", "2",
                  "--param", "eta=0.05", "--param", "flips=far", "-o", path("hs.csv"), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  r = run(
      {"fit", path("hs.csv"), "--task", "halfspace", "--learner", "hs-abl", "-o", path("m.json")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("hs-abl: train 0/1 error 0.04795, ", 0), 0u) << r.out;
  const auto model = nlohmann::json::parse(std::ifstream(path("m.json")));
  EXPECT_EQ(model["type"], "halfspace");
  EXPECT_EQ(model["learner"], "hs-abl");
  EXPECT_FALSE(model["metrics"].contains("train_loss"));
  const double train_error = model["metrics"]["train_error"].get<double>();

  r = run(
      {"evaluate", "--model", path("m.json"), path("hs.csv"), "--truth", path("hs.truth.json")});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto ev = nlohmann::json::parse(r.out);
  EXPECT_EQ(ev["measure"], "0/1 error");
  EXPECT_EQ(ev["loss"].get<double>(), train_error);
  EXPECT_NEAR(ev["opt"].get<double>(), 0.05, 1e-10);
  EXPECT_EQ(ev["population_loss_method"], "exact");
  EXPECT_LE(ev["population_loss"].get<double>(), 0.051);
  EXPECT_GE(ev["excess"].get<double>(), -1e-12);
  EXPECT_EQ(ev["ratio_to_opt"].get<double>(),
            ev["population_loss"].get<double>() / ev["opt"].get<double>());

  r = run({"predict", "--model", path("m.json"), path("hs.csv"), "-o", path("p.csv")});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> lines = testing::read_lines(path("p.csv"));
  ASSERT_EQ(lines.size(), 20001u);
  EXPECT_EQ(lines[0], "label");
  for (std::size_t i = 1; i < lines.size(); ++i)
    EXPECT_TRUE(lines[i] == "1" || lines[i] == "-1") << lines[i];
  // Without --task the learner's task is used.
  r = run({"fit", path("hs.csv"), "--learner", "hs-sigmoid", "-o", path("s.json"), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(std::ifstream(path("s.json")))["type"], "halfspace");
}

// hs-adversarial reads the ground truth given by --truth; without it, a one-line error and no
// model file.
TEST_F(CliHalfspace, TheAdversarialOracleTakesTheTruthFile) {
  CliRun r = run({"generate", "--family", "halfspace", "--n", "20000", "--d", "6", "--seed", "2",
                  "--param", "eta=0.05", "--param", "flips=far", "-o", path("hs.csv"), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  r = run({"fit", path("hs.csv"), "--learner", "hs-adversarial", "-o", path("a.json")});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "relureg: error: learner 'hs-adversarial' needs the instance's ground truth (it turns "
            "w* away): give `relureg fit --truth FILE.truth.json`, or run it in `relureg "
            "tradeoff` on a family\n");
  EXPECT_FALSE(fs::exists(path("a.json")));
  r = run({"fit", path("hs.csv"), "--learner", "hs-adversarial", "--truth", path("hs.truth.json"),
           "--param", "factor=3", "-o", path("a.json"), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto model = nlohmann::json::parse(std::ifstream(path("a.json")));
  const auto& details = model["metrics"]["details"];
  EXPECT_LE(model["metrics"]["train_error"].get<double>(),
            3 * details["best_error"].get<double>() + 1e-12);
  EXPECT_GT(details["angle"].get<double>(), 0.2);
}

TEST_F(CliHalfspace, LabelsThatAreNotSignsAndTaskMismatchesAreClearErrors) {
  std::ofstream(path("real.csv")) << "x0,x1,y\n1,2,1\n3,4,-1\n5,6,0.5\n";
  CliRun r = run({"fit", path("real.csv"), "--task", "halfspace", "--learner", "hs-abl", "-o",
                  path("m.json")});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "relureg: error: " + path("real.csv") +
                       ": labels must be -1 or +1 for a halfspace, row 3 has label 0.5 (1 of 3 "
                       "rows are not ±1)\n");
  EXPECT_FALSE(fs::exists(path("m.json")));
  r = run(
      {"fit", path("real.csv"), "--task", "halfspace", "--learner", "gd", "-o", path("m.json")});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "relureg: error: learner 'gd' fits a relu; --task halfspace needs one of: "
            "hs-average, hs-abl, hs-sigmoid, hs-adversarial\n");
  r = run({"fit", path("real.csv"), "--task", "relu", "--learner", "hs-abl", "-o", path("m.json")});
  EXPECT_EQ(r.err,
            "relureg: error: learner 'hs-abl' fits a halfspace; --task relu needs one of: "
            "moment, gd, glmtron, dktz22, wzdd23, gv25, exhaustive, exhaustive-subsets, gkk19\n");
  r = run({"fit", path("real.csv"), "--task", "ranking", "--learner", "gd", "-o", path("m.json")});
  EXPECT_EQ(r.err,
            "relureg: error: unknown task 'ranking' (choose relu, halfspace, net2, binact2, sim or "
            "piecewise)\n");
}

TEST_F(CliHalfspace, ModelFilesOfBothTypesAndOldFilesWithoutAType) {
  std::ofstream(path("pm.csv")) << "x0,x1,y\n1,0,1\n-1,0,-1\n0.5,1,1\n";
  std::ofstream(path("real.csv")) << "x0,x1,y\n1,0,1\n-1,0,0\n0.5,1,0.5\n";
  // A model file written before the "type" key existed is a ReLU.
  std::ofstream(path("old.json")) << R"({"w": [1, 0], "b": 0})";
  CliRun r = run({"evaluate", "--model", path("old.json"), path("real.csv")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["loss"].get<double>(), 0.0);
  std::ofstream(path("hs.json")) << R"({"type": "halfspace", "w": [1, 0], "b": 0})";
  r = run({"evaluate", "--model", path("hs.json"), path("pm.csv")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["loss"].get<double>(), 0.0);
  EXPECT_EQ(nlohmann::json::parse(r.out)["measure"], "0/1 error");
  // Evaluating a halfspace on labels that are not ±1 names the data file.
  r = run({"evaluate", "--model", path("hs.json"), path("real.csv")});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "relureg: error: " + path("real.csv") +
                       ": labels must be -1 or +1 for a halfspace, row 2 has label 0 (2 of 3 rows "
                       "are not ±1)\n");
  std::ofstream(path("bad.json")) << R"({"type": "tree", "w": [1, 0]})";
  r = run({"evaluate", "--model", path("bad.json"), path("pm.csv")});
  EXPECT_EQ(r.err, "relureg: error: " + path("bad.json") +
                       ": unsupported model type \"tree\" (expected \"relu\", \"halfspace\", "
                       "\"net2\", \"binact2\", \"sim\" or \"piecewise\")\n");
}

TEST_F(CliHalfspace, TruthOfTheOtherTaskIsRejected) {
  generate("halfspace", 500, 3, "hs.csv");
  generate("realizable", 500, 3, "re.csv");
  ASSERT_EQ(
      run({"fit", path("hs.csv"), "--learner", "hs-average", "-o", path("h.json"), "--quiet"}).code,
      0);
  ASSERT_EQ(
      run({"fit", path("re.csv"), "--learner", "moment", "-o", path("r.json"), "--quiet"}).code, 0);
  CliRun r = run(
      {"evaluate", "--model", path("h.json"), path("hs.csv"), "--truth", path("re.truth.json")});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "relureg: error: " + path("re.truth.json") +
                       ": a 'realizable' instance measures square loss; the model is a halfspace "
                       "(use a 'halfspace' instance)\n");
  r = run(
      {"evaluate", "--model", path("r.json"), path("re.csv"), "--truth", path("hs.truth.json")});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "relureg: error: " + path("hs.truth.json") +
                ": a 'halfspace' instance measures 0/1 error; the model is a relu model (use "
                "a halfspace learner: hs-average, hs-abl, hs-sigmoid, hs-adversarial)\n");
}

}  // namespace
}  // namespace relureg
