// The reduction from k-sparse parity with noise to ReLU regression (GKK19 "Algorithm 1").
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "relureg/dataset.hpp"
#include "relureg/learner.hpp"
#include "relureg/query_oracle.hpp"

namespace relureg {

struct RecoveryOptions {
  std::string learner;
  std::vector<std::string> params;  // learner parameters, "name=value"
  std::size_t budget_passes = 0;    // passes per fit (0 = the learner's own limits)
  double holdout = 0.25;            // fraction of the rows (the last ones) kept to estimate losses
  // The parity's size (from the truth or the user). Unset: the learner's own subset-size
  // parameter `k` when given (exhaustive-subsets), otherwise recover_parity is an InputError.
  // Set, a learner with a parameter `k` searches subsets of this size.
  std::optional<std::size_t> k;
  std::optional<double> eta;  // its noise rate, when known (unset: the midpoint threshold)
  double sq_tolerance = 0;    // > 0: the learner runs under a statistical-query oracle
  std::string sq_oracle = kDefaultQueryOracle;
  std::uint64_t seed = 0;
  int threads = 0;
};

struct CoordinateLoss {
  std::size_t index = 0;
  double loss = 0;     // held-out loss of the learner's fit on D_i, coordinate i re-randomised
  double stderr_ = 0;  // its standard error
  bool in_set = false;
  std::size_t passes = 0;
  double seconds = 0;
  std::string stop_reason;
};

struct RecoveryResult {
  std::size_t k = 0;                   // the parity's size the search used
  std::vector<std::size_t> recovered;  // coordinates judged to be in S
  bool found = false;                  // recovered set verified on the held-out rows
  std::string message;                 // "found S = {...}" or "not found: ..."
  double threshold = 0;
  std::string threshold_rule;  // "b0 - gap/2" (eta known) or "midpoint" (b0 and L_full)
  double b0 = 0;               // held-out estimate of the no-information loss
  double gap = 0;              // Δ_k when k and eta are known, else NaN
  double full_loss = 0;        // held-out loss of the learner's fit on the unmodified data
  double margin = 0;           // min_i |loss_i − threshold|
  double separation = 0;       // min loss in S − max loss outside S (NaN if either is empty)
  double correlation = 0;      // held-out E[(2y − 1) χ_recovered(sign x)]
  double correlation_stderr = 0;
  std::vector<CoordinateLoss> coordinates;
  nlohmann::json readout;  // the set read off the weights of the full fit, and whether it verifies
  std::size_t train_rows = 0, holdout_rows = 0;
  double seconds = 0;
  nlohmann::json to_json() const;
};

// Called before fit number `fit` (0 = the full data, i + 1 = coordinate i) of `fits`; returns
// the progress callback for that fit (may be empty). The CLI draws one bar per fit with it.
using RecoveryProgress = std::function<ProgressCallback(std::size_t fit, std::size_t fits)>;

// Search-to-decision (papers.md §1.4 step 7, [I]): for every coordinate i, re-randomise x_i's
// sign (b_i → a fresh bit, i.e. x_i → ±x_i at random), fit the learner on the training rows and
// estimate the fit's loss on the held-out rows (also re-randomised). If i ∈ S the labels become
// independent of x and every ReLU loses at least b0; if i ∉ S the instance is unchanged and a
// good learner reaches about opt = b0 − Δ_k. Coordinates with loss above the threshold form
// the recovered set, which is then checked on the held-out rows (its parity must correlate with
// the labels). Also reads S off the largest weights of one fit on the unmodified data.
RecoveryResult recover_parity(const Dataset& data, const RecoveryOptions& options,
                              const RecoveryProgress& progress = {});

}  // namespace relureg
