// The moments pass's entry points: the instruction-set variant chosen for this CPU.
#include "kernels/moments.hpp"

#include <algorithm>

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

void moments_of_double_rows(const DoubleRows& rows, double* acc) {
  moment_kernels().double_rows(rows, acc);
}

std::vector<double> moments_of_rows(const RowBlock& blk, const std::vector<std::size_t>& rows,
                                    bool append_one) {
  const std::size_t d = blk.d, p = d + (append_one ? 1 : 0), count = rows.size();
  std::vector<float> x(count * p, 1.0f);
  std::vector<double> y(count), w(blk.w != nullptr ? count : 0);
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t r = rows[k];
    std::copy_n(blk.X + r * d, d, x.begin() + static_cast<std::ptrdiff_t>(k * p));
    y[k] = blk.y != nullptr ? blk.y[r] : 0.0;
    if (blk.w != nullptr) w[k] = blk.w[r];
  }
  const RowBlock copy{x.data(), y.data(), count, p, 0, blk.w != nullptr ? w.data() : nullptr};
  std::vector<double> sums(p * p + 2 * p + 1, 0.0);
  if (count > 0) short_moments_block(copy, sums.data());
  return sums;
}

void add_lower_triangle(const double* from, std::size_t p, double* to) {
  for (std::size_t j = 0; j < p; ++j)
    for (std::size_t i = j; i < p; ++i) to[i + j * p] += from[i + j * p];
}

}  // namespace relureg::detail
