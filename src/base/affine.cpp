// affine_value: one row of the eight-lane row arithmetic, bit-identical to the fused kernels.
#include "relureg/affine.hpp"

#include "base/simd_rows.hpp"

namespace relureg {

double affine_value(const float* x, const double* w, std::size_t d, double b) {
  double z;
  detail::affine_rows<1>(x, d, w, d, b, &z);
  return z;
}

}  // namespace relureg
