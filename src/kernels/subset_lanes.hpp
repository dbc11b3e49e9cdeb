// Helpers of the subset-search kernels: vectors as wide as the ISA, sums in eight fixed lanes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "relureg/dataset.hpp"

#if defined(__AVX__)
#include <immintrin.h>
#endif

// The helpers below take and return vectors by value. Without AVX GCC warns that such a vector's
// ABI differs between -march levels (-Wpsabi); they are always inlined and have internal linkage,
// so no call between two differently compiled units ever passes one. A build for baseline x86-64
// (RELUREG_NATIVE=OFF, the pip package) compiles subset_isa_build.cpp that way.
#if defined(__GNUC__) && !defined(__clang__) && !defined(__AVX__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

// Every ISA variant of the kernels (subset_isa_*.cpp) includes this header with its own -march:
// the helpers live in an unnamed namespace, so each translation unit has its own copy.
namespace relureg::detail {
namespace {
namespace subset_lanes {

// Sums across rows run in eight fixed lanes whatever the vector width: lane j takes the rows
// r ≡ j (mod 8) in increasing order, and the lanes are added in one fixed order (fold). With
// AVX-512 one vector holds the eight lanes; with 4-double vectors (AVX2, the baseline) a kernel
// makes two sweeps over the rows, lanes 0–3 then 4–7, so that it needs half the registers. The
// sums are then the same on both (the compiler contracts the same multiply-adds on both).
constexpr std::size_t kStride = 8;
#if defined(__AVX512F__)
constexpr std::size_t kWidth = 8;
#else
constexpr std::size_t kWidth = 4;
#endif
constexpr std::size_t kHalves = kStride / kWidth;  // sweeps over the rows

using Vec = double __attribute__((vector_size(8 * kWidth)));
using Bits = std::int64_t __attribute__((vector_size(8 * kWidth)));

[[gnu::always_inline]] inline Vec load(const double* p) {
  Vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// max(v, 0) lane by lane (v > 0 ? v : +0.0), min(a, b) = a < b ? a : b, max(a, b) = a > b ? a : b:
// one instruction each (the generic form makes the compiler compare and blend). The AVX-512
// forms are the zero-masked ones: GCC 12 warns of an uninitialised operand in the plain ones.
[[gnu::always_inline]] inline Vec max(const Vec& a, const Vec& b) {
#if defined(__AVX512F__)
  return Vec(_mm512_maskz_max_pd(0xff, __m512d(a), __m512d(b)));
#elif defined(__AVX__)
  return Vec(_mm256_max_pd(__m256d(a), __m256d(b)));
#else
  return a > b ? a : b;
#endif
}
[[gnu::always_inline]] inline Vec min(const Vec& a, const Vec& b) {
#if defined(__AVX512F__)
  return Vec(_mm512_maskz_min_pd(0xff, __m512d(a), __m512d(b)));
#elif defined(__AVX__)
  return Vec(_mm256_min_pd(__m256d(a), __m256d(b)));
#else
  return a < b ? a : b;
#endif
}
[[gnu::always_inline]] inline Vec relu(const Vec& v) {
  return max(v, Vec{});
}
[[gnu::always_inline]] inline Vec abs(const Vec& v) {
  return Vec(Bits(v) & (Bits{} + 0x7fffffffffffffff));
}

// e^t lane by lane, for |t| ≤ 700 (t is clamped there): t = n·ln 2 + r with |r| ≤ ln 2 / 2,
// e^r by its Taylor polynomial of degree 12 (truncation below 2e-16 relative), 2^n added to the
// exponent. Within a few units in the last place of std::exp; the same sums with any ISA that
// has FMA (the multiply-adds contract alike).
[[gnu::always_inline]] inline Vec exp(Vec t) {
  using Unsigned = std::uint64_t __attribute__((vector_size(8 * kWidth)));
  t = min(max(t, Vec{} - 700.0), Vec{} + 700.0);
  const Vec shift = Vec{} + 0x1.8p52;  // adding it rounds to an integer in the low bits
  const Vec shifted = t * 0x1.71547652b82fep0 + shift;
  const Vec n = shifted - shift;
  const Vec r = (t - n * 0x1.62e42fee00000p-1) - n * 0x1.a39ef35793c76p-33;
  constexpr double kInverseFactorial[] = {1.0,
                                          1.0,
                                          1.0 / 2,
                                          1.0 / 6,
                                          1.0 / 24,
                                          1.0 / 120,
                                          1.0 / 720,
                                          1.0 / 5040,
                                          1.0 / 40320,
                                          1.0 / 362880,
                                          1.0 / 3628800,
                                          1.0 / 39916800,
                                          1.0 / 479001600};
  Vec p = Vec{} + kInverseFactorial[12];
  for (int i = 11; i >= 0; --i) p = p * r + kInverseFactorial[i];
  return Vec(Unsigned(p) + (Unsigned(shifted) << 52));
}

// float32 lanes (orthogonal-subsets' relu leaves): kFloats rows in a vector of Vec's size, Half
// its half (kWidth rows, converted to one Vec).
constexpr std::size_t kFloats = 2 * kWidth;
using Floats = float __attribute__((vector_size(8 * kWidth)));
using FloatBits = std::int32_t __attribute__((vector_size(8 * kWidth)));
using Half = float __attribute__((vector_size(4 * kWidth)));

[[gnu::always_inline]] inline Floats load_floats(const float* p) {
  Floats v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
[[gnu::always_inline]] inline Floats abs_floats(const Floats& v) {
  return Floats(FloatBits(v) & (FloatBits{} + 0x7fffffff));
}
[[gnu::always_inline]] inline Floats min_floats(const Floats& a, const Floats& b) {
#if defined(__AVX512F__)
  return Floats(_mm512_maskz_min_ps(0xffff, __m512(a), __m512(b)));
#elif defined(__AVX__)
  return Floats(_mm256_min_ps(__m256(a), __m256(b)));
#else
  return a < b ? a : b;
#endif
}
[[gnu::always_inline]] inline Floats max_floats(const Floats& a, const Floats& b) {
#if defined(__AVX512F__)
  return Floats(_mm512_maskz_max_ps(0xffff, __m512(a), __m512(b)));
#elif defined(__AVX__)
  return Floats(_mm256_max_ps(__m256(a), __m256(b)));
#else
  return a > b ? a : b;
#endif
}

// Half H of a float vector (H = 0: its first kWidth floats) as doubles, and a double vector as
// floats: one conversion instruction each (GCC compiles the generic __builtin_convertvector of
// four floats with AVX2 into 2-float conversions through memory).
template <std::size_t H>
[[gnu::always_inline]] inline Vec to_doubles(const Floats& v) {
#if defined(__AVX512F__)  // the zero-masked forms, as in max and min above
  const Half half = H == 0 ? __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7)
                           : __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
  return Vec(_mm512_maskz_cvtps_pd(0xff, __m256(half)));
#elif defined(__AVX__)
  return Vec(_mm256_cvtps_pd(H == 0 ? _mm256_castps256_ps128(__m256(v))
                                    : _mm256_extractf128_ps(__m256(v), 1)));
#else
  Half part;
  std::memcpy(&part, reinterpret_cast<const char*>(&v) + H * sizeof part, sizeof part);
  return __builtin_convertvector(part, Vec);
#endif
}
[[gnu::always_inline]] inline Half to_floats(const Vec& v) {
#if defined(__AVX512F__)
  return Half(_mm512_maskz_cvtpd_ps(0xff, __m512d(v)));
#elif defined(__AVX__)
  return Half(_mm256_cvtpd_ps(__m256d(v)));
#else
  return __builtin_convertvector(v, Half);
#endif
}

// The eight lanes of a sum, given as its kHalves sweeps' vectors, added in the fixed order
// ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)).
[[gnu::always_inline]] inline double fold(const Vec* part) {
  double a[4];
  if constexpr (kWidth == 8) {
    const Vec v = part[0];
    for (std::size_t j = 0; j < 4; ++j) a[j] = v[j] + v[j + 4];
  } else {
    const Vec v = part[0] + part[1];
    for (std::size_t j = 0; j < 4; ++j) a[j] = v[j];
  }
  return (a[0] + a[2]) + (a[1] + a[3]);
}

// Rows transposed at a time: up to 256 (512 was slower at k = 3), fewer for wide rows so that the
// chunk's columns (d × rows doubles) stay within 256 KB of cache; a multiple of kStride.
inline std::size_t chunk_rows(std::size_t d) {
  const std::size_t rows = (std::size_t{256} << 10) / (8 * std::max<std::size_t>(d, 1));
  return std::clamp<std::size_t>(rows, 128, 256) / kStride * kStride;
}

// The distance between a chunk's columns. 256 rows of doubles are 2 KB, and columns 2 KB apart
// share half the sets of a 32 KB, 8-way L1: 16 of them filled every way of those sets, and the
// transposition's stores missed. kStride more rows spread them over all the sets.
inline std::size_t column_stride(std::size_t chunk) {
  return chunk + kStride;
}

// The rows [start, start + rows) of blk as double columns of `stride` entries (zero-padded to
// `padded` rows), and their labels. With AVX, four rows at a time: each 4×4 tile of floats is
// transposed in registers and each of its columns widened to four doubles, one store per feature
// and four rows. Written a value at a time, at k = 1 (16 subsets of d = 16, AVX2 on Zen 3) the
// transposition took about three quarters of exhaustive-subsets' time, and a harness timed it
// at 125 µs per 16,384 rows against 50-65 µs for the tiles (with column_stride).
inline void transpose(const RowBlock& blk, std::size_t start, std::size_t rows, std::size_t padded,
                      std::size_t stride, double* columns, double* y) {
  const std::size_t d = blk.d;
  std::size_t r = 0;
#if defined(__AVX__)
  for (; r + 4 <= rows; r += 4) {
    const float* x = blk.X + (start + r) * d;
    double* to = columns + r;
    std::size_t j = 0;
    for (; j + 4 <= d; j += 4) {
      __m128 a = _mm_loadu_ps(x + j), b = _mm_loadu_ps(x + d + j);
      __m128 c = _mm_loadu_ps(x + 2 * d + j), e = _mm_loadu_ps(x + 3 * d + j);
      _MM_TRANSPOSE4_PS(a, b, c, e);
      _mm256_storeu_pd(to + j * stride, _mm256_cvtps_pd(a));
      _mm256_storeu_pd(to + (j + 1) * stride, _mm256_cvtps_pd(b));
      _mm256_storeu_pd(to + (j + 2) * stride, _mm256_cvtps_pd(c));
      _mm256_storeu_pd(to + (j + 3) * stride, _mm256_cvtps_pd(e));
    }
    for (; j < d; ++j)
      for (std::size_t i = 0; i < 4; ++i) to[j * stride + i] = x[i * d + j];
    _mm256_storeu_pd(y + r, _mm256_loadu_pd(blk.y + start + r));
  }
#endif
  for (; r < rows; ++r) {
    const float* x = blk.X + (start + r) * d;
    for (std::size_t j = 0; j < d; ++j) columns[j * stride + r] = x[j];
    y[r] = blk.y[start + r];
  }
  for (; r < padded; ++r) {
    for (std::size_t j = 0; j < d; ++j) columns[j * stride + r] = 0;
    y[r] = 0;
  }
}

}  // namespace subset_lanes
}  // namespace
}  // namespace relureg::detail
