// The subset-search kernels' entry points: the ISA variant chosen for this CPU, the reference.
#include "kernels/subset_scan.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "base/cpu_level.hpp"

namespace relureg::detail {

// The variants (subset_isa_*.cpp); CMake compiles those the build allows and defines their macros.
#if defined(RELUREG_SUBSET_V4)
extern const SubsetKernels kSubsetKernelsV4;
#endif
#if defined(RELUREG_SUBSET_V3)
extern const SubsetKernels kSubsetKernelsV3;
#endif
extern const SubsetKernels kSubsetKernelsBuild;

namespace {

std::vector<const SubsetKernels*> runnable_variants() {
  std::vector<const SubsetKernels*> out;
#if defined(RELUREG_SUBSET_V4)
  if (cpu_runs_x86_64_v4()) out.push_back(&kSubsetKernelsV4);
#endif
#if defined(RELUREG_SUBSET_V3)
  if (cpu_runs_x86_64_v3()) out.push_back(&kSubsetKernelsV3);
#endif
  out.push_back(&kSubsetKernelsBuild);
  return out;
}

// The rows [start, start + rows) of blk as double columns of `stride` entries, and their labels.
void transpose_rows(const RowBlock& blk, std::size_t start, std::size_t rows, std::size_t stride,
                    double* columns, double* y) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* x = blk.X + (start + r) * blk.d;
    for (std::size_t j = 0; j < blk.d; ++j) columns[j * stride + r] = x[j];
    y[r] = blk.y[start + r];
  }
}

}  // namespace

const std::vector<const SubsetKernels*>& subset_kernel_variants() {
  static const std::vector<const SubsetKernels*> variants = runnable_variants();
  return variants;
}

const SubsetKernels& subset_kernels() {
  static const SubsetKernels& chosen = *subset_kernel_variants().front();
  return chosen;
}

bool plus_minus_one_block(const RowBlock& blk) {
  const std::size_t n = blk.rows * blk.d;
  bool ok = true;
  for (std::size_t i = 0; i < n; ++i) ok &= (blk.X[i] == 1.0f) | (blk.X[i] == -1.0f);
  return ok;
}

void subset_parity_sums_columns(const RowBlock& blk, const std::uint32_t* subsets,
                                std::size_t count, std::size_t k, double* acc) {
  subset_kernels().parity_columns(blk, subsets, count, k, acc);
}

void subset_parity_sums_bits(const RowBlock& blk, const std::uint32_t* subsets, std::size_t count,
                             std::size_t k, double* acc) {
  subset_kernels().parity_bits(blk, subsets, count, k, acc);
}

void subset_parity_sums(const RowBlock& blk, const std::uint32_t* subsets, std::size_t count,
                        std::size_t k, double* acc) {
  if (k <= 32 && plus_minus_one_block(blk))
    subset_kernels().parity_bits(blk, subsets, count, k, acc);
  else
    subset_kernels().parity_columns(blk, subsets, count, k, acc);
}

void subset_sign_sums(const RowBlock& blk, const std::uint32_t* subsets, std::size_t count,
                      std::size_t k, double* acc) {
  subset_kernels().sign_sums(blk, subsets, count, k, acc);
}

void orthogonal_subset_sums(const RowBlock& blk, std::size_t k, bool relu, double* acc) {
  subset_kernels().orthogonal(blk, k, relu, true, acc);
}

void subset_parity_sums_reference(const RowBlock& blk, const std::uint32_t* subsets,
                                  std::size_t count, std::size_t k, double* acc) {
  const std::size_t d = blk.d, chunk = 256;
  const double unit = 1 / std::sqrt(static_cast<double>(k));
  std::vector<double> columns(d * chunk), y(chunk), z(chunk);
  for (std::size_t start = 0; start < blk.rows; start += chunk) {
    const std::size_t rows = std::min(chunk, blk.rows - start);
    transpose_rows(blk, start, rows, chunk, columns.data(), y.data());
    for (std::size_t s = 0; s < count; ++s) {
      const std::uint32_t* T = subsets + s * k;
      std::fill(z.begin(), z.begin() + rows, 0.0);
      for (std::size_t i = 0; i + 1 < k; ++i) {
        const double* ci = columns.data() + T[i] * chunk;
#pragma omp simd
        for (std::size_t r = 0; r < rows; ++r) z[r] += ci[r];
      }
      const double* last = columns.data() + T[k - 1] * chunk;
      double yr_plus = 0, rr_plus = 0, yr_minus = 0, rr_minus = 0;
#pragma omp simd reduction(+ : yr_plus, rr_plus, yr_minus, rr_minus)
      for (std::size_t r = 0; r < rows; ++r) {
        const double plus = std::max(z[r] + last[r], 0.0);
        const double minus = std::max(z[r] - last[r], 0.0);
        yr_plus += y[r] * plus;
        rr_plus += plus * plus;
        yr_minus += y[r] * minus;
        rr_minus += minus * minus;
      }
      double* a = acc + 4 * s;
      a[0] += unit * yr_plus;
      a[1] += unit * unit * rr_plus;
      a[2] += unit * yr_minus;
      a[3] += unit * unit * rr_minus;
    }
  }
}

}  // namespace relureg::detail
