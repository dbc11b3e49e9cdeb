// affine_rows and accumulate_rows for a target with AVX2 and FMA but not AVX-512.
//
// Included by simd_rows.hpp in a build for such a target, by src/base/rows_v3.cpp (affine_value
// and the long rows of a build for any x86-64, on a CPU with AVX2) and by a test's probe. Its
// functions are in the inline namespace x86_64_v3, so that they never share a symbol with the
// generic or AVX-512 ones of a translation unit compiled for another target. The eight double
// lanes of an affine_value chunk are two 256-bit registers here (lanes 0-3 and 4-7), named
// explicitly: GCC lowered the 64-byte vector type of the generic code through memory on this
// target (spills and lane-by-lane moves between general and vector registers), and an x86-64-v3
// build's pass over rows of 1000 features ran at about half the native build's rate
// (docs/performance.md). The arithmetic is the generic code's, operation for operation (Fused: its
// `acc += a * b` as the fused multiply-add a target with FMA contracts it to; otherwise a product
// then an addition), so z is affine_value's bit for bit and the gradients are added in the same
// order.
#pragma once

#include <immintrin.h>

#include <cstddef>

#include "base/weight_loads.hpp"

namespace relureg::detail {
inline namespace x86_64_v3 {

namespace avx2_rows {

// The first `count` (0 to 4) of four lanes as a mask for the masked loads.
inline __m128i first_lanes(std::size_t count) {
  const __m128i lane = _mm_set_epi32(3, 2, 1, 0);
  return _mm_cmpgt_epi32(_mm_set1_epi32(static_cast<int>(count)), lane);
}

// Lanes 0-3 and 4-7 of eight doubles, and of eight floats widened.
struct Half2 {
  __m256d low, high;
};
inline Half2 load_w(const double* w) {
  return {_mm256_loadu_pd(w), _mm256_loadu_pd(w + 4)};
}
inline Half2 widen_x(const float* x) {
  return {_mm256_cvtps_pd(_mm_loadu_ps(x)), _mm256_cvtps_pd(_mm_loadu_ps(x + 4))};
}
// The first `count` < 8 values then zeros, reading nothing past them.
inline Half2 load_w_first(const double* w, std::size_t count) {
  const std::size_t high = count > 4 ? count - 4 : 0;
  return {_mm256_maskload_pd(w, _mm256_cvtepi32_epi64(first_lanes(count))),
          _mm256_maskload_pd(w + 4, _mm256_cvtepi32_epi64(first_lanes(high)))};
}
inline Half2 widen_x_first(const float* x, std::size_t count) {
  const std::size_t high = count > 4 ? count - 4 : 0;
  return {_mm256_cvtps_pd(_mm_maskload_ps(x, first_lanes(count))),
          _mm256_cvtps_pd(_mm_maskload_ps(x + 4, first_lanes(high)))};
}
// acc += a·b: one rounding (Fused), or the product rounded then added (what a target without FMA
// computes; its translation unit must not contract the two, -ffp-contract=off).
template <bool Fused>
inline void mul_add(Half2& acc, const Half2& a, const Half2& b) {
  if constexpr (Fused) {
    acc.low = _mm256_fmadd_pd(a.low, b.low, acc.low);
    acc.high = _mm256_fmadd_pd(a.high, b.high, acc.high);
  } else {
    acc.low = _mm256_add_pd(acc.low, _mm256_mul_pd(a.low, b.low));
    acc.high = _mm256_add_pd(acc.high, _mm256_mul_pd(a.high, b.high));
  }
}
template <bool Fused>
inline double mul_add(double a, double b, double acc) {
  if constexpr (Fused)
    return __builtin_fma(a, b, acc);
  else
    return acc + a * b;
}

// z of N ≤ 2 rows: their chains interleaved (four accumulators each: even and odd chunks, two
// halves), which with w's four registers fits in the sixteen vector registers.
template <std::size_t N, bool Fused>
inline void affine_few(const float* x, std::size_t stride, const double* w, std::size_t d, double b,
                       double* z, std::ptrdiff_t prefetch_distance, WeightLoads loads) {
  Half2 even[N], odd[N];
  for (std::size_t r = 0; r < N; ++r) even[r] = odd[r] = {_mm256_setzero_pd(), _mm256_setzero_pd()};
  std::size_t j = 0;
  for (; j + 16 <= d; j += 16) {
    if (prefetch_distance != 0)
      for (std::size_t r = 0; r < N; ++r)
        __builtin_prefetch(x + r * stride + j + prefetch_distance, 0, 2);
    Half2 w0 = load_w(w + j), w1 = load_w(w + j + 8);
    // Opaque to the compiler, so that it keeps the four halves in registers.
    if (loads == WeightLoads::per_step)
      asm("" : "+x"(w0.low), "+x"(w0.high), "+x"(w1.low), "+x"(w1.high));
    for (std::size_t r = 0; r < N; ++r) {
      mul_add<Fused>(even[r], w0, widen_x(x + r * stride + j));
      mul_add<Fused>(odd[r], w1, widen_x(x + r * stride + j + 8));
    }
  }
  if (j + 8 <= d) {  // one full even chunk left
    const Half2 w0 = load_w(w + j);
    for (std::size_t r = 0; r < N; ++r) mul_add<Fused>(even[r], w0, widen_x(x + r * stride + j));
    j += 8;
  }
  if (j < d) {  // a partial chunk: into odd after a full even chunk, else into even
    const std::size_t rest = d - j;
    const Half2 w0 = load_w_first(w + j, rest);
    // Two loops, not one through a reference chosen at run time: that made GCC keep the
    // accumulators in memory and store all eight in every step of the main loop (at d = 1000 the
    // loop took about 13 cycles a step instead of 8 by llvm-mca's Zen 3 model).
    if ((j / 8) % 2 == 1)
      for (std::size_t r = 0; r < N; ++r)
        mul_add<Fused>(odd[r], w0, widen_x_first(x + r * stride + j, rest));
    else
      for (std::size_t r = 0; r < N; ++r)
        mul_add<Fused>(even[r], w0, widen_x_first(x + r * stride + j, rest));
  }
  for (std::size_t r = 0; r < N; ++r) {
    // s = even + odd; t = (s0+s4, s1+s5, s2+s6, s3+s7); z = ((t0+t2) + (t1+t3)) + b.
    const __m256d t = _mm256_add_pd(_mm256_add_pd(even[r].low, odd[r].low),
                                    _mm256_add_pd(even[r].high, odd[r].high));
    alignas(32) double l[4];
    _mm256_store_pd(l, t);
    z[r] = ((l[0] + l[2]) + (l[1] + l[3])) + b;
  }
}

}  // namespace avx2_rows

// z[r] = b + Σ_j w_j x_rj for the R rows x + r·stride: simd_rows.hpp's definition, two rows at a
// time, with fused multiply-adds or (Fused = false) as a target without FMA computes it.
// `loads`: weight_loads.hpp.
template <std::size_t R, bool Fused = true>
inline void affine_rows(const float* x, std::size_t stride, const double* w, std::size_t d,
                        double b, double* z, std::ptrdiff_t prefetch_distance = 0,
                        WeightLoads loads = WeightLoads::per_product) {
  std::size_t r = 0;
  for (; r + 2 <= R; r += 2)
    avx2_rows::affine_few<2, Fused>(x + r * stride, stride, w, d, b, z + r, prefetch_distance,
                                    loads);
  if (r < R)
    avx2_rows::affine_few<1, Fused>(x + r * stride, stride, w, d, b, z + r, prefetch_distance,
                                    loads);
}

// acc[g][j] += Σ_r coef[g][r] x_rj: simd_rows.hpp's definition (rows added in order, one
// multiply-add each; each accumulator chunk loaded and stored once per R rows).
template <std::size_t R, std::size_t G, bool Fused = true>
inline void accumulate_rows(const float* x, std::size_t stride, std::size_t d,
                            const double (&coef)[G][R], double* const (&acc)[G],
                            std::ptrdiff_t prefetch_distance = 0) {
  using avx2_rows::Half2;
  double* out[G];  // a copy: the stores through acc's pointers could change them, for all GCC knows
  for (std::size_t g = 0; g < G; ++g) out[g] = acc[g];
  Half2 c[G][R], xr[R];
  for (std::size_t g = 0; g < G; ++g)
    for (std::size_t r = 0; r < R; ++r) c[g][r].low = c[g][r].high = _mm256_set1_pd(coef[g][r]);
  std::size_t j = 0;
  for (; j + 8 <= d; j += 8) {
    if (prefetch_distance != 0 && j % 16 == 0)
      for (std::size_t r = 0; r < R; ++r)
        __builtin_prefetch(x + r * stride + j + prefetch_distance, 0, 2);
    for (std::size_t r = 0; r < R; ++r) xr[r] = avx2_rows::widen_x(x + r * stride + j);
    for (std::size_t g = 0; g < G; ++g) {
      Half2 a = avx2_rows::load_w(out[g] + j);
      for (std::size_t r = 0; r < R; ++r) avx2_rows::mul_add<Fused>(a, c[g][r], xr[r]);
      _mm256_storeu_pd(out[g] + j, a.low);
      _mm256_storeu_pd(out[g] + j + 4, a.high);
    }
  }
  for (; j < d; ++j)
    for (std::size_t g = 0; g < G; ++g)
      for (std::size_t r = 0; r < R; ++r)
        acc[g][j] = avx2_rows::mul_add<Fused>(coef[g][r], static_cast<double>(x[r * stride + j]),
                                              acc[g][j]);
}

}  // namespace x86_64_v3
}  // namespace relureg::detail
