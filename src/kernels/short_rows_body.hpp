// Short-row kernels written once over a vector of W doubles: W rows at a time, one per lane.
//
// Included inside an anonymous namespace by one translation unit per instruction set
// (short_rows_avx2.cpp: W = 4, short_rows_avx512.cpp: W = 8), each compiled with its own -march.
// Everything here must keep internal linkage and call nothing with external linkage but
// intrinsics: an inline function compiled for AVX-512 and merged by the linker into code that
// runs on an AVX2 CPU would fault. V provides: D (the vector), W, K = 8 / W (vectors per
// eight-lane chunk of affine_value), zero, set1, load, store, add, sub, mul, fma (a·b + c),
// fnma (c − a·b), max0, positive/zero masks, select (and), lane_sum, mask_for(n) and
// widen_masked / load_masked (the first n values, the rest zero, nothing read past them),
// widen (W floats to doubles) and z_of_rows (the last additions of W rows' dot products), and the
// loss's accumulator: LossLanes, loss_zero, loss_add (acc + a·b lane by lane) and loss_sum, and
// the activity's (kCountsActive, Count: see StatsTerms). The loss is summed in four lanes (row r in
// lane r mod 4, rows in order, then (l0+l2)+(l1+l3)) by every variant, so that the AVX2 and AVX-512
// kernels give the same loss bit for bit and the engine can take one for relu_stats and the other
// for relu_loss at the same d.
//
// z = w·x + b of each row is bit for bit affine_value's (src/base/simd_rows.hpp): feature j goes
// to lane j mod 8 of chunk ⌊j/8⌋; even chunks into one accumulator and odd ones into another,
// each lane in increasing j, first a product, then a multiply-add (FusedZ) or a product and an
// addition (a build without FMA); s = even + odd; z = ((s0+s4)+(s2+s6)) + ((s1+s5)+(s3+s7)) + b.
// Here a chunk is K vectors ("pieces") of W lanes, and a lane that would only add zeros is left
// out (that changes at most the sign of a zero z, which no result shows: ReLU and its derivative
// treat ±0 alike).

// Software prefetch ahead of the rows being read: the hardware prefetcher alone left the
// arithmetic waiting on memory (from DRAM a pass took its in-cache time plus the streaming time).
// Rows of up to 16 features, where the arithmetic is the limit, take one stream 4 KB ahead into
// L1 (measured on one core, n = 10^6, d = 10 to 32: 1, 2, 4 and 8 KB ahead, into L1 or L2).
// Longer rows take two: 1 KB ahead into L1, and 8 KB ahead into L2, which keeps more lines in
// flight than L1's fill buffers alone while the core computes (AVX-512 host, n = 10^6, two
// threads, gd's pass against the streaming read, medians of 6: d = 32 0.70 → 0.81, d = 100
// 0.73 → 0.83; 2 and 4 KB into L1, 4, 8 and 16 KB into L1 or L2 were tried). At d = 8 and 16 the
// second stream cost 3-6 %, so those rows keep the single one. On AMD CPUs the second stream is
// off (short_row_l2_prefetch, short_rows.hpp); there relu_stats' L1 stream runs kL1AloneBytes
// ahead (kFarL1: that distance, 0 for kL1Bytes), 1 KB being less than a line's time from DRAM,
// and its two-phase kernel one chunk, 4 KB (short_rows_two_phase.hpp). The loss runs
// kL1AloneBytes ahead on AMD CPUs with AVX-512 and 1 KB on the others
// (short_row_far_loss_prefetch, short_rows.hpp). The kernels on columns (rows of up to 12
// features, kFixedD below) run kAmdColumnL1Bytes ahead on AMD CPUs where the rows have more than
// four features.
constexpr std::size_t kCacheLine = 64;
// How far ahead to prefetch into L1 (beside an L2 stream), and into L2 only (0: no L2 stream),
// for rows of up to `features` features.
constexpr std::size_t prefetch_l1_bytes(std::size_t features) {
  return features <= 16 ? 4096 : 1024;
}
constexpr std::size_t kL1AloneBytes = 4096;
// The L1 distance of the kernels on columns (kFixedD) of more than four features on AMD CPUs,
// with no L2 stream beside it. Zen 5, n = 10^6, ratio to the streaming read, medians of 7
// interleaved rounds, before (4 KB into L1 and, for the AVX-512 kernels at 9 to 12 features, 8 KB
// into L2) → after: two threads, d = 10 over the column copy, gd's pass 0.55 → 0.68, glmtron's
// 0.56 → 0.68, the loss 0.56 → 0.77; d = 8 0.68 → 0.71, 0.67 → 0.69, 0.73 → 0.80; over the rows
// level (0.43 / 0.42 at d = 10); one thread, d = 10 over the copy (11 rounds, noisy under a
// neighbour's load) 0.66 → 0.76, 0.60 → 0.72, 0.64 → 0.79. The L2 stream was what cost two
// threads; 8, 12 and 16 KB into L1 read no better than 6. The x86-64-v3 build level at d = 8
// and 10; at d = 2 and 4 level, so those keep 4 KB. Unmeasured on Intel and on Zen 3.
constexpr std::size_t kAmdColumnL1Bytes = 6144;
constexpr std::size_t prefetch_l2_bytes(std::size_t features) {
  return features <= 16 ? 0 : 8192;
}

// Requests the lines from `next` up to `until` (capped at `end`); `next` follows. Locality 3
// is prefetcht0 (into L1), 2 is prefetcht1 (into L2).
template <int Locality>
[[gnu::always_inline]] inline void prefetch_until(const char*& next, const char* until,
                                                  const char* end) {
  if (until > end) until = end;
  for (; next < until; next += kCacheLine) __builtin_prefetch(next, 0, Locality);
}

// Sets of gradient accumulators (alternating rows): two hide the multiply-add latency where two
// gradients' sets fit in registers beside the rest (V::kGradientRegisters of them: AVX2 has 16
// vector registers, AVX-512 32), else one. It depends on Q only, so that a one-gradient pass
// adds its gradient in the same order as the pass with both.
template <class V, std::size_t Q>
constexpr std::size_t kGradientSets = (2 * 2 * Q <= V::kGradientRegisters) ? 2 : 1;

// w in Q pieces of W doubles, the last zero-padded; the mask of the last piece's features.
template <class V, std::size_t Q>
struct Pieces {
  typename V::D piece[Q];
  typename V::Mask last;
  Pieces(const double* w, std::size_t d) : last(V::mask_for(d - V::W * (Q - 1))) {
    for (std::size_t q = 0; q + 1 < Q; ++q) piece[q] = V::load(w + V::W * q);
    piece[Q - 1] = V::load_masked(w + V::W * (Q - 1), last);
  }
};

// Piece q of the row at x, widened to double (the last one masked, or for rows of few pieces
// V::widen_last).
template <class V, std::size_t Q>
[[gnu::always_inline]] inline typename V::D row_piece(const float* x, std::size_t q,
                                                      const typename V::Mask& last) {
  if (q + 1 < Q) return V::widen(x + V::W * q);
  if constexpr (Q <= V::kPlainLastPieces) return V::widen_last(x + V::W * q, last);
  return V::widen_masked(x + V::W * q, last);
}

// The partial sums of one row, reduced over its chunks: s (K vectors; W = 4: s0..s3 and s4..s7)
// added into the vector that z_of_rows takes (W = 4: t = s_low + s_high; W = 8: s). The row's
// pieces, widened to double, are left in xs for the gradient (each float is widened once).
template <class V, bool FusedZ, std::size_t Q>
[[gnu::always_inline]] inline typename V::D row_partials(const float* x, const Pieces<V, Q>& w,
                                                         typename V::D (&xs)[Q]) {
  using D = typename V::D;
  constexpr std::size_t K = V::K;
  D even[K], odd[K];
  // Unrolled whatever Q (up to 32 pieces): a loop would keep even and odd in memory, and each
  // multiply-add would wait for the store of the previous one (AVX2, d = 100: 25 pieces).
#pragma GCC unroll 32
  for (std::size_t q = 0; q < Q; ++q) {
    const std::size_t chunk = q / K, half = q % K;
    D& slot = chunk % 2 == 0 ? even[half] : odd[half];
    xs[q] = row_piece<V, Q>(x, q, w.last);
    if (q < 2 * K)
      slot = V::mul(w.piece[q], xs[q]);
    else if constexpr (FusedZ)
      slot = V::fma(w.piece[q], xs[q], slot);
    else
      slot = V::add(slot, V::mul(w.piece[q], xs[q]));
  }
  // s = even + odd per half (a half without odd features is its even sum).
  D s0 = even[0];
  if constexpr (K < Q) s0 = V::add(even[0], odd[0]);
  if constexpr (K == 2 && Q >= 2) {
    D s1 = even[1];
    if constexpr (K + 1 < Q) s1 = V::add(even[1], odd[1]);
    return V::add(s0, s1);
  } else {
    return s0;
  }
}

// z of the W rows at x (d floats each), lane r for row r; their widened pieces in xs[r].
template <class V, bool FusedZ, std::size_t Q>
[[gnu::always_inline]] inline typename V::D z_of_group(const float* x, std::size_t d,
                                                       const Pieces<V, Q>& w,
                                                       const typename V::D& b,
                                                       typename V::D (&xs)[V::W][Q]) {
  typename V::D t[V::W];
#pragma GCC unroll 8
  for (std::size_t r = 0; r < V::W; ++r) t[r] = row_partials<V, FusedZ, Q>(x + r * d, w, xs[r]);
  return V::add(V::z_of_rows(t), b);
}

// z of the W rows at x alone (the widened pieces are not kept).
template <class V, bool FusedZ, std::size_t Q>
[[gnu::always_inline]] inline typename V::D z_of_group(const float* x, std::size_t d,
                                                       const Pieces<V, Q>& w,
                                                       const typename V::D& b) {
  typename V::D xs[V::W][Q];
  return z_of_group<V, FusedZ, Q>(x, d, w, b, xs);
}

// Whether the rows a group call passes carry sample weights (Weighted<true>) or all weigh 1
// (Weighted<false>: the kernels then skip the multiplications by the weight, which leave every
// term unchanged bit for bit: 1·t = t and fma(1, t, a) = t + a).
template <bool kWeighted>
using Weighted = std::bool_constant<kWeighted>;

// Rows of at most this many pieces get an unweighted copy of each kernel's loop (where the
// per-group terms weigh most); longer rows share the weighted one, with weights 1.
template <class V, std::size_t Q>
constexpr bool kUnweightedCopy = Q* V::W <= 32;

// Calls group(x, y, weight, first, rows, Weighted<...>) for the block's groups of W rows in
// order: full groups straight from the block, the last short one from zero-padded copies whose
// padding has label 0 and weight 0, so that it adds nothing to any sum. Unweighted rows get the
// weight 1. With kFixedD (the row length, known when compiling), each group requests its own
// bytes' worth of lines at fixed offsets ahead (kL1Bytes, kAmdColumnL1Bytes on AMD CPUs for
// rows of more than four features), one instruction each and no loop (the
// groups' ranges abut, so no line is skipped; a prefetch past the end is only a hint). Otherwise
// the lines up to the L1 distance past the group, in a loop; the columns kernels, at d = 10 on one
// core in cache, spent 2.65 ns per row with the loop, 2.39 without any prefetch.
//
// With a `pair` function, the full groups go two at a time to pair(x, y, weight, Weighted<...>)
// (y[i] and weight[i] those of group i, x the first of its 2·W rows) as long as two are left, so
// that a kernel can load and store its per-group accumulators once per two groups; the groups
// left go to `group` as above. The rows reach the kernel in the same order either way.
//
// With kColumnStream and a block that carries its rows' column copy (RowBlock::columns), the
// prefetches follow that copy instead of the rows: the kernels on columns then read only it.
// `far_l1`: the L1 distance where kFarL1 applies (kFarL1 unless the caller chooses at run time);
// 0 there leaves the L1 requests to the group function.
struct NoPairs {};
template <class V, std::size_t Q, std::size_t kFixedD = 0, std::size_t kFarL1 = 0,
          bool kColumnStream = false, class GroupFn, class PairFn = NoPairs>
[[gnu::always_inline]] inline void for_each_group(const RowBlock& blk, const double* weights,
                                                  GroupFn&& group, PairFn&& pair = {},
                                                  std::size_t far_l1 = kFarL1) {
  using D = typename V::D;
  constexpr std::size_t W = V::W;
  const std::size_t d = blk.d;
  const D one = V::set1(1.0);
  // The rows of up to Q·W features (d rounded up to whole pieces, the same for both variants).
  constexpr std::size_t kL1Bytes = prefetch_l1_bytes(Q * W), kL2Bytes = prefetch_l2_bytes(Q * W);
  const float* const stream = kColumnStream && blk.columns != nullptr ? blk.columns : blk.X;
  const char* const begin = reinterpret_cast<const char*>(stream);
  const char* const prefetch_end = reinterpret_cast<const char*>(stream + blk.rows * d);
  const bool l2_stream = kL2Bytes > 0 && short_row_l2_prefetch();
  const std::size_t column_l1_bytes = kFixedD > 4 && cpu_is_amd() ? kAmdColumnL1Bytes : kL1Bytes;
  const std::size_t l1_bytes = kFarL1 > 0 && kL2Bytes > 0 && !l2_stream ? far_l1 : kL1Bytes;
  const char* next_l1 = begin + l1_bytes;
  const char* next_l2 = begin + kL2Bytes;
  std::size_t r = 0;
  const auto full_groups = [&](auto weighted) __attribute__((always_inline)) {
    if constexpr (!std::is_same_v<std::decay_t<PairFn>, NoPairs>) {
      static_assert(kFixedD > 0, "pairs of groups prefetch at fixed offsets");
      for (; r + 2 * W <= blk.rows; r += 2 * W) {
        const char* ahead = reinterpret_cast<const char*>(stream + r * d) + column_l1_bytes;
#pragma GCC unroll 16
        for (std::size_t line = 0;
             line < (2 * W * kFixedD * sizeof(float) + kCacheLine - 1) / kCacheLine; ++line)
          __builtin_prefetch(ahead + line * kCacheLine, 0, 3);
        const D y[2] = {blk.y != nullptr ? V::load(blk.y + r) : V::zero(),
                        blk.y != nullptr ? V::load(blk.y + r + W) : V::zero()};
        const D weight[2] = {weighted && weights != nullptr ? V::load(weights + r) : one,
                             weighted && weights != nullptr ? V::load(weights + r + W) : one};
        pair(blk.X + r * d, y, weight, weighted);
      }
    }
    for (; r + W <= blk.rows; r += W) {
      if constexpr (kFixedD > 0) {
        const char* const group_start = reinterpret_cast<const char*>(stream + r * d);
        constexpr std::size_t kLines = (W * kFixedD * sizeof(float) + kCacheLine - 1) / kCacheLine;
#pragma GCC unroll 16
        for (std::size_t line = 0; line < kLines; ++line)
          __builtin_prefetch(group_start + column_l1_bytes + line * kCacheLine, 0, 3);
      } else {
        const char* read_to = reinterpret_cast<const char*>(stream + (r + W) * d);
        if (l1_bytes > 0) prefetch_until<3>(next_l1, read_to + l1_bytes, prefetch_end);
        if (kL2Bytes > 0 && l2_stream) prefetch_until<2>(next_l2, read_to + kL2Bytes, prefetch_end);
      }
      const D y = blk.y != nullptr ? V::load(blk.y + r) : V::zero();
      group(blk.X + r * d, y, weighted && weights != nullptr ? V::load(weights + r) : one, r, W,
            weighted);
    }
  };
  if (weights != nullptr || !kUnweightedCopy<V, Q>)
    full_groups(Weighted<true>{});
  else
    full_groups(Weighted<false>{});
  if (r == blk.rows) return;
  const std::size_t rows = blk.rows - r;
  float x[W * V::kMaxFeatures];
  double y[W], weight[W];
  for (std::size_t k = 0; k < W * V::kMaxFeatures; ++k) x[k] = 0.0f;
  for (std::size_t k = 0; k < rows * d; ++k) x[k] = blk.X[r * d + k];
  for (std::size_t k = 0; k < W; ++k) {
    y[k] = k < rows && blk.y != nullptr ? blk.y[r + k] : 0.0;
    weight[k] = k >= rows ? 0.0 : weights != nullptr ? weights[r + k] : 1.0;
  }
  group(static_cast<const float*>(x), V::load(y), V::load(weight), r, rows, Weighted<true>{});
}

#include "kernels/short_rows_terms.hpp"
#include "kernels/short_rows_two_phase.hpp"

// The block kernel of relu_stats (kernels.cpp's relu_stats_block gives the terms): loss,
// surrogate and activity in W lanes (row r of the block in lane r mod W), the gradients in
// row-major pieces (rows alternating between kGradientSets sets), each row's terms times its
// weight.
// `float_z`: z's dot product may be taken in float32 (RowDot::float32_allowed); the two-phase
// kernel takes it where V::float_two_phase(Q), for one gradient (the learners that allow it ask
// for one), and the double z everywhere else.
template <class V, bool FusedZ, std::size_t Q, Grad kind>
void stats_block(const RowBlock& blk, const double* weights, const double* w, double b,
                 bool with_bias, double relu_grad_at_zero, bool float_z, double* acc) {
  if constexpr (V::float_two_phase(Q) && kind != Grad::both) {
    // The float z does not depend on FusedZ: both tables share one instantiation.
    if (float_z && short_row_two_phase())
      return stats_block_two_phase<V, true, Q, kind, true>(blk, weights, w, b, with_bias,
                                                           relu_grad_at_zero, acc);
  }
  if constexpr (V::two_phase(Q)) {
    if (short_row_two_phase())
      return stats_block_two_phase<V, FusedZ, Q, kind, false>(blk, weights, w, b, with_bias,
                                                              relu_grad_at_zero, acc);
  }
  using D = typename V::D;
  constexpr std::size_t W = V::W;
  constexpr std::size_t G = kind == Grad::both ? 2 : 1;
  const std::size_t d = blk.d;
  const Pieces<V, Q> wp(w, d);
  const D bv = V::set1(b);
  StatsTerms<V, kind, V::kLeanPieces> terms(relu_grad_at_zero);
  GradientSums<V, G, Q> sums;
  for_each_group<V, Q, 0, kL1AloneBytes>(
      blk, weights,
      [&](const float* x, const D& y, const D& weight, std::size_t, std::size_t, auto weighted_rows)
          __attribute__((always_inline)) {
            D xs[W][Q];
            D c[G];
            terms.template add<decltype(weighted_rows)::value>(
                z_of_group<V, FusedZ, Q>(x, d, wp, bv, xs), y, weight, c);
            alignas(64) double coef[G][W];
            for (std::size_t k = 0; k < G; ++k) V::store(coef[k], c[k]);
            if (with_bias)
              for (std::size_t k = 0; k < G; ++k)
                sums.bias[k] = V::add(sums.bias[k], V::load(coef[k]));
        // Piece by piece, its rows in order (the same additions as row by row): an accumulator
        // that does not fit in registers is loaded and stored once per group, not once per row.
#pragma GCC unroll 32
            for (std::size_t q = 0; q < Q; ++q)
              for (std::size_t k = 0; k < G; ++k)
#pragma GCC unroll 8
                for (std::size_t row = 0; row < W; ++row)
                  sums.add(k, row, q, coefficient<V, Q>(&coef[k][row]), xs[row][q]);
          });
  terms.add_to(acc);
  sums.add_to(acc, d, with_bias);
}

template <class V, bool FusedZ, std::size_t Q>
double loss_block(const RowBlock& blk, const double* weights, const double* w, double b) {
  using D = typename V::D;
  const Pieces<V, Q> wp(w, blk.d);
  const D bv = V::set1(b);
  typename V::LossLanes loss = V::loss_zero();
  const auto group = [&](const float* x, const D& y, const D& weight, std::size_t, std::size_t,
                         auto weighted_rows) __attribute__((always_inline)) {
    const D residual = V::sub(V::max0(z_of_group<V, FusedZ, Q>(x, blk.d, wp, bv)), y);
    loss = V::loss_add(decltype(weighted_rows)::value ? V::mul(weight, residual) : residual,
                       residual, loss);
  };
  if (short_row_far_loss_prefetch())
    for_each_group<V, Q, 0, kL1AloneBytes>(blk, weights, group);
  else
    for_each_group<V, Q>(blk, weights, group);
  return V::loss_sum(loss);
}

template <class V, bool FusedZ, std::size_t Q>
void scale_block(const RowBlock& blk, const double* weights, const double* u, double* acc) {
  using D = typename V::D;
  const Pieces<V, Q> up(u, blk.d);
  const D zero = V::zero();
  ScaleTerms<V> terms;
  for_each_group<V, Q>(
      blk, weights,
      [&](const float* x, const D& y, const D& weight, std::size_t, std::size_t, auto)
          __attribute__((always_inline)) {
            terms.add(V::max0(z_of_group<V, FusedZ, Q>(x, blk.d, up, zero)), y, weight);
          });
  terms.add_to(acc);
}

template <class V, bool FusedZ, std::size_t Q>
void predict_block(const RowBlock& blk, const double* w, double b, double* out) {
  using D = typename V::D;
  const Pieces<V, Q> wp(w, blk.d);
  const D bv = V::set1(b);
  for_each_group<V, Q>(
      blk, nullptr,
      [&](const float* x, const D&, const D&, std::size_t first, std::size_t rows, auto)
          __attribute__((always_inline)) {
            double z[V::W];
            V::store(z, V::max0(z_of_group<V, FusedZ, Q>(x, blk.d, wp, bv)));
            for (std::size_t k = 0; k < rows; ++k) out[first + k] = z[k];
          });
}

// Calls Body<V, FusedZ, Q>::run(args...) with Q = ⌈d / W⌉ as a constant (1 ≤ d ≤
// V::kMaxFeatures); one comparison per piece count, once per block.
template <class V, bool FusedZ, template <class, bool, std::size_t> class Body, std::size_t Q = 1,
          class... Args>
[[gnu::always_inline]] inline auto with_pieces(std::size_t d, Args&&... args) {
  constexpr std::size_t kMaxPieces = (V::kMaxFeatures + V::W - 1) / V::W;
  if constexpr (Q < kMaxPieces) {
    if (d > Q * V::W) return with_pieces<V, FusedZ, Body, Q + 1>(d, args...);
  }
  return Body<V, FusedZ, Q>::run(args...);
}

template <class V, bool FusedZ, std::size_t Q>
struct StatsBody {
  static void run(const RowBlock& blk, const double* weights, const double* w, double b,
                  bool with_bias, double relu_grad_at_zero, ShortGradients gradients, bool float_z,
                  double* acc) {
    if constexpr (Q * V::W <= V::kMaxFeatures + V::W - 1) {
      if (gradients == ShortGradients::both)
        stats_block<V, FusedZ, Q, Grad::both>(blk, weights, w, b, with_bias, relu_grad_at_zero,
                                              float_z, acc);
      else if (gradients == ShortGradients::square)
        stats_block<V, FusedZ, Q, Grad::square>(blk, weights, w, b, with_bias, relu_grad_at_zero,
                                                float_z, acc);
      else
        stats_block<V, FusedZ, Q, Grad::surrogate>(blk, weights, w, b, with_bias, relu_grad_at_zero,
                                                   float_z, acc);
    }
  }
};
template <class V, bool FusedZ, std::size_t Q>
struct LossBody {
  static double run(const RowBlock& blk, const double* weights, const double* w, double b) {
    if constexpr (Q * V::W <= V::kMaxFeatures + V::W - 1)
      return loss_block<V, FusedZ, Q>(blk, weights, w, b);
    else
      return 0.0;
  }
};
template <class V, bool FusedZ, std::size_t Q>
struct ScaleBody {
  static void run(const RowBlock& blk, const double* weights, const double* u, double* acc) {
    if constexpr (Q * V::W <= V::kMaxFeatures + V::W - 1)
      scale_block<V, FusedZ, Q>(blk, weights, u, acc);
  }
};
template <class V, bool FusedZ, std::size_t Q>
struct PredictBody {
  static void run(const RowBlock& blk, const double* w, double b, double* out) {
    if constexpr (Q * V::W <= V::kMaxFeatures + V::W - 1)
      predict_block<V, FusedZ, Q>(blk, w, b, out);
  }
};

template <class V, bool FusedZ>
struct Kernels {
  static void stats(const RowBlock& blk, const double* weights, const double* w, double b,
                    bool with_bias, double relu_grad_at_zero, ShortGradients gradients,
                    bool float_z, double* acc) {
    with_pieces<V, FusedZ, StatsBody>(blk.d, blk, weights, w, b, with_bias, relu_grad_at_zero,
                                      gradients, float_z, acc);
  }
  static double loss(const RowBlock& blk, const double* weights, const double* w, double b) {
    return with_pieces<V, FusedZ, LossBody>(blk.d, blk, weights, w, b);
  }
  static void scale(const RowBlock& blk, const double* weights, const double* u, double* acc) {
    with_pieces<V, FusedZ, ScaleBody>(blk.d, blk, weights, u, acc);
  }
  static void predict(const RowBlock& blk, const double* w, double b, double* out) {
    with_pieces<V, FusedZ, PredictBody>(blk.d, blk, w, b, out);
  }
  static constexpr ShortRowKernels table{&stats, &loss, &scale, &predict, V::kMaxFeatures};
};
