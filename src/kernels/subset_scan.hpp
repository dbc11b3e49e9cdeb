// Block kernels of the exhaustive subset search: sums that score every k-subset of the features.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "relureg/dataset.hpp"

namespace relureg::detail {

// One ISA variant of the kernels below (src/kernels/subset_isa_*.cpp: x86-64-v4 (AVX-512),
// x86-64-v3 (AVX2 and FMA) and the build's own flags), each compiled with its own -march.
// Their sums run in the same fixed lanes (kernels/subset_lanes.hpp), so the variants with FMA
// give the same sums; the functions below call the variant chosen for this CPU.
struct SubsetKernels {
  const char* name;
  void (*parity_columns)(const RowBlock&, const std::uint32_t*, std::size_t, std::size_t, double*);
  void (*parity_bits)(const RowBlock&, const std::uint32_t*, std::size_t, std::size_t, double*);
  void (*sign_sums)(const RowBlock&, const std::uint32_t*, std::size_t, std::size_t, double*);
  void (*orthogonal)(const RowBlock&, std::size_t, bool, bool, double*);
};

// The variants compiled in and runnable on this CPU (cpuid), best first: the tests run each, and
// the first is the one every kernel call takes (chosen once).
const std::vector<const SubsetKernels*>& subset_kernel_variants();
const SubsetKernels& subset_kernels();

// The sums of exhaustive-subsets' two parity directions, for `count` k-subsets T (k sorted
// indices each, `subsets` holding count·k of them, in lexicographic order) over the rows of
// `blk`: with z± = Σ_{i<k−1} x_{T_i} ± x_{T_{k−1}} and u = 1/√k, adds to acc[4s..4s+3] of
// subset s
//   u·Σ y·ReLU(z+),  u²·Σ ReLU(z+)²,  u·Σ y·ReLU(z−),  u²·Σ ReLU(z−)².
// A block whose features are all ±1 takes the bit-packed path, any other block the column path;
// both depend on the block's rows only, so sums over blocks are the same for any thread count.
void subset_parity_sums(const RowBlock& blk, const std::uint32_t* subsets, std::size_t count,
                        std::size_t k, double* acc);

// Every feature of the block is exactly −1 or +1.
bool plus_minus_one_block(const RowBlock& blk);

// The two paths, for the tests and the benchmark that compare them (subset_parity_sums picks).
// Bit-packed (the block must be ±1): bit r of a column's words is set when x_r = −1, the count
// c of −1s of a row among the first k−1 coordinates is kept bit-sliced, and ReLU(z±) = v(c) or
// v(c+1) with v(c) = max(k − 2c, 0); so the sums of a subset need, besides what its prefix
// shares with its siblings, one or two sums of y over the rows selected by a word mask.
void subset_parity_sums_bits(const RowBlock& blk, const std::uint32_t* subsets, std::size_t count,
                             std::size_t k, double* acc);
// Columns: the rows transposed to double columns in chunks; z's prefix Σ_{i<k−1} x_{T_i} is shared
// by the subsets that extend it, and each chunk's sums run in eight fixed lanes.
void subset_parity_sums_columns(const RowBlock& blk, const std::uint32_t* subsets,
                                std::size_t count, std::size_t k, double* acc);
// The scoring the two paths replace (z summed afresh for every subset, one row at a time, per
// chunk of 256 rows): what the tests and the benchmark compare them with.
void subset_parity_sums_reference(const RowBlock& blk, const std::uint32_t* subsets,
                                  std::size_t count, std::size_t k, double* acc);

// The 2^k sign patterns of each subset (bit i of p set: coordinate i of T is −1): adds
// Σ y·ReLU(z_p) and Σ ReLU(z_p)² with z_p = Σ_i (±u)·x_{T_i} to acc[2(s·2^k + p)], acc[… + 1].
void subset_sign_sums(const RowBlock& blk, const std::uint32_t* subsets, std::size_t count,
                      std::size_t k, double* acc);

// orthogonal-subsets' sums. For every k-subset S of the d features, in lexicographic order (index
// i), f_S(x) = Σ_{s ∈ {±1}^k, s₁ = +1} χ(s)·pair(s·x_S/√k), pair(t) = |t| (relu, even k) or
// tanh(t/2) (sigmoid, odd k): adds Σ y·f, Σ f², Σ f to acc[3i..3i+2]. The signed sums of common
// prefixes are shared (level j holds 2^{j−1} columns), and rows are vectorised across a vector.
// For relu the two units of a leaf's last coordinate v are paired: |a + v| − |a − v| =
// 2·sgn(v)·clamp(a, −|v|, |v|), and the two pairs of the coordinate w before it make a
// trapezoid, so relu stops the levels at k − 2 (orthogonal_impl.hpp). Up to k =
// kOrthogonalScanMaxK (the levels take 2^{k−1} columns of a chunk of rows). The sums agree with
// the per-row feature to rounding (the tests: 1e-12 of the largest sum), not bit for bit, except
// that relu with k ≥ 4 runs its leaves in float32 lanes (SubsetKernels::orthogonal with single =
// true, what this function takes): then to about 1e-7 of the sums' size (the tests: every
// subset's fitted scale to 1e-6 of the double path's). Sums across rows stay in double.
inline constexpr std::size_t kOrthogonalScanMaxK = 10;
void orthogonal_subset_sums(const RowBlock& blk, std::size_t k, bool relu, double* acc);

// Every k-subset of 0..d−1 in lexicographic order, concatenated: the `subsets` argument of the
// kernels above for a whole search (the tests and the benchmark).
inline std::vector<std::uint32_t> all_subsets(std::size_t d, std::size_t k) {
  std::vector<std::uint32_t> out, s(k);
  for (std::size_t i = 0; i < k; ++i) s[i] = static_cast<std::uint32_t>(i);
  while (true) {
    out.insert(out.end(), s.begin(), s.end());
    std::size_t i = k;
    while (i > 0 && s[i - 1] == d - k + i - 1) --i;
    if (i == 0) return out;
    ++s[i - 1];
    for (std::size_t j = i; j < k; ++j) s[j] = s[j - 1] + 1;
  }
}

}  // namespace relureg::detail
