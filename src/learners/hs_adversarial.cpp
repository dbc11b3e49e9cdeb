// hs-adversarial: the worst halfspace black box GKK19's reduction allows, built from the ground
// truth (a reference oracle for experiments, not a learner of data).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>

#include "halfspace_common.hpp"
#include "learners.hpp"
#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/halfspace.hpp"

namespace relureg::detail {
namespace {

struct AdversarialParams {
  double factor = 2.0;
  std::size_t angles = 65536;

  RELUREG_FIELDS({{"factor", &P::factor,
                   "C: the direction returned has 0/1 error at most C times the best halfspace's",
                   1, 1e6},
                  {"angles", &P::angles,
                   "directions scanned on the circle through w* and a direction orthogonal to it",
                   64, 1 << 24}})
};

constexpr double kPi = std::numbers::pi;

// The rows' angles ψ = atan2(v·x, ŵ·x) in the plane of ŵ and v, sorted, with the count of +1
// labels among the first k: the 0/1 error of every direction cos θ ŵ + sin θ v, which labels +1
// the rows with ψ in the half circle (θ − π/2, θ + π/2), then costs two binary searches.
class PlaneErrors {
 public:
  PlaneErrors(std::vector<double> psi, const std::vector<double>& labels) {
    std::vector<std::size_t> order(psi.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return psi[a] < psi[b] || (psi[a] == psi[b] && a < b);
    });
    psi_.resize(psi.size());
    positives_.assign(psi.size() + 1, 0);
    for (std::size_t k = 0; k < order.size(); ++k) {
      psi_[k] = psi[order[k]];
      positives_[k + 1] = positives_[k] + (labels[order[k]] > 0);
    }
  }

  // Misclassified rows of the direction at angle θ ∈ [−π, π] from ŵ.
  std::size_t errors(double theta) const {
    double lo = theta - kPi / 2, hi = theta + kPi / 2;
    std::size_t inside = 0, inside_positive = 0;
    auto add = [&](double a, double b) {  // rows with a < ψ < b, −π <= a < b <= π
      const auto first = std::upper_bound(psi_.begin(), psi_.end(), a) - psi_.begin();
      const auto last = std::lower_bound(psi_.begin(), psi_.end(), b) - psi_.begin();
      if (last <= first) return;
      inside += static_cast<std::size_t>(last - first);
      inside_positive +=
          positives_[static_cast<std::size_t>(last)] - positives_[static_cast<std::size_t>(first)];
    };
    if (lo < -kPi) {
      add(-kPi - 1, hi);
      add(lo + 2 * kPi, kPi + 1);
    } else if (hi > kPi) {
      add(lo, kPi + 1);
      add(-kPi - 1, hi - 2 * kPi);
    } else {
      add(lo, hi);
    }
    const std::size_t total_positive = positives_.back();
    // Positives outside the half circle plus negatives inside it.
    return (total_positive - inside_positive) + (inside - inside_positive);
  }

 private:
  std::vector<double> psi_;
  std::vector<std::size_t> positives_;
};

// The black box of DGKKS20's explanation of GKK19's opt^{2/3} (Goel, Karmalkar, Klivans,
// NeurIPS 2019; lab-design §4): a halfspace learner that is only promised to return a direction
// whose 0/1 error is at most C times the best homogeneous halfspace's may return the direction of
// largest angle to the truth that keeps that promise. On the rows it is given, it scans the
// directions cos θ ŵ* + sin θ v (v a coordinate axis least aligned with w*, made orthogonal to it;
// by the symmetry of the families around w* every direction at angle θ errs alike), takes the
// best error over the circle, and returns the direction of largest |θ| within C times it.
class AdversarialLearner final : public ParamLearner<AdversarialParams> {
 public:
  using ParamLearner::ParamLearner;

  FitResult fit(const DataSource& data, const FitContext& context) override {
    require_ground_truth(context);
    const GroundTruth& truth = *context.truth;
    const std::size_t d = data.cols();
    if (truth.w_star.size() != d)
      throw InputError(fmt::format("hs-adversarial: the ground truth has d = {}, the data {}",
                                   truth.w_star.size(), d));
    std::vector<double> w_hat = truth.w_star;
    if (!(normalize(w_hat) > 0))
      throw InputError("hs-adversarial: the ground truth's teacher w* is 0 (no direction to turn)");
    std::vector<double> v(d, 0.0);
    if (d > 1) {
      std::size_t axis = 0;
      for (std::size_t j = 1; j < d; ++j)
        if (std::abs(w_hat[j]) < std::abs(w_hat[axis])) axis = j;
      v[axis] = 1;
      for (std::size_t j = 0; j < d; ++j) v[j] -= w_hat[axis] * w_hat[j];
      normalize(v);
    }
    const Engine& engine = *context.engine;
    std::vector<double> psi(data.rows()), labels(data.rows());
    engine.map(data, psi, [&](const RowBlock& blk, double* out) {
      for (std::size_t r = 0; r < blk.rows; ++r) {
        const float* x = blk.X + r * blk.d;
        double t = 0, s = 0;
        for (std::size_t j = 0; j < blk.d; ++j) {
          t += w_hat[j] * static_cast<double>(x[j]);
          s += v[j] * static_cast<double>(x[j]);
        }
        out[r] = std::atan2(s, t);
      }
    });
    engine.map(data, labels,
               [](const RowBlock& blk, double* out) { std::copy(blk.y, blk.y + blk.rows, out); });
    const PlaneErrors plane(std::move(psi), labels);
    std::vector<std::size_t> errors(p_.angles + 1);
    std::size_t best = plane.errors(0.0);
    for (std::size_t k = 0; k <= p_.angles; ++k) {
      errors[k] = plane.errors(-kPi + 2 * kPi * static_cast<double>(k) / p_.angles);
      best = std::min(best, errors[k]);
    }
    const double allowed = p_.factor * static_cast<double>(best);
    double chosen = 0;
    for (std::size_t k = 0; k <= p_.angles; ++k) {
      const double theta = -kPi + 2 * kPi * static_cast<double>(k) / p_.angles;
      if (static_cast<double>(errors[k]) <= allowed && std::abs(theta) > std::abs(chosen))
        chosen = theta;
    }
    std::vector<double> u(d);
    for (std::size_t j = 0; j < d; ++j)
      u[j] = std::cos(chosen) * w_hat[j] + std::sin(chosen) * v[j];
    const double n = static_cast<double>(std::max<std::size_t>(data.rows(), 1));
    FitResult result;
    result.loss_history.push_back(static_cast<double>(plane.errors(chosen)) / n);
    result.model = HalfspaceModel{u, 0.0, false};
    result.stop_reason = "oracle";
    result.details = {{"angle", std::abs(chosen)},
                      {"best_error", static_cast<double>(best) / n},
                      {"teacher_error", static_cast<double>(plane.errors(0.0)) / n},
                      {"factor", p_.factor}};
    return result;
  }
};

}  // namespace

LearnerEntry hs_adversarial_entry() {
  return learner_entry<AdversarialLearner, AdversarialParams>();
}

}  // namespace relureg::detail
