// The short-row kernels of one instruction set as a table, for the run-time choice in
// short_rows.cpp.
#pragma once

#include "kernels/short_rows.hpp"

namespace relureg::detail {

// The four block kernels of short_rows.hpp, compiled for one instruction set.
struct ShortRowKernels {
  void (*stats)(const RowBlock& blk, const double* weights, const double* w, double b,
                bool with_bias, double relu_grad_at_zero, ShortGradients gradients, bool float_z,
                double* acc);
  double (*loss)(const RowBlock& blk, const double* weights, const double* w, double b);
  void (*scale)(const RowBlock& blk, const double* weights, const double* u, double* acc);
  void (*predict)(const RowBlock& blk, const double* w, double b, double* out);
  std::size_t max_features;  // the longest rows the kernels take
  // Writes rows × d floats feature-major in groups of eight (RowBlock::columns), or null where
  // the portable copy_short_columns does it.
  void (*copy_columns)(const float* x, std::size_t rows, std::size_t d, float* out) = nullptr;
};

// The generic eight-lane kernels (short_rows_generic.cpp), compiled with the build's own flags:
// every CPU runs them.
const ShortRowKernels& short_row_kernels_generic();

// The AVX2 (x86-64-v3) and AVX-512 (x86-64-v4) kernels, defined only in a build that compiles
// those translation units (RELUREG_SHORT_ROW_ISAS). `fused_z`: the in-row dot product adds each
// product with a fused multiply-add, as affine_value does in a build whose target has FMA;
// otherwise a product then an addition, as it does without FMA (a build for any x86-64).
const ShortRowKernels& short_row_kernels_avx2(bool fused_z);
const ShortRowKernels& short_row_kernels_avx512(bool fused_z);

}  // namespace relureg::detail
