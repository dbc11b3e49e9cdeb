// The one model type: files of all four kinds written by the version before it still load and give
// the loss they gave then; the one score and its JSON form.
#include <gtest/gtest.h>

#include <string>

#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/model_ops.hpp"
#include "relureg/score.hpp"
#include "test_support.hpp"

namespace relureg {
namespace {

using testing::input_error_of;
using testing::two_threads;

struct OldFile {
  std::string file;
  Task task;
  std::string family;
  std::size_t d;
  double loss;  // evaluate's loss on the family's data, as printed by that version
};

// tests/data/models/README.md says how each file was made.
const OldFile kOldFiles[] = {
    {"relu.json", Task::relu, "label-noise", 3, 0.052916108475828345},
    {"halfspace.json", Task::halfspace, "halfspace", 3, 0.035},
    {"net2.json", Task::net2, "teacher-net2", 3, 0.05289416192478847},
    {"binact2.json", Task::binact2, "binact-teacher", 8, 0.004028219769502366},
};

TEST(ModelFiles, FilesOfEveryKindFromTheVersionBeforeStillLoad) {
  const Engine& engine = two_threads();
  for (const OldFile& old : kOldFiles) {
    const ModelFile file =
        read_model_file(std::string(RELUREG_SOURCE_DIR) + "/tests/data/models/" + old.file);
    EXPECT_EQ(file.task(), old.task) << old.file;
    EXPECT_EQ(model_dim(file.model), old.d) << old.file;
    const Instance instance = generate_instance(old.family, 2000, old.d, 1, {}, engine);
    EXPECT_NEAR(evaluate(engine, file.model, instance.data.view()).loss, old.loss, 1e-15)
        << old.file;
    // Written again and read back, the model is the same.
    const ModelFile again = model_file_from_json(to_json(file), "again");
    EXPECT_EQ(to_json(again), to_json(file)) << old.file;
    EXPECT_EQ(predict(engine, again.model, instance.data.view()),
              predict(engine, file.model, instance.data.view()))
        << old.file;
  }
}

TEST(ModelFiles, TheTaskIsTheAlternativeHeld) {
  EXPECT_EQ(task_of(ReluModel{}), Task::relu);
  EXPECT_EQ(task_of(HalfspaceModel{}), Task::halfspace);
  EXPECT_EQ(task_of(Net2Model{}), Task::net2);
  EXPECT_EQ(task_of(Binact2Model{}), Task::binact2);
  const float x[2] = {1.0f, -3.0f};
  EXPECT_EQ(ReluModel({{1.0, 1.0}, 0.5, true}).predict_one(x), 0.0);
  EXPECT_EQ(HalfspaceModel({{1.0, 1.0}, 0.5, true}).predict_one(x), -1.0);
  EXPECT_EQ(HalfspaceModel({{1.0, 0.0}, -1.0, true}).predict_one(x), 1.0);  // sign(0) = +1
}

TEST(Score, TheTeacherOfALabelNoiseInstanceScoresOpt) {
  const Engine& engine = two_threads();
  const Instance instance = generate_instance("label-noise", 100, 4, 3, {"noise=0.02"}, engine);
  const GroundTruth& truth = instance.truth;
  const Score s = score(ReluModel{truth.w_star, 0.0, false}, truth, engine);
  EXPECT_EQ(s.measure, "square loss");
  EXPECT_EQ(s.population.method, "exact");
  EXPECT_NEAR(s.population.value, 0.02, 1e-15);
  EXPECT_EQ(s.opt, 0.02);
  EXPECT_EQ(s.opt_kind, "exact");
  EXPECT_NEAR(s.excess, 0.0, 1e-15);
  ASSERT_TRUE(s.ratio.has_value());
  EXPECT_NEAR(*s.ratio, 1.0, 1e-13);
  const nlohmann::json j = to_json(s);
  EXPECT_EQ(j["measure"], "square loss");
  EXPECT_EQ(j["population_loss"], s.population.value);
  EXPECT_EQ(j["population_loss_method"], "exact");
  EXPECT_EQ(j["population_loss_stderr"], 0.0);
  EXPECT_EQ(j["opt"], 0.02);
  EXPECT_EQ(j["opt_kind"], "exact");
  EXPECT_EQ(j["excess"], s.excess);
  EXPECT_EQ(j["ratio_to_opt"], *s.ratio);
  // A zero model of the same instance: loss E[ReLU(w*·x)²] + noise = ‖w*‖²/2 + 0.02.
  const Score zero = score(ReluModel{std::vector<double>(4, 0.0), 0.0, false}, truth, engine);
  EXPECT_NEAR(zero.population.value, 0.5 + 0.02, 1e-12);
  EXPECT_NEAR(*zero.ratio, 26.0, 1e-9);
}

TEST(Score, EachTaskIsScoredInItsOwnMeasure) {
  const Engine& engine = two_threads();
  const Instance hs = generate_instance("halfspace", 100, 3, 2, {}, engine);
  const Score s = score(HalfspaceModel{hs.truth.w_star, 0.0, false}, hs.truth, engine);
  EXPECT_EQ(s.measure, "0/1 error");
  EXPECT_EQ(s.population.value, hs.truth.teacher_loss);
  EXPECT_GE(s.excess, -1e-15);
  EXPECT_EQ(input_error_of([&] {
              score(ReluModel{hs.truth.w_star, 0, false}, hs.truth, engine);
            }),
            "a 'halfspace' instance measures 0/1 error; the model is a relu model (use a "
            "halfspace learner: hs-average, hs-abl, hs-sigmoid, hs-adversarial)");
  const Instance re = generate_instance("realizable", 100, 3, 2, {}, engine);
  EXPECT_EQ(
      input_error_of([&] {
        score(HalfspaceModel{re.truth.w_star, 0, false}, re.truth, engine);
      }),
      "a 'realizable' instance measures square loss; the model is a halfspace (use a 'halfspace' "
      "instance)");
  // A ReLU on a network instance is measured against the networks' opt (a ReLU is one unit).
  const Instance net = generate_instance("teacher-net2", 100, 3, 2, {"noise=0.01"}, engine);
  const Score relu_on_net = score(ReluModel{{0.0, 0.0, 0.0}, 0.0, false}, net.truth, engine);
  EXPECT_EQ(relu_on_net.measure, "square loss");
  EXPECT_EQ(relu_on_net.population.method, "exact");
  EXPECT_GT(*relu_on_net.ratio, 1.0);
}

}  // namespace
}  // namespace relureg
