// The moments pass for short rows: Σ w x xᵀ, Σ w y x, Σ w x and Σ w y of a block without a
// matrix library.
#pragma once

#include <cstddef>

#include "relureg/dataset.hpp"

namespace relureg::detail {

// Rows of at most this many features take short_moments_block; longer ones a matrix rank update.
inline constexpr std::size_t kShortMomentFeatures = 16;

// Adds the block's Σ w x xᵀ (lower triangle only, column-major d×d at acc), Σ w y x (acc + d²),
// Σ w x (acc + d² + d) and Σ w y (acc + d² + 2d), with w the block's sample weights (1 without).
// Rows are added in order, in double, each entry's own sum: the result depends on the block's
// rows only. 1 ≤ blk.d ≤ kShortMomentFeatures; the upper triangle of acc is left alone.
void short_moments_block(const RowBlock& blk, double* acc);

}  // namespace relureg::detail
