// The moments pass: Σ w x xᵀ, Σ w y x, Σ w x and Σ w y of a block without a matrix library, in
// the instruction-set variant chosen for this CPU.
#pragma once

#include <cstddef>
#include <limits>
#include <vector>

#include "relureg/dataset.hpp"

namespace relureg::detail {

// The longest rows a register kernel can take, and a variant's max_features where it takes rows
// of any length.
inline constexpr std::size_t kRegisterKernelFeatures = 16;
inline constexpr std::size_t kAnyFeatures = std::numeric_limits<std::size_t>::max();

// Rows given in double, one at a time, for sums of values made per row (net2-enum's hidden
// units): fill(context, r, out) writes row r's d values to out[0, d), called once per row in the
// order r = 0, 1, …, rows − 1, with `context` (the caller's, scratch space included). y holds the
// labels, w the sample weights (null: none).
struct DoubleRows {
  std::size_t rows = 0, d = 0;
  const double* y = nullptr;
  const double* w = nullptr;
  void (*fill)(void* context, std::size_t r, double* out) = nullptr;
  void* context = nullptr;
};

// One instruction-set variant of the kernels (moments_isa_*.cpp). Both add the block's
// Σ w x xᵀ (lower triangle only, column-major d×d at acc), Σ w y x (acc + d²), Σ w x
// (acc + d² + d) and Σ w y (acc + d² + 2d), with w the block's sample weights (1 without).
// Rows are added in order, in double, each entry's own sum: the result depends on the block's
// rows only. The upper triangle of acc is left alone.
struct MomentKernels {
  const char* name;
  // The variant's choice between its two kernels; 1 ≤ blk.d ≤ max_features.
  void (*block)(const RowBlock& blk, double* acc);
  // The tiled kernel alone (any blk.d ≥ 1): the block's rows buffered in double
  // and the triangle added tile by tile. Bit for bit the other kernel's sums wherever both run
  // (every entry is the same products added in the same order).
  void (*tiled)(const RowBlock& blk, double* acc);
  // The kernel that keeps every accumulator in registers, alone (1 ≤ blk.d ≤
  // kRegisterKernelFeatures).
  void (*registers)(const RowBlock& blk, double* acc);
  // Rows of at most this many features take `registers`, longer ones `tiled`.
  std::size_t register_features;
  // The longest rows `block` takes (kAnyFeatures: no limit); longer ones take a matrix rank
  // update (learners/moment.cpp).
  std::size_t max_features;
  // The tiled kernel's sums, in the same layout, of rows given in double (any d ≥ 1).
  void (*double_rows)(const DoubleRows& rows, double* acc);
};

// The variants this CPU runs, best first (x86-64-v4, x86-64-v3 where the build has them, then
// the build's own flags), and the first of them.
const std::vector<const MomentKernels*>& moment_kernel_variants();
const MomentKernels& moment_kernels();

// moment_kernels().block, and its limit.
void short_moments_block(const RowBlock& blk, double* acc);
std::size_t short_moment_features();

// moment_kernels().double_rows: the sums of short_moments_block's layout (d×d lower triangle,
// Σ w y x, Σ w x, Σ w y) of rows given in double, rows in order, for any d ≥ 1.
void moments_of_double_rows(const DoubleRows& rows, double* acc);

// The sums of short_moments_block (laid out [p×p, p, p, 1], lower triangle) over the rows of blk
// listed in `rows` (in their order), weighted as blk, of x̃ = (x, 1) (p = d + 1) with `append_one`,
// else of x (p = d): the kernel run on a copy of those rows. Needs p ≤ short_moment_features().
std::vector<double> moments_of_rows(const RowBlock& blk, const std::vector<std::size_t>& rows,
                                    bool append_one);

// Adds the lower triangle of the column-major p×p matrix at `from` (the layout above) to `to`'s.
void add_lower_triangle(const double* from, std::size_t p, double* to);

}  // namespace relureg::detail
