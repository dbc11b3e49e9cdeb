// Standardised fits: column statistics through the engine and the preconditioned descent step.
#include "relureg/standardize.hpp"

#include <algorithm>
#include <cmath>

namespace relureg {

FeatureScaling feature_scaling(const Engine& engine, const DataSource& data, bool center) {
  const std::size_t d = data.cols();
  FeatureScaling scaling{std::vector<double>(d, 0.0), std::vector<double>(d, 1.0)};
  if (data.rows() == 0) return scaling;
  const double n = static_cast<double>(data.rows());
  if (center) {
    const std::vector<double> sums =
        engine.sum_rows(data, d, [d](const float* x, double, double* acc) {
          for (std::size_t j = 0; j < d; ++j) acc[j] += x[j];
        });
    for (std::size_t j = 0; j < d; ++j) scaling.mean[j] = sums[j] / n;
  }
  const std::vector<double>& mean = scaling.mean;
  const std::vector<double> squares =
      engine.sum_rows(data, d, [d, &mean](const float* x, double, double* acc) {
        for (std::size_t j = 0; j < d; ++j) {
          const double deviation = x[j] - mean[j];
          acc[j] += deviation * deviation;
        }
      });
  for (std::size_t j = 0; j < d; ++j) {
    const double scale = std::sqrt(squares[j] / n);
    scaling.scale[j] = std::isfinite(scale) && scale > 0 ? scale : 1.0;
  }
  return scaling;
}

void standardized_step(const FeatureScaling& scaling, const std::vector<double>& w, double b,
                       const std::vector<double>& gradient, double step, bool bias,
                       std::vector<double>& w_new, double& b_new) {
  const std::size_t d = w.size();
  const double g_b = bias ? gradient[d] : 0.0;
  b_new = b;
  if (bias) b_new -= step * g_b;
  for (std::size_t j = 0; j < d; ++j) {
    const double s = scaling.scale[j];
    w_new[j] = w[j] - step * (gradient[j] - g_b * scaling.mean[j]) / (s * s);
    if (bias) b_new -= (w_new[j] - w[j]) * scaling.mean[j];
  }
}

}  // namespace relureg
