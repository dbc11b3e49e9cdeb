// Projected full-batch gradient descent on the square loss (Soltanolkotabi 2017).
#include <cmath>
#include <random>

#include "descent.hpp"
#include "learners.hpp"
#include "relureg/rng.hpp"

namespace relureg::detail {
namespace {

struct GdParams : DescentParams {
  std::string init = "zero";
  double relu_grad_at_zero = 1.0;

  RELUREG_FIELDS(inherit_fields<P, DescentParams>(
      {{"init", &P::init, "initial point: zero, random (seeded) or moment",
        Choices{{"zero", "random", "moment"}}},
       {"relu_grad_at_zero", &P::relu_grad_at_zero,
        "value of ReLU'(0); 1 lets a zero start move (Soltanolkotabi), 0 is autograd's", 0.0,
        1.0}}))
};

// Soltanolkotabi, "Learning ReLUs via Gradient Descent", NeurIPS 2017: projected gradient descent
// on (1/n) Σ (ReLU(w·x_i) − y_i)², started at 0. The paper's analysis takes a non-zero ReLU'(0),
// so we use ReLU'(0) = `relu_grad_at_zero` (default 1): the first step from w = 0 is then the
// Chow step 2·step·Ê[y x]; with 0 (autograd's convention) a zero start never moves.
class GdLearner final : public ParamLearner<GdParams> {
 public:
  using ParamLearner::ParamLearner;

  FitResult fit(const DataSource& data, const FitContext& context) override {
    DescentSettings settings = descent_settings(p_, DescentObjective::square_loss, "gd");
    settings.relu_grad_at_zero = p_.relu_grad_at_zero;
    std::vector<double> w(data.cols(), 0.0);
    if (context.initial) {
      FitResult result = run_descent(data, context, context.initial->w,
                                     p_.bias ? context.initial->b : 0.0, settings);
      result.details["init"] = "warm_start";
      result.details["initial_w"] = context.initial->w;
      return result;
    }
    if (p_.init == "moment") {
      w = chow_estimate(*context.engine, data, true, 0.0);
    } else if (p_.init == "random") {
      // A random direction scaled so that E[ReLU(w·x)^2] = ‖w‖²/2 matches the labels' E[y²].
      const std::vector<double> m = context.engine->mean_rows(
          data, 1, [](const float*, double y, double* acc) { acc[0] += y * y; });
      std::mt19937_64 rng = make_rng(context.seed, 0x6764);
      std::normal_distribution<double> normal;
      double norm2 = 0;
      for (double& v : w) {
        v = normal(rng);
        norm2 += v * v;
      }
      const double scale = std::sqrt(2 * m[0] / std::max(norm2, 1e-300));
      for (double& v : w) v *= scale;
    }
    const std::vector<double> initial_w = w;
    settings.centre_start = p_.init != "zero";
    FitResult result = run_descent(data, context, std::move(w), 0.0, settings);
    result.details["init"] = p_.init;
    if (p_.init != "zero") result.details["initial_w"] = initial_w;
    return result;
  }
};

}  // namespace

LearnerEntry gd_entry() {
  return learner_entry<GdLearner, GdParams>(SampleWeights::taken);
}

}  // namespace relureg::detail
