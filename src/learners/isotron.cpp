// isotron: a single-index model with an unknown non-decreasing link (Kalai–Sastry, COLT 2009).
#include "isotonic.hpp"
#include "learners.hpp"

namespace relureg::detail {
namespace {

struct IsotronParams : IterationParams {
  IsotronParams() { max_passes = 200; }

  RELUREG_FIELDS(with_doc(inherit_fields<P, IterationParams>({}), "step", isotron_step_doc))
};

// Kalai, Sastry, "The Isotron Algorithm: High-Dimensional Isotonic Regression", COLT 2009: for
// E[y | x] = u(w·x) with u non-decreasing (and Lipschitz) but unknown, alternate an isotonic
// regression of y on w·x (pool-adjacent-violators) with the perceptron-like step
// w += Ê[(y − û(w·x)) x], from w = 0. We reuse the same sample every iteration (the paper's
// analysis draws a fresh one) and stop on the relative change of the training loss. The model
// is a unit direction and the piecewise-linear link through the isotonic blocks' centres; a bias
// is part of the link, so --bias is refused.
class IsotronLearner final : public ParamLearner<IsotronParams> {
 public:
  using ParamLearner::ParamLearner;

  FitResult fit(const DataSource& data, const FitContext& context) override {
    return run_isotron(data, context, {"isotron", p_.max_passes, p_.tol, p_.step, 0, 0.0});
  }
};

}  // namespace

LearnerEntry isotron_entry() {
  return learner_entry<IsotronLearner, IsotronParams>();
}

}  // namespace relureg::detail
