// DatasetView: zero-copy row blocks and slices over a feature matrix and its labels.
#include <sys/mman.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "relureg/dataset.hpp"

namespace relureg {

void resize_features(std::vector<float>& X, std::size_t count) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::size_t kHugePage = std::size_t{2} << 20;
  if (X.empty() && count * sizeof(float) >= 4 * kHugePage) {
    X.reserve(count);  // allocated, not yet touched
    const auto first = reinterpret_cast<std::uintptr_t>(X.data());
    const std::uintptr_t begin = (first + kHugePage - 1) / kHugePage * kHugePage;
    const std::uintptr_t end = (first + count * sizeof(float)) / kHugePage * kHugePage;
    if (end > begin)  // a hint: without THP the pages stay small, nothing else changes
      madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
  }
#endif
  X.resize(count);
}

Dataset::Dataset(std::size_t n_rows, std::size_t n_cols, bool labelled)
    : n(n_rows), d(n_cols), y(labelled ? n_rows : 0) {
  resize_features(X, n_rows * n_cols);
}

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
  out.w = weights_ != nullptr ? weights_ + begin : nullptr;
  return out;
}

DatasetView DatasetView::slice(std::size_t begin, std::size_t end) const {
  if (begin > end || end > n_) {
    throw std::out_of_range("DatasetView::slice: rows [" + std::to_string(begin) + ", " +
                            std::to_string(end) + ") out of range for " + std::to_string(n_) +
                            " rows");
  }
  return {X_ + begin * d_, y_ != nullptr ? y_ + begin : nullptr, end - begin, d_,
          weights_ != nullptr ? weights_ + begin : nullptr};
}

}  // namespace relureg
