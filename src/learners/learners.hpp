// Table entries of the built-in learners (one file each); read by learner_table() only.
#pragma once

#include <fmt/format.h>

#include <string>

#include "relureg/learner.hpp"

namespace relureg::detail {

// x_entry() for every line RELUREG_LEARNER(x, ...) of the table.
#define RELUREG_LEARNER(id, ...) LearnerEntry id##_entry();
#include "learner_table.def"
#undef RELUREG_LEARNER

// The first and second moments of the data, from one pass: Ê[x xᵀ], Ê[y x], Ê[x], Ê[y].
struct DataMoments {
  std::vector<double> second;  // d×d, symmetric
  std::vector<double> xy, mean_x;
  double mean_y = 0;
};
DataMoments data_moments(const Engine& engine, const DataSource& data);

// The moments and, in the same pass, the statistics of moment's one-pass scale refit: each block
// solves its own centred Chow direction u_b and adds Σ x xᵀ and Σ y x over its rows with
// u_b·x > 0 (weighted like the moments); also Ê[y²]. All divided by the total weight.
struct RefitMoments {
  DataMoments moments;
  std::vector<double> active_second;  // d×d, symmetric
  std::vector<double> active_xy;
  double mean_yy = 0;
};
RefitMoments moments_with_refit(const Engine& engine, const DataSource& data);

// The Chow estimate 2 Σ̂⁻¹ Ê[y x], or with `center` 2 Cov̂(x)⁻¹ Cov̂(x, y); one pass.
std::vector<double> chow_estimate(const Engine& engine, const DataSource& data, bool center,
                                  double ridge);
std::vector<double> chow_estimate(const DataMoments& moments, bool center, double ridge);

// The largest eigenvalue of Ê[x xᵀ], or with `with_bias` of Ê[x̃ x̃ᵀ] for x̃ = (x, 1): the
// smoothness of the convex surrogate (and half that of the square loss) in those coordinates.
double second_moment_top_eigenvalue(const DataMoments& moments, bool with_bias);

// The one-line refusal of a minibatch run under a statistical-query oracle. A minibatch gradient
// is a mean over a few rows, not an expectation answered within τ; SGD with small batches can
// learn what no SQ algorithm can (Abbe & Sandon, NeurIPS 2020), so it is not an SQ algorithm.
inline std::string minibatch_under_oracle_message(const std::string& learner, std::size_t batch) {
  return fmt::format(
      "{}: batch = {} cannot run under a statistical-query oracle (a minibatch gradient is not a "
      "query on the distribution); use batch=0 (full batch)",
      learner, batch);
}

}  // namespace relureg::detail
