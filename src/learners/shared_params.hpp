// Parameter groups that several learners share, each field declared once (name, bounds, doc).
#pragma once

#include "relureg/learner.hpp"

namespace relureg::detail {

// The budget of an iterative learner: passes, stopping tolerance and step. A learner with other
// defaults sets them in its own struct's constructor, and gives `step` its meaning with
// with_doc (the unit of the step differs between algorithms).
struct IterationParams {
  std::size_t max_passes = 500;
  double tol = 1e-7;
  double step = 1.0;

  RELUREG_FIELDS({max_passes_field(&P::max_passes), tol_field(&P::tol),
                  step_field(&P::step, "step size")})
};

// What a proper ReLU learner's output may be: the norm bound on w and whether a bias is fitted.
struct ReluFitParams {
  double radius = kInfinity;
  bool bias = false;

  RELUREG_FIELDS({radius_field(&P::radius), bias_field(&P::bias)})
};

// The parameters of projected full-batch descent, declared once for gd, glmtron, exhaustive's
// polish and dktz22: a learner's parameter struct derives from it and lists
// inherit_fields<P, DescentParams>({...its own...}).
struct DescentParams : IterationParams, ReluFitParams {
  bool backtrack = true;
  bool float32_dot = true;

  RELUREG_FIELDS(
      with_doc(inherit_fields<P, IterationParams, ReluFitParams>(
                   {{"backtrack", &P::backtrack, "halve the step while the objective rises"},
                    {"float32_dot", &P::float32_dot,
                     "each row's w.x in float32 where the CPU's kernel gains by it, until a "
                     "step lowers the objective by < 1e-5 of it (with backtrack or tol > 0) or "
                     "the loss falls below 1e-6 of the start (0: always double)"}}),
               "step", "step size (halved while the objective rises when backtrack=1)"))
};

}  // namespace relureg::detail
