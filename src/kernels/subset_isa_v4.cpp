// The subset-search kernels compiled for x86-64-v4 (AVX-512), one of the variants chosen at run
// time. CMake compiles this file with -march=x86-64-v4 and defines RELUREG_SUBSET_V4 when the build
// allows the level (subset_scan.cpp).
#if defined(RELUREG_SUBSET_V4)
#include "kernels/orthogonal_impl.hpp"
#include "kernels/subset_parity_impl.hpp"
#include "kernels/subset_scan.hpp"

namespace relureg::detail {

extern const SubsetKernels kSubsetKernelsV4;
const SubsetKernels kSubsetKernelsV4{"x86-64-v4 (AVX-512)", parity_columns, parity_bits, sign_sums,
                                     orthogonal_sums};

}  // namespace relureg::detail
#endif
