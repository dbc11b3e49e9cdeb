// Tests of the instance families: data law, determinism, ground truth, population losses, JSON.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>
#include <type_traits>

#include "families/families.hpp"
#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/gaussian.hpp"
#include "relureg/model_ops.hpp"
#include "relureg/quadrature.hpp"

#include "test_support.hpp"

namespace relureg {
namespace {

using testing::input_error_after;
using testing::input_error_of;
using testing::two_threads;

struct MeanWithError {
  double mean = 0;
  double se = 0;
};

// Mean and standard error over the rows of (model(x) − y)².
MeanWithError empirical_loss(const Dataset& data, const ReluModel& model) {
  const auto m = two_threads().mean_rows(data.view(), 2, [&](const float* x, double y, double* a) {
    const double r = model.predict_one(x) - y;
    a[0] += r * r;
    a[1] += r * r * r * r;
  });
  return {m[0], std::sqrt((m[1] - m[0] * m[0]) / static_cast<double>(data.n))};
}

ReluModel teacher(const GroundTruth& truth) {
  return {truth.w_star, truth.b_star, true};
}

// The teacher turned and shifted a little: a generic competitor for loss checks.
ReluModel perturbed(const GroundTruth& truth) {
  ReluModel model = teacher(truth);
  for (std::size_t j = 0; j < model.w.size(); ++j) model.w[j] += 0.15 * std::cos(1.0 + j);
  model.b += 0.1;
  return model;
}

TEST(Families, TableNamesDescriptionsAndCommonParams) {
  EXPECT_EQ(family_names(),
            "realizable, label-noise, biased-teacher, adversarial, non-gaussian, sparse-parity, "
            "side-signal, two-point-noise, halfspace, teacher-net2, orthogonal-net, "
            "binact-teacher, link-teacher");
  for (const FamilyEntry& entry : family_table()) {
    EXPECT_FALSE(entry.description.empty()) << entry.name;
    EXPECT_EQ(entry.description.find('\n'), std::string::npos) << entry.name;
    if (entry.name == "sparse-parity") continue;  // no planted teacher: k, eta, pad only
    if (entry.name == "halfspace") continue;      // ±1 labels: no ReLU teacher, so no norm or bias
    if (entry.name == "side-signal") {  // a homogeneous teacher: norm, then beta and noise
      EXPECT_EQ(entry.params[0].name, "norm");
      EXPECT_EQ(entry.params[1].name, "beta");
      continue;
    }
    if (entry.name == "biased-teacher") {  // its bias is offset·norm
      EXPECT_EQ(entry.params[0].name, "norm");
      EXPECT_EQ(entry.params[1].name, "offset");
      continue;
    }
    // The network families have no single-ReLU teacher and hence none of the common parameters.
    // Nor has the single-index family (a direction and a non-ReLU link).
    if (entry.task == Task::net2 || entry.task == Task::binact2 || entry.task == Task::sim)
      continue;
    ASSERT_GE(entry.params.size(), 3u);
    EXPECT_EQ(entry.params[0].name, "norm");
    EXPECT_EQ(entry.params[1].name, "bias");
    EXPECT_EQ(entry.params[2].name, "radius");
    EXPECT_TRUE(std::isinf(entry.params[2].default_value));
  }
  EXPECT_EQ(input_error_of([] { find_family("x"); }),
            "unknown family 'x' (choose one of: realizable, label-noise, biased-teacher, "
            "adversarial, non-gaussian, sparse-parity, side-signal, two-point-noise, halfspace, "
            "teacher-net2, orthogonal-net, binact-teacher, link-teacher)");
}

TEST(Families, InvalidArgumentsHaveExactMessages) {
  const Engine& e = two_threads();
  EXPECT_EQ(input_error_of([&] { generate_instance("realizable", 0, 5, 1, {}, e); }),
            "n must be at least 1");
  EXPECT_EQ(input_error_of([&] { generate_instance("label-noise", 10, 0, 1, {}, e); }),
            "d must be at least 1");
  EXPECT_EQ(input_error_of([&] { generate_instance("realizable", 10, 5, 1, {"radius=0.5"}, e); }),
            "parameter 'radius' (0.5) must be at least 'norm' (1)");
  EXPECT_EQ(input_error_of([&] {
              generate_instance("non-gaussian", 10, 5, 1, {"norm=2", "radius=1.5"}, e);
            }),
            "parameter 'radius' (1.5) must be at least 'norm' (2)");
  EXPECT_EQ(input_error_of([&] { generate_instance("adversarial", 10, 1, 1, {}, e); }),
            "family 'adversarial' needs d of at least 2");
  EXPECT_EQ(input_error_of([&] {
              generate_instance("adversarial", 10, 3, 1, {"rule=slab", "eta=0.6"}, e);
            }),
            "parameter 'eta' must be in (0, 0.5) for rule 'slab', got 0.6");
  EXPECT_EQ(input_error_of([&] {
              generate_instance("non-gaussian", 10, 3, 1, {"marginal=student-t", "dof=2"}, e);
            }),
            "parameter 'dof' must be greater than 2, got 2");
  EXPECT_EQ(input_error_of([&] { generate_instance("nope", 10, 3, 1, {}, e); }),
            "unknown family 'nope' (choose one of: realizable, label-noise, biased-teacher, "
            "adversarial, non-gaussian, sparse-parity, side-signal, two-point-noise, halfspace, "
            "teacher-net2, orthogonal-net, binact-teacher, link-teacher)");
}

TEST(Realizable, FloatFeaturesAndTeacherLossExactlyZero) {
  const Instance inst = generate_instance("realizable", 200000, 5, 42, {"bias=0.3"}, two_threads());
  static_assert(std::is_same_v<decltype(inst.data.X)::value_type, float>);
  static_assert(std::is_same_v<decltype(inst.data.y)::value_type, double>);
  ASSERT_EQ(inst.data.X.size(), 200000u * 5);
  ASSERT_EQ(inst.data.y.size(), 200000u);
  EXPECT_EQ(empirical_loss(inst.data, teacher(inst.truth)).mean, 0.0);
  EXPECT_EQ(inst.truth.opt, 0.0);
  EXPECT_EQ(inst.truth.opt_kind, "exact");
  EXPECT_NEAR(std::sqrt(families::dot(inst.truth.w_star, inst.truth.w_star)), 1.0, 1e-15);
  EXPECT_EQ(inst.truth.b_star, 0.3);
  const PopulationLoss at_teacher = population_loss(teacher(inst.truth), inst.truth, two_threads());
  EXPECT_NEAR(at_teacher.value, 0.0, 1e-12);
  EXPECT_EQ(at_teacher.method, "exact");
}

TEST(LabelNoise, EmpiricalTeacherLossIsTheNoiseVariance) {
  for (const std::string dist : {"gaussian", "uniform"}) {
    const Instance inst = generate_instance("label-noise", 200000, 5, 7,
                                            {"noise=0.05", "noise_dist=" + dist}, two_threads());
    const MeanWithError loss = empirical_loss(inst.data, teacher(inst.truth));
    EXPECT_NEAR(loss.mean, 0.05, 3 * loss.se) << dist;
    EXPECT_EQ(inst.truth.opt, 0.05);
    EXPECT_EQ(inst.truth.teacher_loss, 0.05);
  }
}

TEST(LabelNoise, PopulationLossIsExactAndMonteCarloAgrees) {
  const Instance inst =
      generate_instance("label-noise", 1000, 5, 3, {"noise=0.05", "bias=-0.2"}, two_threads());
  const GroundTruth& truth = inst.truth;
  EXPECT_NEAR(population_loss(teacher(truth), truth, two_threads()).value, 0.05, 1e-12);
  const ReluModel other = perturbed(truth);
  const PopulationLoss exact = population_loss(other, truth, two_threads());
  EXPECT_EQ(exact.method, "exact");
  EXPECT_EQ(exact.stderr_, 0.0);
  const PopulationLoss mc =
      families::monte_carlo_loss(find_family(truth.family).rows(truth), other, 400000, 99, 2);
  EXPECT_EQ(mc.method, "monte-carlo");
  EXPECT_EQ(mc.samples, 400000u);
  EXPECT_GT(mc.stderr_, 0.0);
  EXPECT_NEAR(mc.value, exact.value, 3 * mc.stderr_);
  EXPECT_GT(exact.value, 0.06);  // the perturbation is visible
}

TEST(NonGaussian, FeaturesAreStandardisedAndTeacherIsOptimal) {
  for (const std::string marginal : {"uniform", "laplace", "student-t"}) {
    const Instance inst =
        generate_instance("non-gaussian", 200000, 5, 5,
                          {"marginal=" + marginal, "eval_samples=100000"}, two_threads());
    const Dataset& data = inst.data;
    const double n = static_cast<double>(data.n);
    for (std::size_t j = 0; j < data.d; ++j) {
      double s1 = 0, s2 = 0, s4 = 0;
      for (std::size_t i = 0; i < data.n; ++i) {
        const double x = data.X[i * data.d + j];
        s1 += x, s2 += x * x, s4 += x * x * x * x;
      }
      const double mean = s1 / n, second = s2 / n, fourth = s4 / n;
      EXPECT_NEAR(mean, 0.0, 4 * std::sqrt(second / n)) << marginal << " coordinate " << j;
      EXPECT_NEAR(second, 1.0, 4 * std::sqrt((fourth - second * second) / n))
          << marginal << " coordinate " << j;
    }
    const MeanWithError loss = empirical_loss(data, teacher(inst.truth));
    EXPECT_NEAR(loss.mean, 0.05, 3 * loss.se) << marginal;
    EXPECT_EQ(inst.truth.opt, 0.05);
    const PopulationLoss at_teacher =
        population_loss(teacher(inst.truth), inst.truth, two_threads());
    EXPECT_DOUBLE_EQ(at_teacher.value, 0.05);
    const PopulationLoss other = population_loss(perturbed(inst.truth), inst.truth, two_threads());
    EXPECT_EQ(other.method, "monte-carlo");
    EXPECT_EQ(other.samples, 100000u);
    EXPECT_GT(other.value, 0.05 + 10 * other.stderr_);
  }
}

TEST(Families, DataDependOnSeedButNotOnThreads) {
  const Engine one(EngineOptions{1});
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"realizable", {}},
      {"label-noise", {"noise_dist=uniform"}},
      {"adversarial", {"search_samples=20000"}},
      {"adversarial", {"rule=slab", "search_samples=0"}},
      {"non-gaussian", {"marginal=student-t", "dof=2.5", "eval_samples=50000"}},
  };
  for (const auto& [family, params] : cases) {
    const Instance a = generate_instance(family, 30000, 5, 17, params, one);
    const Instance b = generate_instance(family, 30000, 5, 17, params, two_threads());
    const Instance c = generate_instance(family, 30000, 5, 18, params, two_threads());
    EXPECT_EQ(a.data.X, b.data.X) << family;
    EXPECT_EQ(a.data.y, b.data.y) << family;
    EXPECT_EQ(to_json(a.truth), to_json(b.truth)) << family;
    EXPECT_NE(a.data.X, c.data.X) << family;
    EXPECT_NE(a.truth.w_star, c.truth.w_star) << family;
    // Population losses (Monte Carlo for non-gaussian) do not depend on the threads either.
    EXPECT_EQ(population_loss(perturbed(a.truth), a.truth, one).value,
              population_loss(perturbed(a.truth), a.truth, two_threads()).value)
        << family;
  }
}

TEST(Adversarial, ShiftTeacherLossIsTheNoiseAndOptIsCertified) {
  const Instance inst =
      generate_instance("adversarial", 200000, 5, 21, {"noise=0.05"}, two_threads());
  const GroundTruth& truth = inst.truth;
  EXPECT_NEAR(truth.teacher_loss, 0.05, 1e-12);
  EXPECT_NEAR(population_loss(teacher(truth), truth, two_threads()).value, 0.05, 1e-12);
  EXPECT_EQ(truth.opt_kind, "upper-bound");
  EXPECT_LE(truth.opt, truth.teacher_loss);
  EXPECT_NE(truth.opt_note.find("teacher loss 0.05"), std::string::npos) << truth.opt_note;
  const ReluModel best{truth.w_opt, truth.b_opt, true};
  EXPECT_NEAR(population_loss(best, truth, two_threads()).value, truth.opt, 1e-14);
  const MeanWithError loss = empirical_loss(inst.data, teacher(truth));
  EXPECT_NEAR(loss.mean, 0.05, 3 * loss.se);
  // With radius = norm the searched ReLUs stay inside the ball.
  const Instance bounded = generate_instance("adversarial", 1000, 5, 21,
                                             {"radius=1", "search_samples=20000"}, two_threads());
  EXPECT_LE(std::sqrt(families::dot(bounded.truth.w_opt, bounded.truth.w_opt)), 1 + 1e-12);
  EXPECT_LE(bounded.truth.opt, bounded.truth.teacher_loss);
  // The exact (quadrature) loss agrees with Monte Carlo on the instance's own law.
  const ReluModel other = perturbed(truth);
  const PopulationLoss mc =
      families::monte_carlo_loss(find_family(truth.family).rows(truth), other, 400000, 5, 2);
  EXPECT_NEAR(mc.value, population_loss(other, truth, two_threads()).value, 3 * mc.stderr_);
}

TEST(Adversarial, SlabExactLossesMatchDirectFormulaAndMonteCarlo) {
  const Instance inst = generate_instance(
      "adversarial", 100000, 5, 8, {"rule=slab", "eta=0.2", "bias=0.2", "norm=1.5"}, two_threads());
  const GroundTruth& truth = inst.truth;
  // Teacher loss: ∫_0^h φ(t) E_s[(c(t) − ReLU(N s))²] dt, c(t) = ReLU(N t + b*), with
  // E_s[(c − ReLU(N s))²] = c² − 2c N/√(2π) + N²/2 and Φ(h) − ½ = eta.
  const double norm = 1.5, b = 0.2;
  double lo = 0, hi = 10;
  for (int i = 0; i < 200; ++i)
    (gaussian::normal_cdf(0.5 * (lo + hi)) - 0.5 < 0.2 ? lo : hi) = 0.5 * (lo + hi);
  const double direct =
      quadrature::integrate(
          [&](double t) {
            const double c = std::max(norm * t + b, 0.0);
            return gaussian::normal_pdf(t) *
                   (c * c - 2 * c * norm / std::sqrt(2 * std::numbers::pi) + norm * norm / 2);
          },
          0, lo)
          .value;
  EXPECT_NEAR(truth.teacher_loss, direct, 1e-11);
  EXPECT_LE(truth.opt, truth.teacher_loss);
  EXPECT_EQ(truth.opt_kind, "upper-bound");
  const MeanWithError loss = empirical_loss(inst.data, teacher(truth));
  EXPECT_NEAR(loss.mean, truth.teacher_loss, 3 * loss.se);
  const ReluModel other = perturbed(truth);
  const PopulationLoss mc =
      families::monte_carlo_loss(find_family(truth.family).rows(truth), other, 400000, 6, 2);
  EXPECT_NEAR(mc.value, population_loss(other, truth, two_threads()).value, 3 * mc.stderr_);
  // population=monte-carlo switches the family's own population loss to eval_samples rows.
  const Instance sampled =
      generate_instance("adversarial", 1000, 5, 8,
                        {"rule=slab", "eta=0.2", "bias=0.2", "norm=1.5", "population=monte-carlo",
                         "eval_samples=300000", "search_samples=0"},
                        two_threads());
  const PopulationLoss by_sampling = population_loss(other, sampled.truth, two_threads());
  EXPECT_EQ(by_sampling.method, "monte-carlo");
  EXPECT_EQ(by_sampling.samples, 300000u);
  EXPECT_NEAR(by_sampling.value, population_loss(other, truth, two_threads()).value,
              3 * by_sampling.stderr_);
}

TEST(GroundTruth, JsonRoundTripAndMissingKeys) {
  const Instance inst = generate_instance("adversarial", 5000, 4, 9,
                                          {"search_samples=10000", "radius=3"}, two_threads());
  const nlohmann::json j = to_json(inst.truth);
  for (const char* key : {"family", "d", "seed", "w_star", "b_star", "opt", "opt_kind", "opt_note",
                          "w_opt", "b_opt", "teacher_loss", "radius", "params"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["radius"], 3.0);
  const GroundTruth back = ground_truth_from_json(nlohmann::json::parse(j.dump()), "truth.json");
  EXPECT_EQ(to_json(back), j);
  EXPECT_EQ(back.w_opt, inst.truth.w_opt);
  EXPECT_EQ(back.opt, inst.truth.opt);
  // The reloaded truth evaluates models exactly as the original.
  EXPECT_EQ(population_loss(perturbed(back), back, two_threads()).value,
            population_loss(perturbed(inst.truth), inst.truth, two_threads()).value);

  const Instance unbounded = generate_instance("realizable", 10, 3, 1, {}, two_threads());
  const nlohmann::json u = to_json(unbounded.truth);
  EXPECT_TRUE(u["radius"].is_null());
  EXPECT_TRUE(std::isinf(ground_truth_from_json(u, "u.json").radius));

  const auto read = [](const nlohmann::json& changed) {
    ground_truth_from_json(changed, "truth.json");
  };
  EXPECT_EQ(input_error_after(
                j, [](auto& c) { c.erase("opt"); }, read),
            "truth.json: missing key 'opt'");
  EXPECT_EQ(input_error_after(
                j, [](auto& c) { c["opt"] = "small"; }, read),
            "truth.json: key 'opt' must be a number");
}

TEST(GroundTruth, PopulationLossRejectsWrongDimension) {
  const Instance inst = generate_instance("realizable", 10, 3, 1, {}, two_threads());
  EXPECT_EQ(input_error_of([&] {
              population_loss(ReluModel{{1.0, 2.0}, 0.0, false}, inst.truth, two_threads());
            }),
            "model has 2 features but the instance has d = 3");
}

TEST(Families, AnyRunOfBlocksHoldsExactlyThoseRowsOfTheWholeInstance) {
  // What `generate` under mpirun relies on: each process draws its own blocks (own seeds) and the
  // shards together are the single-process data, bit for bit, for every family.
  const std::size_t n = 3 * kBlockRows + 100, d = 8;
  for (const FamilyEntry& entry : family_table()) {
    SCOPED_TRACE(entry.name);
    std::vector<std::string> params;
    if (entry.name == "adversarial") params = {"search_samples=0"};  // the search is not the point
    const Instance whole = generate_instance(entry.name, n, d, 9, params, Engine());
    ASSERT_EQ(whole.data.n, n);
    for (const RowBlocks blocks : {RowBlocks{0, 1}, RowBlocks{1, 3}, RowBlocks{3, 4}}) {
      const Instance part =
          generate_instance(entry.name, n, d, 9, params, Engine(EngineOptions{2}), blocks);
      const std::size_t first = blocks.first * kBlockRows;
      const std::size_t rows = std::min(n, blocks.end * kBlockRows) - first;
      ASSERT_EQ(part.data.n, rows);
      EXPECT_EQ(std::memcmp(part.data.X.data(), whole.data.X.data() + first * d,
                            rows * d * sizeof(float)),
                0);
      EXPECT_EQ(std::memcmp(part.data.y.data(), whole.data.y.data() + first, rows * sizeof(double)),
                0);
      EXPECT_EQ(to_json(part.truth), to_json(whole.truth));
    }
  }
}

}  // namespace
}  // namespace relureg
