// Halfspace predictions, 0/1 error and the ±1 label check, each one engine pass.
#include "relureg/halfspace.hpp"

#include <fmt/format.h>

#include "relureg/affine.hpp"
#include "relureg/error.hpp"

namespace relureg {

double zero_one_error(const Engine& engine, const DataSource& data, std::span<const double> w,
                      double b) {
  const std::size_t d = data.cols();
  const double* wp = w.data();
  return engine.mean_rows(data, 1, [&](const float* x, double y, double* acc) {
    acc[0] += sign_label(affine_value(x, wp, d, b)) != y ? 1.0 : 0.0;
  })[0];
}

void require_sign_labels(const Engine& engine, const DataSource& data, const std::string& owner) {
  const double bad = engine.sum(data, 1, [](const RowBlock& blk, double* acc) {
    if (blk.y == nullptr) {
      acc[0] += static_cast<double>(blk.rows);
      return;
    }
    for (std::size_t r = 0; r < blk.rows; ++r)
      acc[0] += blk.y[r] == 1.0 || blk.y[r] == -1.0 ? 0 : 1;
  })[0];
  if (bad == 0) return;
  std::vector<double> labels(data.rows());
  engine.map(data, labels, [](const RowBlock& blk, double* out) {
    for (std::size_t r = 0; r < blk.rows; ++r) out[r] = blk.y ? blk.y[r] : 0.0;
  });
  std::size_t row = 0;
  while (row < labels.size() && (labels[row] == 1.0 || labels[row] == -1.0)) ++row;
  throw InputError(fmt::format(
      "{}: labels must be -1 or +1 for a halfspace, row {} has label {} ({} of {} rows are not "
      "±1)",
      owner, row + 1, labels[row], static_cast<std::size_t>(bad), data.rows()));
}

std::vector<double> label_weighted_mean(const Engine& engine, const DataSource& data) {
  const std::size_t d = data.cols();
  return engine.mean_rows(data, d, [d](const float* x, double y, double* acc) {
    for (std::size_t j = 0; j < d; ++j) acc[j] += y * static_cast<double>(x[j]);
  });
}

}  // namespace relureg
