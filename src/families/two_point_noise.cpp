// Family "two-point-noise": y = ReLU(w*.x + b*) + ξ, ξ = ±s with probability p/2 each (else 0),
// s = spread·opt^{1/3}, p = opt/s²: the Chebyshev-extremal noise of the GKK19 analysis; opt exact.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "families/families.hpp"

namespace relureg::families {

struct TwoPointNoiseParams : PlantedParams {
  double noise = 1e-3;
  double spread = 0.5;

  RELUREG_FIELDS(inherit_fields<P, PlantedParams>(
      {{"noise", &P::noise, "variance of the label noise (= opt)", 0.0, 1.0},
       {"spread", &P::spread,
        "the noise is +-s, s = spread·noise^(1/3), with probability noise/s^2 in all, else 0 "
        "(s = sqrt(noise) when that is larger)",
        1e-3, 10.0}}))
};

namespace {

// The noise value s = max(spread·noise^(1/3), noise^(1/2)) and the probability p = noise/s² <= 1
// of a nonzero noise (p = 1, noise ±√noise always, when spread·noise^(1/3) is below √noise).
std::pair<double, double> two_point(const TwoPointNoiseParams& p) {
  const double s = std::max(p.spread * std::cbrt(p.noise), std::sqrt(p.noise));
  return {s, s > 0 ? std::min(1.0, p.noise / (s * s)) : 0.0};
}

RowDistribution two_point_noise_rows(const GroundTruth& truth) {
  const TwoPointNoiseParams p = truth_params<TwoPointNoiseParams>(truth);
  const std::pair<double, double> noise = two_point(p);  // (s, mass): captured by name below
  const double s = noise.first, mass = noise.second;
  return {truth.d, gaussian_coordinate(), teacher_label(truth),
          [s, mass](BlockRandom& random) {
            const double u = random.uniform();
            return u < mass / 2 ? s : u < mass ? -s : 0.0;
          },
          p.noise};
}

}  // namespace

// The noise of Chebyshev's extremal case (DGKKS20's explanation of the 2/3 exponent,
// lab-design §4): P(|ξ| >= s) = Var ξ / s² holds with equality, so at a threshold τ near
// opt^{1/3} the noise flips as many thresholded labels as its variance allows.
FamilyEntry two_point_noise_family() {
  return family_entry<TwoPointNoiseParams>(
      [](const GenerateRequest& request, const TwoPointNoiseParams& p) {
        const auto [s, mass] = two_point(p);
        GroundTruth truth = noisy_teacher_truth(request, p, p.noise, params_json(p));
        truth.opt_note +=
            fmt::format(" (two-point noise +-{:.6g}, each with probability {:.6g})", s, mass / 2);
        truth.homogeneous = homogeneous_teacher_opt(truth, p.noise);
        truth.facts = {{"noise_value", s}, {"noise_probability", mass}};
        return truth;
      },
      noisy_teacher_losses<TwoPointNoiseParams>(), two_point_noise_rows);
}

}  // namespace relureg::families
