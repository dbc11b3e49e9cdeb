// dktz22: gradient descent on the square loss from the Chow start with the step 1/(2·λ̂_max)
// (Diakonikolas–Kontonis–Tzamos–Zarifis, COLT 2022).
#include <cmath>

#include "descent.hpp"
#include "learners.hpp"
#include "relureg/kernels.hpp"

namespace relureg::detail {
namespace {

struct Dktz22Params : DescentParams {
  Dktz22Params() { max_passes = 200; }

  RELUREG_FIELDS(
      with_doc(inherit_fields<P, DescentParams>({}), "step",
               "step in units of 1/(2·λ_max(Ê[x xᵀ])), the square loss's smoothness bound"))
};

// Diakonikolas, Kontonis, Tzamos, Zarifis, "Learning a Single Neuron with Adversarial Label Noise
// via Gradient Descent", COLT 2022: plain gradient descent on the (unregularised, for the ReLU)
// empirical square loss reaches C·opt + ε under well-behaved marginals (isotropic log-concave and
// broader), because every stationary point outside an O(√opt) ball around w* is avoided from a
// start positively correlated with w*. Reconstructed details (docs/algorithms.md): the start is
// the Chow vector 2 Σ̂⁻¹ Ê[y x] (with a bias: its centred direction and the exact (a, b) refit),
// never w = 0, which is a stationary point of the square loss; the step is step/(2·λ̂_max) from
// the same pass (the square loss's Hessian 2 Ê[1{active} x̃ x̃ᵀ] is at most 2 λ̂_max), halved only
// while the loss rises (backtrack=1); iterates stay in ‖w‖ ≤ radius.
class Dktz22Learner final : public ParamLearner<Dktz22Params> {
 public:
  using ParamLearner::ParamLearner;

  FitResult fit(const DataSource& data, const FitContext& context) override {
    const Engine& engine = *context.engine;
    const DataMoments moments = data_moments(engine, data);
    const double top = second_moment_top_eigenvalue(moments, p_.bias);
    std::vector<double> w = chow_estimate(moments, p_.bias, 0.0);
    double b = 0;
    if (p_.bias) {
      double norm = 0;
      for (double v : w) norm += v * v;
      norm = std::sqrt(norm);
      if (norm > 0) {
        for (double& v : w) v /= norm;
        const ScaleBiasFit start = refit_scale_bias(engine, data, w, p_.radius);
        for (double& v : w) v *= start.scale;
        b = start.bias;
      }
    }
    const std::vector<double> initial_w = w;
    const double initial_b = b;
    DescentSettings settings = descent_settings(p_, DescentObjective::square_loss, "dktz22");
    settings.step = p_.step / (2 * std::max(top, 1e-300));
    FitResult result = run_descent(data, context, std::move(w), b, settings);
    result.details["init"] = "chow";
    result.details["initial_w"] = initial_w;
    if (p_.bias) result.details["initial_b"] = initial_b;
    result.details["lambda_max"] = top;
    result.details["step"] = settings.step;
    return result;
  }
};

}  // namespace

LearnerEntry dktz22_entry() {
  return learner_entry<Dktz22Learner, Dktz22Params>();
}

}  // namespace relureg::detail
