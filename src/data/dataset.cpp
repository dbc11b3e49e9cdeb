// DatasetView: zero-copy row blocks and slices over a feature matrix and its labels.
#include <stdexcept>
#include <string>

#include "relureg/dataset.hpp"

namespace relureg {

RowBlock DatasetView::block(std::size_t begin, std::size_t count) const {
  if (begin > n_ || count > n_ - begin) {
    throw std::out_of_range("DatasetView::block: rows [" + std::to_string(begin) + ", " +
                            std::to_string(begin) + " + " + std::to_string(count) +
                            ") out of range for " + std::to_string(n_) + " rows");
  }
  RowBlock out;
  out.X = X_ + begin * d_;
  out.y = y_ != nullptr ? y_ + begin : nullptr;
  out.rows = count;
  out.d = d_;
  out.first_row = begin;
  return out;
}

DatasetView DatasetView::slice(std::size_t begin, std::size_t end) const {
  if (begin > end || end > n_) {
    throw std::out_of_range("DatasetView::slice: rows [" + std::to_string(begin) + ", " +
                            std::to_string(end) + ") out of range for " + std::to_string(n_) +
                            " rows");
  }
  return {X_ + begin * d_, y_ != nullptr ? y_ + begin : nullptr, end - begin, d_};
}

}  // namespace relureg
