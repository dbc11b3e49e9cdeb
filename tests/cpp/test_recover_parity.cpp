// The parity reduction (Algorithm 1): found with exhaustive search, honestly not found otherwise.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/learner.hpp"
#include "relureg/parity.hpp"
#include "relureg/parity_reduction.hpp"
#include "tradeoff_test_util.hpp"

namespace fs = std::filesystem;

namespace relureg {
namespace {

Instance parity_instance(std::size_t n, std::size_t k, std::uint64_t seed) {
  const Engine engine(EngineOptions{2});
  return generate_instance("sparse-parity", n, 16, seed, {"k=" + std::to_string(k), "eta=0.1"},
                           engine);
}

RecoveryOptions options_for(const Instance& instance, const std::string& learner,
                            std::vector<std::string> params = {}) {
  RecoveryOptions o;
  o.learner = learner;
  o.params = std::move(params);
  o.k = instance.truth.facts["k"].get<std::size_t>();
  o.eta = instance.truth.facts["eta"].get<double>();
  o.threads = 1;  // results do not depend on it; fewer OpenMP barriers on a busy CI machine
  o.seed = 3;
  return o;
}

std::vector<std::size_t> planted(const Instance& instance) {
  return instance.truth.facts["S"].get<std::vector<std::size_t>>();
}

TEST(RecoverParity, ExhaustiveSubsetsRecoversS) {
  const Instance instance = parity_instance(20000, 2, 31);
  const RecoveryResult r =
      recover_parity(instance.data, options_for(instance, "exhaustive-subsets", {"k=2"}));
  EXPECT_TRUE(r.found) << r.message;
  EXPECT_EQ(r.recovered, planted(instance));
  EXPECT_EQ(r.coordinates.size(), 16u);
  EXPECT_EQ(r.threshold_rule, "b0 - gap/2");
  EXPECT_NEAR(r.gap, instance.truth.facts["gap"].get<double>(), 1e-15);
  // Coordinates of S lose about b0, the others about opt; the threshold lies between.
  for (const CoordinateLoss& c : r.coordinates) {
    const double expected =
        c.in_set ? instance.truth.facts["b0"].get<double>() : instance.truth.homogeneous->opt;
    EXPECT_NEAR(c.loss, expected, 4 * c.stderr_ + 0.003) << c.index;
  }
  EXPECT_GT(r.separation, 0.8 * r.gap);
  EXPECT_GT(r.correlation, 0.75);  // ≈ 1 − 2η on the held-out rows
  EXPECT_EQ(r.readout["set"].get<std::vector<std::size_t>>(), planted(instance));
  EXPECT_TRUE(r.readout["reliable"].get<bool>());
}

TEST(RecoverParity, GradientDescentUnderAPassBudgetDoesNotFindAFourParity) {
  const Instance instance = parity_instance(40000, 4, 32);
  RecoveryOptions o = options_for(instance, "gd");
  o.budget_passes = 30;
  const RecoveryResult r = recover_parity(instance.data, o);
  EXPECT_FALSE(r.found);
  EXPECT_EQ(r.message.rfind("not found: ", 0), 0u) << r.message;
  for (const CoordinateLoss& c : r.coordinates) EXPECT_LE(c.passes, 30u);
  // GD never gets near opt: every fit's held-out loss stays within the gap of b0.
  for (const CoordinateLoss& c : r.coordinates)
    EXPECT_GT(c.loss, instance.truth.homogeneous->opt + 0.25 * r.gap) << c.index;
  EXPECT_FALSE(r.readout["reliable"].get<bool>());
}

TEST(RecoverParity, NoLearnerFindsSWithAnSqToleranceAboveTheGap) {
  const Instance instance = parity_instance(20000, 2, 33);
  const double gap = instance.truth.facts["gap"].get<double>();
  // Control: with exact answers (and a small tolerance) exhaustive search finds S.
  for (double tau : {0.0, 0.05 * gap}) {
    RecoveryOptions o = options_for(instance, "exhaustive-subsets", {"k=2"});
    o.sq_tolerance = tau;
    EXPECT_TRUE(recover_parity(instance.data, o).found) << "tau " << tau;
  }
  std::size_t tried = 0;
  for (const LearnerEntry& entry : learner_table()) {
    if (entry.task != Task::relu) continue;
    RecoveryOptions o = options_for(instance, entry.name);
    if (entry.name == "exhaustive-subsets") o.params = {"k=2"};
    o.budget_passes = 50;
    // 1.25Δ_2: above the signal (1 − 2η)|c_2|/2 = 1.075Δ_2 that a candidate on S adds to the
    // query E[y ReLU(u·x)]; between Δ_2 and 1.075Δ_2 exhaustive search can still see S.
    o.sq_tolerance = 1.25 * gap;
    try {
      const RecoveryResult r = recover_parity(instance.data, o);
      EXPECT_FALSE(r.found) << entry.name << ": " << r.message;
      ++tried;
    } catch (const InputError& e) {
      // exhaustive cannot run at d = 16 (d <= 3).
      EXPECT_EQ(entry.name, "exhaustive") << e.what();
    }
  }
  EXPECT_GE(tried, 5u);
}

using testing::CliRun;

using testing::run_cli;

// A fresh temporary folder per test (TempDirTest).
class RecoverParityCli : public testing::TempDirTest {};

TEST_F(RecoverParityCli, GenerateThenRecoverPrintsJsonWithTheSetAndTheLosses) {
  CliRun r = run_cli({"generate", "--family", "sparse-parity", "--n", "20000", "--d", "12",
                      "--param", "k=2", "--seed", "8", "-o", path("p.npy"), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto truth = nlohmann::json::parse(std::ifstream(path("p.truth.json")));
  for (const char* key : {"S", "best_direction", "best_scale", "b0", "gap", "c_k"})
    EXPECT_TRUE(truth["facts"].contains(key)) << key;
  r = run_cli({"recover-parity", path("p.npy"), "--learner", "exhaustive-subsets", "--param", "k=2",
               "-o", path("result.json")});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["found"].get<bool>());
  EXPECT_EQ(j["recovered"], truth["facts"]["S"]);
  EXPECT_TRUE(j["truth"]["correct"].get<bool>());
  EXPECT_EQ(j["coordinates"].size(), 12u);
  EXPECT_EQ(j["k"], 2);
  for (const char* key : {"margin", "separation", "threshold", "seconds", "readout", "b0"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(nlohmann::json::parse(std::ifstream(path("result.json"))), j);
  EXPECT_EQ(r.err.rfind("recover-parity: found S = {", 0), 0u) << r.err;
}

TEST_F(RecoverParityCli, NotFoundIsAResultNotAnError) {
  generate("sparse-parity", 20000, 16, "p.csv", {"--param", "k=4", "--seed", "9"});
  const CliRun r = run_cli(
      {"recover-parity", path("p.csv"), "--learner", "gd", "--budget", "20", "--threads", "1"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j["found"].get<bool>());
  EXPECT_FALSE(j["truth"]["correct"].get<bool>());
  EXPECT_EQ(j["message"].get<std::string>().rfind("not found: ", 0), 0u);
  EXPECT_EQ(j["budget_passes"], 20);
  EXPECT_NE(r.err.find("recover-parity: not found: "), std::string::npos);
}

TEST_F(RecoverParityCli, WithoutKOrATruthFileTheErrorSaysHowToGiveK) {
  generate("sparse-parity", 2000, 6, "p.csv", {"--param", "k=2"});
  fs::remove(path("p.truth.json"));
  for (const char* learner : {"gd", "exhaustive-subsets"}) {
    const CliRun r = run_cli({"recover-parity", path("p.csv"), "--learner", learner});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err,
              "relureg: error: recover-parity: the parity's size k is unknown: give it with --k K, "
              "or give the instance's ground truth (a truth file with facts k and eta) with "
              "--truth FILE\n");
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(RecoverParityCli, KAndTheLearnersSubsetSizeMustAgree) {
  generate("sparse-parity", 2000, 6, "p.csv", {"--param", "k=4"});
  const CliRun r = run_cli(
      {"recover-parity", path("p.csv"), "--learner", "exhaustive-subsets", "--param", "k=2"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "relureg: error: recover-parity: the parity's size k = 4 and learner "
            "'exhaustive-subsets''s parameter k=2 differ (give k once, with --k)\n");
}

// A 4-parity without a truth file: --k 4 makes exhaustive-subsets search 4-subsets (before, it
// searched its default pairs, which carry no signal on a 4-parity, and found nothing).
TEST_F(RecoverParityCli, KSetsTheSubsetSizeOfExhaustiveSubsets) {
  generate("sparse-parity", 200000, 6, "p.npy",
           {"--param", "k=4", "--param", "eta=0", "--seed", "5"});
  const auto truth = nlohmann::json::parse(std::ifstream(path("p.truth.json")));
  fs::rename(path("p.truth.json"), path("kept.truth.json"));
  const CliRun r = run_cli(
      {"recover-parity", path("p.npy"), "--learner", "exhaustive-subsets", "--k", "4", "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["k"], 4);
  EXPECT_EQ(j["threshold_rule"], "midpoint");  // no eta given
  EXPECT_TRUE(j["found"].get<bool>()) << j["message"];
  EXPECT_EQ(j["recovered"], truth["facts"]["S"]);
  EXPECT_EQ(j["readout"]["set"], truth["facts"]["S"]);
  // The learner's own k given instead of --k: the same search.
  const CliRun same = run_cli({"recover-parity", path("p.npy"), "--learner", "exhaustive-subsets",
                               "--param", "k=4", "--quiet"});
  ASSERT_EQ(same.code, 0) << same.err;
  EXPECT_EQ(nlohmann::json::parse(same.out)["recovered"], truth["facts"]["S"]);
}

TEST_F(RecoverParityCli, LearnersOfOtherTasksAreRejected) {
  generate("sparse-parity", 200, 4, "p.csv", {"--param", "k=2"});
  for (const char* learner : {"net2-gd", "hs-average"}) {
    const CliRun r = run_cli({"recover-parity", path("p.csv"), "--learner", learner});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, fmt::format("relureg: error: recover-parity needs a ReLU learner; '{}' fits "
                                 "a {} (choose one of: {})\n",
                                 learner, learner == std::string("net2-gd") ? "net2" : "halfspace",
                                 learner_names(Task::relu)));
  }
}

TEST_F(RecoverParityCli, FitUnderAnSqOracleRecordsTheOracleAndTheExactLoss) {
  generate("label-noise", 5000, 4, "d.csv");
  CliRun r = run_cli({"fit", path("d.csv"), "--learner", "gd", "--sq-tolerance", "0.01",
                      "--sq-oracle", "random", "--param", "max_passes=100", "--threads", "1", "-o",
                      path("m.json"), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto m = nlohmann::json::parse(std::ifstream(path("m.json")));
  EXPECT_EQ(m["metrics"]["sq"]["oracle"], "random");
  EXPECT_EQ(m["metrics"]["sq"]["tolerance"], 0.01);
  EXPECT_EQ(m["metrics"]["sq"]["queries"], m["metrics"]["passes"]);
  EXPECT_LT(std::abs(m["metrics"]["train_loss_exact"].get<double>() -
                     m["metrics"]["train_loss"].get<double>()),
            0.01 + 1e-12);
  r = run_cli(
      {"fit", path("d.csv"), "--learner", "gd", "--sq-oracle", "psychic", "-o", path("m2.json")});
  EXPECT_EQ(r.code, 2);
  EXPECT_FALSE(fs::exists(path("m2.json")));
}

}  // namespace
}  // namespace relureg
