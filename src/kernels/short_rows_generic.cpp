// Short-row ReLU kernels: the generic eight-lane variant (d ≤ 32), for any CPU.
#include <algorithm>
#include <cstddef>

#include "base/simd_rows.hpp"
#include "kernels/short_rows_isa.hpp"

// The generic variant takes the build's own flags (any CPU); the AVX2 / AVX-512 ones are their own
// translation units (short_rows_isa.hpp). A build for any x86-64 compiles this file with
// -ffp-contract=off, so that it rounds as the rest of such a build (no fused multiply-add).
#define RELUREG_INLINE [[gnu::always_inline]] inline
#define RELUREG_LAMBDA_INLINE __attribute__((always_inline))

namespace relureg::detail {
namespace {

constexpr std::size_t kRows = kLanes;  // rows per group: one per lane

// The eight lanes of v added in the order affine_rows adds its eight partial sums.
RELUREG_INLINE double lane_sum(const DoubleLanes& v) {
  return ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7]));
}

// w in C chunks of eight (the last one zero-padded), as affine_rows reads it.
template <std::size_t C>
struct ChunkedWeights {
  DoubleLanes chunk[C];
  std::size_t rest;  // features in the last chunk, 1..8
  ChunkedWeights(const double* w, std::size_t d) : rest(d - kLanes * (C - 1)) {
    for (std::size_t c = 0; c + 1 < C; ++c) load8(chunk[c], w + kLanes * c);
    load_first(chunk[C - 1], w + kLanes * (C - 1), rest);
  }
};

// Feature chunk c of one row, widened to double (the last chunk zero-padded).
template <std::size_t C>
RELUREG_INLINE void row_chunk(DoubleLanes& out, const float* row, std::size_t c, std::size_t rest) {
  if (c + 1 < C || rest == kLanes)
    widen8(out, row + kLanes * c);
  else
    widen_first(out, row + kLanes * c, rest);
}

// z = w·x + b of the eight rows at x (d floats each), lane r for row r: each row's products and
// its eight partial sums exactly as affine_rows makes them (chunk c into the even accumulator if
// c is even, else the odd one; s = even + odd; ((s0+s4)+(s2+s6)) + ((s1+s5)+(s3+s7)) + b), with
// the last additions done for all eight rows at once on transposed lanes.
template <std::size_t C>
RELUREG_INLINE void affine8(const float* x, std::size_t d, const ChunkedWeights<C>& w, double b,
                            DoubleLanes& z) {
  DoubleLanes s[kRows];
  for (std::size_t r = 0; r < kRows; ++r) {
    DoubleLanes even{}, odd{}, xc;
    for (std::size_t c = 0; c < C; ++c) {
      row_chunk<C>(xc, x + r * d, c, w.rest);
      mul_add(c % 2 == 0 ? even : odd, w.chunk[c], xc);
    }
    s[r] = even + odd;
  }
  // Rows 2i and 2i+1: (s0+s4, s1+s5, s2+s6, s3+s7) of each.
  DoubleLanes t[4];
  for (std::size_t i = 0; i < 4; ++i)
    t[i] = __builtin_shufflevector(s[2 * i], s[2 * i + 1], 0, 1, 2, 3, 8, 9, 10, 11) +
           __builtin_shufflevector(s[2 * i], s[2 * i + 1], 4, 5, 6, 7, 12, 13, 14, 15);
  // Rows 0-3 and 4-7: ((s0+s4)+(s2+s6), (s1+s5)+(s3+s7)) of each.
  const DoubleLanes v0 = __builtin_shufflevector(t[0], t[1], 0, 1, 4, 5, 8, 9, 12, 13) +
                         __builtin_shufflevector(t[0], t[1], 2, 3, 6, 7, 10, 11, 14, 15);
  const DoubleLanes v1 = __builtin_shufflevector(t[2], t[3], 0, 1, 4, 5, 8, 9, 12, 13) +
                         __builtin_shufflevector(t[2], t[3], 2, 3, 6, 7, 10, 11, 14, 15);
  z = (__builtin_shufflevector(v0, v1, 0, 2, 4, 6, 8, 10, 12, 14) +
       __builtin_shufflevector(v0, v1, 1, 3, 5, 7, 9, 11, 13, 15)) +
      b;
}

// One group of eight rows as the kernels see it: features, labels and weights, with the rows
// past a block's end (its last group) zero and of weight 0.
struct Group {
  const float* x;
  DoubleLanes y, weight;
  bool weighted;  // weight is not all ones
};

// Calls group_fn(const Group&, first_row, rows) for the block's groups of eight rows in order.
// The last, short group is copied into zero-padded buffers with weight 0 on the padding, so that
// its padding adds nothing to any sum.
template <class GroupFn>
RELUREG_INLINE void for_each_group(const RowBlock& blk, const double* weights, bool labelled,
                                   GroupFn&& group_fn) {
  const std::size_t d = blk.d;
  std::size_t r = 0;
  for (; r + kRows <= blk.rows; r += kRows) {
    Group g{blk.X + r * d, DoubleLanes{}, (1.0 + DoubleLanes{}), weights != nullptr};
    if (labelled) load8(g.y, blk.y + r);
    if (weights != nullptr) load8(g.weight, weights + r);
    group_fn(g, r, kRows);
  }
  if (r == blk.rows) return;
  const std::size_t rows = blk.rows - r;
  float x[kRows * kShortRowFeatures] = {};
  std::copy(blk.X + r * d, blk.X + blk.rows * d, x);
  Group g{x, DoubleLanes{}, DoubleLanes{}, true};
  for (std::size_t k = 0; k < rows; ++k) {
    g.y[k] = labelled ? blk.y[r + k] : 0.0;
    g.weight[k] = weights != nullptr ? weights[r + k] : 1.0;
  }
  group_fn(g, r, rows);
}

// The block kernel of relu_stats for G gradients (see kernels.cpp's relu_stats_block for the
// terms; with weights every row's terms are multiplied by its weight).
template <std::size_t C, std::size_t G>
RELUREG_INLINE void stats_block(const RowBlock& blk, const double* weights, const double* w,
                                double b, bool with_bias, double relu_grad_at_zero,
                                bool square_first, double* acc) {
  const std::size_t d = blk.d;
  const std::size_t p = d + (with_bias ? 1 : 0);
  const ChunkedWeights<C> wc(w, d);
  DoubleLanes loss{}, surrogate{}, active{}, bias_grad[G] = {};
  DoubleLanes grad[G][2][C] = {};  // row-major sums, even and odd rows of each group
  for_each_group(blk, weights, true,
                 [&](const Group& g, std::size_t, std::size_t rows) RELUREG_LAMBDA_INLINE {
                   DoubleLanes z;
                   affine8<C>(g.x, d, wc, b, z);
                   const DoubleLanes r = z > 0 ? z : DoubleLanes{};
                   const DoubleLanes residual = r - g.y;
                   const DoubleLanes weighted = g.weighted ? g.weight * residual : residual;
                   mul_add(loss, weighted, residual);
                   const DoubleLanes surrogate_term = 0.5 * r * r - g.y * z;
                   surrogate += g.weighted ? g.weight * surrogate_term : surrogate_term;
                   active += z > 0 ? g.weight : DoubleLanes{};
                   const DoubleLanes slope =
                       z > 0 ? (1.0 + DoubleLanes{})
                             : (z == 0 ? (relu_grad_at_zero + DoubleLanes{}) : DoubleLanes{});
                   double coef[G][kRows];
                   if constexpr (G == 2) {
                     store8(coef[0], slope * weighted);
                     store8(coef[1], weighted);
                   } else {
                     store8(coef[0], square_first ? slope * weighted : weighted);
                   }
                   if (with_bias)
                     for (std::size_t k = 0; k < G; ++k) {
                       DoubleLanes c;
                       load8(c, coef[k]);
                       bias_grad[k] += c;
                     }
                   for (std::size_t row = 0; row < rows; ++row) {
                     DoubleLanes xc;
                     for (std::size_t c = 0; c < C; ++c) {
                       row_chunk<C>(xc, g.x + row * d, c, wc.rest);
                       for (std::size_t k = 0; k < G; ++k)
                         mul_add(grad[k][row % 2][c], (coef[k][row] + DoubleLanes{}), xc);
                     }
                   }
                 });
  acc[0] += lane_sum(loss);
  acc[1] += lane_sum(surrogate);
  acc[2] += lane_sum(active);
  for (std::size_t k = 0; k < G; ++k) {
    double* out = acc + 3 + k * p;
    for (std::size_t c = 0; c < C; ++c) {
      const DoubleLanes sum = grad[k][0][c] + grad[k][1][c];
      for (std::size_t j = kLanes * c; j < std::min(d, kLanes * (c + 1)); ++j)
        out[j] += sum[j - kLanes * c];
    }
    if (with_bias) out[d] += lane_sum(bias_grad[k]);
  }
}

template <std::size_t C>
RELUREG_INLINE double loss_block(const RowBlock& blk, const double* weights, const double* w,
                                 double b) {
  const ChunkedWeights<C> wc(w, blk.d);
  DoubleLanes loss{};
  for_each_group(blk, weights, true,
                 [&](const Group& g, std::size_t, std::size_t) RELUREG_LAMBDA_INLINE {
                   DoubleLanes z;
                   affine8<C>(g.x, blk.d, wc, b, z);
                   const DoubleLanes residual = (z > 0 ? z : DoubleLanes{}) - g.y;
                   mul_add(loss, g.weighted ? g.weight * residual : residual, residual);
                 });
  return lane_sum(loss);
}

template <std::size_t C>
RELUREG_INLINE void scale_block(const RowBlock& blk, const double* weights, const double* u,
                                double* acc) {
  const ChunkedWeights<C> uc(u, blk.d);
  DoubleLanes yr{}, rr{}, yy{};
  for_each_group(blk, weights, true,
                 [&](const Group& g, std::size_t, std::size_t) RELUREG_LAMBDA_INLINE {
                   DoubleLanes z;
                   affine8<C>(g.x, blk.d, uc, 0.0, z);
                   const DoubleLanes r = z > 0 ? z : DoubleLanes{};
                   yr += g.weighted ? g.weight * (g.y * r) : g.y * r;
                   rr += g.weighted ? g.weight * (r * r) : r * r;
                   yy += g.weighted ? g.weight * (g.y * g.y) : g.y * g.y;
                 });
  acc[0] += lane_sum(yr);
  acc[1] += lane_sum(rr);
  acc[2] += lane_sum(yy);
}

template <std::size_t C>
RELUREG_INLINE void predict_block(const RowBlock& blk, const double* w, double b, double* out) {
  const ChunkedWeights<C> wc(w, blk.d);
  for_each_group(blk, nullptr, false,
                 [&](const Group& g, std::size_t first, std::size_t rows) RELUREG_LAMBDA_INLINE {
                   DoubleLanes z;
                   affine8<C>(g.x, blk.d, wc, b, z);
                   const DoubleLanes r = z > 0 ? z : DoubleLanes{};
                   for (std::size_t k = 0; k < rows; ++k) out[first + k] = r[k];
                 });
}

// Calls body.template operator()<C>() with C = ⌈d/8⌉ chunks as a constant.
template <class Body>
RELUREG_INLINE auto with_chunks(std::size_t d, Body&& body) {
  switch ((d + kLanes - 1) / kLanes) {
    case 1:
      return body.template operator()<1>();
    case 2:
      return body.template operator()<2>();
    case 3:
      return body.template operator()<3>();
    default:
      return body.template operator()<4>();
  }
}

// The generic variant's entry points.
void generic_stats(const RowBlock& blk, const double* weights, const double* w, double b,
                   bool with_bias, double relu_grad_at_zero, ShortGradients gradients, bool,
                   double* acc) {
  with_chunks(blk.d, [&]<std::size_t C>() RELUREG_LAMBDA_INLINE {
    if (gradients == ShortGradients::both)
      stats_block<C, 2>(blk, weights, w, b, with_bias, relu_grad_at_zero, true, acc);
    else
      stats_block<C, 1>(blk, weights, w, b, with_bias, relu_grad_at_zero,
                        gradients == ShortGradients::square, acc);
  });
}

double generic_loss(const RowBlock& blk, const double* weights, const double* w, double b) {
  return with_chunks(blk.d, [&]<std::size_t C>() RELUREG_LAMBDA_INLINE {
    return loss_block<C>(blk, weights, w, b);
  });
}

void generic_scale(const RowBlock& blk, const double* weights, const double* u, double* acc) {
  with_chunks(blk.d,
              [&]<std::size_t C>() RELUREG_LAMBDA_INLINE { scale_block<C>(blk, weights, u, acc); });
}

void generic_predict(const RowBlock& blk, const double* w, double b, double* out) {
  with_chunks(blk.d,
              [&]<std::size_t C>() RELUREG_LAMBDA_INLINE { predict_block<C>(blk, w, b, out); });
}

constexpr ShortRowKernels kGeneric{&generic_stats, &generic_loss, &generic_scale, &generic_predict,
                                   kShortRowFeatures};

}  // namespace

const ShortRowKernels& short_row_kernels_generic() {
  return kGeneric;
}

}  // namespace relureg::detail
