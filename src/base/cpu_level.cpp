// The run-time checks of the x86-64 levels and of the vendor (cpu_level.hpp), compiled for the
// build's own target.
#include "base/cpu_level.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#endif

namespace relureg::detail {

bool cpu_runs_x86_64_v3() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  static const bool runs = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
           __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") &&
           __builtin_cpu_supports("popcnt");
  }();
  return runs;
#else
  return false;
#endif
}

bool cpu_runs_x86_64_v4() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  static const bool runs = [] {
    __builtin_cpu_init();
    return cpu_runs_x86_64_v3() && __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512cd");
  }();
  return runs;
#else
  return false;
#endif
}

bool cpu_is_amd() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  static const bool amd = [] {
    __builtin_cpu_init();
    return __builtin_cpu_is("amd") != 0;
  }();
  return amd;
#else
  return false;
#endif
}

unsigned cpu_family() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  static const unsigned family = [] {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) return 0u;
    const unsigned base = (eax >> 8) & 0xf;
    return base == 0xf ? base + ((eax >> 20) & 0xff) : base;
  }();
  return family;
#else
  return 0;
#endif
}

}  // namespace relureg::detail
