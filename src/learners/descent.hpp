// Projected (full-batch) descent loop shared by gd and glmtron: history, stopping, backtracking.
#pragma once

#include <vector>

#include "relureg/learner.hpp"
#include "shared_params.hpp"

namespace relureg::detail {

enum class DescentObjective { square_loss, surrogate };

struct DescentSettings {
  DescentObjective objective = DescentObjective::square_loss;
  std::size_t max_passes = 500;
  double tol = 1e-7;
  double step = 1.0;
  double radius = 0;      // ‖w‖ ≤ radius after every step (inf = no projection)
  bool backtrack = true;  // halve the step while the objective rises
  double relu_grad_at_zero = 1.0;
  bool bias = false;  // fit b too (otherwise b stays 0)
  // Each row's dot product in float32 where a kernel gains by it, in the early passes
  // (run_descent says until when); false: in double on every pass.
  bool float32_dot = true;
  // In standardised coordinates with a bias: start from b = −w·mean (c = 0), so that a start
  // computed for centred features (moment, random) is not dead on features far from 0.
  bool centre_start = false;
  std::string name;  // learner name, for messages
};

// Runs descent from (w, b) and returns the fit (model, history, stop reason). Throws
// DivergenceError when the loss becomes NaN/Inf.
FitResult run_descent(const DataSource& data, const FitContext& context, std::vector<double> w,
                      double b, const DescentSettings& settings);

// Projects w (and the bias, which is not constrained) onto the ball ‖w‖ ≤ radius.
void project_to_ball(std::vector<double>& w, double radius);

// Settings for the iterative learners from their shared parameters (the typed fields max_passes,
// tol, step, radius, backtrack, float32_dot and bias of the learner's parameter struct).
template <class P>
DescentSettings descent_settings(const P& params, DescentObjective objective,
                                 const std::string& name) {
  DescentSettings s;
  s.objective = objective;
  s.max_passes = params.max_passes;
  s.tol = params.tol;
  s.step = params.step;
  s.radius = params.radius;
  s.backtrack = params.backtrack;
  s.float32_dot = params.float32_dot;
  s.bias = params.bias;
  s.name = name;
  return s;
}

}  // namespace relureg::detail
