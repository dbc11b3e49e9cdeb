// The row-major kernels for rows of more than 128 features compiled for x86-64-v3 (AVX2, FMA),
// which a build for any x86-64 (RELUREG_NATIVE off, the pip package) calls where the CPU runs them.
#pragma once

#include <cstddef>

namespace relureg::detail {

// Defined for the calls only in a build with RELUREG_LONG_ROWS_V3, and only to be called where the
// CPU runs AVX2 and FMA (the caller checks, in code compiled for its own target).
// affine_rows<R> and accumulate_rows<R, G> of src/base/simd_rows.hpp, with a product then an
// addition where the definition has a multiply-add (as the build's own code, for a target without
// FMA, computes them): the same results bit for bit. R = 1 or 4; G = 1 or 2.
void affine_rows_v3(std::size_t rows, const float* x, std::size_t stride, const double* w,
                    std::size_t d, double b, double* z, std::ptrdiff_t prefetch_distance);
void accumulate_rows_v3(std::size_t rows, std::size_t gradients, const float* x, std::size_t stride,
                        std::size_t d, const double* coef, double* const* acc,
                        std::ptrdiff_t prefetch_distance);

}  // namespace relureg::detail
