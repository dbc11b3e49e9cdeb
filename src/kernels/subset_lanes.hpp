// Helpers of the subset-search kernels: eight-double lanes, fixed-order sums, column chunks.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "relureg/dataset.hpp"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

// Eight-double vectors are passed between the always-inline helpers of the subset kernels only;
// without AVX-512 GCC warns that such a vector changes the calling convention, which no call
// outside these files sees.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace relureg::detail::subset_lanes {

using Lanes = double __attribute__((vector_size(64)));
using Bits = std::int64_t __attribute__((vector_size(64)));
constexpr std::size_t kWidth = 8;  // rows per vector: one per lane

[[gnu::always_inline]] inline Lanes load(const double* p) {
  Lanes v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// max(v, 0) lane by lane (v > 0 ? v : +0.0): one vmaxpd where the compiler would compare and blend.
[[gnu::always_inline]] inline Lanes relu(const Lanes& v) {
#if defined(__AVX512F__)
  return Lanes(_mm512_maskz_max_pd(0xff, __m512d(v), _mm512_setzero_pd()));
#else
  const Lanes zero{};
  return v > zero ? v : zero;
#endif
}

// |v|, min(a, b) and max(a, b) lane by lane (min: a < b ? a : b; max: a > b ? a : b).
[[gnu::always_inline]] inline Lanes abs(const Lanes& v) {
  return Lanes(Bits(v) & (Bits{} + 0x7fffffffffffffff));
}
[[gnu::always_inline]] inline Lanes min(const Lanes& a, const Lanes& b) {
#if defined(__AVX512F__)
  return Lanes(_mm512_maskz_min_pd(0xff, __m512d(b), __m512d(a)));
#else
  return a < b ? a : b;
#endif
}
[[gnu::always_inline]] inline Lanes max(const Lanes& a, const Lanes& b) {
#if defined(__AVX512F__)
  return Lanes(_mm512_maskz_max_pd(0xff, __m512d(b), __m512d(a)));
#else
  return a > b ? a : b;
#endif
}

// The lanes of v added in a fixed order.
[[gnu::always_inline]] inline double lane_sum(const Lanes& v) {
  return ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7]));
}

// Rows transposed at a time: up to 256 (512 was slower at k = 3), fewer for wide rows so that the
// chunk's columns (d × rows doubles) stay within 256 KB of cache; a multiple of the vector width.
inline std::size_t chunk_rows(std::size_t d) {
  const std::size_t rows = (std::size_t{256} << 10) / (8 * std::max<std::size_t>(d, 1));
  return std::clamp<std::size_t>(rows, 128, 256) / kWidth * kWidth;
}

// The rows [start, start + rows) of blk as double columns of `stride` entries (zero-padded to
// `padded` rows), and their labels.
inline void transpose(const RowBlock& blk, std::size_t start, std::size_t rows, std::size_t padded,
                      std::size_t stride, double* columns, double* y) {
  const std::size_t d = blk.d;
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = blk.X + (start + r) * d;
    for (std::size_t j = 0; j < d; ++j) columns[j * stride + r] = x[j];
    y[r] = blk.y[start + r];
  }
  for (std::size_t r = rows; r < padded; ++r) {
    for (std::size_t j = 0; j < d; ++j) columns[j * stride + r] = 0;
    y[r] = 0;
  }
}

}  // namespace relureg::detail::subset_lanes
