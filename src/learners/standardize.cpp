// Standardised fits: column statistics through the engine, the preconditioned descent step, and
// a standardised copy for the learners that cannot precondition.
#include "relureg/standardize.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "relureg/dataset.hpp"

namespace relureg {

FeatureScaling feature_scaling(const Engine& engine, const DataSource& data, bool center) {
  const std::size_t d = data.cols();
  FeatureScaling scaling{std::vector<double>(d, 0.0), std::vector<double>(d, 1.0)};
  if (data.rows() == 0) return scaling;
  double n = static_cast<double>(data.rows());  // the total weight, when weighted
  if (center) {
    const std::vector<double> sums = engine.sum_rows(
        data, d,
        [d](const float* x, double, double* acc) {
          for (std::size_t j = 0; j < d; ++j) acc[j] += x[j];
        },
        data.weighted() ? &n : nullptr);
    for (std::size_t j = 0; j < d; ++j) scaling.mean[j] = sums[j] / n;
  }
  const std::vector<double>& mean = scaling.mean;
  const std::vector<double> squares = engine.sum_rows(
      data, d,
      [d, &mean](const float* x, double, double* acc) {
        for (std::size_t j = 0; j < d; ++j) {
          const double deviation = x[j] - mean[j];
          acc[j] += deviation * deviation;
        }
      },
      data.weighted() && !center ? &n : nullptr);
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

FitResult fit_learner_standardized(const LearnerEntry& entry, const ParamValues& params,
                                   const DataSource& data, const FitContext& context) {
  static const std::set<std::string> invariant = {"gd", "glmtron", "moment"};
  if (!context.standardize || entry.task != Task::relu || invariant.contains(entry.name))
    return fit_learner(entry, params, data, context);
  const bool bias = params.fit_bias();
  const FeatureScaling scaling = feature_scaling(*context.engine, data, bias);
  const std::size_t n = data.rows(), d = data.cols(), chunk = context.engine->block_rows();
  Dataset standardized(n, d, true);
  std::vector<double> weights(data.weighted() ? n : 0);
  for (std::size_t begin = 0; begin < n; begin += chunk) {
    const RowBlock block = data.block(begin, std::min(chunk, n - begin));
    if (block.w != nullptr) std::copy(block.w, block.w + block.rows, weights.begin() + begin);
    for (std::size_t r = 0; r < block.rows; ++r) {
      const float* x = block.X + r * d;
      float* out = standardized.row(begin + r);
      for (std::size_t j = 0; j < d; ++j)
        out[j] = static_cast<float>((x[j] - scaling.mean[j]) / scaling.scale[j]);
      standardized.y[begin + r] = block.y ? block.y[r] : 0.0;
    }
  }
  FitContext inner = context;
  inner.standardize = false;
  const DatasetView view = standardized.view();
  const DatasetView weighted(view.features(), view.labels(), n, d,
                             weights.empty() ? nullptr : weights.data());
  FitResult result = fit_learner(entry, params, weighted, inner);
  // Back to the caller's units: w_j = v_j / scale_j, b = c − Σ_j w_j·mean_j.
  ReluModel& model = result.relu();
  for (std::size_t j = 0; j < d; ++j) {
    model.w[j] /= scaling.scale[j];
    if (bias) model.b -= model.w[j] * scaling.mean[j];
  }
  result.passes += bias ? 3 : 2;  // the column statistics and the copy
  result.details["standardized"] = "copy";
  return result;
}

}  // namespace relureg
