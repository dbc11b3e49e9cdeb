// The grid config: malformed files fail before any work with the key and the allowed values;
// the default grid covers the tables and round-trips through TOML and JSON.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/io.hpp"
#include "relureg/learner.hpp"
#include "relureg/tradeoff.hpp"
#include "tradeoff_test_util.hpp"

namespace relureg {
namespace {

using testing::CliRun;
using testing::run_cli;

std::string allowed_top_keys() {
  return "seeds, d, n, noise, bias, families, datasets, learners, jobs, threads, time_limit, "
         "figures";
}

std::string all_learner_names() {
  std::string names;
  for (const LearnerEntry& e : learner_table()) names += (names.empty() ? "" : ", ") + e.name;
  return names;
}

class TradeoffConfig : public testing::TempDirTest {
 protected:
  // Runs `tradeoff --config FILE`, expects exit 1 with exactly `message`, and no output folder
  // (validation comes before any work).
  void expect_error(const std::string& name, const std::string& text, const std::string& message) {
    const std::string file = write(name, text);
    const CliRun r = run_cli({"tradeoff", "--config", file, "--out", path("out")});
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_EQ(r.err, "relureg: error: " + file + message + "\n");
    EXPECT_FALSE(std::filesystem::exists(path("out")));
  }
};

TEST_F(TradeoffConfig, UnknownFamilyNamesTheKeyAndTheFamilies) {
  expect_error("grid.toml", "n = [1000]\n[families.labelnoise]\nnoise = 0.1\n",
               ":2: key 'families.labelnoise': unknown family 'labelnoise' (choose one of: " +
                   family_names() + ")");
}

TEST_F(TradeoffConfig, EveryTaskJoinsTheGridEachLearnerOnTheFamiliesOfItsTask) {
  const tradeoff::Config config = tradeoff::parse_config(
      "seeds = 1\nd = [4]\nn = [4000]\nlearners = [\"gd\", \"hs-average\", \"ste-cgd\"]\n"
      "[families.label-noise]\n[families.halfspace]\n[families.binact-teacher]\npatches = 2\nnoise "
      "= 0.01\n",
      "toml", "tasks.toml");
  const tradeoff::RunResult result = tradeoff::run(config, {});
  // One cell per family: each learner runs only on the family of its task.
  ASSERT_EQ(result.rows.size(), 3u);
  std::map<std::string, std::string> learner_of, measure_of;
  for (const tradeoff::Row& row : result.rows) {
    EXPECT_EQ(row["status"], "ok") << row.dump();
    learner_of[row["family"]] = row["learner"];
    measure_of[row["family"]] = row["measure"];
    EXPECT_GE(row["ratio_to_opt"].get<double>(), 1.0 - 1e-9) << row.dump();
  }
  EXPECT_EQ(learner_of["label-noise"], "gd");
  EXPECT_EQ(learner_of["halfspace"], "hs-average");
  EXPECT_EQ(learner_of["binact-teacher"], "ste-cgd");
  EXPECT_EQ(measure_of["label-noise"], "square loss");
  EXPECT_EQ(measure_of["halfspace"], "0/1 error");
  EXPECT_EQ(measure_of["binact-teacher"], "square loss");
  // Each task is summarised in its own section.
  const std::string summary = tradeoff::summary_markdown(config, result);
  for (const char* heading :
       {"## Task relu: square loss against opt over ReLUs",
        "## Task halfspace: 0/1 error against opt over halfspaces",
        "## Task binact2: square loss against opt over binary-activation networks"})
    EXPECT_NE(summary.find(heading), std::string::npos) << heading << "\n" << summary;
}

TEST_F(TradeoffConfig, ALearnerWithoutAFamilyOfItsTaskNamesBoth) {
  expect_error("grid.toml", "learners = [\"gd\", \"net2-gd\"]\n[families.label-noise]\n",
               ":1: key 'learners[1]': learner 'net2-gd' fits net2 models but no family of the "
               "grid is of that task (families: label-noise (relu)); a learner runs on the "
               "families of its task");
  expect_error("grid2.toml",
               "learners = [\"hs-abl\"]\n[families.halfspace]\n[families.realizable]\n",
               ":1: key 'learners': family 'realizable' is of task relu and no learner of the grid "
               "fits relu models (add one of: " +
                   learner_names(Task::relu) + ")");
}

TEST_F(TradeoffConfig, UnknownLearnerNamesTheKeyAndTheLearners) {
  expect_error("grid.toml", "learners = [\"moment\", \"gdd\"]\n",
               ":1: key 'learners[1]': unknown learner 'gdd' (choose one of: all, " +
                   all_learner_names() + ")");
  expect_error("grid2.toml", "[[learners]]\nname = \"glmtrn\"\n",
               ":2: key 'learners[0].name': unknown learner 'glmtrn' (choose one of: all, " +
                   all_learner_names() + ")");
}

TEST_F(TradeoffConfig, NegativeOrZeroSizesAreRejected) {
  expect_error("grid.toml", "d = [5]\nn = [1000, -5]\n",
               ":2: key 'n[1]': expected a whole number >= 1, got -5");
  expect_error("grid2.toml", "d = 0\n", ":1: key 'd': expected a whole number >= 1, got 0");
  expect_error("grid3.toml", "noise = [0.1, -0.01]\n",
               ":1: key 'noise[1]': expected a number >= 0, got -0.01");
  expect_error("grid4.toml", "seeds = [1, 2, 1]\n", ":1: key 'seeds[2]': 1 appears twice");
}

TEST_F(TradeoffConfig, UnknownKeysAreErrorsNamingTheAllowedKeys) {
  expect_error("grid.toml", "seeds = 2\nsedes = 3\n",
               ":2: key 'sedes': unknown key (allowed: " + allowed_top_keys() + ")");
  expect_error("grid.json", "{\"seeds\": 2, \"familes\": {}}",
               ": key 'familes': unknown key (allowed: " + allowed_top_keys() + ")");
  expect_error("grid2.toml", "[[learners]]\nname = \"gd\"\nparam = { step = 0.5 }\n",
               ":3: key 'learners[0].param': unknown key (allowed: name, label, params, bias)");
}

TEST_F(TradeoffConfig, FamilyAndLearnerParametersAreCheckedAgainstTheTables) {
  std::string known;
  for (const ParamSpec& p : find_family("adversarial").params)
    known += (known.empty() ? "" : ", ") + p.name;
  expect_error("grid.toml", "[families.adversarial]\netaa = 0.1\n",
               ":2: key 'families.adversarial.etaa': unknown parameter 'etaa' for family "
               "'adversarial' (allowed: " +
                   known + ", noise_param, d, n, learners)");
  expect_error("grid2.toml", "[[learners]]\nname = \"gd\"\nparams = { step = -1 }\n",
               ":3: key 'learners[0].params.step': parameter 'step' for learner 'gd': -1 is out of "
               "range [1e-12, 1000000]");
  expect_error("grid3.toml", "[families.adversarial]\nrule = [\"shift\", \"wedge\"]\n",
               ":2: key 'families.adversarial.rule[1]': parameter 'rule' for family 'adversarial': "
               "'wedge' is not one of shift|slab");
  expect_error("grid4.toml", "noise = [0.1]\n[families.label-noise]\nnoise = 0.2\n",
               ":3: key 'families.label-noise.noise': the grid's noise levels set this parameter "
               "(remove it here, or set noise_param = \"none\")");
  expect_error("grid5.toml", "[families.label-noise]\nnoise_param = \"noise_dist\"\n",
               ":2: key 'families.label-noise.noise_param': 'noise_dist' is not a numeric "
               "parameter of family 'label-noise' (choose one of: norm, bias, radius, noise, "
               "none)");
  expect_error("grid6.toml", "learners = [\"gd\", {name = \"gd\", params = {step = 1}}]\n",
               ":1: key 'learners[1]': learner 'gd' with these parameters is already in the list");
  expect_error("grid7.toml",
               "learners = [{name = \"gd\", label = \"x\"}, {name = \"moment\", label = \"x\"}]\n",
               ":1: key 'learners[1]': the label 'x' is used twice (give one a different label)");
}

TEST_F(TradeoffConfig, SyntaxErrorsAndDatasetsNameTheLine) {
  const std::string file = write("bad.toml", "seeds = 3\nn = [1000,\n");
  const CliRun r = run_cli({"tradeoff", "--config", file, "--out", path("out")});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("relureg: error: " + file + ":2:12: ", 0), 0u) << r.err;
  expect_error("data.toml", "[[datasets]]\npath = \"missing.csv\"\n",
               ":2: key 'datasets[0].path': no such file: " + path("missing.csv"));
  const CliRun wrong = run_cli({"tradeoff", "--config", write("grid.yaml", "")});
  EXPECT_EQ(wrong.code, 1);
  EXPECT_EQ(wrong.err, "relureg: error: " + path("grid.yaml") +
                           ": a config file must end in .toml or .json\n");
}

TEST(TradeoffDefault, CoversTheReluAndHalfspaceTablesAndRoundTrips) {
  const tradeoff::Config config = tradeoff::default_config();
  std::vector<std::string> families, learners;
  for (const auto& f : config.families) families.push_back(f.name);
  for (const auto& l : config.learners)  // gkk19 may come twice (its black-box variant)
    if (std::find(learners.begin(), learners.end(), l.name) == learners.end())
      learners.push_back(l.name);
  std::vector<std::string> want_families, want_learners;
  for (const FamilyEntry& f : family_table())
    if (f.task == Task::relu || f.task == Task::halfspace) want_families.push_back(f.name);
  for (const char* other : {"teacher-net2", "orthogonal-net", "binact-teacher"})
    EXPECT_EQ(std::count(want_families.begin(), want_families.end(), other), 0) << other;
  EXPECT_EQ(want_families,
            (std::vector<std::string>{"realizable", "label-noise", "biased-teacher", "adversarial",
                                      "non-gaussian", "sparse-parity", "side-signal",
                                      "two-point-noise", "halfspace"}));
  for (const LearnerEntry& l : learner_table())
    if (l.task == Task::relu || l.task == Task::halfspace) want_learners.push_back(l.name);
  EXPECT_EQ(families, want_families);
  EXPECT_EQ(learners, want_learners);
  EXPECT_EQ(config.seeds.size(), 5u);
  // The sparse parities: a 4-parity over their own d, the exhaustive 4-subset search beside the
  // polynomial learners; the d <= 3 reference only on the adversarial family at d = 3.
  for (const tradeoff::FamilySpec& f : config.families) {
    const auto refs = std::count(f.learners.begin(), f.learners.end(), "exhaustive-subsets") +
                      std::count(f.learners.begin(), f.learners.end(), "exhaustive");
    if (f.name == "sparse-parity") {
      EXPECT_EQ(f.params["k"], 4);
      EXPECT_EQ(f.d, (std::vector<std::size_t>{12, 16, 20, 24}));
      EXPECT_EQ(refs, 1);
    } else if (f.name == "adversarial") {
      EXPECT_EQ(f.d, (std::vector<std::size_t>{3, 20}));
      EXPECT_EQ(refs, 1);
    } else {
      EXPECT_EQ(refs, 0) << f.name;
    }
  }
  EXPECT_GE(config.noise.size(), 3u);

  const nlohmann::json json = tradeoff::to_json(config);
  EXPECT_EQ(tradeoff::to_json(tradeoff::parse_config(tradeoff::to_toml(config), "toml", "t")),
            json);
  EXPECT_EQ(tradeoff::to_json(tradeoff::parse_config(json.dump(), "json", "j")), json);

  const testing::CliRun printed = run_cli({"tradeoff", "--print-config"});
  EXPECT_EQ(printed.code, 0);
  EXPECT_EQ(printed.out, tradeoff::to_toml(config));
}

TEST(TradeoffDefault, ListValuedFamilyParametersAreAxes) {
  const tradeoff::RunResult result = testing::run_grid(
      "seeds = 1\nd = [3]\nn = [2000]\nlearners = [\"moment\"]\n"
      "[families.adversarial]\neta = [0.05, 0.2]\nsearch_samples = 2000\n",
      "axes.toml");
  ASSERT_EQ(result.rows.size(), 2u);
  EXPECT_EQ(result.rows[0]["family.eta"], 0.05);
  EXPECT_EQ(result.rows[1]["family.eta"], 0.2);
  // Two instances: the shift rule's opt is at most the teacher's loss (= noise, 0.05 by default)
  // and depends on eta.
  for (const tradeoff::Row& row : result.rows) {
    EXPECT_EQ(row["status"], "ok");
    EXPECT_GT(row["opt"].get<double>(), 0.0);
    EXPECT_LE(row["opt"].get<double>(), 0.05 + 1e-12);
  }
  EXPECT_NE(result.rows[0]["opt"].get<double>(), result.rows[1]["opt"].get<double>());
}

TEST(TradeoffConfigKeys, TheDocTableIsTheDeclaredKeys) {
  // The key table of docs/tradeoff.md is `relureg tradeoff --print-keys`; regenerate it with that
  // command when a key is added or changed.
  const std::string table = tradeoff::config_keys_markdown();
  const std::string doc = read_text_file(std::string(RELUREG_SOURCE_DIR) + "/docs/tradeoff.md");
  EXPECT_NE(doc.find(table), std::string::npos) << "docs/tradeoff.md lacks the table:\n" << table;
  // One row per key, in the order of the allowed-keys message.
  std::string keys;
  for (std::size_t at = table.find("\n| `"); at != std::string::npos;
       at = table.find("\n| `", at + 1)) {
    const std::size_t start = at + 4;
    keys += (keys.empty() ? "" : ", ") + table.substr(start, table.find('`', start) - start);
  }
  EXPECT_EQ(keys, allowed_top_keys());
  const CliRun printed = run_cli({"tradeoff", "--print-keys"});
  EXPECT_EQ(printed.code, 0);
  EXPECT_EQ(printed.out, table);
}

TEST(TradeoffConfigKeys, PrintConfigWritesEveryDeclaredKey) {
  const nlohmann::json j = tradeoff::to_json(tradeoff::default_config());
  std::vector<std::string> keys;
  for (const auto& [key, value] : j.items()) keys.push_back(key);
  std::vector<std::string> expected = {"seeds", "d",        "n",          "noise",
                                       "bias",  "families", "datasets",   "learners",
                                       "jobs",  "threads",  "time_limit", "figures"};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(keys, expected);
  const std::string toml = tradeoff::to_toml(tradeoff::default_config());
  EXPECT_NE(toml.find("\ntime_limit = 30.0\n"), std::string::npos) << toml;
}

}  // namespace
}  // namespace relureg
