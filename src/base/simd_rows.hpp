// Row kernels on 8 double lanes: w·x + b for R rows at once, and Σ c_r x_r into accumulators.
#pragma once

#include <cstddef>
#include <cstring>

#include "base/weight_loads.hpp"

#if defined(__AVX512F__)
#include <immintrin.h>
#elif defined(__AVX2__) && defined(__FMA__)
#define RELUREG_ROWS_AVX2 1  // affine_rows and accumulate_rows from simd_rows_avx2.hpp
#endif

namespace relureg::detail {

// Eight double lanes (one AVX-512 register, two AVX2 or four SSE2 registers): GCC/Clang vector
// extensions, so the lane arithmetic is the same on every instruction set. Vectors are passed by
// reference only: by value, their ABI would depend on -march (and GCC warns about it).
using DoubleLanes = double __attribute__((vector_size(64)));
using FloatLanes = float __attribute__((vector_size(32)));
inline constexpr std::size_t kLanes = 8;

#if defined(__AVX512F__)
// One instruction each (GCC 12 splits the generic __builtin_convertvector into four). The
// zero-masked conversion with a full mask is the plain one; the unmasked intrinsic trips GCC 12's
// false "may be used uninitialized" (PR 105593).
inline void widen8(DoubleLanes& out, const float* x) {
  out = _mm512_maskz_cvtps_pd(0xFF, _mm256_loadu_ps(x));
}
inline void load8(DoubleLanes& out, const double* w) {
  out = _mm512_loadu_pd(w);
}
inline void store8(double* to, const DoubleLanes& v) {
  _mm512_storeu_pd(to, v);
}
// The first `count` < 8 values then zeros; reads nothing past x + count (masked loads).
inline void widen_first(DoubleLanes& out, const float* x, std::size_t count) {
  out = _mm512_maskz_cvtps_pd(0xFF,
                              _mm256_maskz_loadu_ps(static_cast<__mmask8>((1u << count) - 1), x));
}
inline void load_first(DoubleLanes& out, const double* w, std::size_t count) {
  out = _mm512_maskz_loadu_pd(static_cast<__mmask8>((1u << count) - 1), w);
}
// acc += a * b with one rounding, explicitly: the compiler's own contraction of `acc += a * b`
// may differ between two inlined copies of the same code, and z must not.
inline void mul_add(DoubleLanes& acc, const DoubleLanes& a, const DoubleLanes& b) {
  acc = _mm512_fmadd_pd(a, b, acc);
}
#else
inline void widen8(DoubleLanes& out, const float* x) {
  FloatLanes f;
  std::memcpy(&f, x, sizeof f);
  out = __builtin_convertvector(f, DoubleLanes);
}
inline void load8(DoubleLanes& out, const double* w) {
  std::memcpy(&out, w, sizeof out);
}
inline void store8(double* to, const DoubleLanes& v) {
  std::memcpy(to, &v, sizeof v);
}
inline void widen_first(DoubleLanes& out, const float* x, std::size_t count) {
  out = DoubleLanes{};
  for (std::size_t k = 0; k < count; ++k) out[k] = static_cast<double>(x[k]);
}
inline void load_first(DoubleLanes& out, const double* w, std::size_t count) {
  out = DoubleLanes{};
  for (std::size_t k = 0; k < count; ++k) out[k] = w[k];
}
inline void mul_add(DoubleLanes& acc, const DoubleLanes& a, const DoubleLanes& b) {
  acc += a * b;
}
#endif

// a * b + c with one rounding where the CPU has FMA (then never a library call), else two.
inline double mul_add(double a, double b, double c) {
#if defined(__FMA__)
  return __builtin_fma(a, b, c);
#else
  return a * b + c;
#endif
}

#if !defined(RELUREG_ROWS_AVX2)
// z[r] = b + Σ_j w_j x_rj for the R rows x + r·stride (d floats each), with w in double.
//
// The summation order is part of the results' definition (a planted teacher's labels and its
// loss on them must agree exactly), and it is the same for every R: feature j goes to lane
// j mod 8 of accumulator A if chunk ⌊j/8⌋ is even, of B if odd; each lane sums its features in
// increasing j with a multiply-add; a last partial chunk is zero-padded; then
// z = ((s0+s4)+(s2+s6)) + ((s1+s5)+(s3+s7)) + b with s = A + B. R > 1 only interleaves the rows'
// independent chains, which hides the multiply-add latency that bounds a single row. `loads`:
// weight_loads.hpp.
template <std::size_t R>
inline void affine_rows(const float* x, std::size_t stride, const double* w, std::size_t d,
                        double b, double* z, std::ptrdiff_t prefetch_distance = 0,
                        WeightLoads loads = WeightLoads::per_product) {
  DoubleLanes even[R], odd[R];
  for (std::size_t r = 0; r < R; ++r) even[r] = odd[r] = DoubleLanes{};
  DoubleLanes w0, w1, x0, x1;
  (void)loads;  // a choice of the AVX-512 code only
  std::size_t j = 0;
  for (; j + 2 * kLanes <= d; j += 2 * kLanes) {
    if (prefetch_distance != 0)
      for (std::size_t r = 0; r < R; ++r)
        __builtin_prefetch(x + r * stride + j + prefetch_distance, 0, 2);
    load8(w0, w + j);
    load8(w1, w + j + kLanes);
#if defined(__AVX512F__)
    // Opaque to the compiler, so that it keeps both chunks in registers.
    if (loads == WeightLoads::per_step) asm("" : "+v"(w0), "+v"(w1));
#endif
    for (std::size_t r = 0; r < R; ++r) {
      widen8(x0, x + r * stride + j);
      widen8(x1, x + r * stride + j + kLanes);
      mul_add(even[r], w0, x0);
      mul_add(odd[r], w1, x1);
    }
  }
  if (j + kLanes <= d) {  // one full even chunk left
    load8(w0, w + j);
    for (std::size_t r = 0; r < R; ++r) {
      widen8(x0, x + r * stride + j);
      mul_add(even[r], w0, x0);
    }
    j += kLanes;
  }
  if (j < d) {  // a partial chunk: into odd after a full even chunk, else into even
    const std::size_t rest = d - j;
    load_first(w0, w + j, rest);
    if ((j / kLanes) % 2 == 1) {
      for (std::size_t r = 0; r < R; ++r) {
        widen_first(x0, x + r * stride + j, rest);
        mul_add(odd[r], w0, x0);
      }
    } else {
      for (std::size_t r = 0; r < R; ++r) {
        widen_first(x0, x + r * stride + j, rest);
        mul_add(even[r], w0, x0);
      }
    }
  }
  if constexpr (R == 4) {
    // The same additions for 4 rows at once, packed: 7 vector operations instead of 28 scalar.
    DoubleLanes s[4];
    for (std::size_t r = 0; r < 4; ++r) s[r] = even[r] + odd[r];
    // t = (s0+s4, s1+s5, s2+s6, s3+s7) of rows 0|1 and of rows 2|3.
    const DoubleLanes t01 = __builtin_shufflevector(s[0], s[1], 0, 1, 2, 3, 8, 9, 10, 11) +
                            __builtin_shufflevector(s[0], s[1], 4, 5, 6, 7, 12, 13, 14, 15);
    const DoubleLanes t23 = __builtin_shufflevector(s[2], s[3], 0, 1, 2, 3, 8, 9, 10, 11) +
                            __builtin_shufflevector(s[2], s[3], 4, 5, 6, 7, 12, 13, 14, 15);
    // v = (t0+t2, t1+t3) of rows 0, 1, 2, 3.
    const DoubleLanes v = __builtin_shufflevector(t01, t23, 0, 1, 4, 5, 8, 9, 12, 13) +
                          __builtin_shufflevector(t01, t23, 2, 3, 6, 7, 10, 11, 14, 15);
    // (t0+t2) + (t1+t3) of each row, in the even lanes.
    const DoubleLanes sum = v + __builtin_shufflevector(v, v, 1, 0, 3, 2, 5, 4, 7, 6);
    for (std::size_t r = 0; r < 4; ++r) z[r] = sum[2 * r] + b;
    return;
  }
  for (std::size_t r = 0; r < R; ++r) {
    const DoubleLanes s = even[r] + odd[r];
    z[r] = (((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]))) + b;
  }
}

// acc[g][j] += Σ_r coef[g][r] x_rj for the R rows x + r·stride (d floats each) and G
// accumulators of d doubles, adding the rows in order (one multiply-add each). Each accumulator
// chunk is loaded and stored once per R rows rather than once per row. With a prefetch distance,
// the line that far ahead of each row is prefetched (into L2) every 16 features.
template <std::size_t R, std::size_t G>
inline void accumulate_rows(const float* x, std::size_t stride, std::size_t d,
                            const double (&coef)[G][R], double* const (&acc)[G],
                            std::ptrdiff_t prefetch_distance = 0) {
  double* out[G];  // a copy: the stores through acc's pointers could change them, for all GCC knows
  for (std::size_t g = 0; g < G; ++g) out[g] = acc[g];
  DoubleLanes c[G][R], xr[R], a;
  for (std::size_t g = 0; g < G; ++g)
    for (std::size_t r = 0; r < R; ++r) c[g][r] = coef[g][r] + DoubleLanes{};
  std::size_t j = 0;
  for (; j + kLanes <= d; j += kLanes) {
    if (prefetch_distance != 0 && j % (2 * kLanes) == 0)
      for (std::size_t r = 0; r < R; ++r)
        __builtin_prefetch(x + r * stride + j + prefetch_distance, 0, 2);
    for (std::size_t r = 0; r < R; ++r) widen8(xr[r], x + r * stride + j);
    for (std::size_t g = 0; g < G; ++g) {
      load8(a, out[g] + j);
      for (std::size_t r = 0; r < R; ++r) mul_add(a, c[g][r], xr[r]);
      store8(out[g] + j, a);
    }
  }
  for (; j < d; ++j)
    for (std::size_t g = 0; g < G; ++g)
      for (std::size_t r = 0; r < R; ++r)
        out[g][j] = mul_add(coef[g][r], static_cast<double>(x[r * stride + j]), out[g][j]);
}

#endif

}  // namespace relureg::detail

#if defined(RELUREG_ROWS_AVX2)
#include "base/simd_rows_avx2.hpp"
#endif
