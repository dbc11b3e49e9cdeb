// Entry points into the x86-64-v3 row kernels, compiled in their own translation unit
// (simd_rows_v3_probe.cpp) so that no other test code is compiled for that target.
#pragma once

#include <cstddef>

#include "base/weight_loads.hpp"

namespace relureg::testing {

// Whether the probe was compiled with AVX2 and FMA (an x86-64 build with GCC or Clang).
bool have_v3_probe();
// detail::affine_rows<rows, fused> (rows 1 to 4; `loads` its weight_loads.hpp choice) and
// detail::accumulate_rows<4, 2, fused> of that target (fused: multiply-adds; otherwise a product
// then an addition).
void affine_rows_v3(bool fused, std::size_t rows, const float* x, std::size_t stride,
                    const double* w, std::size_t d, double b, double* z,
                    std::ptrdiff_t prefetch_distance, detail::WeightLoads loads);
void accumulate_rows_v3(bool fused, const float* x, std::size_t stride, std::size_t d,
                        const double (&coef)[2][4], double* const (&acc)[2],
                        std::ptrdiff_t prefetch_distance);

}  // namespace relureg::testing
