// DataSource adapters without copying features: a contiguous range of rows, and other labels.
#pragma once

#include <cstddef>
#include <span>

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

 private:
  const DataSource& source_;
  std::span<const double> labels_;
};

}  // namespace relureg
