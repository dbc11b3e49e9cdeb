// hs-abl: Awasthi–Balcan–Long localization — hinge minimisation in shrinking bands and balls.
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "halfspace_common.hpp"
#include "learners.hpp"
#include "relureg/fit_monitor.hpp"
#include "relureg/halfspace.hpp"
#include "relureg/kernels.hpp"

namespace relureg::detail {
namespace {

struct AblParams {
  std::size_t rounds = 10;
  double band = 1.5;
  double ball = 0.5;
  double margin = 0.5;
  double shrink = 0.5;
  std::size_t steps = 10;
  double step = 0.5;
  std::size_t min_band = 50;

  RELUREG_FIELDS({{"rounds", &P::rounds, "localization rounds s", 0, 60},
                  {"band", &P::band, "band half-width b_1 of round 1, in units of the RMS of w_0·x",
                   1e-6, kInfinity},
                  {"ball", &P::ball, "radius r_1 of the ball around w_0 in round 1", 1e-6, 2},
                  {"margin", &P::margin,
                   "hinge margin τ_1 of round 1, in units of the RMS of w_0·x", 1e-6, kInfinity},
                  {"shrink", &P::shrink, "factor applied to band, ball, margin per round", 0.05, 1},
                  {"steps", &P::steps, "projected subgradient steps per round", 1, 1e6},
                  {"step", &P::step,
                   "step length, in units of the round's ball radius, divided by √t", 1e-6, 10},
                  {"min_band", &P::min_band,
                   "a round with fewer rows in its band ends the fit with the current direction", 1,
                   1e9}})
};

// Awasthi, Balcan, Long, "The Power of Localization for Efficiently Learning Linear Separators
// with Noise", STOC 2014 / J. ACM 2017 (sota.md §8a): start from the averaging direction w_0;
// in round k = 1..s keep the rows in the band |w_{k−1}·x| ≤ b_k, minimise the τ_k-scaled hinge
// loss mean max(0, 1 − ℓ v·x/τ_k) over ‖v − w_{k−1}‖ ≤ r_k, ‖v‖ ≤ 1, and set w_k = v/‖v‖.
// Schedules b_k = band·c^{k−1}, r_k = ball·c^{k−1}, τ_k = margin·c^{k−1} (c = `shrink`), band
// and margin in units of the RMS of w_0·x. Departures from the paper, all documented in
// docs/algorithms.md: every round reuses the same rows (no fresh sample per round); the convex
// problem is solved approximately by `steps` normalised projected-subgradient steps (the best
// iterate is kept); the projection is onto the ball around w_{k−1} and then onto the unit ball
// (feasible for both, as the unit-ball projection is non-expansive and fixes w_{k−1}). A round
// whose band holds fewer than `min_band` rows ends the fit with the current direction
// (stop reason "band_too_small").
class AblLearner final : public ParamLearner<AblParams> {
 public:
  using ParamLearner::ParamLearner;

  FitResult fit(const DataSource& data, const FitContext& context) override {
    const Engine& engine = *context.engine;
    const std::size_t d = data.cols();
    // Progress is reported against the pass budget (as gd does): 3 + rounds·(steps + 3).
    FitResult result;
    FitMonitor monitor(context, {"hs-abl", 3 + p_.rounds * (p_.steps + 3)}, result);
    std::vector<double> w = average_direction(engine, data, "hs-abl");
    const double unit = projection_rms(engine, data, w);
    monitor.record(zero_one_error(engine, data, w, 0.0));
    monitor.stop("rounds");
    nlohmann::json rounds = nlohmann::json::array();
    std::vector<double> projection(data.rows());
    double factor = 1;
    for (std::size_t k = 1; k <= p_.rounds; ++k, factor *= p_.shrink) {
      const double band = p_.band * unit * factor, radius = p_.ball * factor;
      const double margin = p_.margin * unit * factor;
      engine.map(data, projection, [&](const RowBlock& blk, double* out) {
        for (std::size_t r = 0; r < blk.rows; ++r)
          out[r] = affine_value(blk.X + r * d, w.data(), d, 0.0);
      });
      const Round round = localized_hinge(engine, data, projection, w, band, radius, margin);
      rounds.push_back({{"round", k},
                        {"band", band},
                        {"ball", radius},
                        {"margin", margin},
                        {"band_rows", round.band_rows},
                        {"hinge", round.hinge}});
      if (round.band_rows < p_.min_band) {
        monitor.stop("band_too_small");
        result.details["stopped_at_round"] = k;
        break;
      }
      w = round.v;
      normalize(w);
      const double error = zero_one_error(engine, data, w, 0.0);
      if (!monitor.report(k, error)) break;
    }
    result.model = HalfspaceModel{std::move(w), 0.0, false};
    result.details["rounds"] = std::move(rounds);
    result.details["projection_rms"] = unit;
    return result;
  }

 private:
  struct Round {
    std::vector<double> v;  // the best iterate found
    double hinge = 0;       // its band hinge loss
    std::size_t band_rows = 0;
  };

  // Normalised projected subgradient on the band's hinge loss, from v = w (one pass per step).
  Round localized_hinge(const Engine& engine, const DataSource& data,
                        const std::vector<double>& projection, const std::vector<double>& w,
                        double band, double radius, double margin) const {
    const std::size_t d = data.cols();
    Round best{w, std::numeric_limits<double>::infinity(), 0};
    std::vector<double> v = w;
    for (std::size_t t = 0; t <= p_.steps; ++t) {
      // Layout: [band rows, Σ hinge, Σ subgradient (d)].
      const std::vector<double> s = engine.sum(data, d + 2, [&](const RowBlock& blk, double* acc) {
        const double* p = projection.data() + blk.first_row;
        for (std::size_t r = 0; r < blk.rows; ++r) {
          if (std::abs(p[r]) > band) continue;
          const float* x = blk.X + r * d;
          const double y = blk.y[r];
          const double m = y * affine_value(x, v.data(), d, 0.0) / margin;
          const double weight = blk.w ? blk.w[r] : 1.0;  // a sample weight counts as copies
          if (weight == 0) continue;
          acc[0] += weight;
          if (m < 1) {
            acc[1] += weight * (1 - m);
            for (std::size_t j = 0; j < d; ++j)
              acc[2 + j] -= weight * y * static_cast<double>(x[j]);
          }
        }
      });
      best.band_rows = static_cast<std::size_t>(s[0]);
      if (s[0] == 0) return best;
      const double hinge = s[1] / s[0];
      if (hinge < best.hinge) best.v = v, best.hinge = hinge;
      double g2 = 0;
      for (std::size_t j = 0; j < d; ++j) g2 += s[2 + j] * s[2 + j];
      if (t == p_.steps || g2 == 0) break;
      const double length = p_.step * radius / std::sqrt(static_cast<double>(t + 1));
      const double scale = length / std::sqrt(g2);
      for (std::size_t j = 0; j < d; ++j) v[j] -= scale * s[2 + j];
      project_to_balls(v, w, radius);
    }
    return best;
  }

  // Onto ‖v − center‖ ≤ radius, then onto ‖v‖ ≤ 1 (the result lies in both balls).
  static void project_to_balls(std::vector<double>& v, const std::vector<double>& center,
                               double radius) {
    double dist2 = 0;
    for (std::size_t j = 0; j < v.size(); ++j) dist2 += (v[j] - center[j]) * (v[j] - center[j]);
    if (dist2 > radius * radius) {
      const double f = radius / std::sqrt(dist2);
      for (std::size_t j = 0; j < v.size(); ++j) v[j] = center[j] + f * (v[j] - center[j]);
    }
    double norm2 = 0;
    for (double x : v) norm2 += x * x;
    if (norm2 > 1)
      for (double& x : v) x /= std::sqrt(norm2);
  }
};

}  // namespace

LearnerEntry hs_abl_entry() {
  return learner_entry<AblLearner, AblParams>(SampleWeights::taken);
}

}  // namespace relureg::detail
