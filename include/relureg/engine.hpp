// Engine: the only place that loops over samples. Deterministic parallel sums over fixed blocks.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "relureg/dataset.hpp"
#include "relureg/parallel.hpp"

namespace relureg {

// Combines the engine's per-process work across processes. The serial one (the default) adds
// block sums in order and rethrows errors; the MPI one (relureg/distributed.hpp) makes the same
// additions in the same order across ranks, so that no learner changes and no result depends on
// the number of processes (docs/distributed.md).
class Collective {
 public:
  virtual ~Collective() = default;
  // Adds `values` element-wise across processes (no fixed order: not used by the engine's sums).
  virtual void allreduce_sum(std::span<double> values) const = 0;
  virtual int rank() const { return 0; }
  virtual int size() const { return 1; }
  // `block_sums` holds the sums (`width` doubles each) of this process's consecutive blocks
  // from global block `first_block` on. Sets `total` (zeroed), on every process, to
  // 0 + b0 + b1 + ... over every process's blocks in global block order. A `local_error` is
  // raised on every process (RankError).
  virtual void ordered_sum(std::span<const double> block_sums, std::size_t width,
                           std::size_t first_block, std::span<double> total,
                           std::exception_ptr local_error) const;
  // `out` has one value per row and this process filled rows [first, last); afterwards every
  // process holds every row. A `local_error` is raised on every process.
  virtual void share_rows(std::span<double> out, std::size_t first, std::size_t last,
                          std::exception_ptr local_error) const;
  // Raises `local_error`, or another process's error, on every process; returns if none failed.
  virtual void agree(std::exception_ptr local_error) const;
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

  // sum over all rows of the kernel's contributions; one pass over the data. The kernel weighs
  // the rows of a weighted source (RowBlock::w). With `total_weight`, the same pass also sets it
  // to the sum of the rows' weights (the number of rows when unweighted), in block order.
  std::vector<double> sum(const DataSource& source, std::size_t width, const BlockKernel& kernel,
                          double* total_weight = nullptr) const;
  // The same divided by the total weight (the number of rows when unweighted), and passed
  // through the query oracle, if any.
  std::vector<double> mean(const DataSource& source, std::size_t width,
                           const BlockKernel& kernel) const;

  // Convenience: a per-row function fn(const float* x, double y, double* acc), inlined per block.
  // A weighted row's contribution is computed apart and added times its weight.
  template <class RowFn>
  std::vector<double> sum_rows(const DataSource& source, std::size_t width, RowFn&& fn,
                               double* total_weight = nullptr) const {
    return sum(source, width, row_kernel(width, fn), total_weight);
  }
  template <class RowFn>
  std::vector<double> mean_rows(const DataSource& source, std::size_t width, RowFn&& fn) const {
    return mean(source, width, row_kernel(width, fn));
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
  std::vector<double> sum_blocks(const DataSource& source, std::size_t width,
                                 const BlockKernel& kernel) const;
  template <class RowFn>
  static BlockKernel row_kernel(std::size_t width, RowFn& fn) {
    return [&fn, width](const RowBlock& b, double* acc) {
      if (b.w == nullptr) {
        for (std::size_t r = 0; r < b.rows; ++r) fn(b.X + r * b.d, b.y ? b.y[r] : 0.0, acc);
        return;
      }
      std::vector<double> row(width);
      for (std::size_t r = 0; r < b.rows; ++r) {
        if (b.w[r] == 0) continue;
        std::fill(row.begin(), row.end(), 0.0);
        fn(b.X + r * b.d, b.y ? b.y[r] : 0.0, row.data());
        for (std::size_t k = 0; k < width; ++k) acc[k] += b.w[r] * row[k];
      }
    };
  }

  EngineOptions options_;
  int threads_ = 1;
  std::shared_ptr<const Collective> collective_;
  std::shared_ptr<const QueryOracle> oracle_;
  mutable std::atomic<std::size_t> passes_{0};
};

}  // namespace relureg
