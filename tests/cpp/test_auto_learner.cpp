// The learner name "auto": the rule of fit_auto, in the library and in `relureg fit`.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "relureg/auto_learner.hpp"
#include "relureg/family.hpp"
#include "relureg/model_ops.hpp"
#include "relureg/standardize.hpp"
#include "test_support.hpp"
#include "tradeoff_test_util.hpp"

namespace relureg {
namespace {

using testing::input_error_of;

FitResult fit_one(const std::string& learner, const std::vector<std::string>& params, bool bias,
                  const DataSource& data, const FitContext& context) {
  const LearnerEntry& entry = find_learner(learner);
  ParamValues values = ParamValues::parse(entry.params, params, learner);
  values.set_fit_bias(bias);
  return fit_learner_standardized(entry, values, data, context);
}

// It keeps the better of glmtron and gd, bit for bit the fit that learner gives alone.
TEST(AutoLearner, KeepsTheLowerTrainingLossOfGlmtronAndGd) {
  const Engine& engine = testing::two_threads();
  for (const bool bias : {false, true}) {
    const Dataset data = generate_instance("label-noise", 2000, 5, 3, {}, engine).data;
    FitContext context{&engine, 1, {}};
    context.standardize = bias;
    const AutoFit choice = fit_auto({"max_passes=50"}, bias, data.view(), context);
    const FitResult glmtron = fit_one("glmtron", {"max_passes=50"}, bias, data.view(), context);
    const FitResult gd = fit_one("gd", {"max_passes=50"}, bias, data.view(), context);
    const bool glmtron_wins = glmtron.loss_history.back() <= gd.loss_history.back();
    const FitResult& better = glmtron_wins ? glmtron : gd;
    EXPECT_EQ(choice.entry->name, glmtron_wins ? "glmtron" : "gd");
    EXPECT_EQ(choice.result.relu().w, better.relu().w);
    EXPECT_EQ(choice.result.relu().b, better.relu().b);
    EXPECT_EQ(choice.result.loss_history.back(), better.loss_history.back());
    const nlohmann::json& candidates = choice.result.details["auto"]["candidates"];
    ASSERT_EQ(candidates.size(), 2u);  // neither is dead: no fallback
    EXPECT_EQ(candidates[0]["learner"], "glmtron");
    EXPECT_EQ(candidates[1]["learner"], "gd");
    EXPECT_EQ(candidates[0]["train_loss"].get<double>(), glmtron.loss_history.back());
    EXPECT_EQ(candidates[1]["train_loss"].get<double>(), gd.loss_history.back());
    EXPECT_EQ(choice.params.to_json()["max_passes"], 50);
  }
}

// When the better fit is dead (no active row), gd with init=moment is fitted too.
TEST(AutoLearner, ADeadFitBringsInGdFromTheMomentDirection) {
  const Engine& engine = testing::two_threads();
  Dataset data = generate_instance("label-noise", 500, 3, 2, {}, engine).data;
  for (double& y : data.y) y = -1.0;  // negative labels: the best ReLU outputs 0 (b < 0 kills it)
  FitContext context{&engine, 1, {}};
  context.standardize = true;
  const AutoFit choice = fit_auto({}, true, data.view(), context);
  const nlohmann::json& candidates = choice.result.details["auto"]["candidates"];
  ASSERT_EQ(candidates.size(), 3u);
  EXPECT_EQ(candidates[0]["active_fraction"].get<double>(), 0.0);
  EXPECT_EQ(candidates[1]["active_fraction"].get<double>(), 0.0);
  EXPECT_EQ(candidates[2]["learner"], "gd");
  EXPECT_EQ(candidates[2]["params"]["init"], "moment");
}

TEST(AutoLearner, AParameterNeitherCandidateTakesIsAnError) {
  const Engine& engine = testing::two_threads();
  const Dataset data = generate_instance("label-noise", 50, 3, 2, {}, engine).data;
  EXPECT_EQ(input_error_of([&] {
              fit_auto({"units=3"}, false, data.view(), {&engine, 1, {}});
            }),
            "unknown parameter 'units' for learner 'auto' (known: backtrack, float32_dot, init, "
            "max_passes, polish, radius, relu_grad_at_zero, step, tol)");
}

class AutoCli : public testing::TempDirTest {};

// `relureg fit --learner auto` writes the model fit_auto chose, named by its learner.
TEST_F(AutoCli, FitWithAutoEqualsTheLibraryRule) {
  using testing::run_cli;
  ASSERT_EQ(run_cli({"generate", "--family", "label-noise", "--n", "3000", "--d", "4", "--seed",
                     "6", "-o", path("d.csv"), "--quiet"})
                .code,
            0);
  const testing::CliRun r = run_cli(
      {"fit", path("d.csv"), "--learner", "auto", "--bias", "--seed", "2", "-o", path("m.json")});
  ASSERT_EQ(r.code, 0) << r.err;
  const Dataset data = read_dataset(path("d.csv"));
  const Engine& engine = testing::two_threads();
  FitContext context{&engine, 2, {}};
  context.standardize = true;
  const AutoFit choice = fit_auto({}, true, data.view(), context);
  const ModelFile file = read_model_file(path("m.json"));
  EXPECT_EQ(file.learner, choice.entry->name);
  EXPECT_EQ(std::get<ReluModel>(file.model).w, choice.result.relu().w);
  EXPECT_EQ(std::get<ReluModel>(file.model).b, choice.result.relu().b);
  EXPECT_EQ(r.out.substr(0, 6 + choice.entry->name.size() + 2),
            "auto (" + choice.entry->name + "):");
  const testing::CliRun listing = run_cli({"learners"});
  EXPECT_EQ(listing.out.substr(0, listing.out.find('\n')), "auto         [relu] " + auto_rule());
  const testing::CliRun help = run_cli({"fit", "--help"});
  EXPECT_NE(help.out.find("auto (" + auto_rule() + ")"), std::string::npos) << help.out;
  const testing::CliRun task = run_cli(
      {"fit", path("d.csv"), "--learner", "auto", "--task", "halfspace", "-o", path("h.json")});
  EXPECT_EQ(task.err,
            "relureg: error: learner 'auto' fits a relu; --task halfspace needs one of: "
            "hs-average, hs-abl, hs-sigmoid, hs-adversarial\n");
}

}  // namespace
}  // namespace relureg
