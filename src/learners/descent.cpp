// Projected full-batch descent on the square loss or the convex surrogate, one fused pass per step.
#include "descent.hpp"

#include <cmath>
#include <optional>

#include "kernels/float_z.hpp"
#include "relureg/error.hpp"
#include "relureg/fit_monitor.hpp"
#include "relureg/kernels.hpp"
#include "relureg/standardize.hpp"

namespace relureg::detail {
namespace {

double objective_value(const ReluStats& s, DescentObjective objective) {
  return objective == DescentObjective::square_loss ? s.loss : s.surrogate;
}

const std::vector<double>& objective_gradient(const ReluStats& s, DescentObjective objective) {
  return objective == DescentObjective::square_loss ? s.grad_square : s.grad_surrogate;
}

}  // namespace

void project_to_ball(std::vector<double>& w, double radius) {
  if (std::isinf(radius)) return;
  double norm2 = 0;
  for (double v : w) norm2 += v * v;
  const double norm = std::sqrt(norm2);
  if (norm > radius && norm > 0)
    for (double& v : w) v *= radius / norm;
}

FitResult run_descent(const DataSource& data, const FitContext& context, std::vector<double> w,
                      double b, const DescentSettings& settings) {
  const Engine& engine = *context.engine;
  const std::size_t d = data.cols();
  // Standardised coordinates (two passes for the column statistics, made before the monitor
  // starts counting, so not part of max_passes): see standardize.hpp.
  std::optional<FeatureScaling> scaling;
  if (context.standardize) scaling = feature_scaling(engine, data, settings.bias);
  // Only the gradient of the objective followed (each costs a multiply-add per feature and row).
  const ReluGradients gradients = settings.objective == DescentObjective::square_loss
                                      ? ReluGradients::square
                                      : ReluGradients::surrogate;
  // With float32_dot, each row's dot product in float32 where a kernel gains by it
  // (RowDot::float32_allowed), until either
  // - the loss falls below kExactBelow of the starting one: an exact fit (a planted teacher) is
  //   still found exactly, its loss and gradient 0; or
  // - a step lowers the objective by less than kExactWithin of its value, where the fit's
  //   decisions compare objectives (backtracking, or the stop on `tol`): the float z moves the
  //   objective by about 1e-8 of its value, which would otherwise decide acceptances and the stop
  //   pass (glmtron's models moved by up to 2.5e-5 relative when the float z ran to the end).
  // From then on every pass is in double. So fitted models stay within about 1e-7 relative of the
  // double path's, after as many passes (experiments/peers/float_dot.py; the tests check 1e-6).
  // Without float32_dot, every pass in double.
  constexpr double kExactBelow = 1e-6, kExactWithin = 1e-5;
  // Only where this host's kernels take the float z for rows of d features: elsewhere the passes
  // are the double path's anyway, and the re-read where the float z ends (below) a wasted pass.
  RowDot dot = settings.float32_dot && detail::relu_stats_float_z(d) ? RowDot::float32_allowed
                                                                     : RowDot::exact;
  const bool decides_on_objective = settings.backtrack || settings.tol > 0;
  std::size_t float32_passes = 0;  // passes that allowed the float z
  auto stats_at = [&](const std::vector<double>& wv, double bv) {
    if (dot == RowDot::float32_allowed) ++float32_passes;
    return relu_stats(engine, data, wv, bv, settings.bias, settings.relu_grad_at_zero, gradients,
                      dot);
  };
  FitResult result;
  FitMonitor monitor(context, {settings.name, settings.max_passes, settings.tol}, result);

  if (scaling && settings.bias && settings.centre_start) {
    b = 0;
    for (std::size_t j = 0; j < d; ++j) b -= w[j] * scaling->mean[j];
  }
  project_to_ball(w, settings.radius);
  ReluStats stats = stats_at(w, b);
  const double exact_below = kExactBelow * stats.loss;
  if (!(stats.loss > exact_below)) dot = RowDot::exact;
  monitor.check_finite(0, stats.loss, objective_value(stats, settings.objective));
  monitor.record(stats.loss);
  double step = settings.step;
  monitor.stop("max_passes");
  std::size_t iteration = 0;
  while (monitor.within(settings.max_passes)) {
    ++iteration;
    const std::vector<double>& g = objective_gradient(stats, settings.objective);
    const double old_objective = objective_value(stats, settings.objective);
    std::vector<double> w_new(d);
    double b_new = b;
    ReluStats next;
    bool accepted = false;
    while (monitor.within(settings.max_passes)) {
      if (scaling) {
        standardized_step(*scaling, w, b, g, step, settings.bias, w_new, b_new);
      } else {
        for (std::size_t j = 0; j < d; ++j) w_new[j] = w[j] - step * g[j];
        if (settings.bias) b_new = b - step * g[d];
      }
      project_to_ball(w_new, settings.radius);
      next = stats_at(w_new, b_new);
      const double value = objective_value(next, settings.objective);
      const bool finite = std::isfinite(next.loss) && std::isfinite(value);
      if (!settings.backtrack) {
        if (!finite) throw monitor.divergence(iteration, next.loss);
        accepted = true;
        break;
      }
      if (finite && value <= old_objective + 1e-15 * std::abs(old_objective)) {
        accepted = true;
        break;
      }
      step *= 0.5;
      if (step < 1e-30) {
        if (!finite) throw monitor.divergence(iteration, next.loss);
        // No step lowers a finite objective: stationary up to rounding, or (under an SQ oracle)
        // up to the tolerance of the answers.
        monitor.stop("no_descent");
        break;
      }
    }
    if (!accepted) break;  // the pass budget ran out inside the backtracking, or no descent
    const double old_loss = stats.loss;
    w.swap(w_new);
    b = b_new;
    stats = std::move(next);
    const double loss_reached = stats.loss;  // in the arithmetic old_loss was taken in
    if (dot == RowDot::float32_allowed &&
        (!(stats.loss > exact_below) ||
         (decides_on_objective && !(old_objective - objective_value(stats, settings.objective) >
                                    kExactWithin * std::abs(old_objective))))) {
      dot = RowDot::exact;
      // The point just reached read again in double, so that the next comparisons of objectives
      // (backtracking, the stop on tol) are between double values only: a float z's objective is
      // off by about 1e-8 of its value, which made a step that the double path took look uphill
      // (gd at d = 11 then backtracked to no_descent, 105 passes against 6).
      if (monitor.within(settings.max_passes)) stats = stats_at(w, b);
    }
    if (!monitor.report(iteration, stats.loss) || monitor.converged(old_loss, loss_reached)) break;
  }
  result.relu().w = std::move(w);
  result.relu().b = settings.bias ? b : 0.0;
  result.relu().bias = settings.bias;
  result.details["final_step"] = step;
  result.details["active_fraction"] = stats.active;
  if (scaling) result.details["standardized"] = true;
  if (settings.float32_dot) result.details["float32_dot_passes"] = float32_passes;
  return result;
}

}  // namespace relureg::detail
