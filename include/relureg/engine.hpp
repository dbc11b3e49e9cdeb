// Engine: the only place that loops over samples. Deterministic parallel sums over fixed blocks.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "relureg/dataset.hpp"
#include "relureg/parallel.hpp"

namespace relureg {

// Combines a finished local sum across processes. The serial one does nothing; an MPI backend
// (sum across ranks in rank order) replaces it without touching any learner.
class Collective {
 public:
  virtual ~Collective() = default;
  virtual void allreduce_sum(std::span<double> values) const = 0;
};

// A kernel adds its contribution for the rows of `block` into `acc` (width doubles, zeroed).
using BlockKernel = std::function<void(const RowBlock& block, double* acc)>;
// A map kernel writes one value per row of `block` into `out` (block.rows doubles).
using MapKernel = std::function<void(const RowBlock& block, double* out)>;

// Adds a controlled error to every mean a learner asks for (statistical-query oracle mode).
// Receives the exact means (sum / n) and may change them in place.
class QueryOracle {
 public:
  virtual ~QueryOracle() = default;
  virtual void answer(std::span<double> means) const = 0;
  // What Engine::mean calls: the same with the query itself (its source and kernel), for oracles
  // that answer from another distribution (the null-distribution adversary). Defaults to answer.
  virtual void answer_query(const DataSource& source, std::size_t width, const BlockKernel& kernel,
                            std::span<double> means) const {
    (void)source, (void)width, (void)kernel;
    answer(means);
  }
};

struct EngineOptions {
  int threads = 0;                      // 0 = all available cores
  std::size_t block_rows = kBlockRows;  // fixed: part of the determinism contract
};

// Sums are bit-identical for any thread count: the rows are cut into blocks of `block_rows`,
// each block is summed by one thread in row order, and block sums are added in block order.
class Engine {
 public:
  explicit Engine(EngineOptions options = {});

  // sum over all rows of the kernel's contributions; one pass over the data.
  std::vector<double> sum(const DataSource& source, std::size_t width,
                          const BlockKernel& kernel) const;
  // The same divided by the number of rows (and passed through the query oracle, if any).
  std::vector<double> mean(const DataSource& source, std::size_t width,
                           const BlockKernel& kernel) const;

  // Convenience: a per-row function fn(const float* x, double y, double* acc), inlined per block.
  template <class RowFn>
  std::vector<double> sum_rows(const DataSource& source, std::size_t width, RowFn&& fn) const {
    return sum(source, width, [&fn](const RowBlock& b, double* acc) {
      for (std::size_t r = 0; r < b.rows; ++r) fn(b.X + r * b.d, b.y ? b.y[r] : 0.0, acc);
    });
  }
  template <class RowFn>
  std::vector<double> mean_rows(const DataSource& source, std::size_t width, RowFn&& fn) const {
    return mean(source, width, [&fn](const RowBlock& b, double* acc) {
      for (std::size_t r = 0; r < b.rows; ++r) fn(b.X + r * b.d, b.y ? b.y[r] : 0.0, acc);
    });
  }

  // One value per row (predictions); `out` has source.rows() entries. One pass.
  void map(const DataSource& source, std::span<double> out, const MapKernel& kernel) const;

  int threads() const { return threads_; }
  std::size_t block_rows() const { return options_.block_rows; }
  // Passes over the data made so far by this engine (sum, mean and map each count one).
  std::size_t passes() const { return passes_.load(); }

  void set_collective(std::shared_ptr<const Collective> collective);
  void set_query_oracle(std::shared_ptr<const QueryOracle> oracle);
  const QueryOracle* query_oracle() const { return oracle_.get(); }

 private:
  EngineOptions options_;
  int threads_ = 1;
  std::shared_ptr<const Collective> collective_;
  std::shared_ptr<const QueryOracle> oracle_;
  mutable std::atomic<std::size_t> passes_{0};
};

}  // namespace relureg
