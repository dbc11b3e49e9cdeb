// Which permutations of eight rows' floats give their features as columns: a constexpr plan
// per row length, for the AVX-512 short-row kernels on columns (vpermt2ps picks 16 lanes out of
// two vectors of 16 floats).
//
// Included by short_rows_avx512.cpp inside its anonymous namespace (it only computes constants),
// after <array> and <cstddef>.
// Measured on the AVX-512 Xeon of docs/performance.md (one core, 8192 rows in cache, gd's pass,
// ns per row, the best of the AVX2 and AVX-512 row-piece variants against AVX-512 columns built
// from this plan): d = 2 1.77 / 0.72, 4 1.62 / 0.98, 8 2.15 / 1.69, 10 3.02 / 2.33, 12 2.90 /
// 2.71, 13 3.20 / 3.48, 16 3.18 / 4.36: past 12 features the permutations cost more than the
// lanes save. Chaining one permutation per source vector, without the pairs below, took 3.23 ns
// at d = 10.
#pragma once

// Which vectors of a group's 8·D floats hold which lanes of the ⌈D/2⌉ column vectors: output o
// holds feature 2o of rows 0..7 in lanes 0..7 and feature 2o + 1 in lanes 8..15. Up to two
// source vectors (D ≤ 4): one permutation per output. More: the sources are paired, each pair
// (32 floats) is first packed into intermediates that hold, for consecutive outputs, all of
// their lanes found in that pair (a lone last source is used as it is); each output then
// gathers its lanes from one intermediate per pair, two at a time, keeping the lanes it has.
template <std::size_t D>
struct ColumnPlan {
  static constexpr std::size_t kSources = (8 * D + 15) / 16, kOutputs = (D + 1) / 2;
  static constexpr std::size_t kMaxIntermediates = 16, kMaxOperands = 8;
  std::size_t intermediates = 0;
  std::size_t first_source[kMaxIntermediates]{}, second_source[kMaxIntermediates]{};
  std::array<int, 16> intermediate_index[kMaxIntermediates]{};
  // Output o from operands[o][0..operand_count[o]): a source s (< kSources) or intermediate
  // s - kSources. index[o][0] combines the first two operands (or permutes the only one);
  // index[o][e] adds operand e + 1, lanes already placed keeping their own index.
  std::size_t operand_count[kOutputs]{};
  std::size_t operands[kOutputs][kMaxOperands]{};
  std::array<int, 16> index[kOutputs][kMaxOperands]{};
  bool identity = false;  // D = 1: the only source is already the column

  static constexpr bool used(std::size_t o, std::size_t lane) { return 2 * o + lane / 8 < D; }
  static constexpr std::size_t flat(std::size_t o, std::size_t lane) {
    return D * (lane % 8) + 2 * o + lane / 8;
  }

  constexpr ColumnPlan() {
    std::size_t at_operand[kOutputs][16]{}, at_lane[kOutputs][16]{};
    for (std::size_t o = 0; o < kOutputs; ++o)
      for (std::size_t i = 0; i < 16; ++i)
        if (used(o, i)) at_operand[o][i] = flat(o, i) / 16, at_lane[o][i] = flat(o, i) % 16;
    if constexpr (kSources > 2) {
      for (std::size_t a = 0; a + 1 < kSources; a += 2) {
        std::size_t fill = 16;
        for (std::size_t o = 0; o < kOutputs; ++o) {
          std::size_t count = 0;
          for (std::size_t i = 0; i < 16; ++i) count += used(o, i) && flat(o, i) / 32 == a / 2;
          if (count == 0) continue;
          if (fill + count > 16) {
            first_source[intermediates] = a, second_source[intermediates] = a + 1;
            ++intermediates, fill = 0;
          }
          for (std::size_t i = 0; i < 16; ++i) {
            if (!used(o, i) || flat(o, i) / 32 != a / 2) continue;
            intermediate_index[intermediates - 1][fill] = static_cast<int>(flat(o, i) % 32);
            at_operand[o][i] = kSources + intermediates - 1, at_lane[o][i] = fill++;
          }
        }
      }
    }
    for (std::size_t o = 0; o < kOutputs; ++o) {
      std::size_t& n = operand_count[o];
      for (std::size_t i = 0; i < 16; ++i) {
        if (!used(o, i)) continue;
        bool seen = false;
        for (std::size_t e = 0; e < n; ++e) seen = seen || operands[o][e] == at_operand[o][i];
        if (!seen) operands[o][n++] = at_operand[o][i];
      }
      for (std::size_t i = 0; i < 16; ++i) {
        const int lane = static_cast<int>(at_lane[o][i]);
        index[o][0][i] = !used(o, i) || at_operand[o][i] == operands[o][0] ? lane : 16 + lane;
        for (std::size_t e = 2; e < n; ++e)
          index[o][e - 1][i] =
              used(o, i) && at_operand[o][i] == operands[o][e] ? 16 + lane : static_cast<int>(i);
      }
    }
    identity = D == 1;
  }
};
