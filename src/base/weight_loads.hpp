// How a step of the row kernels' z loop (affine_rows) reads w: the choice of the pass calling it.
#pragma once

namespace relureg::detail {

// Both give the same z bit for bit. per_product leaves the loads to the compiler, which reads w
// from memory in each multiply-add (each of the R rows' products loads it again); per_step loads
// a step's chunks of w into registers once for all R rows. Measured on one core of the Zen 5
// host, d = 1000, interleaved rounds, GB/s: per_step suits rows already in cache, as relu_stats'
// z over a tile it then reads again for the gradients (gd's pass in L2 26.7 → 33.1 in the
// AVX-512 build, 19.3 → 22.9 in the x86-64-v3 one; at n = 10^6 on two threads 39.9 → 47.1 in one
// run, level in another), and per_product rows streamed from memory for z alone (relu_loss at
// n = 10^6, 8 rounds: one thread 24.4 against 23.4 with per_step, two threads 48.0 against 45.1).
enum class WeightLoads { per_product, per_step };

}  // namespace relureg::detail
