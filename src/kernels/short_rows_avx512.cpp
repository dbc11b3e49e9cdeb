// The short-row kernels for AVX-512 (x86-64-v4): eight rows at a time in 512-bit vectors.
#include "kernels/short_rows_isa.hpp"

#if defined(RELUREG_SHORT_ROW_ISAS)
#include <immintrin.h>

#include <array>
#include <cstddef>
#include <type_traits>

// GCC 12's AVX-512 intrinsics (max, unpack, shuffle, ...) pass an "undefined" source that its
// -Wmaybe-uninitialized reports as used (GCC PR 105593): a false positive in the header.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace relureg::detail {
namespace {

// Eight double lanes: an eight-lane chunk of affine_value is one vector (K = 1).
struct Avx512 {
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
};

#include "kernels/short_rows_body.hpp"
#include "kernels/short_rows_columns.hpp"

// Rows of up to kAvx512ColumnFeatures features on columns (short_rows_columns.hpp), longer ones
// in row-major pieces (short_rows_body.hpp).
template <bool FusedZ>
struct Avx512Kernels {
  using InPieces = Kernels<Avx512, FusedZ>;
  using OnColumns = ColumnKernels<Avx512>;
  static bool on_columns(const RowBlock& blk) { return blk.d <= kAvx512ColumnFeatures; }
  static void stats(const RowBlock& blk, const double* weights, const double* w, double b,
                    bool with_bias, double relu_grad_at_zero, ShortGradients gradients,
                    double* acc) {
    (on_columns(blk) ? OnColumns::stats : InPieces::stats)(blk, weights, w, b, with_bias,
                                                           relu_grad_at_zero, gradients, acc);
  }
  static double loss(const RowBlock& blk, const double* weights, const double* w, double b) {
    return (on_columns(blk) ? OnColumns::loss : InPieces::loss)(blk, weights, w, b);
  }
  static void scale(const RowBlock& blk, const double* weights, const double* u, double* acc) {
    (on_columns(blk) ? OnColumns::scale : InPieces::scale)(blk, weights, u, acc);
  }
  static void predict(const RowBlock& blk, const double* w, double b, double* out) {
    (on_columns(blk) ? OnColumns::predict : InPieces::predict)(blk, w, b, out);
  }
  static constexpr ShortRowKernels table{&stats, &loss, &scale, &predict, Avx512::kMaxFeatures};
};

}  // namespace

const ShortRowKernels& short_row_kernels_avx512(bool fused_z) {
  return fused_z ? Avx512Kernels<true>::table : Avx512Kernels<false>::table;
}

}  // namespace relureg::detail
#endif
