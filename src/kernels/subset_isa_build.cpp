// The subset-search kernels compiled with the build's own flags: the variant every CPU that runs
// the library can take (subset_scan.cpp prefers x86-64-v4 or -v3 when the CPU has them).
#include "kernels/orthogonal_impl.hpp"
#include "kernels/subset_parity_impl.hpp"
#include "kernels/subset_scan.hpp"

namespace relureg::detail {

#if defined(__AVX512F__)
#define RELUREG_SUBSET_BUILD_ISA "build flags (AVX-512)"
#elif defined(__AVX2__)
#define RELUREG_SUBSET_BUILD_ISA "build flags (AVX2)"
#else
#define RELUREG_SUBSET_BUILD_ISA "build flags (no AVX2)"
#endif

extern const SubsetKernels kSubsetKernelsBuild;
const SubsetKernels kSubsetKernelsBuild{RELUREG_SUBSET_BUILD_ISA, parity_columns, parity_bits,
                                        sign_sums, orthogonal_sums};

}  // namespace relureg::detail
