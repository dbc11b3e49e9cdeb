// The moments pass's entry points: the instruction-set variant chosen for this CPU.
#include "kernels/moments.hpp"

#include "base/cpu_level.hpp"

namespace relureg::detail {

// The variants (moments_isa_*.cpp); CMake compiles those the build allows and defines their
// macros.
#if defined(RELUREG_MOMENTS_V4)
extern const MomentKernels kMomentKernelsV4;
#endif
#if defined(RELUREG_MOMENTS_V3)
extern const MomentKernels kMomentKernelsV3;
#endif
extern const MomentKernels kMomentKernelsBuild;

namespace {

std::vector<const MomentKernels*> runnable_variants() {
  std::vector<const MomentKernels*> out;
#if defined(RELUREG_MOMENTS_V4)
  if (cpu_runs_x86_64_v4()) out.push_back(&kMomentKernelsV4);
#endif
#if defined(RELUREG_MOMENTS_V3)
  if (cpu_runs_x86_64_v3()) out.push_back(&kMomentKernelsV3);
#endif
  out.push_back(&kMomentKernelsBuild);
  return out;
}

}  // namespace

const std::vector<const MomentKernels*>& moment_kernel_variants() {
  static const std::vector<const MomentKernels*> variants = runnable_variants();
  return variants;
}

const MomentKernels& moment_kernels() {
  static const MomentKernels& chosen = *moment_kernel_variants().front();
  return chosen;
}

void short_moments_block(const RowBlock& blk, double* acc) {
  moment_kernels().block(blk, acc);
}

std::size_t short_moment_features() {
  return moment_kernels().max_features;
}

}  // namespace relureg::detail
