// GLMtron / convex-surrogate projected gradient descent (KKSK11, DGKKS20), optional square-loss
// polish.
#include "descent.hpp"
#include "learners.hpp"

namespace relureg::detail {
namespace {

struct GlmtronParams : DescentParams {
  std::size_t polish = 0;

  RELUREG_FIELDS(inherit_fields<P, DescentParams>(
      {{"polish", &P::polish, "passes of square-loss descent after the surrogate phase", 0, 1e9}}))
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
  return learner_entry<GlmtronLearner, GlmtronParams>(SampleWeights::taken);
}

}  // namespace relureg::detail
