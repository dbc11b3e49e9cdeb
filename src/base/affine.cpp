// affine_value: one row of the eight-lane row arithmetic, bit-identical to the fused kernels.
#include "relureg/affine.hpp"

#include "base/cpu_level.hpp"
#include "base/rows_v3.hpp"
#include "base/simd_rows.hpp"

namespace relureg {

namespace detail {
bool rows_v3_runs() {
#if defined(RELUREG_LONG_ROWS_V3)
  return cpu_runs_x86_64_v3();
#else
  return false;
#endif
}
}  // namespace detail

double affine_value(const float* x, const double* w, std::size_t d, double b) {
  double z;
#if defined(RELUREG_LONG_ROWS_V3)
  if (d >= detail::kRowsV3AffineFeatures && detail::rows_v3_runs()) {
    detail::affine_rows_v3(1, x, d, w, d, b, &z, 0);
    return z;
  }
#endif
  detail::affine_rows<1>(x, d, w, d, b, &z);
  return z;
}

}  // namespace relureg
