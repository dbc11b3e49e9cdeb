// Fused one-pass statistics of a ReLU max(0, w·x + b) on labelled data, built on the Engine.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "relureg/affine.hpp"
#include "relureg/engine.hpp"

namespace relureg {

// Everything an iteration of gd or glmtron needs, from one read of each row. Means over rows.
struct ReluStats {
  double loss = 0;       // mean (ReLU(z) - y)^2, z = w·x + b
  double surrogate = 0;  // mean ½ReLU(z)^2 - y z (the GLMtron / DGKKS20 matching loss); NaN in
                         // a pass with ReluGradients::square, which leaves it out
  double active = 0;     // fraction of rows with z > 0
  std::vector<double> grad_square;  // ∇ of the mean square loss: 2 mean (ReLU(z)-y) ReLU'(z) x̃
  std::vector<double> grad_surrogate;  // ∇ of the surrogate: mean (ReLU(z) - y) x̃
  // x̃ = (x, 1) when `with_bias`, so both gradients have d + 1 entries then (last: ∂/∂b).
};

// Which gradients relu_stats computes (the others stay empty). Each costs one multiply-add per
// feature and row, so a learner that follows one objective asks for that one only. `square`
// leaves out the surrogate's value too: four vector operations per group of rows in the kernels
// on columns (d ≤ 12), four per row in the row-major one (d > 128); the pieces keep them.
enum class ReluGradients { both, square, surrogate };

// How relu_stats may compute each row's dot product w·x. `exact`: in double, each row's z bit for
// bit affine_value's. `float32_allowed`: in float32 where a kernel gains by it (one gradient asked
// for: rows of 9 to 11 features, 12 with AVX-512, and of 17 to 128, in the AVX2 and AVX-512
// variants; rows past the short-row kernels on every build; docs/performance.md), the sums across
// rows still in double: z then differs by float32 rounding, at most about d·2^-24 of Σ|w_j·x_j|,
// and an exact fit's loss and gradient are no longer exactly 0. The descent learners (gd,
// glmtron, dktz22, exhaustive's polish; parameter float32_dot) take it in their early passes,
// until their steps or their loss get small (descent.cpp).
enum class RowDot { exact, float32_allowed };

// `relu_grad_at_zero` is the value used for ReLU'(0) (rows with z == 0 exactly, e.g. w = 0):
// 1 follows Soltanolkotabi 2017 so that gradient descent can leave w = 0; 0 is autograd's.
ReluStats relu_stats(const Engine& engine, const DataSource& data, std::span<const double> w,
                     double b, bool with_bias, double relu_grad_at_zero = 1.0,
                     ReluGradients gradients = ReluGradients::both, RowDot dot = RowDot::exact);

// Mean square loss of max(0, w·x + b) only (one pass, width 1).
double relu_loss(const Engine& engine, const DataSource& data, std::span<const double> w, double b);

// Predictions max(0, w·x + b) of every row into `out` (source.rows() values), one pass; bit for
// bit ReluModel::predict_one.
void relu_predict(const Engine& engine, const DataSource& data, std::span<const double> w, double b,
                  std::span<double> out);

// Least-squares refit of the scale along a direction u, one pass:
// a = clip(Σ y ReLU(u·x) / Σ ReLU(u·x)^2, 0, max_scale); returns {a, loss of a·u}.
struct ScaleFit {
  double scale = 0;
  double loss = 0;
};
ScaleFit refit_scale(const Engine& engine, const DataSource& data, std::span<const double> u,
                     double max_scale);

// Refit of (a, b) for the ReLU max(0, a u·x + b), a ≥ 0, with u fixed: one pass to project the
// data on u, then a 1-D search over the kink t = -b/a with a closed-form a, then Gauss–Newton.
// Under a query oracle (SQ mode) it asks only for means: a refined grid of kinks, 5 queries.
struct ScaleBiasFit {
  double scale = 0;
  double bias = 0;
  double loss = 0;
};
ScaleBiasFit refit_scale_bias(const Engine& engine, const DataSource& data,
                              std::span<const double> u, double max_scale);

}  // namespace relureg
