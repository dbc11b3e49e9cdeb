// The run-time checks of the x86-64 levels and of the vendor (cpu_level.hpp), compiled for the
// build's own target.
#include "base/cpu_level.hpp"

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

}  // namespace relureg::detail
