// Statistical-query oracles: the engine answers every mean a learner asks for within ±τ.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "relureg/engine.hpp"

namespace relureg {

// Kearns' statistical-query model: the learner sees E[φ] only up to a tolerance τ for every
// query φ it asks. In relureg every Engine::mean is one query (a vector of means, each answered
// within τ), so gd, glmtron, moment and exhaustive-subsets run unchanged as SQ algorithms.
// GKK19's Corollary 1 (papers.md §1.4 step 8) says such algorithms cannot reach opt + ε on the
// sparse-parity family in polynomial time unless τ is 2^{−Ω(k)}.
class StatisticalQueryOracle : public QueryOracle {
 public:
  explicit StatisticalQueryOracle(double tolerance);
  double tolerance() const { return tolerance_; }
  std::size_t queries() const { return queries_.load(); }  // Engine::mean calls answered so far
  // Scalar means answered so far: a query of width w (w means, each within τ) counts w, so this
  // is the number of statistical queries in Kearns' sense.
  std::size_t values() const { return values_.load(); }
  virtual std::string kind() const = 0;

 protected:
  // Counts a query of `width` means; returns its index (0 for the first).
  std::size_t next_query(std::size_t width) const {
    values_ += width;
    return queries_++;
  }

 private:
  double tolerance_;
  mutable std::atomic<std::size_t> queries_{0};
  mutable std::atomic<std::size_t> values_{0};
};

// Each mean plus τ·U(−1, 1): an independent, seeded stream per query (query q uses stream q of
// `seed`), so a fit under this oracle is reproducible and independent of the thread count.
class RandomQueryOracle final : public StatisticalQueryOracle {
 public:
  RandomQueryOracle(double tolerance, std::uint64_t seed);
  void answer(std::span<double> means) const override;
  std::string kind() const override { return "random"; }

 private:
  std::uint64_t seed_;
};

// The adversary of the SQ lower bounds: it answers as if the labels were independent of x (the
// "null" distribution, where no hidden set exists), as far as the tolerance allows. For each
// query it evaluates the same kernel on the same rows with their labels permuted (a seeded
// permutation that depends only on the number of rows, so a query on all the data permutes them
// the same way every time, and a query on a slice or on relabelled rows, like gkk19's hold-out
// split and thresholded labels, permutes its own labels) and moves every mean towards that value
// by at most τ. When every query of a learner is within τ of its null value, the learner's
// output does not depend on how y depends on x. `labels` are the data's (only checked to exist).
class NullAnswerOracle final : public StatisticalQueryOracle {
 public:
  NullAnswerOracle(double tolerance, std::span<const double> labels, std::uint64_t seed,
                   int threads);
  void answer(std::span<double> means) const override;  // throws: needs the query
  void answer_query(const DataSource& source, std::size_t width, const BlockKernel& kernel,
                    std::span<double> means) const override;
  std::string kind() const override { return "adversarial"; }

 private:
  // The seeded order of `rows` rows, made once per row count.
  const std::vector<std::uint32_t>& permutation(std::size_t rows) const;

  std::uint64_t seed_;
  std::unique_ptr<Engine> null_engine_;  // a plain engine (no oracle) for the null sums
  mutable std::mutex mutex_;
  mutable std::map<std::size_t, std::vector<std::uint32_t>> permutations_;
};

// "adversarial" (NullAnswerOracle) or "random"; InputError for another kind or a tolerance
// that is negative or not finite.
inline constexpr const char* kDefaultQueryOracle = "adversarial";  // the default `kind` below
std::shared_ptr<StatisticalQueryOracle> make_query_oracle(const std::string& kind, double tolerance,
                                                          std::span<const double> labels,
                                                          std::uint64_t seed, int threads);

}  // namespace relureg
