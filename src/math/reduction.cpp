// Closed forms of the GKK19 reduction lemmas L1–L3 (papers.md §1.5).
#include "relureg/reduction.hpp"

#include <cmath>
#include <numbers>

namespace relureg::reduction {

double threshold_disagreement_bound(double opt, double tau, double teacher_norm) {
  return opt / (tau * tau) + 2 * tau / (std::sqrt(2 * std::numbers::pi) * teacher_norm);
}

double halfspace_disagreement(double theta) {
  return theta / std::numbers::pi;
}

double angle_loss(double scale, double theta) {
  // 1 − (sin θ + (π − θ) cos θ)/π = ((θ − sin θ) + (π − θ)(1 − cos θ))/π; with
  // 1 − cos θ = 2 sin²(θ/2) and, for small θ, θ − sin θ by its series, nothing cancels.
  const double pi = std::numbers::pi;
  double theta_minus_sin = theta - std::sin(theta);
  if (theta < 1e-2) {
    const double t2 = theta * theta;
    theta_minus_sin = theta * t2 / 6 * (1 - t2 / 20 * (1 - t2 / 42));
  }
  const double half_sin = std::sin(theta / 2);
  const double fraction = (theta_minus_sin + (pi - theta) * 2 * half_sin * half_sin) / pi;
  return scale * scale * fraction;
}

double angle_loss_bound(double scale, double theta) {
  return scale * scale * theta * theta / 2;
}

}  // namespace relureg::reduction
