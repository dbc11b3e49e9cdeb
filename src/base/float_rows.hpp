// Row kernel with z's dot product in float32: w·x + b for R rows of any length, eight float lanes.
//
// Included by kernels.cpp (relu_stats over rows past the short-row kernels, RowDot::float32_allowed
// with one gradient) and by rows_v3.cpp (the same in a build for any x86-64, on a CPU with AVX2).
// Its functions live in an inline namespace named after the target the translation unit is
// compiled for, so that two of them never share a symbol.
//
// The order of the operations, the same on every target with FMA (AVX2 and AVX-512 alike): w
// rounded to float (wf, zero-padded to a multiple of 8); feature j in lane j mod 8 of accumulator
// `even` if chunk ⌊j/8⌋ is even, of `odd` if odd; each lane a chain of multiply-adds in increasing
// j (one rounding each; a product then an addition on a target without FMA); a last partial chunk
// zero-padded; s = even + odd; the row's sum ((s0+s4)+(s2+s6)) + ((s1+s5)+(s3+s7)) in float,
// widened once, + b in double. So it is affine_value's order with float32 arithmetic: z differs
// from affine_value's by float32 rounding, about √d·2^-24 of Σ|w_j·x_j| typically and d·2^-24 at
// worst (the allowance of RowDot::float32_allowed). Each chunk takes the floats as they are, eight
// to a vector and no widening, where the double z widened every float once for z and once more for
// the gradient.
#pragma once

#include <cstddef>
#include <cstring>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

namespace relureg::detail {
#if defined(__AVX512F__)
inline namespace float_rows_x86_64_v4 {
#elif defined(__AVX2__) && defined(__FMA__)
inline namespace float_rows_x86_64_v3 {
#else
inline namespace float_rows_baseline {
#endif

using FloatLanes8 = float __attribute__((vector_size(32)));

// Eight floats from x, or the first `count` < 8 then zeros (reading nothing past them). Vectors
// are passed by reference only (simd_rows.hpp's reason).
inline void float_load8(FloatLanes8& out, const float* x) {
  std::memcpy(&out, x, sizeof out);
}
inline void float_load_first(FloatLanes8& out, const float* x, std::size_t count) {
  out = FloatLanes8{};
  for (std::size_t k = 0; k < count; ++k) out[k] = x[k];
}
// acc += a·b with one rounding where the target has FMA (explicitly, so that no two inlined copies
// differ), else a product then an addition.
inline void float_mul_add(FloatLanes8& acc, const FloatLanes8& a, const FloatLanes8& b) {
#if defined(__AVX2__) && defined(__FMA__)
  acc = _mm256_fmadd_ps(a, b, acc);
#else
  const FloatLanes8 product = a * b;
  acc = acc + product;
#endif
}

// z[r] = b + Σ_j wf_j x_rj (the order above) for the R rows x + r·stride, d floats each; wf holds
// ⌈d/8⌉·8 floats, zeros past d. With a prefetch distance, the line that far ahead of each row is
// prefetched into L2 every 16 floats (as affine_rows does).
//
// Every loop over the R rows is unrolled (the pragmas). Without them GCC 12 kept the 2R
// accumulators in memory and stored all of them at every step of the main loop (8 stores per 16
// floats at R = 4, never read there). In registers, gd's and glmtron's passes over rows of 1000
// features read 2-11 % faster (medians of interleaved rounds, native and x86-64-v3 builds, one
// and two threads; Zen 5: docs/performance.md, "the float z's accumulators in registers").
template <std::size_t R>
inline void affine_rows_float(const float* x, std::size_t stride, const float* wf, std::size_t d,
                              double b, double* z, std::ptrdiff_t prefetch_distance = 0) {
  FloatLanes8 even[R], odd[R], w0, w1, xr;
#pragma GCC unroll 8
  for (std::size_t r = 0; r < R; ++r) even[r] = odd[r] = FloatLanes8{};
  std::size_t j = 0;
  for (; j + 16 <= d; j += 16) {
    if (prefetch_distance != 0) {
#pragma GCC unroll 8
      for (std::size_t r = 0; r < R; ++r)
        __builtin_prefetch(x + r * stride + j + prefetch_distance, 0, 2);
    }
    float_load8(w0, wf + j);
    float_load8(w1, wf + j + 8);
#pragma GCC unroll 8
    for (std::size_t r = 0; r < R; ++r) {
      float_load8(xr, x + r * stride + j);
      float_mul_add(even[r], w0, xr);
      float_load8(xr, x + r * stride + j + 8);
      float_mul_add(odd[r], w1, xr);
    }
  }
  if (j + 8 <= d) {  // one full even chunk left
    float_load8(w0, wf + j);
#pragma GCC unroll 8
    for (std::size_t r = 0; r < R; ++r) {
      float_load8(xr, x + r * stride + j);
      float_mul_add(even[r], w0, xr);
    }
    j += 8;
  }
  if (j < d) {  // a partial chunk: into odd after a full even chunk, else into even
    // Two loops, not one through a reference chosen at run time (simd_rows_avx2.hpp's reason).
    float_load8(w0, wf + j);
    if ((j / 8) % 2 == 1) {
#pragma GCC unroll 8
      for (std::size_t r = 0; r < R; ++r) {
        float_load_first(xr, x + r * stride + j, d - j);
        float_mul_add(odd[r], w0, xr);
      }
    } else {
#pragma GCC unroll 8
      for (std::size_t r = 0; r < R; ++r) {
        float_load_first(xr, x + r * stride + j, d - j);
        float_mul_add(even[r], w0, xr);
      }
    }
  }
#pragma GCC unroll 8
  for (std::size_t r = 0; r < R; ++r) {
    const FloatLanes8 s = even[r] + odd[r];
    const float sum = ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]));
    z[r] = static_cast<double>(sum) + b;
  }
}

}  // namespace float_rows_*
}  // namespace relureg::detail
