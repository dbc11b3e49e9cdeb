// l-isotron: Isotron with a Lipschitz non-decreasing link (Kakade–Kanade–Shamir–Kalai 2011).
#include "isotonic.hpp"
#include "learners.hpp"

namespace relureg::detail {
namespace {

struct LIsotronParams : IterationParams {
  double lipschitz = 1.0;
  std::size_t bins = 128;

  LIsotronParams() { max_passes = 200; }

  RELUREG_FIELDS(with_doc(
      inherit_fields<P, IterationParams>(
          {{"lipschitz", &P::lipschitz, "Lipschitz bound of the link, in units of w·x", 1e-9, 1e9},
           {"bins", &P::bins,
            "groups of consecutive projections (equal counts) the link is fitted on", 2, 1e5}}),
      "step", isotron_step_doc))
};

// Kakade, Kanade, Shamir, Kalai, "Efficient Learning of Generalized Linear and Single Index
// Models with Isotonic Regression", NeurIPS 2011: Isotron whose link step fits the best
// non-decreasing `lipschitz`-Lipschitz function (the paper's O(n log n) algorithm is replaced by
// exact coordinate descent on `bins` groups of consecutive projections: a 128-variable
// box-constrained least squares per iteration). The Lipschitz bound keeps the link from
// overfitting, which the plain isotonic fit of isotron can do on few samples.
class LIsotronLearner final : public ParamLearner<LIsotronParams> {
 public:
  using ParamLearner::ParamLearner;

  FitResult fit(const DataSource& data, const FitContext& context) override {
    return run_isotron(data, context,
                       {"l-isotron", p_.max_passes, p_.tol, p_.step, p_.bins, p_.lipschitz});
  }
};

}  // namespace

LearnerEntry l_isotron_entry() {
  return learner_entry<LIsotronLearner, LIsotronParams>();
}

}  // namespace relureg::detail
