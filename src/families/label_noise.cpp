// Family "label-noise": y = ReLU(w*·x + b*) + ξ with independent noise; opt = Var ξ exactly.
#include <fmt/format.h>

#include <limits>

#include "families/families.hpp"
#include "relureg/gaussian.hpp"

namespace relureg::families {

PopulationLoss noisy_teacher_population_loss(const ReluModel& model, const GroundTruth& truth,
                                             double noise_variance) {
  // E[(f − y)²] = E[(f − f*)²] + E[ξ²] because E[ξ | x] = 0 (papers.md §7, distance of ReLUs).
  check_model_dimension(model, truth);
  const double distance = gaussian::relu_distance(model.w, model.b, truth.w_star, truth.b_star);
  return {distance + noise_variance, 0.0, "exact", 0};
}

RowDistribution label_noise_rows(const GroundTruth& truth) {
  const double noise = truth_real(truth, "noise");
  return {truth.d, gaussian_coordinate(), teacher_label(truth),
          noise_sampler(truth_choice(truth, "noise_dist"), noise), noise};
}

FamilyEntry label_noise_family() {
  const double inf = std::numeric_limits<double>::infinity();
  FamilyEntry entry;
  entry.name = "label-noise";
  entry.description = "y = ReLU(w*.x + b*) + independent noise, x ~ N(0, I); opt = noise";
  entry.params = with_common_params({
      {"noise", ParamKind::real, 0.05, 0.0, inf, "variance of the label noise"},
      {"noise_dist",
       ParamKind::choice,
       0,
       -inf,
       inf,
       "distribution of the label noise",
       {"gaussian", "uniform"},
       "gaussian"},
  });
  entry.generate = [](std::size_t n, std::size_t d, std::uint64_t seed, const ParamValues& values,
                      const Engine& engine) {
    GroundTruth truth = noisy_teacher_truth("label-noise", n, d, seed, values);
    Dataset data =
        draw_dataset(label_noise_rows(truth), n, stream_seed(seed, Stream::data), engine.threads());
    return Instance{std::move(data), std::move(truth)};
  };
  entry.population_loss =
      model_losses([](const ReluModel& model, const GroundTruth& truth, const Engine&) {
        return noisy_teacher_population_loss(model, truth, truth_real(truth, "noise"));
      });
  entry.rows = label_noise_rows;
  return entry;
}

}  // namespace relureg::families
