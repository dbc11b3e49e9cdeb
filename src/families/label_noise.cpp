// Family "label-noise": y = ReLU(w*·x + b*) + ξ with independent noise; opt = Var ξ exactly.
#include <fmt/format.h>

#include <limits>

#include "families/families.hpp"
#include "relureg/gaussian.hpp"

namespace relureg::families {

struct LabelNoiseParams : PlantedParams {
  double noise = 0.05;
  std::string noise_dist = "gaussian";

  RELUREG_FIELDS(inherit_fields<P, PlantedParams>(
      {{"noise", &P::noise, "variance of the label noise", 0.0, kInfinity},
       {"noise_dist", &P::noise_dist, "distribution of the label noise",
        Choices{{"gaussian", "uniform"}}}}))
};

PopulationLoss noisy_teacher_population_loss(const ReluModel& model, const GroundTruth& truth,
                                             double noise_variance) {
  // E[(f − y)²] = E[(f − f*)²] + E[ξ²] because E[ξ | x] = 0 (papers.md §7, distance of ReLUs).
  check_model_dimension(model, truth);
  const double distance = gaussian::relu_distance(model.w, model.b, truth.w_star, truth.b_star);
  return {distance + noise_variance, 0.0, "exact", 0};
}

RowDistribution label_noise_rows(const GroundTruth& truth) {
  const double noise = truth_params<LabelNoiseParams>(truth).noise;
  return {truth.d, gaussian_coordinate(), teacher_label(truth),
          noise_sampler(truth_params<LabelNoiseParams>(truth).noise_dist, noise), noise};
}

FamilyEntry label_noise_family() {
  return family_entry<LabelNoiseParams>(
      [](const GenerateRequest& request, const LabelNoiseParams& p) {
        GroundTruth truth = noisy_teacher_truth(request, p, p.noise, params_json(p));
        truth.homogeneous = homogeneous_teacher_opt(truth, p.noise);
        return truth;
      },
      noisy_teacher_losses<LabelNoiseParams>(), label_noise_rows);
}

}  // namespace relureg::families
