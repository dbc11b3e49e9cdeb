// The x86-64-v3 row kernels (rows_v3.hpp) of a build for any x86-64.
#include "base/rows_v3.hpp"

#if defined(RELUREG_LONG_ROWS_V3)
#include "base/float_rows.hpp"
#include "base/simd_rows_avx2.hpp"
#endif

namespace relureg::detail {

#if defined(RELUREG_LONG_ROWS_V3)
namespace {

template <std::size_t R, std::size_t G>
void accumulate(const float* x, std::size_t stride, std::size_t d, const double* coef,
                double* const* acc, std::ptrdiff_t prefetch_distance) {
  double c[G][R];
  double* a[G];
  for (std::size_t g = 0; g < G; ++g) {
    a[g] = acc[g];
    for (std::size_t r = 0; r < R; ++r) c[g][r] = coef[g * R + r];
  }
  accumulate_rows<R, G, false>(x, stride, d, c, a, prefetch_distance);
}

}  // namespace

void affine_rows_v3(std::size_t rows, const float* x, std::size_t stride, const double* w,
                    std::size_t d, double b, double* z, std::ptrdiff_t prefetch_distance,
                    WeightLoads loads) {
  if (rows == 4)
    affine_rows<4, false>(x, stride, w, d, b, z, prefetch_distance, loads);
  else
    affine_rows<1, false>(x, stride, w, d, b, z, prefetch_distance, loads);
}

void affine_rows_float_v3(std::size_t rows, const float* x, std::size_t stride, const float* wf,
                          std::size_t d, double b, double* z, std::ptrdiff_t prefetch_distance) {
  if (rows == 4)
    affine_rows_float<4>(x, stride, wf, d, b, z, prefetch_distance);
  else
    affine_rows_float<1>(x, stride, wf, d, b, z, prefetch_distance);
}

void accumulate_rows_v3(std::size_t rows, std::size_t gradients, const float* x, std::size_t stride,
                        std::size_t d, const double* coef, double* const* acc,
                        std::ptrdiff_t prefetch_distance) {
  if (rows == 4)
    gradients == 2 ? accumulate<4, 2>(x, stride, d, coef, acc, prefetch_distance)
                   : accumulate<4, 1>(x, stride, d, coef, acc, prefetch_distance);
  else
    gradients == 2 ? accumulate<1, 2>(x, stride, d, coef, acc, prefetch_distance)
                   : accumulate<1, 1>(x, stride, d, coef, acc, prefetch_distance);
}
#endif

}  // namespace relureg::detail
