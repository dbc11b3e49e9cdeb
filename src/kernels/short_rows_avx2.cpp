// The short-row kernels for AVX2 and FMA (x86-64-v3): four rows at a time in 256-bit vectors.
#include "kernels/short_rows_isa.hpp"

#if defined(RELUREG_SHORT_ROW_ISAS)
#include <immintrin.h>

#include <cstddef>
#include <type_traits>

namespace relureg::detail {
namespace {

// Four double lanes; an eight-lane chunk of affine_value is two of them (K = 2).
struct Avx2 {
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
};

#include "kernels/short_rows_body.hpp"

}  // namespace

const ShortRowKernels& short_row_kernels_avx2(bool fused_z) {
  return fused_z ? Kernels<Avx2, true>::table : Kernels<Avx2, false>::table;
}

}  // namespace relureg::detail
#endif
