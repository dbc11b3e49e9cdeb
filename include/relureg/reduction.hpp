// The lemmas of the GKK19 reduction from ReLU regression to halfspace learning, x ~ N(0, I).
#pragma once

namespace relureg::reduction {

// (L1) Thresholding ℓ = sign(y − τ) against the teacher's halfspace sign(w*·x):
// P[sign(w*·x) ≠ ℓ] ≤ opt/τ² + 2τ/(√(2π)‖w*‖) (Chebyshev plus the band 0 < w*·x < 2τ).
double threshold_disagreement_bound(double opt, double tau, double teacher_norm);

// (L2) Two homogeneous halfspaces at angle θ disagree with probability θ/π.
double halfspace_disagreement(double theta);

// (L3) E[(ReLU(a u·x) − ReLU(a v·x))²] for unit u, v at angle θ ∈ [0, π] and a ≥ 0:
// a²(1 − (sin θ + (π − θ) cos θ)/π), evaluated without cancellation for small θ.
double angle_loss(double scale, double theta);
// Its upper bound a²θ²/2 (tight as θ → 0).
double angle_loss_bound(double scale, double theta);

}  // namespace relureg::reduction
