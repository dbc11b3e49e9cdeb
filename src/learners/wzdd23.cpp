// wzdd23: minibatch projected gradient descent on the convex surrogate with growing batches
// (Wang–Zarifis–Diakonikolas–Diakonikolas, ICML 2023).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "descent.hpp"
#include "learners.hpp"
#include "relureg/fit_monitor.hpp"
#include "relureg/kernels.hpp"
#include "relureg/sources.hpp"

namespace relureg::detail {
namespace {

struct Wzdd23Params : ReluFitParams {
  std::size_t batch = 4096;
  double growth = 2.0;
  std::size_t epochs = 500;
  double tol = 1e-7;
  double step = 1.0;

  RELUREG_FIELDS(inherit_fields<P, ReluFitParams>(
      {{"batch", &P::batch, "rows in each minibatch of the first epoch", 1, 1e12},
       {"growth", &P::growth,
        "factor by which the minibatch grows after each epoch (1 = constant batches)", 1, 1e6},
       {"epochs", &P::epochs, "stop after this many epochs (sweeps over the data)", 1, 1e9},
       tol_field(&P::tol),
       step_field(&P::step,
                  "step in units of 1/λ_max(Ê[x̃ x̃ᵀ]), the surrogate's smoothness bound")}))
};

// Wang, Zarifis, Diakonikolas, Diakonikolas, "Robustly Learning a Single Neuron via Sharpness",
// ICML 2023: the convex surrogate L_sur(w) = E[½ReLU(w·x)² − y w·x] is sharp towards the square
// loss's minimiser w* outside a ball of radius O(√opt) (⟨∇L_sur(w), w − w*⟩ ≥ μ‖w − w*‖²), under
// mild concentration and anti-concentration, so (minibatch) projected gradient descent on it
// contracts linearly to that ball, where the loss is C·opt. Reconstructed details
// (docs/algorithms.md): start at w = 0 (the surrogate's gradient there is −Ê[y x] ≠ 0); each
// step uses the next `batch` rows (fresh samples, as in the analysis) and the step
// step/λ̂_max, λ̂_max the largest eigenvalue of Ê[x̃ x̃ᵀ] (the surrogate's smoothness bound);
// after each sweep over the data the batch grows by `growth`, so the minibatch noise floor
// shrinks and the last epochs are full-batch steps towards the empirical surrogate minimiser.
class Wzdd23Learner final : public ParamLearner<Wzdd23Params> {
 public:
  using ParamLearner::ParamLearner;

  FitResult fit(const DataSource& data, const FitContext& context) override {
    const Engine& engine = *context.engine;
    const std::size_t n = data.rows(), d = data.cols();
    const double top = second_moment_top_eigenvalue(data_moments(engine, data), p_.bias);
    const double step = p_.step / std::max(top, 1e-300);
    std::vector<double> w(d, 0.0);
    double b = 0;
    FitResult result;
    FitMonitor monitor(context, {"wzdd23", p_.epochs, p_.tol, {}, "in epoch"}, result);
    monitor.stop("epochs");
    double batch = static_cast<double>(std::min<std::size_t>(p_.batch, n));
    double previous = NAN;
    std::size_t steps = 0;
    for (std::size_t epoch = 1; epoch <= p_.epochs; ++epoch) {
      const std::size_t rows = static_cast<std::size_t>(std::min(batch, static_cast<double>(n)));
      const std::size_t windows = std::max<std::size_t>(1, n / rows);
      double epoch_loss = 0;
      for (std::size_t k = 0; k < windows; ++k) {
        // The last window takes the rows left over, so that every row is used once per epoch.
        const SliceSource window(data, k * rows, k + 1 == windows ? n : (k + 1) * rows);
        const ReluStats s =
            relu_stats(engine, window, w, b, p_.bias, 1.0, ReluGradients::surrogate);
        monitor.check_finite(epoch, s.loss, s.surrogate);
        epoch_loss += s.loss * static_cast<double>(window.rows()) / static_cast<double>(n);
        for (std::size_t j = 0; j < d; ++j) w[j] -= step * s.grad_surrogate[j];
        if (p_.bias) b -= step * s.grad_surrogate[d];
        project_to_ball(w, p_.radius);
        ++steps;
      }
      // The epoch's loss: the mean of its minibatch losses, each taken before its step.
      if (!monitor.report(epoch, epoch_loss) ||
          (epoch > 1 && rows == n && monitor.converged(previous, epoch_loss)))
        break;
      previous = epoch_loss;
      batch *= p_.growth;
    }
    const double final_loss = relu_loss(engine, data, w, b);
    monitor.check_finite(p_.epochs, final_loss);
    result.loss_history.push_back(final_loss);
    result.model = ReluModel{std::move(w), p_.bias ? b : 0.0, p_.bias};
    result.details["steps"] = steps;
    result.details["step"] = step;
    result.details["lambda_max"] = top;
    return result;
  }
};

}  // namespace

LearnerEntry wzdd23_entry() {
  return learner_entry<Wzdd23Learner, Wzdd23Params>();
}

}  // namespace relureg::detail
