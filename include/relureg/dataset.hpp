// Dataset: n samples of d float32 features (row-major, contiguous) and double labels; cheap views.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace relureg {

// A contiguous block of rows handed to an engine kernel. Rows are `d` floats apart.
struct RowBlock {
  const float* X = nullptr;   // rows × d features, row-major
  const double* y = nullptr;  // rows labels (may be null for unlabelled data)
  std::size_t rows = 0;
  std::size_t d = 0;
  std::size_t first_row =
      0;  // index of the block's first row in its source (a slice counts from 0)
  // Per-row sample weights (>= 0), or null when every row weighs 1. A kernel adds each row's
  // contribution times its weight and skips rows of weight 0, so that a weight of 2 acts as the
  // row duplicated and a weight of 0 as the row removed; Engine::mean divides by the weights' sum.
  const double* w = nullptr;
  // The same rows feature-major in groups of eight, or null: feature l of row r at
  // columns[8·(d·⌊r/8⌋ + l) + r mod 8], a short last group padded with zeros. A ColumnCopySource
  // (relureg/column_copy.hpp) sets it; the kernels on columns then read it instead of
  // transposing the rows, with the same results bit for bit.
  const float* columns = nullptr;
};

// Where the engine gets rows from. The in-memory view is the only one today; an out-of-core
// reader or an MPI shard implements the same three calls.
class DataSource {
 public:
  virtual ~DataSource() = default;
  virtual std::size_t rows() const = 0;
  virtual std::size_t cols() const = 0;
  // Rows [begin, begin + count) as one block. Called concurrently from several threads.
  virtual RowBlock block(std::size_t begin, std::size_t count) const = 0;
  // The rows this process can serve, [first, last): all of them, except for a source split
  // across MPI ranks (each rank holds a block-aligned range; see docs/distributed.md).
  virtual std::pair<std::size_t, std::size_t> local_rows() const { return {0, rows()}; }
  // Whether blocks carry sample weights (RowBlock::w); adapters forward their source's answer.
  virtual bool weighted() const { return false; }
};

// Non-owning view of rows [0, n) of a feature matrix and its labels.
class DatasetView final : public DataSource {
 public:
  DatasetView() = default;
  DatasetView(const float* X, const double* y, std::size_t n, std::size_t d,
              const double* weights = nullptr)
      : X_(X), y_(y), weights_(weights), n_(n), d_(d) {}

  std::size_t rows() const override { return n_; }
  std::size_t cols() const override { return d_; }
  RowBlock block(std::size_t begin, std::size_t count) const override;

  // Rows [begin, end) without copying. Throws std::out_of_range when the range is invalid.
  DatasetView slice(std::size_t begin, std::size_t end) const;
  const float* row(std::size_t i) const { return X_ + i * d_; }
  const float* features() const { return X_; }
  const double* labels() const { return y_; }
  bool has_labels() const { return y_ != nullptr; }
  const double* weights() const { return weights_; }
  bool weighted() const override { return weights_ != nullptr; }

 private:
  const float* X_ = nullptr;
  const double* y_ = nullptr;
  const double* weights_ = nullptr;  // null: unweighted
  std::size_t n_ = 0;
  std::size_t d_ = 0;
};

// Resizes `X` to `count` zero floats. A large buffer is first reserved and marked for
// transparent huge pages (madvise, Linux): with 4 KiB pages, touching 4 GB of features costs a
// million page faults (seconds in a VM) and the passes over it miss the TLB on every page.
void resize_features(std::vector<float>& X, std::size_t count);

// Owning dataset. Features float32 row-major; labels double (empty when unlabelled).
struct Dataset {
  std::size_t n = 0;
  std::size_t d = 0;
  std::vector<float> X;
  std::vector<double> y;
  std::vector<std::string> feature_names;  // optional, from a CSV header

  Dataset() = default;
  // Zero features (in transparent huge pages when large, see resize_features) and labels.
  Dataset(std::size_t n_rows, std::size_t n_cols, bool labelled = true);

  DatasetView view() const { return {X.data(), y.empty() ? nullptr : y.data(), n, d}; }
  float* row(std::size_t i) { return X.data() + i * d; }
};

}  // namespace relureg
