// Shared checks, averaging direction, projection scale and hold-out split of the halfspace
// learners.
#include "halfspace_common.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "relureg/error.hpp"
#include "relureg/halfspace.hpp"
#include "relureg/kernels.hpp"

namespace relureg::detail {

double normalize(std::vector<double>& v) {
  double norm2 = 0;
  for (double x : v) norm2 += x * x;
  const double norm = std::sqrt(norm2);
  if (norm > 0)
    for (double& x : v) x /= norm;
  return norm;
}

void check_halfspace_input(const DataSource& data, const FitContext& context,
                           const std::string& learner) {
  require_sign_labels(*context.engine, data, learner);
}

void require_ground_truth(const FitContext& context) {
  if (context.truth == nullptr)
    throw InputError(
        "learner 'hs-adversarial' needs the instance's ground truth (it turns w* away): give "
        "`relureg fit --truth FILE.truth.json`, or run it in `relureg tradeoff` on a family");
}

std::vector<double> average_direction(const Engine& engine, const DataSource& data,
                                      const std::string& learner) {
  std::vector<double> w = label_weighted_mean(engine, data);
  if (!(normalize(w) > 0))
    throw InputError(learner + ": the labels are uncorrelated with the features (Ê[ℓx] = 0)");
  return w;
}

double projection_rms(const Engine& engine, const DataSource& data, const std::vector<double>& u) {
  const std::size_t d = data.cols();
  return std::sqrt(engine.mean_rows(data, 1, [&](const float* x, double, double* acc) {
    const double z = affine_value(x, u.data(), d, 0.0);
    acc[0] += z * z;
  })[0]);
}

HoldoutSplit::HoldoutSplit(const DataSource& data, double fraction)
    : held(holdout_rows(data.rows(), fraction)),
      train(data, 0, data.rows() - held),
      holdout(data, held > 0 ? data.rows() - held : 0, data.rows()) {}

std::vector<double> halving_grid(double fixed, double top, std::size_t count) {
  if (fixed > 0) return {fixed};
  std::vector<double> grid;
  for (std::size_t j = 0; j < count; ++j) grid.push_back(top * std::pow(0.5, double(j)));
  return grid;
}

std::size_t holdout_rows(std::size_t n, double fraction) {
  if (n < 2) return 0;
  const auto rows = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(n)));
  return std::clamp<std::size_t>(rows, 1, n - 1);
}

std::vector<std::size_t> shuffled_order(std::size_t count, std::mt19937_64& rng) {
  std::vector<std::size_t> order(count);
  for (std::size_t i = 0; i < count; ++i) order[i] = i;
  for (std::size_t i = count; i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
  return order;
}

}  // namespace relureg::detail
