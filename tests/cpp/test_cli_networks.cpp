// The command line with the network model types: net2 and binact2 fits, evaluate, predict, errors.
#include <gtest/gtest.h>

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

class CliNetworks : public testing::TempDirTest {
 protected:
  nlohmann::json json(const std::string& name) const {
    return nlohmann::json::parse(std::ifstream(path(name)));
  }
};

TEST_F(CliNetworks, Net2FitEvaluatePredictEndToEnd) {
  CliRun r = run({"generate", "--family", "teacher-net2", "--n", "8000", "--d", "4", "--seed", "2",
                  "--param", "noise=0.01", "-o", path("t.csv"), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json("t.truth.json")["teacher"]["network"]["units"], 2);
  r = run({"fit", path("t.csv"), "--learner", "net2-gd", "--param", "max_passes=300", "--param",
           "restarts=1", "-o", path("m.json"), "--quiet", "--threads", "1"});
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json model = json("m.json");
  EXPECT_EQ(model["type"], "net2");
  EXPECT_EQ(model["W"].size(), 2u);
  EXPECT_EQ(model["learner"], "net2-gd");
  r = run({"evaluate", "--model", path("m.json"), path("t.csv"), "--truth", path("t.truth.json")});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto ev = nlohmann::json::parse(r.out);
  EXPECT_NEAR(ev["loss"].get<double>(), model["metrics"]["train_loss"].get<double>(), 1e-12);
  EXPECT_EQ(ev["population_loss_method"], "exact");
  EXPECT_LT(ev["excess"].get<double>(), 0.005);
  r = run({"predict", "--model", path("m.json"), path("t.csv"), "-o", path("p.csv"), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream pred(path("p.csv"));
  std::string line;
  std::size_t rows = 0;
  while (std::getline(pred, line)) rows += !line.empty();
  EXPECT_EQ(rows, 8001u);
  // A net2 model on data of another width.
  generate("teacher-net2", 10, 3, "d3.csv");
  r = run({"evaluate", "--model", path("m.json"), path("d3.csv")});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "relureg: error: " + path("d3.csv") + ": model expects 4 features, data has 3\n");
}

TEST_F(CliNetworks, Net2EnumPrintsItsTimeEstimateBeforeStarting) {
  generate("teacher-net2", 4000, 2, "t.csv");
  const CliRun r = run({"fit", path("t.csv"), "--learner", "net2-enum", "--param", "grid=9",
                        "--param", "dim=2", "-o", path("m.json")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err.rfind("net2-enum: 32 directions in R^2 (grid 9), C(32, 2) = 496 tuples", 0), 0u)
      << r.err;
  EXPECT_NE(r.err.find(" s on "), std::string::npos) << r.err;
  EXPECT_EQ(json("m.json")["type"], "net2");
  EXPECT_EQ(json("m.json")["metrics"]["details"]["directions"], 32);
}

TEST_F(CliNetworks, OrthogonalNetWithOddKIsAClearError) {
  const CliRun r = run({"generate", "--family", "orthogonal-net", "--n", "100", "--d", "8",
                        "--param", "k=5", "-o", path("o.csv")});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "relureg: error: family 'orthogonal-net': with ReLU and odd k = 5 the network is "
            "identically zero (ReLU(t) - ReLU(-t) = t, so the units s and -s cancel); use an even "
            "k, or activation=sigmoid with odd k\n");
  EXPECT_FALSE(fs::exists(path("o.csv")));
}

TEST_F(CliNetworks, SteCgdWritesABinact2ModelAndListingsShowTheTasks) {
  generate("binact-teacher", 6000, 12, "b.csv", {"--param", "patches=4"});
  CliRun r = run({"fit", path("b.csv"), "--learner", "ste-cgd", "--param", "patches=4", "--param",
                  "max_passes=20", "-o", path("b.json"), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json("b.json")["type"], "binact2");
  EXPECT_EQ(json("b.json")["v"].size(), 4u);
  r = run({"evaluate", "--model", path("b.json"), path("b.csv"), "--truth", path("b.truth.json")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["population_loss_method"], "exact");
  r = run({"fit", path("b.csv"), "--learner", "ste-cgd", "--param", "patches=5", "-o",
           path("c.json"), "--quiet"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "relureg: error: ste-cgd: d = 12 features do not split into 5 patches (d must be a "
            "multiple of patches)\n");
  r = run({"learners"});
  for (const char* line : {"net2-gd      [net2]", "net2-enum    [net2]", "ste-cgd      [binact2]"})
    EXPECT_NE(r.out.find(line), std::string::npos) << line;
}

TEST(ProgressBar, AKnownShareOfTheWorkOverridesPassesOverMaximum) {
  std::ostringstream err;
  cli::ProgressBar bar(err, true, "net2-enum", 0.0);
  FitProgress p{300, 1000, 2, 0.5};
  p.fraction = 0.3;  // tuples done, not passes
  EXPECT_TRUE(bar.callback()(p));
  EXPECT_NE(err.str().find(" 30% pass 2 loss 0.5"), std::string::npos) << err.str();
}

}  // namespace
}  // namespace relureg
