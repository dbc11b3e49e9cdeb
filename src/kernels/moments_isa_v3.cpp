// The moments kernels compiled for x86-64-v3 (AVX2 and FMA), one of the variants chosen at run
// time. CMake compiles this file with -march=x86-64-v3 and defines RELUREG_MOMENTS_V3 when the
// build allows the level (moments.cpp).
#if defined(RELUREG_MOMENTS_V3)
#include "kernels/moments_impl.hpp"

namespace relureg::detail {

extern const MomentKernels kMomentKernelsV3;
const MomentKernels kMomentKernelsV3{
    "x86-64-v3 (AVX2 and FMA)", moments_block,    moments_tiled_block, moments_registers_block,
    kRegisterFeatures,          kVariantFeatures, moments_double_rows};

}  // namespace relureg::detail
#endif
