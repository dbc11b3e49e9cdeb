// The row kernels of simd_rows.hpp compiled for x86-64-v3 (AVX2, FMA), which a build for any
// x86-64 (RELUREG_NATIVE off, the pip package) calls where the CPU runs them: kernels.cpp's
// row-major passes (rows past the short-row kernels) and affine_value for rows of at least
// kRowsV3AffineFeatures features.
#pragma once

#include <cstddef>

#include "base/weight_loads.hpp"

namespace relureg::detail {

// Whether this build has them (RELUREG_LONG_ROWS_V3) and the CPU runs x86-64-v3 code
// (cpu_level.hpp).
bool rows_v3_runs();
// affine_value takes them from rows of this many features. bench_affine of a build for any x86-64
// with this threshold at 10^6 and at 1, rows in cache, one core of the AVX-512 Xeon, ns per row,
// SSE2 code / these kernels (a -march=native build in brackets): d = 4 10.1 / 21.2 (4.8; the call
// and the masked loads cost more than they save), 10 25.0 / 21.5 (5.3), 16 12.1 / 8.4 (4.7), 100
// 49 / 20 (12.8), 1000 410 / 136 (99).
inline constexpr std::size_t kRowsV3AffineFeatures = 16;

// Defined for the calls only in a build with RELUREG_LONG_ROWS_V3, and only to be called where
// rows_v3_runs().
// affine_rows<R> (`loads`: weight_loads.hpp) and accumulate_rows<R, G> of src/base/simd_rows.hpp,
// with a product then an addition where the definition has a multiply-add (as the build's own code,
// for a target without FMA, computes them): the same results bit for bit. R = 1 or 4; G = 1 or 2.
void affine_rows_v3(std::size_t rows, const float* x, std::size_t stride, const double* w,
                    std::size_t d, double b, double* z, std::ptrdiff_t prefetch_distance,
                    WeightLoads loads = WeightLoads::per_product);
// float_rows.hpp's affine_rows_float<R> (R = 1 or 4), compiled for x86-64-v3.
void affine_rows_float_v3(std::size_t rows, const float* x, std::size_t stride, const float* wf,
                          std::size_t d, double b, double* z, std::ptrdiff_t prefetch_distance);
void accumulate_rows_v3(std::size_t rows, std::size_t gradients, const float* x, std::size_t stride,
                        std::size_t d, const double* coef, double* const* acc,
                        std::ptrdiff_t prefetch_distance);

}  // namespace relureg::detail
