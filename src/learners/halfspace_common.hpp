// Helpers shared by the halfspace learners (hs-average, hs-abl, hs-sigmoid) and gkk19.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "relureg/learner.hpp"
#include "relureg/params.hpp"
#include "relureg/sources.hpp"

namespace relureg::detail {

// Scales v to unit length and returns its former norm (v is left alone when the norm is 0).
double normalize(std::vector<double>& v);

// The check fit_learner runs before every halfspace fit: labels exactly ±1 (InputError naming
// `learner`).
// The learners find homogeneous halfspaces: they declare no bias field, so fit_learner refuses
// --bias for them.
void check_halfspace_input(const DataSource& data, const FitContext& context,
                           const std::string& learner);

// The check of the oracles that read the ground truth (hs-adversarial, and gkk19 over it):
// InputError "learner 'hs-adversarial' needs the instance's ground truth ..." when the context
// has none.
void require_ground_truth(const FitContext& context);

// The normalised averaging vector Ê[ℓx]/‖Ê[ℓx]‖ (one pass). InputError when it is 0.
std::vector<double> average_direction(const Engine& engine, const DataSource& data,
                                      const std::string& learner);

// sqrt(Ê[(u·x)²]): the scale of the projections on u, which makes band widths and margins
// independent of the features' units (1 for isotropic data and unit u). One pass.
double projection_rms(const Engine& engine, const DataSource& data, const std::vector<double>& u);

// The grid a learner searches when its parameter is not fixed: {fixed} when fixed > 0, else
// top, top/2, top/4, … (count values).
std::vector<double> halving_grid(double fixed, double top, std::size_t count);

// Rows kept for hold-out: round(fraction·n), at least 1 and at most n − 1 (0 when n < 2).
std::size_t holdout_rows(std::size_t n, double fraction);

// The last holdout_rows(n, fraction) rows held out and the rows before them for training (with
// fewer than 2 rows nothing is held out and `holdout` is all of the data).
struct HoldoutSplit {
  HoldoutSplit(const DataSource& data, double fraction);
  std::size_t held;
  SliceSource train, holdout;
};

// Fisher–Yates shuffle of 0..count−1 with a seeded 64-bit Mersenne Twister (same on every
// platform: no <random> distribution is used).
std::vector<std::size_t> shuffled_order(std::size_t count, std::mt19937_64& rng);

// The parameter `holdout` (fraction of rows held out for selection), declared once; the default
// is the learner's field initialiser.
template <class P>
Field<P> holdout_field(double P::*member, const std::string& what) {
  return {"holdout", member, "fraction of the rows (the last ones) held out to " + what, 0.01, 0.9};
}

}  // namespace relureg::detail
