// A family's own d, n and learners in the grid, and the summary's medians with their interval
// over seeds.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "relureg/tradeoff.hpp"
#include "relureg/tradeoff_size.hpp"
#include "tradeoff_test_util.hpp"

namespace relureg {
namespace {

using testing::CliRun;
using testing::run_cli;

constexpr const char* kAxesGrid =
    "seeds = [0, 1, 2]\nd = [3]\nn = [2000]\n"
    "learners = [\"moment\", \"gd\", {name = \"glmtron\", label = \"glm\"}]\n"
    "[families.realizable]\nd = [2, 4]\nn = [1000, 3000]\nlearners = [\"gd\", \"glm\"]\n"
    "[families.label-noise]\nnoise = 0.01\n";

TEST(TradeoffFamilyAxes, AFamilyRunsItsOwnDNAndLearners) {
  const tradeoff::Config config = tradeoff::parse_config(kAxesGrid, "toml", "axes.toml");
  EXPECT_EQ(tradeoff::to_json(tradeoff::parse_config(tradeoff::to_toml(config), "toml", "t")),
            tradeoff::to_json(config));
  const tradeoff::RunResult result = tradeoff::run(config, {});
  // realizable: 2 d × 2 n × 3 seeds × 2 learners; label-noise: the grid's d and n, 3 learners.
  ASSERT_EQ(result.rows.size(), 24u + 9u);
  std::map<std::string, std::set<std::string>> learners;
  std::map<std::string, std::set<std::size_t>> ds, ns;
  for (const tradeoff::Row& row : result.rows) {
    const std::string family = row["family"].get<std::string>();
    learners[family].insert(row["learner"].get<std::string>());
    ds[family].insert(row["d"].get<std::size_t>());
    ns[family].insert(row["n"].get<std::size_t>());
    EXPECT_EQ(row["status"], "ok");
  }
  EXPECT_EQ(learners["realizable"], (std::set<std::string>{"gd", "glm"}));
  EXPECT_EQ(learners["label-noise"], (std::set<std::string>{"moment", "gd", "glm"}));
  EXPECT_EQ(ds["realizable"], (std::set<std::size_t>{2, 4}));
  EXPECT_EQ(ns["realizable"], (std::set<std::size_t>{1000, 3000}));
  EXPECT_EQ(ds["label-noise"], (std::set<std::size_t>{3}));
  EXPECT_EQ(ns["label-noise"], (std::set<std::size_t>{2000}));
  const tradeoff::GridSize size = tradeoff::grid_size(config);
  EXPECT_EQ(size.cells, 33u);
}

// The summary's "median [low, high]": the median over the cells, and the lowest and highest of
// the per-seed medians, recomputed here from the rows.
TEST(TradeoffFamilyAxes, TheSummaryGivesMediansWithTheirIntervalOverSeeds) {
  const tradeoff::Config config = tradeoff::parse_config(kAxesGrid, "toml", "axes.toml");
  const tradeoff::RunResult result = tradeoff::run(config, {});
  const std::string summary = tradeoff::summary_markdown(config, result);
  std::vector<double> ratios;
  for (const tradeoff::Row& row : result.rows)
    if (row["family"] == "label-noise" && row["learner"] == "moment")
      ratios.push_back(row["ratio_to_opt"].get<double>());
  ASSERT_EQ(ratios.size(), 3u);  // one cell per seed
  std::sort(ratios.begin(), ratios.end());
  const std::string expected =
      fmt::format("| moment | 3 | {:.4f} [{:.4f}, {:.4f}] |", ratios[1], ratios[0], ratios[2]);
  EXPECT_NE(summary.find(expected), std::string::npos) << expected << "\n" << summary;
  EXPECT_NE(summary.find("(own axes: realizable d ∈ {2, 4}, n ∈ {1000, 3000})"), std::string::npos)
      << summary;
  EXPECT_NE(summary.find("[a, b] after a median is its interval over seeds: the lowest and the "
                         "highest of the per-seed medians"),
            std::string::npos);
}

// A learner variant with its own `bias`: its cells fit a bias and are scored against the opt of
// ReLUs with bias, beside the same learner without one.
TEST(TradeoffFamilyAxes, ALearnerVariantFitsABiasOfItsOwn) {
  const tradeoff::Config config = tradeoff::parse_config(
      "seeds = 1\nd = [5]\nn = [20000]\nlearners = [\"gd\", {name = \"gd\", bias = true}]\n"
      "[families.biased-teacher]\noffset = -1.0\nnoise = 0.1\nnoise_param = \"none\"\n",
      "toml", "bias.toml");
  EXPECT_EQ(config.learners[1].label, "gd[bias=true]");
  EXPECT_EQ(tradeoff::to_json(tradeoff::parse_config(tradeoff::to_toml(config), "toml", "t")),
            tradeoff::to_json(config));
  const tradeoff::RunResult result = tradeoff::run(config, {});
  ASSERT_EQ(result.rows.size(), 2u);
  const tradeoff::Row& plain = result.rows[0];
  const tradeoff::Row& biased = result.rows[1];
  EXPECT_EQ(plain["bias"], false);
  EXPECT_EQ(biased["bias"], true);
  EXPECT_EQ(biased["opt_class"], "ReLUs with bias");
  EXPECT_EQ(plain["opt_class"], "homogeneous ReLUs");
  // With a bias the class holds the teacher: opt is the noise, 0.1 of the signal's second moment,
  // and gradient descent gets within 2 % of it at b* = -‖w*‖.
  EXPECT_LT(biased["opt"].get<double>(), plain["opt"].get<double>());
  EXPECT_LT(biased["ratio_to_opt"].get<double>(), 1.02);
}

class TradeoffFamilyAxesErrors : public testing::TempDirTest {
 protected:
  void expect_error(const std::string& text, const std::string& message) {
    const std::string file = write("grid.toml", text);
    const CliRun r = run_cli({"tradeoff", "--config", file, "--out", path("out")});
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_EQ(r.err, "relureg: error: " + file + message + "\n");
    EXPECT_FALSE(std::filesystem::exists(path("out")));
  }
};

TEST_F(TradeoffFamilyAxesErrors, LabelsDAndNAreChecked) {
  expect_error("learners = [\"gd\", \"moment\"]\n[families.realizable]\nlearners = [\"gdd\"]\n",
               ":3: key 'families.realizable.learners[0]': no learner of the grid is labelled "
               "'gdd' (labels of task relu: gd, moment)");
  expect_error(
      "learners = [\"gd\", \"hs-average\"]\n[families.halfspace]\n"
      "[families.realizable]\nlearners = [\"hs-average\"]\n",
      ":4: key 'families.realizable.learners[0]': learner 'hs-average' fits halfspace "
      "models; family 'realizable' is of task relu");
  expect_error("[families.realizable]\nd = [4, 0]\n",
               ":2: key 'families.realizable.d[1]': expected a whole number >= 1, got 0");
  expect_error("[families.realizable]\nn = []\n",
               ":2: key 'families.realizable.n': the list is empty");
}

}  // namespace
}  // namespace relureg
