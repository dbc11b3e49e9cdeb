// The short-row kernels for AVX2 and FMA (x86-64-v3): four rows at a time in 256-bit vectors.
#include "kernels/short_rows_isa.hpp"

#if defined(RELUREG_SHORT_ROW_ISAS)
#include <immintrin.h>

#include "base/cpu_level.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

namespace relureg::detail {
namespace {

#include "kernels/short_rows_copy8.hpp"

// Four double lanes; an eight-lane chunk of affine_value is two of them (K = 2).
struct Avx2 : Copy8Ops {
  using D = __m256d;
  // The lanes of a masked piece, as the float load takes them, and how many (1 to 4).
  struct Mask {
    __m128i lanes;
    std::size_t count;
  };
  using Cmp = __m256d;  // a lane-wise comparison (all ones or all zeros)
  static constexpr std::size_t W = 4;
  static constexpr std::size_t kGradientRegisters = 8;
  // Rows of up to 128 features: past 64 the row's pieces no longer fit in the 16 registers and
  // spill, yet at d = 100 the pass still took 57 ns per row against the row-major kernel's 88 in
  // an x86-64-v3 build (one core, thread CPU time).
  static constexpr std::size_t kMaxFeatures = kWideShortRowFeatures;
  // Rows of up to this many pieces broadcast their gradient coefficients from memory
  // (short_rows_body.hpp's coefficient).
  static constexpr std::size_t kMemoryBroadcastPieces = 3;
  static constexpr std::size_t K = 2;
  // Rows on columns (short_rows_columns.hpp): relu_stats up to kColumnFeatures except where
  // avx2_stats_on_columns says no, the other passes up to kColumnPassFeatures.
  static constexpr std::size_t kColumnFeatures = kAvx2ColumnFeatures;
  // Rows of up to this many features on columns where a block carries its column copy.
  static constexpr std::size_t kCopyColumnFeatures = kAvx2CopyColumnFeatures;
  static constexpr std::size_t kColumnPassFeatures = kAvx2ColumnPassFeatures;
  static constexpr bool stats_on_columns(std::size_t d) { return avx2_stats_on_columns(d); }
  // relu_stats on columns takes two groups per step (short_rows_columns.hpp).
  static constexpr bool kColumnStatsPairs = true;
  // relu_stats with one gradient over a column copy of rows of 9 to 11 features widens each
  // column twice, for z and for the gradient (short_rows_columns.hpp's stats_twice), so that the
  // gradient stays in registers. Zen 5, x86-64-v3 build, one core in cache (n = 13107), GB/s,
  // best of 5, before → after: gd's pass d = 9 23.9 → 29.0, 10 23.6 → 28.5, 11 23.1 → 27.0;
  // glmtron's 23.5 → 26.4, 24.1 → 26.0, 23.7 → 25.8. Shorter rows lost (d = 2 21.3 → 8.8; 6 and 7
  // level), the pass with both gradients too (d = 10, 20 accumulators: 8 % slower), and so did
  // rows without a copy transposed into a float tile per group (gd's pass, n = 10^6: 17.5 → 14.9).
  static constexpr bool copy_columns_twice(std::size_t d) { return d >= 9; }
  // Each group's columns from registers (columns below).
  static constexpr bool transpose_ahead(std::size_t) { return false; }

  static D zero() { return _mm256_setzero_pd(); }
  static D set1(double v) { return _mm256_set1_pd(v); }
  static D load(const double* p) { return _mm256_loadu_pd(p); }
  static void store(double* p, const D& v) { _mm256_storeu_pd(p, v); }
  static D add(const D& a, const D& b) { return _mm256_add_pd(a, b); }
  static D sub(const D& a, const D& b) { return _mm256_sub_pd(a, b); }
  static D mul(const D& a, const D& b) { return _mm256_mul_pd(a, b); }
  static D fma(const D& a, const D& b, const D& c) { return _mm256_fmadd_pd(a, b, c); }
  static D fnma(const D& a, const D& b, const D& c) { return _mm256_fnmadd_pd(a, b, c); }
  // max(z, 0) gives +0 for ±0 and for NaN, as `z > 0 ? z : 0.0` does.
  static D max0(const D& z) { return _mm256_max_pd(z, _mm256_setzero_pd()); }
  static Cmp positive(const D& z) { return _mm256_cmp_pd(z, _mm256_setzero_pd(), _CMP_GT_OQ); }
  static Cmp is_zero(const D& z) { return _mm256_cmp_pd(z, _mm256_setzero_pd(), _CMP_EQ_OQ); }
  static Cmp non_negative(const D& z) { return _mm256_cmp_pd(z, _mm256_setzero_pd(), _CMP_GE_OQ); }
  static D broadcast(const double* p) { return _mm256_broadcast_sd(p); }
  static D select(const Cmp& m, const D& v) { return _mm256_and_pd(m, v); }
  static D blend(const D& a, const D& b, const Cmp& m) { return _mm256_blendv_pd(a, b, m); }
  static D widen(const float* x) { return _mm256_cvtps_pd(_mm_loadu_ps(x)); }
  static Mask mask_for(std::size_t n) {
    return {_mm_set_epi32(n > 3 ? -1 : 0, n > 2 ? -1 : 0, n > 1 ? -1 : 0, n > 0 ? -1 : 0), n};
  }
  static D widen_masked(const float* x, const Mask& m) {
    return _mm256_cvtps_pd(_mm_maskload_ps(x, m.lanes));
  }
  // The same for the last piece of rows of at most four pieces: four floats by a whole load, one
  // or two by a plain load of 4 or 8 bytes, three by the masked load (nothing is read past them).
  // In cache, one core, against the masked load: the loss pass 1.76 → 1.61 ns per row at d = 10,
  // 1.04 → 0.80 at d = 4; gd's pass 1.76 → 1.58 at d = 4. Longer rows keep the masked load
  // (the branches cost gd's pass at d = 32 about 2 %).
  static constexpr std::size_t kPlainLastPieces = 4;
  static D widen_last(const float* x, const Mask& m) {
    if (m.count == 4) return _mm256_cvtps_pd(_mm_loadu_ps(x));
    if (m.count == 2)
      return _mm256_cvtps_pd(
          _mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(x))));
    if (m.count == 1) return _mm256_cvtps_pd(_mm_load_ss(x));
    return _mm256_cvtps_pd(_mm_maskload_ps(x, m.lanes));
  }
  static D load_masked(const double* p, const Mask& m) {
    return _mm256_maskload_pd(p, _mm256_cvtepi32_epi64(m.lanes));
  }
  // In the order of affine_value's eight lanes: (l0 + l2) + (l1 + l3).
  static double lane_sum(const D& v) {
    alignas(32) double l[4];
    _mm256_store_pd(l, v);
    return (l[0] + l[2]) + (l[1] + l[3]);
  }
  // Unweighted rows' activity in four 64-bit integer lanes (short_rows_body.hpp's StatsTerms):
  // a true comparison's lane is all ones, −1.
  static constexpr bool kCountsActive = true;
  // relu_stats on row-major pieces keeps the surrogate and the activity in vectors: lean, gd's
  // pass at d = 32 was slower on Zen 3 (short_rows_body.hpp's StatsTerms).
  // relu_stats on row-major pieces of 17 to 32 features in two phases per 4 KB of rows
  // (short_rows_two_phase.hpp). Zen 5, x86-64-v3 build, one core in cache, medians of 5
  // interleaved rounds, GB/s, one phase → two: gd's pass d = 32 25.3 → 29.4, glmtron's 26.5 →
  // 30.7 (two sets of rounds; an 8 KB chunk was slower than 4 KB). At d = 16 (four pieces) and
  // d = 64 (16) an early version read level (17.4 / 17.0 and 22.0 / 22.1, under a neighbour's
  // load), so those rows keep one phase.
  static constexpr bool two_phase(std::size_t Q) { return Q >= 5 && Q <= 8; }
  // Where relu_stats may take z's dot product in float32 (RowDot::float32_allowed), it takes two
  // phases at every Q with Q·W > kFloatZAboveFeatures, with that float z
  // (short_rows_two_phase.hpp): eight floats a piece.
  static constexpr bool float_two_phase(std::size_t Q) { return Q * W > kFloatZAboveFeatures; }
  using F = __m256;
  using FloatMask = __m256i;
  static FloatMask float_mask_for(std::size_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static F float_load(const float* p) { return _mm256_loadu_ps(p); }
  static F float_load_masked(const float* p, const FloatMask& m) {
    return _mm256_maskload_ps(p, m);
  }
  static F float_mul(const F& a, const F& b) { return _mm256_mul_ps(a, b); }
  static F float_fma(const F& a, const F& b, const F& c) { return _mm256_fmadd_ps(a, b, c); }
  // v[r] = the eight float32 partial sums of row r's dot product → the four rows' sums, added in
  // float32 in a tree (lanes l and l + 4, then l and l + 2, l and l + 1), widened once: row r in
  // lane r.
  static D float_z_of_rows(const F (&v)[4]) {
    // Rows 0 | 2 and 1 | 3: lanes l + l + 4 of each.
    const F r02 = _mm256_add_ps(_mm256_permute2f128_ps(v[0], v[2], 0x20),
                                _mm256_permute2f128_ps(v[0], v[2], 0x31));
    const F r13 = _mm256_add_ps(_mm256_permute2f128_ps(v[1], v[3], 0x20),
                                _mm256_permute2f128_ps(v[1], v[3], 0x31));
    // Half h: (row 2h, row 2h + 1) lanes 0 + 2, then 1 + 3; then the two added.
    const F s = _mm256_add_ps(_mm256_unpacklo_ps(r02, r13), _mm256_unpackhi_ps(r02, r13));
    const F t = _mm256_add_ps(s, _mm256_permute_ps(s, 0x4E));
    const __m256i rows = _mm256_setr_epi32(0, 1, 4, 5, 0, 0, 0, 0);
    return _mm256_cvtps_pd(_mm256_castps256_ps128(_mm256_permutevar8x32_ps(t, rows)));
  }
  // relu_stats' float z on columns from kColumnFloatZFeatures features on, with Copy8, eight
  // floats: one feature of a copy group's eight rows (short_rows_column_float_z.hpp). Zen 5,
  // x86-64-v3 build, one core in cache, GB/s, medians of interleaved rounds, double z → float z:
  // gd's pass at d = 10 28.1 → 36.3 (3 rounds, quiet), 25.3 → 31.5 (5 rounds, under a
  // neighbour's load); glmtron's 26.2 → 34.1 and 24.2 → 32.1.
  static constexpr bool column_float_z(std::size_t d) { return d >= kColumnFloatZFeatures; }
  static constexpr bool kPairedFloatZ = false;  // one feature per Copy8 (eight floats)
  static D copy8_widen(const Copy8& v, std::size_t h) {
    return _mm256_cvtps_pd(h == 0 ? _mm256_castps256_ps128(v) : _mm256_extractf128_ps(v, 1));
  }
  static constexpr std::size_t kTwoPhaseChunkBytes = 4096;
  static constexpr bool kTwoPhaseMayPrefetchFar = false;  // one chunk ahead on every CPU
  static constexpr bool kLeanPieces = false;
  struct Count {
    __m256i lanes = _mm256_setzero_si256();
  };
  static Count count_add(const Cmp& m, const Count& c) {
    return {_mm256_sub_epi64(c.lanes, _mm256_castpd_si256(m))};
  }
  static double count_sum(const Count& c) {
    alignas(32) long long l[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(l), c.lanes);
    return static_cast<double>((l[0] + l[1]) + (l[2] + l[3]));
  }
  // The loss's four lanes are the vector's own.
  using LossLanes = D;
  static D loss_zero() { return zero(); }
  static D loss_add(const D& a, const D& b, const D& acc) { return fma(a, b, acc); }
  static double loss_sum(const D& v) { return lane_sum(v); }
  // t[r] = (s0+s4, s1+s5, s2+s6, s3+s7) of row r → ((s0+s4)+(s2+s6)) + ((s1+s5)+(s3+s7)) of
  // rows 0..3 in lanes 0..3.
  static D z_of_rows(const D (&t)[4]) {
    // Rows 0 | 2 and 1 | 3: (t0 + t2, t1 + t3) of each.
    const D r02 = _mm256_add_pd(_mm256_permute2f128_pd(t[0], t[2], 0x20),
                                _mm256_permute2f128_pd(t[0], t[2], 0x31));
    const D r13 = _mm256_add_pd(_mm256_permute2f128_pd(t[1], t[3], 0x20),
                                _mm256_permute2f128_pd(t[1], t[3], 0x31));
    return _mm256_add_pd(_mm256_unpacklo_pd(r02, r13), _mm256_unpackhi_pd(r02, r13));
  }

  // column[l] = feature l of four rows of a column copy (RowBlock::columns) from p, 8 apart.
  template <std::size_t F>
  [[gnu::always_inline]] static void widen_copy(const float* p, D (&column)[F]) {
#pragma GCC unroll 16
    for (std::size_t l = 0; l < F; ++l) column[l] = _mm256_cvtps_pd(_mm_loadu_ps(p + 8 * l));
  }
  // The columns of the four rows at x (4·F floats): column[f] = feature f of rows 0..3, widened.
  // One feature: the four floats are the column. Two: one load and one permutation; four: two
  // loads, two unpacks and two permutations (through a small stack tile). Otherwise chunks of
  // eight features, each row's chunk one load (masked where a whole one would read past the
  // group), and a 4x4 transposition within each 128-bit lane gives features c + i and c + 4 + i
  // of the four rows side by side, widened half by half from the register. On Zen 3, one core in
  // cache, ns per row of gd's pass, against widening every half from a stack tile: d = 6 2.92 →
  // 2.61, 10 3.36 → 3.17, 12 4.13 → 3.76 (an Intel Xeon's AVX2 build measured the reverse at
  // d = 5: 1.89 → 1.97).
  template <std::size_t F>
  [[gnu::always_inline]] static void columns(const float* x, D (&column)[F]) {
    if constexpr (F == 1) {
      column[0] = _mm256_cvtps_pd(_mm_loadu_ps(x));
    } else if constexpr (F == 2) {
      alignas(32) float tile[8];
      _mm256_store_ps(tile, _mm256_permutevar8x32_ps(_mm256_loadu_ps(x),
                                                     _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7)));
      asm("" : "+m"(tile));
      column[0] = _mm256_cvtps_pd(_mm_load_ps(tile));
      column[1] = _mm256_cvtps_pd(_mm_load_ps(tile + 4));
    } else if constexpr (F == 4) {
      // Rows 0 | 1 and 2 | 3: interleaved, features 0, 1 then 2, 3 of rows 0, 2 | 1, 3; the
      // permutation puts the rows in order.
      const __m256 a = _mm256_loadu_ps(x), b = _mm256_loadu_ps(x + 8);
      const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
      alignas(32) float tile[16];
      _mm256_store_ps(tile, _mm256_permutevar8x32_ps(_mm256_unpacklo_ps(a, b), order));
      _mm256_store_ps(tile + 8, _mm256_permutevar8x32_ps(_mm256_unpackhi_ps(a, b), order));
      asm("" : "+m"(tile));
#pragma GCC unroll 4
      for (std::size_t f = 0; f < 4; ++f) column[f] = _mm256_cvtps_pd(_mm_load_ps(tile + 4 * f));
    } else {
      [&]<std::size_t... J>(std::index_sequence<J...>) __attribute__((always_inline)) {
        (transpose_chunk<F, J>(x, column), ...);
      }
      (std::make_index_sequence<(F + 7) / 8>{});
    }
  }
  // Chunk J (features 8J..8J+7, those below F) of the four rows at x, transposed: four[i] holds
  // feature 8J + i of rows 0..3 in its lower half, feature 8J + 4 + i in its upper half.
  template <std::size_t F, std::size_t J>
  [[gnu::always_inline]] static void transposed_chunk(const float* x, __m256 (&four)[4]) {
    constexpr std::size_t kRest = F - 8 * J < 8 ? F - 8 * J : 8;
    if constexpr (kRest <= 2) {
      // One or two features left (d = 9, 10): each row's by a 4- or 8-byte load and two 128-bit
      // unpacks, in place of four 32-byte loads (the last masked) and four 256-bit shuffles; the
      // same floats in the lower halves of four[0] and four[1] (their upper halves unused).
      __m128 row[4];
#pragma GCC unroll 4
      for (std::size_t r = 0; r < 4; ++r) {
        const float* p = x + F * r + 8 * J;
        row[r] = kRest == 2 ? _mm_castpd_ps(_mm_load_sd(reinterpret_cast<const double*>(p)))
                            : _mm_load_ss(p);
      }
      const __m128 t0 = _mm_unpacklo_ps(row[0], row[1]), t2 = _mm_unpacklo_ps(row[2], row[3]);
      four[0] = _mm256_castps128_ps256(_mm_movelh_ps(t0, t2));
      four[1] = _mm256_castps128_ps256(_mm_movehl_ps(t2, t0));
      four[2] = four[3] = _mm256_setzero_ps();
      return;
    }
    __m256 row[4];
#pragma GCC unroll 4
    for (std::size_t r = 0; r < 4; ++r) {
      const float* p = x + F * r + 8 * J;
      if (F * r + 8 * J + 8 <= 4 * F)
        row[r] = _mm256_loadu_ps(p);
      else
        row[r] = _mm256_maskload_ps(
            p, _mm256_setr_epi32(-1, kRest > 1 ? -1 : 0, kRest > 2 ? -1 : 0, kRest > 3 ? -1 : 0,
                                 kRest > 4 ? -1 : 0, kRest > 5 ? -1 : 0, kRest > 6 ? -1 : 0,
                                 kRest > 7 ? -1 : 0));
    }
    const __m256 t0 = _mm256_unpacklo_ps(row[0], row[1]), t1 = _mm256_unpackhi_ps(row[0], row[1]);
    const __m256 t2 = _mm256_unpacklo_ps(row[2], row[3]), t3 = _mm256_unpackhi_ps(row[2], row[3]);
    four[0] = _mm256_shuffle_ps(t0, t2, 0x44);
    four[1] = _mm256_shuffle_ps(t0, t2, 0xEE);
    four[2] = _mm256_shuffle_ps(t1, t3, 0x44);
    four[3] = _mm256_shuffle_ps(t1, t3, 0xEE);
  }
  // Chunk J of the four rows at x, transposed: column[8J + i] from the lower half of the i-th
  // vector, column[8J + 4 + i] from its upper half.
  template <std::size_t F, std::size_t J>
  [[gnu::always_inline]] static void transpose_chunk(const float* x, D (&column)[F]) {
    constexpr std::size_t kRest = F - 8 * J < 8 ? F - 8 * J : 8;
    __m256 four[4];
    transposed_chunk<F, J>(x, four);
#pragma GCC unroll 4
    for (std::size_t i = 0; i < 4 && i < kRest; ++i) {
      column[8 * J + i] = _mm256_cvtps_pd(_mm256_castps256_ps128(four[i]));
      if (i + 4 < kRest) column[8 * J + 4 + i] = _mm256_cvtps_pd(_mm256_extractf128_ps(four[i], 1));
    }
  }
  // The four rows at x (4·F floats, F > 4) transposed, chunk J in four[J] (transposed_chunk),
  // and their z's dot product in float32 from those registers, row by row the operations of
  // short_rows_column_float_z.hpp's copy_float_dot (feature l in chain l mod 4, which is vector
  // l mod 4 of every chunk), widened. w[l]: w_l in every lane.
  template <std::size_t F>
  [[gnu::always_inline]] static D four_float_z(const float* x, const __m256 (&w)[F],
                                               __m256 (&four)[(F + 7) / 8][4]) {
    [&]<std::size_t... J>(std::index_sequence<J...>) __attribute__((always_inline)) {
      (transposed_chunk<F, J>(x, four[J]), ...);
    }
    (std::make_index_sequence<(F + 7) / 8>{});
    __m128 c[4];
#pragma GCC unroll 16
    for (std::size_t l = 0; l < F; ++l) {
      const __m128 wl = _mm256_castps256_ps128(w[l]);
      const __m128 xl = four_half(four, l);
      c[l % 4] = l < 4 ? _mm_mul_ps(wl, xl) : _mm_fmadd_ps(wl, xl, c[l % 4]);
    }
    return _mm256_cvtps_pd(_mm_add_ps(_mm_add_ps(c[0], c[2]), _mm_add_ps(c[1], c[3])));
  }
  // Feature l of the four rows transposed by four_float_z, as floats.
  template <std::size_t Q>
  [[gnu::always_inline]] static __m128 four_half(const __m256 (&four)[Q][4], std::size_t l) {
    const __m256 v = four[l / 8][l % 4];
    return l % 8 < 4 ? _mm256_castps256_ps128(v) : _mm256_extractf128_ps(v, 1);
  }
};

#include "kernels/short_rows_body.hpp"
#include "kernels/short_rows_columns.hpp"

// Short rows on columns (short_rows_columns.hpp; which d: short_rows.hpp's kAvx2ColumnFeatures),
// the others in row-major pieces (short_rows_body.hpp).
template <bool FusedZ>
using Avx2Kernels = ColumnsThenPieces<Avx2, FusedZ>;

}  // namespace

const ShortRowKernels& short_row_kernels_avx2(bool fused_z) {
  return fused_z ? Avx2Kernels<true>::table : Avx2Kernels<false>::table;
}

}  // namespace relureg::detail
#endif
