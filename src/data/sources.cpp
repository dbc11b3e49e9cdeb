// SliceSource and RelabelledSource: views of another DataSource's rows, without copying.
#include "relureg/sources.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "relureg/error.hpp"

namespace relureg {

SliceSource::SliceSource(const DataSource& source, std::size_t begin, std::size_t end)
    : source_(source), begin_(begin), end_(end) {
  if (begin > end || end > source.rows())
    throw std::out_of_range("SliceSource: rows [" + std::to_string(begin) + ", " +
                            std::to_string(end) + ") out of range for " +
                            std::to_string(source.rows()) + " rows");
}

RowBlock SliceSource::block(std::size_t begin, std::size_t count) const {
  if (begin > rows() || count > rows() - begin)
    throw std::out_of_range("SliceSource::block: rows [" + std::to_string(begin) + ", +" +
                            std::to_string(count) + ") out of range for " + std::to_string(rows()) +
                            " rows");
  RowBlock out = source_.block(begin_ + begin, count);
  out.first_row = begin;
  return out;
}

std::pair<std::size_t, std::size_t> SliceSource::local_rows() const {
  const auto [first, last] = source_.local_rows();
  const std::size_t lo = std::clamp(first, begin_, end_), hi = std::clamp(last, begin_, end_);
  return {lo - begin_, std::max(lo, hi) - begin_};
}

RelabelledSource::RelabelledSource(const DataSource& source, std::span<const double> labels)
    : source_(source), labels_(labels) {
  if (labels.size() != source.rows())
    throw std::invalid_argument("RelabelledSource: " + std::to_string(labels.size()) +
                                " labels for " + std::to_string(source.rows()) + " rows");
}

RowBlock RelabelledSource::block(std::size_t begin, std::size_t count) const {
  RowBlock out = source_.block(begin, count);
  out.y = labels_.data() + begin;
  return out;
}

void check_sample_weights(std::span<const double> weights, std::size_t rows,
                          const std::string& what) {
  if (weights.size() != rows)
    throw InputError(fmt::format("{}: {} weights for {} rows (give one weight per row)", what,
                                 weights.size(), rows));
  bool positive = false;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double v = weights[i];
    if (!std::isfinite(v))
      throw InputError(
          fmt::format("{}: the weight of row {} is {} (weights must be finite and >= 0)", what,
                      i + 1, std::isnan(v) ? "NaN" : "infinite"));
    if (v < 0)
      throw InputError(fmt::format(
          "{}: the weight of row {} is negative ({}; weights must be >= 0)", what, i + 1, v));
    positive = positive || v > 0;
  }
  if (!positive && rows > 0)
    throw InputError(fmt::format("{}: every weight is 0 (at least one row must count)", what));
}

WeightedSource::WeightedSource(const DataSource& source, std::span<const double> weights,
                               const std::string& what)
    : source_(source), weights_(weights) {
  check_sample_weights(weights, source.rows(), what);
}

RowBlock WeightedSource::block(std::size_t begin, std::size_t count) const {
  RowBlock out = source_.block(begin, count);
  out.w = weights_.data() + begin;
  return out;
}

}  // namespace relureg
