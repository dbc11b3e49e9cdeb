// The AVX2 row kernels (src/base/simd_rows_avx2.hpp) compiled for x86-64-v3, for
// test_simd_rows_avx2.cpp to call on any host that runs AVX2 and FMA, whatever the build's target.
#include "simd_rows_v3_probe.hpp"

#if defined(__AVX2__) && defined(__FMA__)
#include "base/simd_rows_avx2.hpp"
#endif

namespace relureg::testing {

#if defined(__AVX2__) && defined(__FMA__)
bool have_v3_probe() {
  return true;
}

namespace {
template <bool Fused>
void affine(std::size_t rows, const float* x, std::size_t stride, const double* w, std::size_t d,
            double b, double* z, std::ptrdiff_t prefetch_distance, detail::WeightLoads loads) {
  switch (rows) {
    case 1:
      return detail::affine_rows<1, Fused>(x, stride, w, d, b, z, prefetch_distance, loads);
    case 2:
      return detail::affine_rows<2, Fused>(x, stride, w, d, b, z, prefetch_distance, loads);
    case 3:
      return detail::affine_rows<3, Fused>(x, stride, w, d, b, z, prefetch_distance, loads);
    default:
      return detail::affine_rows<4, Fused>(x, stride, w, d, b, z, prefetch_distance, loads);
  }
}
}  // namespace

void affine_rows_v3(bool fused, std::size_t rows, const float* x, std::size_t stride,
                    const double* w, std::size_t d, double b, double* z,
                    std::ptrdiff_t prefetch_distance, detail::WeightLoads loads) {
  if (fused)
    affine<true>(rows, x, stride, w, d, b, z, prefetch_distance, loads);
  else
    affine<false>(rows, x, stride, w, d, b, z, prefetch_distance, loads);
}

void accumulate_rows_v3(bool fused, const float* x, std::size_t stride, std::size_t d,
                        const double (&coef)[2][4], double* const (&acc)[2],
                        std::ptrdiff_t prefetch_distance) {
  if (fused)
    detail::accumulate_rows<4, 2, true>(x, stride, d, coef, acc, prefetch_distance);
  else
    detail::accumulate_rows<4, 2, false>(x, stride, d, coef, acc, prefetch_distance);
}
#else
bool have_v3_probe() {
  return false;
}
void affine_rows_v3(bool, std::size_t, const float*, std::size_t, const double*, std::size_t,
                    double, double*, std::ptrdiff_t, detail::WeightLoads) {}
void accumulate_rows_v3(bool, const float*, std::size_t, std::size_t, const double (&)[2][4],
                        double* const (&)[2], std::ptrdiff_t) {}
#endif

}  // namespace relureg::testing
