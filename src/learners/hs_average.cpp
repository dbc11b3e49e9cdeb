// hs-average: the averaging halfspace learner ŵ ∝ Ê[ℓx], one pass.
#include "halfspace_common.hpp"
#include "learners.hpp"
#include "relureg/halfspace.hpp"

namespace relureg::detail {
namespace {

struct AverageParams {
  RELUREG_FIELDS({})
};

// The "average" algorithm (Servedio 1999): ŵ = Ê[ℓx]/‖Ê[ℓx]‖. For x ~ N(0, I) and
// ℓ = sign(w*·x), E[ℓx] = √(2/π) w*; a fraction η of adversarial flips moves it by up to
// O(η√log(1/η)), so its error is O(η√log(1/η)), not O(η) (papers.md §1.5; the analysis under
// adversarial noise is recalled as Kalai–Klivans–Mansour–Servedio 2005, not checked).
class AverageLearner final : public Learner {
 public:
  explicit AverageLearner(const AverageParams&) {}
  FitResult fit(const DataSource& data, const FitContext& context) override {
    const Engine& engine = *context.engine;
    FitResult result;
    HalfspaceModel model{average_direction(engine, data, "hs-average"), 0.0, false};
    result.loss_history.push_back(zero_one_error(engine, data, model.w, 0.0));
    result.model = std::move(model);
    result.stop_reason = "closed_form";
    return result;
  }
};

}  // namespace

LearnerEntry hs_average_entry() {
  return learner_entry<AverageLearner, AverageParams>(SampleWeights::taken);
}

}  // namespace relureg::detail
