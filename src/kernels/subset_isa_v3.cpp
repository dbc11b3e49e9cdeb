// The subset-search kernels compiled for x86-64-v3 (AVX2 and FMA), one of the variants chosen at
// run time. CMake compiles this file with -march=x86-64-v3 and defines RELUREG_SUBSET_V3 when the
// build allows the level (subset_scan.cpp).
#if defined(RELUREG_SUBSET_V3)
#include "kernels/orthogonal_impl.hpp"
#include "kernels/subset_parity_impl.hpp"
#include "kernels/subset_scan.hpp"

namespace relureg::detail {

extern const SubsetKernels kSubsetKernelsV3;
const SubsetKernels kSubsetKernelsV3{"x86-64-v3 (AVX2 and FMA)", parity_columns, parity_bits,
                                     sign_sums, orthogonal_sums};

}  // namespace relureg::detail
#endif
