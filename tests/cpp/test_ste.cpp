// Straight-through estimators (Yin et al. 2019): closed forms against Monte Carlo and finite
// differences, population coarse gradient descent, the binact-teacher family and ste-cgd.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/gaussian.hpp"
#include "relureg/learner.hpp"
#include "relureg/model_ops.hpp"
#include "relureg/ste.hpp"

#include "test_support.hpp"

namespace relureg {
namespace {

using testing::two_threads;

using ste::Ste;

// m = 4 patches, n = 3; (1ᵀv*)² = 4.41 < ((m + 1)/2)‖v*‖² = 5.825, so the spurious minimum exists.
ste::Teacher fixed_teacher() {
  const double s = 1 / std::sqrt(1.0 + 4.0 + 0.25);
  return {{1.0, 0.6, -0.4, 0.9}, {s * 1.0, s * -2.0, s * 0.5}};
}

TEST(SteClosedForms, MatchMonteCarloToTwoDecimalsAtAFixedPoint) {
  const Engine& engine = two_threads();
  // 10^6 rows of Z (4 × 3) labelled by a random binact teacher: the engine's coarse pass is the
  // Monte-Carlo estimate of every expectation.
  const Instance instance =
      generate_instance("binact-teacher", 1000000, 12, 17, {"patches=4"}, engine);
  const Binact2Model teacher = binact2_from_json(instance.truth.teacher["model"], "truth");
  const ste::Teacher t{teacher.v, teacher.w};
  // ‖w‖ = 0.7 so that the clipped-ReLU form's dependence on the scale matters.
  Binact2Model model{4, 3, {0.5, -1.2, 0.3, 0.8}, {0.2, 0.45, -0.48}};
  for (const Ste s : {Ste::identity, Ste::relu, Ste::clipped_relu}) {
    const ste::CoarseStats mc = ste::coarse_stats(engine, instance.data.view(), model, s);
    const std::vector<double> exact = ste::expected_coarse_gradient(t, model.v, model.w, s);
    for (std::size_t j = 0; j < 3; ++j)
      EXPECT_NEAR(mc.grad_w[j], exact[j], 5e-3) << ste::ste_name(s) << " component " << j;
    if (s != Ste::identity) continue;
    EXPECT_NEAR(mc.loss / 2, ste::objective(t, model.v, model.w), 5e-3);  // Lemma 1
    const ste::Gradient g = ste::true_gradient(t, model.v, model.w);      // Lemma 2, v-part
    for (std::size_t i = 0; i < 4; ++i) EXPECT_NEAR(mc.grad_v[i], g.v[i], 5e-3) << i;
  }
  // The three expectations differ from each other by more than the tolerance.
  const auto id = ste::expected_coarse_gradient(t, model.v, model.w, Ste::identity);
  const auto relu = ste::expected_coarse_gradient(t, model.v, model.w, Ste::relu);
  const auto clipped = ste::expected_coarse_gradient(t, model.v, model.w, Ste::clipped_relu);
  double gap1 = 0, gap2 = 0;
  for (std::size_t j = 0; j < 3; ++j) {
    gap1 = std::max(gap1, std::abs(id[j] - relu[j]));
    gap2 = std::max(gap2, std::abs(relu[j] - clipped[j]));
  }
  EXPECT_GT(gap1, 0.05);
  EXPECT_GT(gap2, 0.05);
}

TEST(SteClosedForms, TrueGradientIsTheDerivativeOfTheObjective) {
  const ste::Teacher t = fixed_teacher();
  const std::vector<double> v{0.3, -0.2, 1.1, 0.4}, w{0.9, 0.7, -1.3};
  const ste::Gradient g = ste::true_gradient(t, v, w);
  const double h = 1e-6;
  for (std::size_t i = 0; i < 4; ++i) {
    auto vp = v, vm = v;
    vp[i] += h;
    vm[i] -= h;
    EXPECT_NEAR(g.v[i], (ste::objective(t, vp, w) - ste::objective(t, vm, w)) / (2 * h), 1e-8);
  }
  for (std::size_t j = 0; j < 3; ++j) {
    auto wp = w, wm = w;
    wp[j] += h;
    wm[j] -= h;
    EXPECT_NEAR(g.w[j], (ste::objective(t, v, wp) - ste::objective(t, v, wm)) / (2 * h), 1e-8);
  }
  // Lemmas 5 and 8: both expected coarse gradients have a non-negative inner product with ∂f/∂w,
  // equal to sin θ (vᵀv*)²/(c (2π)^{3/2} ‖w‖) with c = 2 (ReLU) and c = 1 (identity).
  const double theta = gaussian::angle(w, t.w_star);
  double vs = 0, norm = 0;
  for (std::size_t i = 0; i < 4; ++i) vs += v[i] * t.v_star[i];
  for (double x : w) norm += x * x;
  norm = std::sqrt(norm);
  const double base = std::sin(theta) * vs * vs / (std::pow(2 * std::numbers::pi, 1.5) * norm);
  for (auto [s, c] : {std::pair{Ste::relu, 2.0}, std::pair{Ste::identity, 1.0}}) {
    const auto coarse = ste::expected_coarse_gradient(t, v, w, s);
    double inner = 0;
    for (std::size_t j = 0; j < 3; ++j) inner += coarse[j] * g.w[j];
    EXPECT_NEAR(inner, base / c, 1e-12) << ste::ste_name(s);
  }
}

TEST(PopulationCgd, ReluSteFromARandomStartDescendsMonotonicallyToTheGlobalMinimum) {
  const ste::Teacher t = fixed_teacher();
  // A seeded random start: v ~ N(0, I), w ~ N(0, I) (drawn once, written out).
  const std::vector<double> v0{-0.58, 1.13, 0.27, -1.41}, w0{-0.35, 0.62, 1.05};
  for (const Ste s : {Ste::relu, Ste::clipped_relu}) {
    const ste::CgdTrace trace = ste::population_cgd(t, v0, w0, s, 0.1, 4000);
    for (std::size_t i = 1; i < trace.objective.size(); ++i)
      ASSERT_LE(trace.objective[i], trace.objective[i - 1] + 1e-14)
          << ste::ste_name(s) << " iteration " << i;
    EXPECT_GT(trace.objective.front(), 0.5);
    EXPECT_LE(trace.objective.back(), 1e-4) << ste::ste_name(s);
    EXPECT_LE(trace.theta.back(), 1e-2) << ste::ste_name(s);
    // Lemmas 5/8 along the path: the coarse and true w-gradients never point apart (checked
    // while sin θ > 1e-6; nearer to 0 or π the direction of (I − ŵŵᵀ)w* is rounding noise).
    for (std::size_t i = 0; i < trace.cosine_w.size(); ++i)
      if (std::sin(trace.theta[i]) > 1e-6) {
        EXPECT_GE(trace.cosine_w[i], 0.0) << ste::ste_name(s) << " iteration " << i;
      }
  }
}

TEST(PopulationCgd, IdentitySteLeavesTheSpuriousMinimumWhereReluSteStays) {
  const ste::Teacher t = fixed_teacher();
  const ste::SpuriousMinimum sp = ste::spurious_minimum(t);
  ASSERT_TRUE(sp.exists);
  // Proposition 1: the v-gradient vanishes there; the objective is (1/8)(...) > 0.
  const ste::Gradient g = ste::true_gradient(t, sp.v, sp.w);
  for (double x : g.v) EXPECT_NEAR(x, 0.0, 1e-15);
  EXPECT_GT(sp.objective, 0.05);
  // The identity STE's expected coarse gradient does not vanish: its norm is
  // 2(m − 1)(1ᵀv*)² / (√(2π)(m + 1)²) (papers.md §6.2).
  const auto id = ste::expected_coarse_gradient(t, sp.v, sp.w, Ste::identity);
  const double norm = std::sqrt(id[0] * id[0] + id[1] * id[1] + id[2] * id[2]);
  EXPECT_NEAR(norm, 2 * 3 * 2.1 * 2.1 / (std::sqrt(2 * std::numbers::pi) * 25), 1e-12);

  const ste::CgdTrace identity = ste::population_cgd(t, sp.v, sp.w, Ste::identity, 0.1, 400);
  EXPECT_LT(identity.theta.back(), 0.5 * std::numbers::pi);  // repelled: θ left π
  EXPECT_LT(identity.objective.back(), 0.5 * sp.objective);
  const ste::CgdTrace relu = ste::population_cgd(t, sp.v, sp.w, Ste::relu, 0.1, 400);
  EXPECT_NEAR(relu.theta.back(), std::numbers::pi, 1e-9);  // a critical point for the ReLU STE
  EXPECT_NEAR(relu.objective.back(), sp.objective, 1e-12);
}

TEST(BinactTeacher, TeacherLossIsZeroAndPopulationLossIsLemmaOne) {
  const Engine& engine = two_threads();
  const Instance instance =
      generate_instance("binact-teacher", 200000, 15, 4, {"patches=5", "noise=0.01"}, engine);
  const GroundTruth& truth = instance.truth;
  const Binact2Model teacher = binact2_from_json(truth.teacher["model"], "truth");
  EXPECT_EQ(teacher.patches, 5u);
  EXPECT_EQ(teacher.filter, 3u);
  EXPECT_EQ(truth.opt, 0.01);
  ModelFile file;
  file.model = teacher;
  EXPECT_NEAR(evaluate(engine, file.model, instance.data.view()).loss, 0.01, 0.001);
  Binact2Model& moved = std::get<Binact2Model>(file.model);
  moved.w = {teacher.w[0] + 0.4, teacher.w[1] - 0.3, teacher.w[2]};
  moved.v[0] += 0.5;
  const PopulationLoss pop = population_loss(file.model, truth, engine);
  EXPECT_EQ(pop.method, "exact");
  EXPECT_NEAR(pop.value, evaluate(engine, file.model, instance.data.view()).loss, 0.03 * pop.value);
  // JSON round trip of the model type.
  const ModelFile back = model_file_from_json(to_json(file), "b.json");
  EXPECT_EQ(back.task(), Task::binact2);
  EXPECT_EQ(std::get<Binact2Model>(back.model).w, moved.w);
  try {
    generate_instance("binact-teacher", 10, 14, 1, {"patches=4"}, engine);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "family 'binact-teacher': d = 14 features do not split into 4 patches (d must "
                 "be a multiple of patches)");
  }
}

TEST(SteCgd, MinibatchReluSteLearnsTheTeacher) {
  const Engine engine(EngineOptions{1});
  const Instance instance =
      generate_instance("binact-teacher", 20000, 12, 6, {"patches=4"}, engine);
  const LearnerEntry& entry = find_learner("ste-cgd");
  EXPECT_EQ(entry.task, Task::binact2);
  FitContext context{&engine, 3, {}};
  const FitResult result = fit_learner(
      entry, ParamValues::parse(entry.params, {"max_passes=40", "batch=200"}, "ste-cgd"),
      instance.data.view(), context);
  EXPECT_EQ(task_of(result.model), entry.task);
  const double pop = population_loss(result.model, instance.truth, engine).value;
  EXPECT_LT(pop, 0.02) << "first epoch " << result.loss_history.front();
  EXPECT_GT(result.loss_history.front(), 10 * pop);
}

}  // namespace
}  // namespace relureg
