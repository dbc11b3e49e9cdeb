// Block kernels for short rows (d ≤ 32): eight rows at a time in the lanes of one vector.
#pragma once

#include <cstddef>

#include "relureg/dataset.hpp"

namespace relureg::detail {

// The engine's ReLU passes take these kernels for rows of at most this many features; longer
// rows go through the row-major kernels of kernels.cpp (docs/performance.md).
inline constexpr std::size_t kShortRowFeatures = 32;
// Whether the passes over rows of d features take these kernels: 1 ≤ d ≤ 32, unless turned off.
bool short_rows(std::size_t d);
// Turns the short-row kernels off (every d then takes the row-major kernels) or back on: for the
// tests and benchmarks that compare the two. Not meant to change while passes run.
void use_short_row_kernels(bool enabled);

// Which gradients the relu_stats kernel accumulates (kernels.hpp's ReluGradients).
enum class ShortGradients { square, surrogate, both };

// Each kernel reads the rows of `blk` (with the sample weights `weights`, one per row, or null)
// and computes z = w·x + b of every row bit for bit as affine_value does. Sums over rows go into
// eight lanes (row r of the block into lane r mod 8, in row order), which are added at the end of
// the block in a fixed order; the gradients' row-major sums alternate between two accumulators.
// So a block's sums depend on its rows only: the same for any thread count and data split.

// relu_stats: adds [Σ loss, Σ surrogate, Σ active, gradient(s)] of the block to `acc` (the
// layout of relu_stats in kernels.cpp; a gradient has d + 1 entries with `with_bias`).
void short_relu_stats_block(const RowBlock& blk, const double* weights, const double* w, double b,
                            bool with_bias, double relu_grad_at_zero, ShortGradients gradients,
                            double* acc);
// relu_loss: Σ weight·(ReLU(z) − y)² over the block.
double short_relu_loss_block(const RowBlock& blk, const double* weights, const double* w, double b);
// refit_scale: adds Σ weight·y·r, Σ weight·r², Σ weight·y² (r = ReLU(u·x)) to acc[0..2].
void short_refit_scale_block(const RowBlock& blk, const double* weights, const double* u,
                             double* acc);
// predict: out[r] = ReLU(w·x_r + b), bit for bit as ReluModel::predict_one.
void short_relu_predict_block(const RowBlock& blk, const double* w, double b, double* out);

}  // namespace relureg::detail
