// DataSource adapters without copying features: a contiguous range of rows, and other labels.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "relureg/dataset.hpp"

namespace relureg {

// Rows [begin, end) of another source (hold-out splits, minibatches). Block row indices count
// from the slice's first row, as for DatasetView::slice. The wrapped source must outlive it.
class SliceSource final : public DataSource {
 public:
  // Throws std::out_of_range when the range is not inside `source`.
  SliceSource(const DataSource& source, std::size_t begin, std::size_t end);

  std::size_t rows() const override { return end_ - begin_; }
  std::size_t cols() const override { return source_.cols(); }
  RowBlock block(std::size_t begin, std::size_t count) const override;
  std::pair<std::size_t, std::size_t> local_rows() const override;
  bool weighted() const override { return source_.weighted(); }

 private:
  const DataSource& source_;
  std::size_t begin_, end_;
};

// The rows of another source with the labels replaced by `labels` (one per row), e.g. the
// thresholded ±1 labels of the GKK19 reduction. Both must outlive it.
class RelabelledSource final : public DataSource {
 public:
  // Throws std::invalid_argument when `labels` does not have one entry per row.
  RelabelledSource(const DataSource& source, std::span<const double> labels);

  std::size_t rows() const override { return source_.rows(); }
  std::size_t cols() const override { return source_.cols(); }
  RowBlock block(std::size_t begin, std::size_t count) const override;
  std::pair<std::size_t, std::size_t> local_rows() const override { return source_.local_rows(); }
  bool weighted() const override { return source_.weighted(); }

 private:
  const DataSource& source_;
  std::span<const double> labels_;
};

// The rows of another source with sample weights, one per row (of the whole source, also under
// MPI). A learner that takes weights reads each row as `weight` copies of it (LearnerEntry::
// takes_weights). Both must outlive it.
class WeightedSource final : public DataSource {
 public:
  // Throws InputError naming the first bad weight: not one per row, negative, NaN or infinite,
  // or all zero ("sample weights: ..."). `what` names where the weights came from.
  WeightedSource(const DataSource& source, std::span<const double> weights,
                 const std::string& what = "sample weights");

  std::size_t rows() const override { return source_.rows(); }
  std::size_t cols() const override { return source_.cols(); }
  RowBlock block(std::size_t begin, std::size_t count) const override;
  std::pair<std::size_t, std::size_t> local_rows() const override { return source_.local_rows(); }
  bool weighted() const override { return true; }

 private:
  const DataSource& source_;
  std::span<const double> weights_;
};

// Checks sample weights as WeightedSource does (the same one-line InputError).
void check_sample_weights(std::span<const double> weights, std::size_t rows,
                          const std::string& what = "sample weights");

}  // namespace relureg
