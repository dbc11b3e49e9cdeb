// The moments kernels compiled with the build's own flags: the variant every CPU that runs the
// library can take (moments.cpp prefers x86-64-v4 or -v3 when the CPU has them).
#include "kernels/moments_impl.hpp"

namespace relureg::detail {

#if defined(__AVX512F__)
#define RELUREG_MOMENTS_BUILD_ISA "build flags (AVX-512)"
#elif defined(__AVX__)
#define RELUREG_MOMENTS_BUILD_ISA "build flags (AVX)"
#else
#define RELUREG_MOMENTS_BUILD_ISA "build flags (no AVX)"
#endif

extern const MomentKernels kMomentKernelsBuild;
const MomentKernels kMomentKernelsBuild{
    RELUREG_MOMENTS_BUILD_ISA, moments_block,    moments_tiled_block, moments_registers_block,
    kRegisterFeatures,         kVariantFeatures, moments_double_rows};

}  // namespace relureg::detail
