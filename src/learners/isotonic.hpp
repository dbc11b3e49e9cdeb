// Isotonic and Lipschitz-isotonic regression of labels on sorted projections (the link fits of
// isotron and l-isotron), and the Isotron loop they share.
#pragma once

#include <string>
#include <vector>

#include "relureg/learner.hpp"
#include "relureg/single_index.hpp"
#include "shared_params.hpp"

namespace relureg::detail {

// The meaning of `step` in isotron and l-isotron.
inline constexpr const char* isotron_step_doc = "step of the update w += step·Ê[(y − û(w·x)) x]";

// A fitted link on points sorted by their projection: the fitted value of each point (in the
// sorted order) and the link's knots and values (increasing knots, non-decreasing values).
struct LinkFit {
  std::vector<double> fitted;
  std::vector<double> knots, values;
};

// Pool-adjacent-violators on (z, y) sorted by z (ties in z pooled first): the least-squares
// non-decreasing fit. Knots at the blocks' mean projections, values the blocks' means.
LinkFit pool_adjacent_violators(const std::vector<double>& z, const std::vector<double>& y);

// The least-squares link that is non-decreasing and `lipschitz`-Lipschitz, on `bins` groups of
// consecutive points (equal counts): knots at the groups' mean projections, values solving
// min Σ c_k (u_k − ȳ_k)² subject to 0 ≤ u_{k+1} − u_k ≤ lipschitz·(z̄_{k+1} − z̄_k) by exact
// coordinate descent on (u_0, the increments), O(bins) per sweep. Each point's fitted value is
// the link at its z.
LinkFit lipschitz_isotonic(const std::vector<double>& z, const std::vector<double>& y,
                           std::size_t bins, double lipschitz);

// How a link is fitted in the Isotron loop.
struct IsotronSettings {
  std::string name;
  std::size_t max_passes = 200;
  double tol = 1e-7;
  double step = 1.0;
  std::size_t bins = 0;  // 0: isotonic regression (PAV); else Lipschitz-isotonic on `bins` groups
  double lipschitz = 1.0;
};

// Kalai–Sastry's loop: w = 0; repeat { fit the link û on (w·x_i, y_i); w += step·Ê[(y − û(w·x)) x]
// }. Returns a SimModel with unit w (knots rescaled) in result.model.
FitResult run_isotron(const DataSource& data, const FitContext& context,
                      const IsotronSettings& settings);

}  // namespace relureg::detail
