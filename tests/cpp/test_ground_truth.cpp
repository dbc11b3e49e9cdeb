// Every exact opt of every ReLU family against an independent Monte-Carlo search, per class.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "relureg/family.hpp"
#include "relureg/model_ops.hpp"
#include "relureg/score.hpp"
#include "test_support.hpp"

namespace relureg {
namespace {

using testing::two_threads;

// The instances checked, per ReLU family (a new ReLU family without one fails the test below).
const std::map<std::string, std::vector<std::vector<std::string>>>& cases() {
  static const std::map<std::string, std::vector<std::vector<std::string>>> table = {
      {"realizable", {{"bias=-0.5"}, {"bias=0.8", "norm=2"}}},
      {"label-noise", {{"noise=0.1", "bias=-1"}, {"noise=0.05"}}},
      {"biased-teacher", {{"offset=-1.5", "noise=0.5"}, {"offset=0"}}},
      {"adversarial", {{"search_samples=20000"}}},  // upper bounds only: nothing to check
      {"non-gaussian", {{"marginal=uniform", "eval_samples=100000"}}},
      {"sparse-parity", {{"k=2", "eta=0.1"}}},
      {"side-signal", {{"beta=0.3", "noise=0.01"}, {"beta=0.5", "norm=2"}}},
      {"two-point-noise", {{"noise=1e-3"}, {"noise=0.01", "bias=-0.5"}}},
  };
  return table;
}

// Mean square loss of max(0, w.x + b) on rows [begin, end) of `data`, and its gradient.
struct LossGradient {
  double loss = 0;
  std::vector<double> gw;
  double gb = 0;
};
LossGradient loss_gradient(const Dataset& data, std::size_t begin, std::size_t end,
                           const std::vector<double>& w, double b) {
  const std::size_t d = data.d;
  LossGradient out{0, std::vector<double>(d, 0.0), 0};
  for (std::size_t r = begin; r < end; ++r) {
    const float* x = &data.X[r * d];
    double z = b;
    for (std::size_t j = 0; j < d; ++j) z += w[j] * x[j];
    const double e = std::max(z, 0.0) - data.y[r];
    out.loss += e * e;
    if (z > 0) {
      for (std::size_t j = 0; j < d; ++j) out.gw[j] += 2 * e * x[j];
      out.gb += 2 * e;
    }
  }
  const double m = static_cast<double>(end - begin);
  out.loss /= m;
  for (double& g : out.gw) g /= m;
  out.gb /= m;
  return out;
}

// An independent search: gradient descent with backtracking (no bias when `bias` is false, the
// weights projected onto the radius), from the recorded optimum, the teacher and random starts;
// the best empirical loss on the search rows wins.
ReluModel search(const Dataset& data, std::size_t rows, const GroundTruth& truth, bool bias,
                 const ReluModel& recorded) {
  std::mt19937_64 random(7);
  std::normal_distribution<double> normal;
  std::vector<std::vector<double>> starts = {recorded.w, truth.w_star};
  for (int s = 0; s < 2; ++s) {
    std::vector<double> w(truth.d);
    for (double& v : w) v = normal(random);
    starts.push_back(w);
  }
  auto project = [&](std::vector<double>& w) {
    double norm = 0;
    for (double v : w) norm += v * v;
    norm = std::sqrt(norm);
    if (norm > truth.radius)
      for (double& v : w) v *= truth.radius / norm;
  };
  ReluModel best{{}, 0, bias};
  double best_loss = INFINITY;
  for (std::size_t start = 0; start < starts.size(); ++start) {
    std::vector<double> w = starts[start];
    project(w);
    // With a bias: the recorded bias from the recorded optimum, the teacher's from the teacher.
    double b = !bias ? 0.0 : start == 0 ? recorded.b : start == 1 ? truth.b_star : 0.1;
    double step = 1;
    LossGradient current = loss_gradient(data, 0, rows, w, b);
    for (int it = 0; it < 150 && step > 1e-10; ++it) {
      std::vector<double> tw = w;
      for (std::size_t j = 0; j < w.size(); ++j) tw[j] -= step * current.gw[j];
      project(tw);
      const double tb = bias ? b - step * current.gb : 0.0;
      const LossGradient trial = loss_gradient(data, 0, rows, tw, tb);
      if (trial.loss > current.loss) {
        step /= 2;
        continue;
      }
      w = tw, b = tb, current = trial, step *= 1.5;
    }
    if (current.loss < best_loss) best_loss = current.loss, best = ReluModel{w, b, bias};
  }
  return best;
}

// Mean and standard error of a per-row quantity over rows [begin, end).
struct MeanSe {
  double mean = 0, se = 0;
};
template <class F>
MeanSe mean_se(std::size_t begin, std::size_t end, F f) {
  double s = 0, s2 = 0;
  for (std::size_t r = begin; r < end; ++r) {
    const double v = f(r);
    s += v, s2 += v * v;
  }
  const double m = static_cast<double>(end - begin), mean = s / m;
  return {mean, std::sqrt(std::max(s2 / m - mean * mean, 0.0) / m)};
}

double row_loss(const Dataset& data, std::size_t r, const ReluModel& model) {
  const double e = model.predict_one(&data.X[r * data.d]) - data.y[r];
  return e * e;
}

// Checks one class's exact opt: the recorded optimum's loss on held-out rows is opt within the
// stated error and 4 standard errors, and the searched ReLU does not beat it (paired difference).
void check_exact(const Instance& inst, const ClassOpt& opt, bool bias, const std::string& label) {
  const Dataset& data = inst.data;
  const std::size_t half = data.n / 2;
  const ReluModel recorded{opt.w_opt, bias ? opt.b_opt : 0.0, bias};
  const ReluModel found = search(data, half, inst.truth, bias, recorded);
  const MeanSe at_opt =
      mean_se(half, data.n, [&](std::size_t r) { return row_loss(data, r, recorded); });
  const MeanSe gain = mean_se(half, data.n, [&](std::size_t r) {
    return row_loss(data, r, found) - row_loss(data, r, recorded);
  });
  std::cout << "[ report ] " << label << ": opt " << opt.opt << " (error " << opt.opt_error
            << "), Monte Carlo at the recorded optimum " << at_opt.mean << " +- " << at_opt.se
            << ", searched minus recorded " << gain.mean << " +- " << gain.se << "\n";
  EXPECT_NEAR(at_opt.mean, opt.opt, opt.opt_error + 4 * at_opt.se) << label;
  EXPECT_GE(gain.mean, -(opt.opt_error + 4 * gain.se)) << label;
  // The family's own population loss of the recorded optimum is opt.
  EXPECT_NEAR(population_loss(recorded, inst.truth, two_threads()).value, opt.opt,
              opt.opt_error + (inst.truth.family == "non-gaussian" ? 0.01 * opt.opt : 1e-12))
      << label;
}

TEST(GroundTruth, EveryExactOptOfAReluFamilyMatchesAnIndependentMonteCarloSearch) {
  for (const FamilyEntry& entry : family_table()) {
    if (entry.task != Task::relu) continue;
    ASSERT_TRUE(cases().contains(entry.name)) << "no Monte-Carlo check for family " << entry.name;
    for (const std::vector<std::string>& params : cases().at(entry.name)) {
      const Instance inst = generate_instance(entry.name, 200000, 4, 11, params, two_threads());
      const GroundTruth& truth = inst.truth;
      ASSERT_TRUE(truth.homogeneous.has_value()) << entry.name;
      std::string label = entry.name;
      for (const std::string& p : params) label += " " + p;
      for (const std::string& kind : {truth.opt_kind, truth.homogeneous->opt_kind})
        EXPECT_TRUE(kind == "exact" || kind == "upper-bound" || kind == "lower-bound") << kind;
      if (truth.opt_kind == "exact")
        check_exact(inst, class_opt(truth, true), true, label + " bias");
      if (truth.homogeneous->opt_kind == "exact")
        check_exact(inst, *truth.homogeneous, false, label + " homogeneous");
    }
  }
}

TEST(BiasedTeacher, OptIsTheNoiseRelativeToTheSignalInClosedForm) {
  for (double offset : {0.0, -1.0, -3.0}) {
    const Instance inst =
        generate_instance("biased-teacher", 100, 5, 3,
                          {fmt::format("offset={}", offset), "norm=2", "noise=0.2"}, two_threads());
    const GroundTruth& truth = inst.truth;
    // E[ReLU(2t + b)^2] = 4 E[(t + c)_+^2] with c = b/2 = offset: (1 + c^2) Phi(c) + c phi(c).
    const double c = offset, phi = std::exp(-c * c / 2) / std::sqrt(2 * std::numbers::pi);
    const double signal = 4 * ((1 + c * c) * 0.5 * std::erfc(-c / std::sqrt(2.0)) + c * phi);
    EXPECT_NEAR(truth.b_star, 2 * offset, 1e-15);
    EXPECT_EQ(truth.opt_kind, "exact");
    EXPECT_NEAR(truth.opt, 0.2 * signal, 1e-15 + 1e-12 * signal) << offset;
    EXPECT_NEAR(truth.facts["signal"].get<double>(), signal, 1e-12 * signal);
    // The homogeneous class cannot fit the bias: its opt lies between the noise and the loss of
    // the zero predictor (signal + noise); at offset 0 they coincide.
    ASSERT_TRUE(truth.homogeneous.has_value());
    EXPECT_EQ(truth.homogeneous->opt_kind, "exact");
    if (offset == 0) {
      EXPECT_EQ(truth.homogeneous->opt, truth.opt);
    } else {
      EXPECT_GT(truth.homogeneous->opt, truth.opt * 1.5);
      EXPECT_LT(truth.homogeneous->opt, truth.opt + signal);
    }
  }
}

TEST(GroundTruth, EachFitIsScoredAgainstTheOptOfItsOwnClass) {
  const Instance inst =
      generate_instance("label-noise", 1000, 3, 5, {"noise=0.1", "bias=-1"}, two_threads());
  const GroundTruth& truth = inst.truth;
  // The teacher has a bias: no homogeneous ReLU reaches the noise level.
  EXPECT_EQ(truth.opt, 0.1);
  EXPECT_GT(truth.homogeneous->opt, 0.1 + 1e-3);
  const ReluModel homogeneous{truth.homogeneous->w_opt, 0.0, false};
  const Score h = score(homogeneous, truth, two_threads());
  EXPECT_EQ(h.opt_class, "homogeneous ReLUs");
  EXPECT_EQ(h.opt, truth.homogeneous->opt);
  EXPECT_NEAR(*h.ratio, 1.0, 1e-9);
  const ReluModel teacher{truth.w_star, truth.b_star, true};
  const Score b = score(teacher, truth, two_threads());
  EXPECT_EQ(b.opt_class, "ReLUs with bias");
  EXPECT_NEAR(*b.ratio, 1.0, 1e-12);
  EXPECT_EQ(to_json(b)["opt_class"], "ReLUs with bias");
  // The truth file keeps both records.
  const GroundTruth back = ground_truth_from_json(to_json(truth), "truth.json");
  ASSERT_TRUE(back.homogeneous.has_value());
  EXPECT_EQ(back.homogeneous->opt, truth.homogeneous->opt);
  EXPECT_EQ(back.homogeneous->opt_error, truth.homogeneous->opt_error);
  EXPECT_EQ(back.homogeneous->w_opt, truth.homogeneous->w_opt);
}

}  // namespace
}  // namespace relureg
