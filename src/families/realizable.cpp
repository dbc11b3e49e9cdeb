// Family "realizable": y = ReLU(w*·x + b*) with x ~ N(0, I_d), so opt = 0 exactly.
#include "families/families.hpp"

namespace relureg::families {

struct RealizableParams : PlantedParams {
  RELUREG_FIELDS(inherit_fields<P, PlantedParams>({}))
};

RowDistribution realizable_rows(const GroundTruth& truth) {
  return {truth.d, gaussian_coordinate(), teacher_label(truth), {}, 0.0};
}

FamilyEntry realizable_family() {
  return family_entry<RealizableParams>(
      [](const GenerateRequest& request, const RealizableParams& p) {
        GroundTruth truth = noisy_teacher_truth(request, p, 0.0, params_json(p));
        truth.opt_note = "the planted teacher fits the noiseless labels exactly: opt = 0";
        truth.homogeneous = homogeneous_teacher_opt(truth, 0.0);
        return truth;
      },
      model_losses([](const ReluModel& model, const GroundTruth& truth, const Engine&) {
        return noisy_teacher_population_loss(model, truth, 0.0);
      }),
      realizable_rows);
}

}  // namespace relureg::families
