// The moments kernels compiled for x86-64-v4 (AVX-512), one of the variants chosen at run time.
// CMake compiles this file with -march=x86-64-v4 and defines RELUREG_MOMENTS_V4 when the build
// allows the level (moments.cpp).
#if defined(RELUREG_MOMENTS_V4)
#include "kernels/moments_impl.hpp"

namespace relureg::detail {

extern const MomentKernels kMomentKernelsV4;
const MomentKernels kMomentKernelsV4{
    "x86-64-v4 (AVX-512)", moments_block,    moments_tiled_block, moments_registers_block,
    kRegisterFeatures,     kVariantFeatures, moments_double_rows};

}  // namespace relureg::detail
#endif
