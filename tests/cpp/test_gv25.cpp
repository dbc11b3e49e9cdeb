// gv25 on a biased teacher whose adversarial label noise cancels the correlational signal E[y x].
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "relureg/family.hpp"
#include "relureg/gaussian.hpp"
#include "relureg/learner.hpp"
#include "relureg/model_ops.hpp"
#include "test_support.hpp"

namespace relureg {
namespace {

using relureg::testing::two_threads;

// y = ReLU(w*·x + b*) − c·(w*·x) with c = Φ(b*/‖w*‖), x ~ N(0, I): by Stein's identity
// E[ReLU(w*·x + b*) x] = c·w*, so E[y x] = 0 — the noise ξ = −c·w*·x (E[ξ²] = c²‖w*‖², about opt)
// erases every first-order correlation while the labels above a threshold still mark the slab.
struct CancellingTeacher {
  std::vector<double> w_star;
  double b_star = 0;
  double c = 0;
  Dataset data;

  CancellingTeacher(std::size_t n, std::size_t d, double b_over_norm, std::uint64_t seed) {
    testing::GaussianDraws draws(seed);
    w_star = draws.unit_vector(d);
    b_star = b_over_norm;
    c = gaussian::normal_cdf(b_over_norm);
    data = draws.single_index_rows(n, w_star,
                                   [this](double s) { return std::max(s + b_star, 0.0) - c * s; });
  }

  // Exact: E[(f − f* + c s)²] = E[(f − f*)²] + 2c(E[f s] − E[f* s]) + c²‖w*‖², s = w*·x, with
  // E[ReLU(w·x + b) s] = Φ(b/‖w‖)·w·w* (Stein) and E[f* s] = c‖w*‖² (‖w*‖ = 1).
  double loss(const std::vector<double>& w, double b) const {
    double norm2 = 0, along = 0;
    for (std::size_t j = 0; j < w.size(); ++j) norm2 += w[j] * w[j], along += w[j] * w_star[j];
    const double f_s = norm2 > 0 ? gaussian::normal_cdf(b / std::sqrt(norm2)) * along : 0.0;
    return gaussian::relu_distance(w, b, w_star, b_star) + 2 * c * (f_s - c) + c * c;
  }

  // opt over ReLUs along w*, a·w* with bias b, by nested golden-section searches (the loss is
  // unimodal there; an orthogonal component only adds variance, checked numerically).
  double opt() const {
    auto golden = [](auto f, double lo, double hi) {
      const double r = (std::sqrt(5.0) - 1) / 2;
      double x1 = hi - r * (hi - lo), x2 = lo + r * (hi - lo), f1 = f(x1), f2 = f(x2);
      for (int k = 0; k < 80; ++k) {
        if (f1 < f2)
          hi = x2, x2 = x1, f2 = f1, x1 = hi - r * (hi - lo), f1 = f(x1);
        else
          lo = x1, x1 = x2, f1 = f2, x2 = lo + r * (hi - lo), f2 = f(x2);
      }
      return std::min(f1, f2);
    };
    return golden(
        [&](double a) {
          std::vector<double> w = w_star;
          for (double& v : w) v *= a;
          return golden([&](double b) { return loss(w, b); }, 2 * b_star, 0.0);
        },
        0.5, 1.5);
  }
};

FitResult fit(const std::string& learner, const Dataset& data, bool bias) {
  const LearnerEntry& entry = find_learner(learner);
  ParamValues values = ParamValues::parse(entry.params, {}, learner);
  values.set_fit_bias(bias);
  return fit_learner(entry, values, data.view(), {&two_threads(), 7, {}});
}

TEST(Gv25, TheCancellingTeacherHasNoCorrelationalSignal) {
  const CancellingTeacher t(200000, 20, -2.0, 31);
  // Sample E[y x] is zero up to its sampling error (about 0.08/√n per coordinate).
  double norm2 = 0;
  for (std::size_t j = 0; j < 20; ++j) {
    double s = 0;
    for (std::size_t i = 0; i < t.data.n; ++i) s += t.data.y[i] * t.data.X[i * 20 + j];
    norm2 += (s / t.data.n) * (s / t.data.n);
  }
  EXPECT_LT(std::sqrt(norm2), 2e-3);
  // opt < the teacher's own loss c² < the best constant, 11× larger.
  const double opt = t.opt();
  EXPECT_NEAR(opt, 4.5164e-4, 1e-7);
  EXPECT_NEAR(t.loss(t.w_star, t.b_star), t.c * t.c, 1e-12);
  EXPECT_NEAR(t.loss(std::vector<double>(20, 0.0), 0.0085) / opt, 11.47, 0.01);
}

TEST(Gv25, BiasMinusTwoNormWithCancellingNoiseWithinThreeOpt) {
  const CancellingTeacher t(200000, 20, -2.0, 31);
  const double opt = t.opt();
  const FitResult gv = fit("gv25", t.data, true);
  const double gv_loss = t.loss(gv.relu().w, gv.relu().b);
  EXPECT_LE(gv_loss, 3 * opt);
  EXPECT_GE(gv_loss, opt * (1 - 1e-9));
  // The correlational learners fall back to about the best constant (11.5·opt): w ≈ 0.
  const double trivial = t.loss(std::vector<double>(20, 0.0), 0.0085);
  for (const std::string learner : {"gd", "glmtron", "moment", "wzdd23"}) {
    const FitResult r = fit(learner, t.data, true);
    EXPECT_GT(t.loss(r.relu().w, r.relu().b), 0.95 * trivial) << learner;
  }
  // dktz22 starts from the Chow vector, which here is sampling noise; square-loss descent from
  // that non-zero start half escapes on this seed (4.5·opt), still outside gv25's bound.
  const FitResult dktz22 = fit("dktz22", t.data, true);
  EXPECT_GT(t.loss(dktz22.relu().w, dktz22.relu().b), 3 * opt);
}

TEST(Gv25, WithoutABiasItFitsTheHomogeneousReluAndRecoversARealizableTeacher) {
  const Instance instance = generate_instance("realizable", 200000, 20, 11, {}, two_threads());
  const FitResult result = fit("gv25", instance.data, false);
  double error = 0;
  for (std::size_t j = 0; j < 20; ++j)
    error += std::pow(result.relu().w[j] - instance.truth.w_star[j], 2);
  EXPECT_LE(std::sqrt(error), 1e-2);
  EXPECT_EQ(result.relu().b, 0.0);
  EXPECT_FALSE(result.relu().bias);
}

TEST(Gv25, IndependentLabelNoiseOnABiasedTeacherWithinFivePercentOfOpt) {
  const Instance instance =
      generate_instance("label-noise", 200000, 20, 12, {"bias=-2", "noise=0.01"}, two_threads());
  const FitResult result = fit("gv25", instance.data, true);
  const PopulationLoss pop = population_loss(result.model, instance.truth, two_threads());
  EXPECT_LE(pop.value, 1.05 * instance.truth.opt);
  EXPECT_GE(pop.value, instance.truth.opt);
}

}  // namespace
}  // namespace relureg
