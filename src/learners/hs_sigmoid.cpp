// hs-sigmoid: non-convex SGD on the sigmoid-smoothed 0/1 loss of the normalised margin (DKTZ20).
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "halfspace_common.hpp"
#include "learners.hpp"
#include "relureg/fit_monitor.hpp"
#include "relureg/halfspace.hpp"
#include "relureg/kernels.hpp"
#include "relureg/rng.hpp"
#include "relureg/sources.hpp"

namespace relureg::detail {
namespace {

struct SigmoidParams {
  double sigma = 0;
  double sigma_max = 0.5;
  std::size_t sigmas = 8;
  std::size_t epochs = 8;
  std::size_t batch = 4096;
  double step = 0.5;
  double holdout = 0.2;
  bool warm_start = true;

  RELUREG_FIELDS(
      {{"sigma", &P::sigma,
        "a single smoothing σ (0 = the grid sigma_max·2^-j); units of the RMS of w_0·x", 0, 100},
       {"sigma_max", &P::sigma_max, "largest σ of the grid", 1e-6, 100},
       {"sigmas", &P::sigmas, "number of σ values on the grid", 1, 60},
       {"epochs", &P::epochs, "epochs of SGD per σ", 1, 1e6},
       {"batch", &P::batch, "rows per minibatch (a contiguous slice; 0 = full batch)", 0, 1e12},
       {"step", &P::step, "step β = step·σ/√epoch", 1e-9, 1e6},
       holdout_field(&P::holdout, "choose σ"),
       {"warm_start", &P::warm_start,
        "start each σ (largest first) from the previous one's result; 0: from w_0"}})
};

// Diakonikolas, Kontonis, Tzamos, Zarifis, "Non-Convex SGD Learns Halfspaces with Adversarial
// Label Noise", NeurIPS 2020 (sota.md §8b): minimise L_σ(w) = Ê[S_σ(−ℓ ŵ·x)],
// S_σ(t) = 1/(1 + e^{−t/σ}), by projected SGD on the unit sphere: the gradient
// −ℓ S_σ'(t)(I − ŵŵᵀ)x is orthogonal to w, and w is renormalised after every step. Run for each σ
// of a geometric grid (σ ≈ max(opt, ε) is unknown) and keep the direction with the smallest
// 0/1 error on a hold-out split (the averaging start is a candidate too).
// Minibatches go through the engine as contiguous slices of the training rows, visited in a
// seeded random order every epoch (a shuffled index order would need a copy of the data); for
// rows in random order, as generated data are, this is ordinary minibatch SGD. batch = 0 is
// full-batch gradient descent on the smoothed loss.
class SigmoidLearner final : public ParamLearner<SigmoidParams> {
 public:
  using ParamLearner::ParamLearner;

  FitResult fit(const DataSource& data, const FitContext& context) override {
    const Engine& engine = *context.engine;
    const HoldoutSplit split(data, p_.holdout);
    const SliceSource &train = split.train, &holdout = split.holdout;
    const std::vector<double> start = average_direction(engine, train, "hs-sigmoid");
    const double unit = projection_rms(engine, train, start);
    const std::size_t first_pass = engine.passes();

    const std::vector<double> grid = halving_grid(p_.sigma, p_.sigma_max, p_.sigmas);

    // Progress is reported against the pass budget (as gd does): each σ costs epochs·slices
    // minibatch passes and 2 error passes.
    const std::size_t m = train.rows(), batch = p_.batch == 0 ? m : std::min(p_.batch, m);
    const std::size_t budget = 2 + grid.size() * (p_.epochs * ((m + batch - 1) / batch) + 2);
    FitResult result;
    FitMonitor monitor(context, {"hs-sigmoid", budget}, result);
    monitor.count_passes_from(first_pass);
    nlohmann::json candidates = nlohmann::json::array();
    std::vector<double> best = start;
    double best_error = zero_one_error(engine, holdout, start, 0.0);
    monitor.record(zero_one_error(engine, train, start, 0.0));
    candidates.push_back({{"sigma", nullptr},
                          {"start", "average"},
                          {"train_error", result.loss_history.back()},
                          {"holdout_error", best_error}});
    std::size_t chosen = 0;
    std::mt19937_64 rng = make_rng(context.seed, 0x7369676d6f6964);
    std::vector<double> w = start;
    monitor.stop("sigma_grid");
    for (std::size_t k = 0; k < grid.size(); ++k) {
      if (!p_.warm_start) w = start;
      descend(engine, train, w, grid[k] * unit, grid[k], rng);
      const double train_error = zero_one_error(engine, train, w, 0.0);
      const double holdout_error = zero_one_error(engine, holdout, w, 0.0);
      candidates.push_back(
          {{"sigma", grid[k]}, {"train_error", train_error}, {"holdout_error", holdout_error}});
      if (holdout_error < best_error) best = w, best_error = holdout_error, chosen = k + 1;
      if (!monitor.report(k + 1, train_error)) break;
    }
    result.model = HalfspaceModel{std::move(best), 0.0, false};
    result.details["candidates"] = std::move(candidates);
    result.details["chosen"] = chosen;
    result.details["projection_rms"] = unit;
    result.details["holdout_rows"] = split.held;
    return result;
  }

 private:
  // `epochs` epochs of projected SGD at smoothing `sigma` (in the data's units; `relative` is σ in
  // units of the projections' RMS, which sets the step β = step·relative/√epoch).
  void descend(const Engine& engine, const DataSource& train, std::vector<double>& w, double sigma,
               double relative, std::mt19937_64& rng) const {
    const std::size_t m = train.rows(), d = train.cols();
    const std::size_t batch = p_.batch == 0 ? m : std::min(p_.batch, m);
    const std::size_t slices = (m + batch - 1) / batch;
    for (std::size_t epoch = 0; epoch < p_.epochs; ++epoch) {
      const double beta = p_.step * relative / std::sqrt(static_cast<double>(epoch + 1));
      for (std::size_t s : shuffled_order(slices, rng)) {
        const SliceSource minibatch(train, s * batch, std::min(m, (s + 1) * batch));
        // Layout: [Σ c x (d), Σ c (w·x)] with c = −ℓ S_σ'(−ℓ w·x); the gradient is the
        // first part minus the second times w (the projection orthogonal to w).
        const std::vector<double> g =
            engine.mean_rows(minibatch, d + 1, [&](const float* x, double y, double* acc) {
              const double z = affine_value(x, w.data(), d, 0.0);
              const double s_value = 1 / (1 + std::exp(y * z / sigma));  // S_σ(−ℓ z)
              const double c = -y * s_value * (1 - s_value) / sigma;
              if (c == 0) return;
              for (std::size_t j = 0; j < d; ++j) acc[j] += c * static_cast<double>(x[j]);
              acc[d] += c * z;
            });
        for (std::size_t j = 0; j < d; ++j) w[j] -= beta * (g[j] - g[d] * w[j]);
        normalize(w);
      }
    }
  }
};

}  // namespace

LearnerEntry hs_sigmoid_entry() {
  return learner_entry<SigmoidLearner, SigmoidParams>();
}

}  // namespace relureg::detail
