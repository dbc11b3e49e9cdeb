// Fused one-pass ReLU statistics (loss, gradients) and the closed-form scale refit.
#include "relureg/kernels.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "base/float_rows.hpp"
#include "base/rows_v3.hpp"
#include "base/simd_rows.hpp"
#include "kernels/float_z.hpp"
#include "kernels/short_rows.hpp"

namespace relureg {
namespace {

using detail::accumulate_rows;
using detail::affine_rows;
using detail::mul_add;
using detail::WeightLoads;

// The row kernels: simd_rows.hpp's for the build's own target, or in a build for any x86-64
// (RELUREG_LONG_ROWS_V3) the x86-64-v3 ones where the CPU runs them (rows_v3_runs): the same
// results bit for bit. That build's own code is SSE2, at about half the rate of the x86-64-v3
// kernels at d = 1000 (docs/performance.md).
template <std::size_t R, WeightLoads kLoads>
inline void affine(const float* x, std::size_t d, const double* w, double b, double* z,
                   std::ptrdiff_t prefetch_distance = 0) {
#if defined(RELUREG_LONG_ROWS_V3)
  if (detail::rows_v3_runs())
    return detail::affine_rows_v3(R, x, d, w, d, b, z, prefetch_distance, kLoads);
#endif
  affine_rows<R>(x, d, w, d, b, z, prefetch_distance, kLoads);
}
// The same with z's dot product in float32 (float_rows.hpp; wf: w rounded to float, padded).
template <std::size_t R>
inline void affine_float(const float* x, std::size_t d, const float* wf, double b, double* z,
                         std::ptrdiff_t prefetch_distance = 0) {
#if defined(RELUREG_LONG_ROWS_V3)
  if (detail::rows_v3_runs())
    return detail::affine_rows_float_v3(R, x, d, wf, d, b, z, prefetch_distance);
#endif
  detail::affine_rows_float<R>(x, d, wf, d, b, z, prefetch_distance);
}
template <std::size_t R, std::size_t G>
inline void accumulate(const float* x, std::size_t d, const double (&coef)[G][R],
                       double* const (&acc)[G], std::ptrdiff_t prefetch_distance = 0) {
#if defined(RELUREG_LONG_ROWS_V3)
  if (detail::rows_v3_runs())
    return detail::accumulate_rows_v3(R, G, x, d, d, &coef[0][0], acc, prefetch_distance);
#endif
  accumulate_rows<R, G>(x, d, d, coef, acc, prefetch_distance);
}

// Rows whose z = w·x + b are computed together (affine_rows<kGroup>); the rest one by one.
constexpr std::size_t kGroup = 4;

// The passes walk a block in tiles of about kTileBytes of X. For each tile, all z = w·x + b are
// computed first (while the next tile is prefetched into L2), then the per-row work runs on the
// tile, which is now in cache. Without the software prefetch the core waited on each row's
// cache misses: from DRAM the fused pass took the sum of its compute time and of the memory
// time (profiled in docs/performance.md). Tiling changes no result: each z depends on its own
// row only, and the rows are still added in order.
constexpr std::size_t kTileBytes = std::size_t{16} << 10;
constexpr std::size_t kMaxTileRows = 1024;
constexpr std::size_t kCacheLine = 64;
constexpr int kPrefetchLocality = 2;  // prefetcht1: into L2, not L1 (which holds this tile)

// Rows per tile: a multiple of kGroup, at least kGroup, at most kMaxTileRows.
std::size_t tile_rows(std::size_t d) {
  const std::size_t rows = kTileBytes / (std::max<std::size_t>(d, 1) * sizeof(float));
  return std::clamp<std::size_t>(rows / kGroup * kGroup, kGroup, kMaxTileRows);
}

// Prefetches the tile after the current one into L2, a few lines per group of rows.
class NextTile {
 public:
  NextTile() = default;  // prefetches nothing
  NextTile(const RowBlock& blk, std::size_t first, std::size_t rows) {
    const std::size_t tile_bytes = rows * blk.d * sizeof(float);
    next_ = reinterpret_cast<const char*>(blk.X + first * blk.d) + tile_bytes;
    const char* end = reinterpret_cast<const char*>(blk.X + blk.rows * blk.d);
    const std::size_t lines = std::min<std::size_t>(end - next_, tile_bytes) / kCacheLine;
    const std::size_t groups = (rows + kGroup - 1) / kGroup;
    per_group_ = (lines + groups - 1) / groups * kCacheLine;
  }
  void prefetch_group() {
    for (std::size_t k = 0; k < per_group_; k += kCacheLine)
      __builtin_prefetch(next_ + k, 0, kPrefetchLocality);
    next_ += per_group_;
  }

 private:
  const char* next_ = nullptr;
  std::size_t per_group_ = 0;
};

// For long rows (more than kTileBytes / kGroup each, so one group per tile), the distance in
// floats from the tile at `first` to the next one, which the passes prefetch a line per row and
// step of their loops (a burst of a whole tile's lines stalled the load queue); 0 otherwise.
// Both phases of relu_stats prefetch the same lines: issued only while z was computed, a part of
// them was lost (on one core at d = 1000 the square-loss pass went from 233 to 191-201 ns per
// row from DRAM when the gradient loop issued them again; docs/performance.md).
std::ptrdiff_t long_row_prefetch_distance(const RowBlock& blk, std::size_t first,
                                          std::size_t rows) {
  const bool long_rows = rows == kGroup && tile_rows(blk.d) == kGroup;
  return long_rows && first + 2 * kGroup <= blk.rows ? static_cast<std::ptrdiff_t>(kGroup * blk.d)
                                                     : 0;
}

// Calls tile_fn(first, rows, z, next) for consecutive tiles of the block, in order, with z[k] =
// w·x + b of row first + k (bit-identical to affine_value; with `wf`, w rounded to float and
// zero-padded to a multiple of 8, the dot product in float32: affine_rows_float). With
// `prefetch_in_tile_fn` the tile function calls next.prefetch_group() once per kGroup rows
// (spreading the prefetches over the longer phase); otherwise they are issued while z is
// computed. kLoads: how the double z reads w (weight_loads.hpp).
template <bool prefetch_in_tile_fn, WeightLoads kLoads, class TileFn>
inline void for_each_tile(const RowBlock& blk, const double* w, double b, TileFn&& tile_fn,
                          const float* wf = nullptr) {
  const std::size_t d = blk.d;
  const std::size_t tile = tile_rows(d);
  double z[kMaxTileRows];
  // z of R rows from x into out, the float z where wf is given.
  const auto rows_z = [&]<std::size_t R>(const float* x, double* out, std::ptrdiff_t distance) {
    if (wf != nullptr)
      affine_float<R>(x, d, wf, b, out, distance);
    else
      affine<R, kLoads>(x, d, w, b, out, distance);
  };
  for (std::size_t first = 0; first < blk.rows; first += tile) {
    const std::size_t rows = std::min(tile, blk.rows - first);
    const float* x = blk.X + first * d;
    NextTile next(blk, first, rows);
    std::size_t r = 0;
    if (const std::ptrdiff_t distance = long_row_prefetch_distance(blk, first, rows)) {
      next = NextTile();
      rows_z.template operator()<kGroup>(x, z, distance);
      r = kGroup;
    }
    for (; r + kGroup <= rows; r += kGroup) {
      if (!prefetch_in_tile_fn) next.prefetch_group();
      rows_z.template operator()<kGroup>(x + r * d, z + r, 0);
    }
    for (; r < rows; ++r) rows_z.template operator()<1>(x + r * d, z + r, 0);
    tile_fn(first, rows, static_cast<const double*>(z), next);
  }
}

// The block kernel of relu_stats, for G gradient accumulators: g_0 = Σ ReLU'(z)(ReLU(z) − y) x̃
// (square loss, without the factor 2) and/or g_1 = Σ (ReLU(z) − y) x̃ (surrogate), laid out in
// `acc` after [loss, surrogate, active]. `square_first` says whether the first is the square one.
// `Weighted`: every row's terms are multiplied by its weight (blk.w); otherwise the weight 1 is a
// constant the compiler folds away. `wf` (w rounded to float, or null): z in float32
// (for_each_tile).
template <std::size_t G, bool Weighted>
void relu_stats_block(const RowBlock& blk, const double* w, double b, bool with_bias,
                      double relu_grad_at_zero, bool square_first, double* acc,
                      const float* wf = nullptr) {
  const std::size_t d = blk.d;
  const std::size_t p = d + (with_bias ? 1 : 0);
  // Both gradients are summed in the block's own buffer, each starting on a 64-byte boundary, then
  // added to acc, which starts at zero (the engine's), so the sums are the same bit for bit. In
  // place they begin 24 bytes past a line (acc + 3), so that every vector load and store of them
  // straddles two lines: at d = 1000 on two threads (Zen 5, n = 10^6) the pass with both read
  // 2-15 % faster from memory with the buffer, and gd's and glmtron's one-gradient passes level or
  // a few per cent slower, so those keep summing in place (docs/performance.md, "long rows'
  // gradient sums on a line boundary"). Padding relu_stats' layout so that acc's gradients start
  // on a line would align them without a buffer, but it would also change the entries a
  // statistical-query oracle answers (query_oracle.cpp draws one perturbation per entry), and so
  // the results of fits with one for a given seed.
  std::vector<double> buffer;
  double* grads[G];
  for (std::size_t g = 0; g < G; ++g) grads[g] = acc + 3 + g * p;
  if constexpr (G == 2) {
    const std::size_t stride = (d + 7) / 8 * 8;
    buffer.assign(G * stride + 8, 0.0);
    double* aligned = buffer.data();
    while (reinterpret_cast<std::uintptr_t>(aligned) % 64 != 0) ++aligned;
    for (std::size_t g = 0; g < G; ++g) grads[g] = aligned + g * stride;
  }
  double loss = 0, surrogate = 0, active = 0;
  // The square loss's pass alone leaves the surrogate out (relu_stats reports NaN for it).
  const bool sum_surrogate = G == 2 || !square_first;
  // Loss terms of one row; its multipliers of x̃ for the G gradients go to c[0][k], c[1][k].
  auto row_terms = [&](double z, double y, double weight, auto& c, std::size_t k) {
    const double relu = z > 0 ? z : 0.0;
    const double residual = weight * (relu - y);
    loss = mul_add(residual, relu - y, loss);  // as in relu_loss, so both agree exactly
    if (sum_surrogate) surrogate += weight * (0.5 * relu * relu - y * z);
    active += z > 0 ? weight : 0.0;
    // ReLU'(z) without a branch: the sign of z is a coin flip for the predictor, and a
    // mispredicted branch here discarded the speculated work of the next rows.
    const double slope = z > 0 ? 1.0 : (z == 0 ? relu_grad_at_zero : 0.0);
    if constexpr (G == 2) {
      c[0][k] = slope * residual;
      c[1][k] = residual;
    } else {
      c[0][k] = square_first ? slope * residual : residual;
    }
  };
  auto add_bias = [&](const auto& c, std::size_t rows) {
    if (!with_bias) return;
    for (std::size_t g = 0; g < G; ++g)
      for (std::size_t k = 0; k < rows; ++k) acc[3 + g * p + d] += c[g][k];
  };
  for_each_tile<true, WeightLoads::per_step>(
      blk, w, b,
      [&](std::size_t first, std::size_t rows, const double* z, NextTile& next) {
        const float* x = blk.X + first * d;
        const double* y = blk.y + first;
        const double* weights = Weighted ? blk.w + first : nullptr;
        auto weight = [weights](std::size_t row) { return Weighted ? weights[row] : 1.0; };
        const std::ptrdiff_t distance = long_row_prefetch_distance(blk, first, rows);
        double coef[G][kGroup];
        std::size_t r = 0;
        for (; r + kGroup <= rows; r += kGroup) {
          next.prefetch_group();
          for (std::size_t k = 0; k < kGroup; ++k)
            row_terms(z[r + k], y[r + k], weight(r + k), coef, k);
          accumulate<kGroup, G>(x + r * d, d, coef, grads, distance);
          add_bias(coef, kGroup);
        }
        double coef_one[G][1];
        for (; r < rows; ++r) {
          row_terms(z[r], y[r], weight(r), coef_one, 0);
          accumulate<1, G>(x + r * d, d, coef_one, grads);
          add_bias(coef_one, 1);
        }
      },
      wf);
  acc[0] += loss;
  acc[1] += surrogate;
  acc[2] += active;
  if constexpr (G == 2)
    for (std::size_t g = 0; g < G; ++g)
      for (std::size_t j = 0; j < d; ++j) acc[3 + g * p + j] += grads[g][j];
}

std::atomic<bool>& long_row_float_z_flag() {
  static std::atomic<bool> enabled{true};
  return enabled;
}

}  // namespace

namespace detail {

bool long_row_float_z() {
  return long_row_float_z_flag().load(std::memory_order_relaxed);
}

void use_long_row_float_z(bool enabled) {
  long_row_float_z_flag().store(enabled, std::memory_order_relaxed);
}

bool relu_stats_float_z(std::size_t d) {
  return short_rows(d) ? short_row_float_z(short_row_stats_isa(d), d) : long_row_float_z();
}

}  // namespace detail

ReluStats relu_stats(const Engine& engine, const DataSource& data, std::span<const double> w,
                     double b, bool with_bias, double relu_grad_at_zero, ReluGradients gradients,
                     RowDot dot) {
  const std::size_t d = data.cols();
  const std::size_t p = d + (with_bias ? 1 : 0);
  const bool both = gradients == ReluGradients::both;
  const bool square_first = gradients != ReluGradients::surrogate;
  // Layout: [loss, surrogate, active, g_square (p, if asked), g_surrogate (p, if asked)].
  const std::size_t width = 3 + (both ? 2 : 1) * p;
  const double* wp = w.data();
  // Past the short-row kernels, one gradient: the float z where allowed (float_rows.hpp).
  std::vector<float> w_float;
  if (dot == RowDot::float32_allowed && !both && !detail::short_rows(d) &&
      detail::long_row_float_z()) {
    w_float.assign((d + 7) / 8 * 8, 0.0f);
    for (std::size_t j = 0; j < d; ++j) w_float[j] = static_cast<float>(w[j]);
  }
  const float* wf = w_float.empty() ? nullptr : w_float.data();
  const std::vector<double> m = engine.mean(data, width, [&](const RowBlock& blk, double* acc) {
    if (detail::short_rows(d)) {
      detail::short_relu_stats_block(blk, blk.w, wp, b, with_bias, relu_grad_at_zero,
                                     both           ? detail::ShortGradients::both
                                     : square_first ? detail::ShortGradients::square
                                                    : detail::ShortGradients::surrogate,
                                     dot == RowDot::float32_allowed, acc);
    } else if (blk.w != nullptr) {
      if (both)
        relu_stats_block<2, true>(blk, wp, b, with_bias, relu_grad_at_zero, true, acc);
      else
        relu_stats_block<1, true>(blk, wp, b, with_bias, relu_grad_at_zero, square_first, acc, wf);
    } else if (both) {
      relu_stats_block<2, false>(blk, wp, b, with_bias, relu_grad_at_zero, true, acc);
    } else {
      relu_stats_block<1, false>(blk, wp, b, with_bias, relu_grad_at_zero, square_first, acc, wf);
    }
  });
  ReluStats stats;
  stats.loss = m[0];
  // The square loss's pass leaves the surrogate out (kernels.hpp), whichever kernel ran.
  stats.surrogate =
      gradients == ReluGradients::square ? std::numeric_limits<double>::quiet_NaN() : m[1];
  stats.active = m[2];
  const double* g = m.data() + 3;
  if (square_first) {
    stats.grad_square.resize(p);
    for (std::size_t j = 0; j < p; ++j) stats.grad_square[j] = 2.0 * g[j];
    g += p;
  }
  if (gradients != ReluGradients::square) stats.grad_surrogate.assign(g, g + p);
  return stats;
}

double relu_loss(const Engine& engine, const DataSource& data, std::span<const double> w,
                 double b) {
  const double* wp = w.data();
  const bool short_rows = detail::short_rows(data.cols());
  return engine.mean(data, 1, [&](const RowBlock& blk, double* acc) {
    if (short_rows) {
      acc[0] += detail::short_relu_loss_block(blk, blk.w, wp, b);
      return;
    }
    double sum = 0;
    for_each_tile<false, WeightLoads::per_product>(
        blk, wp, b, [&](std::size_t first, std::size_t rows, const double* z, NextTile&) {
          for (std::size_t k = 0; k < rows; ++k) {
            const double residual = (z[k] > 0 ? z[k] : 0.0) - blk.y[first + k];
            const double weight = blk.w ? blk.w[first + k] : 1.0;
            sum = mul_add(weight * residual, residual, sum);
          }
        });
    acc[0] += sum;
  })[0];
}

void relu_predict(const Engine& engine, const DataSource& data, std::span<const double> w, double b,
                  std::span<double> out) {
  const double* wp = w.data();
  const bool short_rows = detail::short_rows(data.cols());
  engine.map(data, out, [&](const RowBlock& blk, double* o) {
    if (short_rows) return detail::short_relu_predict_block(blk, wp, b, o);
    // In tiles, four rows at a time (z as affine_value computes it, bit for bit).
    for_each_tile<false, WeightLoads::per_product>(
        blk, wp, b, [&](std::size_t first, std::size_t rows, const double* z, NextTile&) {
          for (std::size_t k = 0; k < rows; ++k) o[first + k] = z[k] > 0 ? z[k] : 0.0;
        });
  });
}

ScaleFit refit_scale(const Engine& engine, const DataSource& data, std::span<const double> u,
                     double max_scale) {
  const double* up = u.data();
  // Means of y·r, r², y² with r = ReLU(u·x).
  const bool short_rows = detail::short_rows(data.cols());
  const std::vector<double> m = engine.mean(data, 3, [&](const RowBlock& blk, double* acc) {
    if (short_rows) return detail::short_refit_scale_block(blk, blk.w, up, acc);
    for_each_tile<false, WeightLoads::per_product>(
        blk, up, 0.0, [&](std::size_t first, std::size_t rows, const double* z, NextTile&) {
          for (std::size_t k = 0; k < rows; ++k) {
            const double y = blk.y[first + k];
            const double r = z[k] > 0 ? z[k] : 0.0;
            const double weight = blk.w ? blk.w[first + k] : 1.0;
            acc[0] += weight * (y * r);
            acc[1] += weight * (r * r);
            acc[2] += weight * (y * y);
          }
        });
  });
  ScaleFit fit;
  fit.scale = m[1] > 0 ? std::clamp(m[0] / m[1], 0.0, max_scale) : 0.0;
  fit.loss = m[2] - 2 * fit.scale * m[0] + fit.scale * fit.scale * m[1];
  return fit;
}

}  // namespace relureg
