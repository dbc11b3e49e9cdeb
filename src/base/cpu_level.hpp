// Whether this CPU runs code compiled for x86-64-v3 or x86-64-v4 (the levels of the translation
// units that relureg selects at run time: the short-row, row and subset-search kernels), and
// whose it is.
#pragma once

namespace relureg::detail {

// x86-64-v3's features that GCC and Clang may use in code compiled for it: AVX2, FMA, BMI1, BMI2,
// POPCNT (F16C, which every CPU with AVX2, FMA and BMI2 has, is left out: clang 14 cannot ask for
// it). False on a CPU other than x86-64. Checked once.
bool cpu_runs_x86_64_v3();
// The same and AVX-512 F, VL, BW, DQ and CD.
bool cpu_runs_x86_64_v4();
// Whether the CPU is AMD's (the short-row kernels' prefetch depends on it). Checked once.
bool cpu_is_amd();
// The CPU's family (CPUID leaf 1, base plus extended family: 25 for AMD's Zen 3 and 4, 26 for
// Zen 5), 0 off x86-64. Checked once.
unsigned cpu_family();

}  // namespace relureg::detail
