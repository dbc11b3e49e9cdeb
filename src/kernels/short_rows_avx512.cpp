// The short-row kernels for AVX-512 (x86-64-v4): eight rows at a time in 512-bit vectors.
#include "kernels/short_rows_isa.hpp"

#if defined(RELUREG_SHORT_ROW_ISAS)
#include <immintrin.h>

#include "base/cpu_level.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

// GCC 12's AVX-512 intrinsics (max, unpack, shuffle, ...) pass an "undefined" source that its
// -Wmaybe-uninitialized reports as used (GCC PR 105593): a false positive in the header.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace relureg::detail {
namespace {

#include "kernels/column_plan.hpp"
#include "kernels/short_rows_copy8.hpp"

// Eight double lanes: an eight-lane chunk of affine_value is one vector (K = 1).
struct Avx512 : Copy8Ops {
  using D = __m512d;
  using Mask = __mmask8;
  using Cmp = __mmask8;
  static constexpr std::size_t W = 8;
  static constexpr std::size_t kGradientRegisters = 16;
  static constexpr std::size_t kMaxFeatures = kWideShortRowFeatures;
  // Rows of up to this many pieces broadcast their gradient coefficients from memory
  // (short_rows_body.hpp's coefficient).
  static constexpr std::size_t kMemoryBroadcastPieces = 2;
  static constexpr std::size_t K = 1;
  // Rows of up to this many features on columns (short_rows_columns.hpp), in every pass (the
  // start-up choice in short_rows.cpp gives this variant only the passes it is fastest at).
  static constexpr std::size_t kColumnFeatures = kAvx512ColumnFeatures;
  // Rows of up to this many features on columns where a block carries its column copy.
  static constexpr std::size_t kCopyColumnFeatures = kAvx512CopyColumnFeatures;
  static constexpr std::size_t kColumnPassFeatures = kAvx512ColumnFeatures;
  static constexpr bool stats_on_columns(std::size_t d) { return d <= kColumnFeatures; }
  // relu_stats on columns one group per step (pairs measured only on AVX2: short_rows_columns.hpp).
  static constexpr bool kColumnStatsPairs = false;
  // Its 32 registers hold a group's columns beside the gradient (short_rows_avx2.cpp).
  static constexpr bool copy_columns_twice(std::size_t) { return false; }
  // The activity of unweighted rows counted in an integer register, the mask's bits, rather than
  // summed in a vector of doubles: one vector fewer beside the columns (gd's pass at d = 10, one
  // core in cache, Zen 5, medians of 5 interleaved rounds: 25.4 → 26.4 GB/s).
  static constexpr bool kCountsActive = true;
  // relu_stats on row-major pieces (13 to 128 features) lean too: gd's pass without the
  // surrogate, the activity counted (short_rows_body.hpp's StatsTerms). With 32 registers GCC
  // still kept the loss, surrogate and activity sums on the stack, one load and store each per
  // group. Zen 5, medians of 5 interleaved rounds, GB/s: gd's pass one core in cache d = 32
  // 32.4 → 34.8, d = 100 34.4 → 36.1; n = 10^6 two threads d = 16 48.7 → 51.3, d = 64 47.0 →
  // 51.0, d = 100 level (52.6 / 52.8); glmtron's (the count only) level. On the Intel Xeon
  // (model 207), one core in cache, level (gd's pass d = 32 20.7 / 19.8, d = 100 22.1 / 22.0).
  // relu_stats on row-major pieces of 17 to 64 features in two phases per 4 KB of rows
  // (short_rows_two_phase.hpp). Zen 5, medians of 5 interleaved rounds, one phase → two: one core
  // in cache, GB/s, gd's pass d = 32 40.4 → 43.4, d = 64 43.6 → 47.8, glmtron's 39.8 → 43.8 and
  // 44.4 → 47.8; n = 10^6, two threads, ratio to the streaming read, gd's pass d = 32 0.68 →
  // 0.73, d = 64 0.70 → 0.81, glmtron's 0.67 → 0.68 and 0.71 → 0.78. At d = 16 (two pieces) it
  // was level in cache (37.4 / 37.3) and slower from memory; at d = 100 an 8 KB chunk read faster
  // in cache (40.8 → 44.4) but not from memory (60.6 → 58.2 GB/s), so those keep one phase.
  static constexpr bool two_phase(std::size_t Q) { return Q >= 3 && Q <= 8; }
  // Where relu_stats may take z's dot product in float32 (RowDot::float32_allowed), it takes two
  // phases at every Q with Q·W > kFloatZAboveFeatures, with that float z
  // (short_rows_two_phase.hpp): sixteen floats a piece.
  static constexpr bool float_two_phase(std::size_t Q) { return Q * W > kFloatZAboveFeatures; }
  using F = __m512;
  using FloatMask = __mmask16;
  static FloatMask float_mask_for(std::size_t n) {
    return static_cast<__mmask16>(n >= 16 ? 0xFFFFu : (1u << n) - 1u);
  }
  static F float_load(const float* p) { return _mm512_loadu_ps(p); }
  static F float_load_masked(const float* p, const FloatMask& m) {
    return _mm512_maskz_loadu_ps(m, p);
  }
  static F float_mul(const F& a, const F& b) { return _mm512_mul_ps(a, b); }
  static F float_fma(const F& a, const F& b, const F& c) { return _mm512_fmadd_ps(a, b, c); }
  static F float_add(const F& a, const F& b) { return _mm512_add_ps(a, b); }
  // lo in lanes 0..7, hi in lanes 8..15.
  static F float_pair_set(float lo, float hi) {
    return _mm512_insertf32x8(_mm512_set1_ps(lo), _mm256_set1_ps(hi), 1);
  }
  // Lanes 0..7 + lanes 8..15.
  static Copy8 float_halves_sum(const F& v) {
    return _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
  }
  // v[r] = the sixteen float32 partial sums of row r's dot product → the eight rows' sums, added
  // in float32 in a tree (lanes l and l + 8, then l and l + 4, l and l + 2, l and l + 1), widened
  // once: row r in lane r.
  static D float_z_of_rows(const F (&v)[8]) {
    // (a, b) → (a's lanes l + lanes l + 8, then b's).
    const auto halves = [](const F& a, const F& b) __attribute__((always_inline)) {
      return _mm512_add_ps(_mm512_shuffle_f32x4(a, b, 0x44), _mm512_shuffle_f32x4(a, b, 0xEE));
    };
    // (t, u) of two rows each → quarters (row 0 of t, row 1 of t, row 0 of u, row 1 of u), each
    // holding lanes l + l + 4 of that row.
    const auto pairs = [](const F& t, const F& u) __attribute__((always_inline)) {
      return _mm512_add_ps(_mm512_shuffle_f32x4(t, u, 0x88), _mm512_shuffle_f32x4(t, u, 0xDD));
    };
    const F low = pairs(halves(v[0], v[1]), halves(v[2], v[3]));   // quarter k: row k
    const F high = pairs(halves(v[4], v[5]), halves(v[6], v[7]));  // quarter k: row k + 4
    // Quarter k: (row k, row k + 4) lanes 0 + 2, then 1 + 3; then the two added.
    const F s = _mm512_add_ps(_mm512_unpacklo_ps(low, high), _mm512_unpackhi_ps(low, high));
    const F t = _mm512_add_ps(s, _mm512_permute_ps(s, 0x4E));
    const __m512i rows = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 0, 0, 0, 0, 0, 0, 0, 0);
    return _mm512_cvtps_pd(_mm512_castps512_ps256(_mm512_permutexvar_ps(rows, t)));
  }
  // relu_stats' float z on columns from kColumnFloatZFeatures features on, a copy group's eight
  // rows one group here (short_rows_column_float_z.hpp). Zen 5, GB/s, medians of interleaved
  // rounds, double z → float z: gd's pass at d = 10 one core in cache 53.1 → 57.3 (3 rounds),
  // over the rows without the copy, n = 10^6, 19.6 → 21.9 (one thread) and 43.5 → 48.4 (two; 5
  // rounds under a neighbour's load).
  static constexpr bool column_float_z(std::size_t d) { return d >= kColumnFloatZFeatures; }
  // At an even d, two features per vector of sixteen floats (short_rows_column_float_z.hpp's
  // pair_float_dot: the same z in half the operations), from the copy in memory or, over the
  // rows, from the transposition's registers. Zen 5, n = 10^6, ratio to the streaming read,
  // medians of 5 interleaved rounds, eight features per vector → sixteen, d = 10 over the rows:
  // gd's pass one thread 0.52 → 0.56, two 0.50 → 0.53, glmtron's 0.51 → 0.53 and 0.48 → 0.51
  // (in cache 29.2 → 31.0 GB/s); over the copy level (0.74 → 0.77, 0.77 → 0.77; in cache 54.3 →
  // 56.0). The gradient's columns widened from those registers instead of the tile (the upper
  // halves extracted, or only the lower halves) read no faster in cache.
  static constexpr bool kPairedFloatZ = true;
  static D copy8_widen(const Copy8& v, std::size_t) { return _mm512_cvtps_pd(v); }
  static constexpr std::size_t kTwoPhaseChunkBytes = 4096;
  static constexpr bool kTwoPhaseMayPrefetchFar = true;  // short_row_two_phase_chunks_ahead()
  static constexpr bool kLeanPieces = true;
  struct Count {
    unsigned long long n = 0;
  };
  static Count count_add(const Cmp& m, const Count& c) {
    return {c.n + static_cast<unsigned long long>(__builtin_popcount(m))};
  }
  static double count_sum(const Count& c) { return static_cast<double>(c.n); }

  static D zero() { return _mm512_setzero_pd(); }
  static D set1(double v) { return _mm512_set1_pd(v); }
  static D load(const double* p) { return _mm512_loadu_pd(p); }
  static void store(double* p, const D& v) { _mm512_storeu_pd(p, v); }
  static D add(const D& a, const D& b) { return _mm512_add_pd(a, b); }
  static D sub(const D& a, const D& b) { return _mm512_sub_pd(a, b); }
  static D mul(const D& a, const D& b) { return _mm512_mul_pd(a, b); }
  static D fma(const D& a, const D& b, const D& c) { return _mm512_fmadd_pd(a, b, c); }
  static D fnma(const D& a, const D& b, const D& c) { return _mm512_fnmadd_pd(a, b, c); }
  // max(z, 0) gives +0 for ±0 and for NaN, as `z > 0 ? z : 0.0` does.
  static D max0(const D& z) { return _mm512_max_pd(z, _mm512_setzero_pd()); }
  static Cmp positive(const D& z) { return _mm512_cmp_pd_mask(z, _mm512_setzero_pd(), _CMP_GT_OQ); }
  static Cmp is_zero(const D& z) { return _mm512_cmp_pd_mask(z, _mm512_setzero_pd(), _CMP_EQ_OQ); }
  static Cmp non_negative(const D& z) {
    return _mm512_cmp_pd_mask(z, _mm512_setzero_pd(), _CMP_GE_OQ);
  }
  static D broadcast(const double* p) { return _mm512_set1_pd(*p); }
  static D select(const Cmp& m, const D& v) { return _mm512_maskz_mov_pd(m, v); }
  static D blend(const D& a, const D& b, const Cmp& m) { return _mm512_mask_blend_pd(m, a, b); }
  static D widen(const float* x) { return _mm512_cvtps_pd(_mm256_loadu_ps(x)); }
  static Mask mask_for(std::size_t n) { return static_cast<__mmask8>((1u << n) - 1); }
  static D widen_masked(const float* x, const Mask& m) {
    return _mm512_cvtps_pd(_mm256_maskz_loadu_ps(m, x));
  }
  static D load_masked(const double* p, const Mask& m) { return _mm512_maskz_loadu_pd(m, p); }
  // The last piece of short rows: the masked load too (AVX-512's costs no extra operation).
  static constexpr std::size_t kPlainLastPieces = 0;
  static D widen_last(const float* x, const Mask& m) { return widen_masked(x, m); }
  // In the order of affine_value's eight lanes.
  static double lane_sum(const D& v) {
    alignas(64) double l[8];
    _mm512_store_pd(l, v);
    return ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
  }
  // The loss in four lanes, as the AVX2 variant sums it: rows 0-3 of each group, then rows 4-7.
  using LossLanes = __m256d;
  static LossLanes loss_zero() { return _mm256_setzero_pd(); }
  static LossLanes loss_add(const D& a, const D& b, const LossLanes& acc) {
    const LossLanes low =
        _mm256_fmadd_pd(_mm512_castpd512_pd256(a), _mm512_castpd512_pd256(b), acc);
    return _mm256_fmadd_pd(_mm512_extractf64x4_pd(a, 1), _mm512_extractf64x4_pd(b, 1), low);
  }
  static double loss_sum(const LossLanes& v) {
    alignas(32) double l[4];
    _mm256_store_pd(l, v);
    return (l[0] + l[2]) + (l[1] + l[3]);
  }
  // s[r] = the eight partial sums of row r → ((s0+s4)+(s2+s6)) + ((s1+s5)+(s3+s7)) of rows 0..7
  // in lanes 0..7.
  static D z_of_rows(const D (&s)[8]) {
    // (a, b) → (s0+s4, s1+s5, s2+s6, s3+s7) of a, then of b.
    const auto halves = [](const D& a, const D& b) __attribute__((always_inline)) {
      return _mm512_add_pd(_mm512_shuffle_f64x2(a, b, 0x44), _mm512_shuffle_f64x2(a, b, 0xEE));
    };
    // (t, u) of two rows each → (t0+t2, t1+t3) of t's rows, then of u's.
    const auto pairs = [](const D& t, const D& u) __attribute__((always_inline)) {
      return _mm512_add_pd(_mm512_shuffle_f64x2(t, u, 0x88), _mm512_shuffle_f64x2(t, u, 0xDD));
    };
    // Rows 0, 2, 4, 6 in v_even and 1, 3, 5, 7 in v_odd, so that the interleaving below puts
    // row r in lane r.
    const D v_even = pairs(halves(s[0], s[2]), halves(s[4], s[6]));
    const D v_odd = pairs(halves(s[1], s[3]), halves(s[5], s[7]));
    return _mm512_add_pd(_mm512_unpacklo_pd(v_even, v_odd), _mm512_unpackhi_pd(v_even, v_odd));
  }
  // The columns (short_rows_columns.hpp) come from the registers of transposed rows, which each
  // full group fills for the next one where the rows take more than two vectors (d > 4: at d = 2
  // and 4 filling a tile ahead, as the kernels did before, cost 1-5 %, n = 10^6, medians of 7
  // interleaved rounds).
  static constexpr bool transpose_ahead(std::size_t d) { return d > 4; }
  template <std::size_t F>
  static constexpr std::size_t kTileFloats = 16 * ColumnPlan<F>::kOutputs;
  // The eight rows at x (8·F floats) transposed: output o holds features 2o and 2o + 1 of rows
  // 0..7 (column_plan.hpp).
  template <std::size_t F>
  [[gnu::always_inline]] static void transpose(const float* x,
                                               __m512 (&outs)[ColumnPlan<F>::kOutputs]) {
    using Plan = ColumnPlan<F>;
    static constexpr Plan kPlan{};
    constexpr std::size_t S = Plan::kSources;
    __m512 v[S + Plan::kMaxIntermediates];
#pragma GCC unroll 8
    for (std::size_t s = 0; s < S; ++s)
      v[s] = 16 * (s + 1) <= 8 * F
                 ? _mm512_loadu_ps(x + 16 * s)
                 : _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << (8 * F - 16 * s)) - 1),
                                         x + 16 * s);
    const auto index = [](const std::array<int, 16>& lanes) __attribute__((always_inline)) {
      return _mm512_loadu_si512(lanes.data());
    };
#pragma GCC unroll 16
    for (std::size_t k = 0; k < kPlan.intermediates; ++k)
      v[S + k] = _mm512_permutex2var_ps(
          v[kPlan.first_source[k]], index(kPlan.intermediate_index[k]), v[kPlan.second_source[k]]);
#pragma GCC unroll 8
    for (std::size_t o = 0; o < Plan::kOutputs; ++o) {
      __m512 out;
      if (kPlan.identity)
        out = v[0];
      else if (kPlan.operand_count[o] == 1)
        out = _mm512_permutexvar_ps(index(kPlan.index[o][0]), v[kPlan.operands[o][0]]);
      else
        out = _mm512_permutex2var_ps(v[kPlan.operands[o][0]], index(kPlan.index[o][0]),
                                     v[kPlan.operands[o][1]]);
#pragma GCC unroll 8
      for (std::size_t e = 2; e < kPlan.operand_count[o]; ++e)
        out = _mm512_permutex2var_ps(out, index(kPlan.index[o][e - 1]), v[kPlan.operands[o][e]]);
      outs[o] = out;
    }
  }
  // The same, each output also stored in tile (kTileFloats<F>, 64-byte aligned), so that feature
  // l of row r is at tile[8·l + r].
  template <std::size_t F>
  [[gnu::always_inline]] static void transpose(const float* x, float* tile,
                                               __m512 (&outs)[ColumnPlan<F>::kOutputs]) {
    transpose<F>(x, outs);
#pragma GCC unroll 8
    for (std::size_t o = 0; o < ColumnPlan<F>::kOutputs; ++o)
      _mm512_store_ps(tile + 16 * o, outs[o]);
  }
  template <std::size_t F>
  [[gnu::always_inline]] static void transpose(const float* x, float* tile) {
    __m512 outs[ColumnPlan<F>::kOutputs];
    transpose<F>(x, tile, outs);
  }
  // Feature l of the eight rows whose transposition is outs (above), as floats and widened.
  template <std::size_t N>
  [[gnu::always_inline]] static Copy8 float_half(const __m512 (&outs)[N], std::size_t l) {
    return l % 2 == 0 ? _mm512_castps512_ps256(outs[l / 2])
                      : _mm512_extractf32x8_ps(outs[l / 2], 1);
  }
  template <std::size_t N>
  [[gnu::always_inline]] static D float_column(const __m512 (&outs)[N], std::size_t l) {
    return _mm512_cvtps_pd(float_half(outs, l));
  }
  // column[l] = feature l of eight rows of a column copy (RowBlock::columns) from p, 8 apart.
  template <std::size_t F>
  [[gnu::always_inline]] static void widen_copy(const float* p, D (&column)[F]) {
#pragma GCC unroll 16
    for (std::size_t l = 0; l < F; ++l) column[l] = _mm512_cvtps_pd(_mm256_loadu_ps(p + 8 * l));
  }
  // The columns of the eight rows at x (8·F floats), each group its own (d ≤ 4).
  template <std::size_t F>
  [[gnu::always_inline]] static void columns(const float* x, D (&column)[F]) {
    alignas(64) float tile[kTileFloats<F>];
    __m512 outs[ColumnPlan<F>::kOutputs];
    transpose<F>(x, tile, outs);
    // The lower halves widened from the register, the upper ones from memory: from a register an
    // upper half takes one more shuffle (a vextractf32x8; gd's pass at d = 10 before the tile was
    // filled ahead, one core in cache: 2.63 ns per row, against 2.46 with every half from memory
    // and 2.43 as here; the loss at d = 4 lost 7 % with every half from memory). The empty asm,
    // which may read and write the tile, keeps the compiler from forwarding the stores into
    // registers.
    asm("" : "+m"(tile));
#pragma GCC unroll 16
    for (std::size_t l = 0; l < F; ++l)
      column[l] = l % 2 == 0 ? _mm512_cvtps_pd(_mm512_castps512_ps256(outs[l / 2]))
                             : _mm512_cvtps_pd(_mm256_load_ps(tile + 8 * l));
  }
};

#include "kernels/short_rows_body.hpp"
#include "kernels/short_rows_columns.hpp"

// Rows of up to kAvx512ColumnFeatures features on columns (short_rows_columns.hpp), longer ones
// in row-major pieces (short_rows_body.hpp).
template <bool FusedZ>
using Avx512Kernels = ColumnsThenPieces<Avx512, FusedZ>;

}  // namespace

const ShortRowKernels& short_row_kernels_avx512(bool fused_z) {
  return fused_z ? Avx512Kernels<true>::table : Avx512Kernels<false>::table;
}

}  // namespace relureg::detail
#endif
