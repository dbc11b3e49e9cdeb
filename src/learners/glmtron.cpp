// GLMtron / convex-surrogate projected gradient descent (KKSK11, DGKKS20), optional square-loss
// polish.
#include "descent.hpp"
#include "learners.hpp"

namespace relureg::detail {
namespace {

struct GlmtronParams {
  std::size_t max_passes = 500;
  double tol = 1e-7;
  double step = 1.0;
  double radius = kInfinity;
  bool backtrack = true;
  std::size_t polish = 0;
  bool bias = false;

  static Fields<GlmtronParams> fields() {
    return {max_passes_field(&GlmtronParams::max_passes),
            tol_field(&GlmtronParams::tol),
            step_field(&GlmtronParams::step,
                       "step size (halved while the surrogate rises when backtrack=1)"),
            radius_field(&GlmtronParams::radius),
            {"backtrack", &GlmtronParams::backtrack, "halve the step while the surrogate rises"},
            {"polish", &GlmtronParams::polish,
             "passes of square-loss descent after the surrogate phase", 0, 1e9},
            bias_field(&GlmtronParams::bias)};
  }
};

// Kakade, Kanade, Shamir, Kalai (NeurIPS 2011) GLMtron, as analysed agnostically by Diakonikolas,
// Goel, Karmalkar, Klivans, Soltanolkotabi (COLT 2020): gradient descent on the convex matching
// loss ½ReLU(w·x)² − y (w·x), whose gradient is (ReLU(w·x) − y) x, projected onto ‖w‖ ≤ radius,
// from w = 0 (where, unlike the square loss, the gradient −Ê[y x] is non-zero). Its minimiser is
// O(opt)-good under concentration and anti-concentration. `polish` extra passes of square-loss
// descent follow.
class GlmtronLearner final : public Learner {
 public:
  explicit GlmtronLearner(const GlmtronParams& p)
      : settings_(descent_settings(p, DescentObjective::surrogate, "glmtron")), polish_(p.polish) {}

  FitResult fit(const DataSource& data, const FitContext& context) override {
    FitResult result =
        context.initial
            ? run_descent(data, context, context.initial->w,
                          settings_.bias ? context.initial->b : 0.0, settings_)
            : run_descent(data, context, std::vector<double>(data.cols(), 0.0), 0.0, settings_);
    if (polish_ > 0) {
      DescentSettings polish = settings_;
      polish.objective = DescentObjective::square_loss;
      polish.max_passes = polish_;
      polish.step = 1.0;
      const std::size_t surrogate_iterations = result.loss_history.size();
      FitResult polished = run_descent(data, context, result.relu().w, result.relu().b, polish);
      result.loss_history.insert(result.loss_history.end(), polished.loss_history.begin() + 1,
                                 polished.loss_history.end());
      result.model = polished.model;
      result.details["surrogate_iterations"] = surrogate_iterations;
      result.details["polish_stop_reason"] = polished.stop_reason;
    }
    return result;
  }

 private:
  DescentSettings settings_;
  std::size_t polish_;
};

}  // namespace

LearnerEntry glmtron_entry() {
  return learner_entry<GlmtronLearner, GlmtronParams>(
      "glmtron",
      "projected gradient descent on the convex surrogate ½ReLU(w·x)² − y·w·x from w = 0",
      "Kakade et al. 2011 (GLMtron); Diakonikolas, Goel, Karmalkar, Klivans, Soltanolkotabi, "
      "COLT 2020",
      Task::relu, SampleWeights::taken);
}

}  // namespace relureg::detail
