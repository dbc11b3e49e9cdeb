// The short-row moments kernel: Σ w x xᵀ (lower triangle), Σ w y x, Σ w x, Σ w y against a
// long-double reference, with and without weights, at every chunk boundary; and data_moments
// through it for any thread count.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernels/moments.hpp"
#include "learners/learners.hpp"
#include "relureg/engine.hpp"
#include "test_support.hpp"

namespace relureg {
namespace {

// The reference sums of rows [0, rows) of data, in long double.
std::vector<long double> reference(const Dataset& data, std::size_t rows, const double* weights) {
  const std::size_t d = data.d;
  std::vector<long double> acc(d * d + 2 * d + 1, 0.0L);
  for (std::size_t r = 0; r < rows; ++r) {
    const long double w = weights != nullptr ? weights[r] : 1.0L, y = data.y[r];
    const float* x = data.X.data() + r * d;
    for (std::size_t j = 0; j < d; ++j) {
      for (std::size_t i = j; i < d; ++i) acc[i + j * d] += w * x[i] * x[j];
      acc[d * d + j] += w * y * x[j];
      acc[d * d + d + j] += w * x[j];
    }
    acc[d * d + 2 * d] += w * y;
  }
  return acc;
}

TEST(MomentsKernel, MatchesTheReferenceAtEveryChunkBoundaryAndLeavesTheUpperTriangle) {
  for (const std::size_t d : {1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 15, 16}) {
    for (const bool weighted : {false, true}) {
      const std::size_t rows = 301;  // odd: the kernel's last row is added alone
      Dataset data = testing::GaussianDraws(d).noise_rows(rows, d);
      std::vector<double> weights(rows);
      for (std::size_t r = 0; r < rows; ++r) weights[r] = (r % 5 == 0) ? 0.0 : 0.5 + (r % 3);
      RowBlock blk{data.X.data(), data.y.data(), rows, d, 0, weighted ? weights.data() : nullptr};
      std::vector<double> acc(d * d + 2 * d + 1, 0.0);
      acc[0 + (d - 1) * d] = (d > 1) ? 7.0 : 0.0;  // an upper-triangle entry (row 0, column d−1)
      detail::short_moments_block(blk, acc.data());
      const std::vector<long double> want =
          reference(data, rows, weighted ? weights.data() : nullptr);
      long double scale = 0;
      for (long double v : want) scale = std::max(scale, std::abs(v));
      for (std::size_t k = 0; k < acc.size(); ++k) {
        const std::size_t i = k % d, j = k / d;
        if (k < d * d && i < j) {
          EXPECT_EQ(acc[k], (i == 0 && j == d - 1) ? 7.0 : 0.0) << "d " << d << " entry " << k;
          continue;
        }
        EXPECT_NEAR(acc[k], static_cast<double>(want[k]), 1e-13 * static_cast<double>(scale))
            << "d " << d << " weighted " << weighted << " entry " << k;
      }
    }
  }
}

// data_moments (the engine's pass that moment, dktz22, gv25 and wzdd23 read) over several blocks
// with this kernel: the means of the reference sums, both triangles, and bit-identical results
// for 1 and 2 threads.
TEST(MomentsKernel, DataMomentsAreTheMeansForAnyThreadCount) {
  const std::size_t n = 3 * kBlockRows + 77, d = 10;
  const Dataset data = testing::GaussianDraws(5).noise_rows(n, d);
  const std::vector<long double> sums = reference(data, n, nullptr);
  const auto moments_with = [&](int threads) {
    return detail::data_moments(Engine(EngineOptions{threads}), data.view());
  };
  const detail::DataMoments one = moments_with(1), two = moments_with(2);
  EXPECT_EQ(one.second, two.second);
  EXPECT_EQ(one.xy, two.xy);
  EXPECT_EQ(one.mean_x, two.mean_x);
  EXPECT_EQ(one.mean_y, two.mean_y);
  for (std::size_t j = 0; j < d; ++j) {
    for (std::size_t i = j; i < d; ++i) {
      const double want = static_cast<double>(sums[i + j * d] / n);
      EXPECT_NEAR(one.second[i + j * d], want, 1e-14) << i << "," << j;
      EXPECT_EQ(one.second[j + i * d], one.second[i + j * d]);
    }
    EXPECT_NEAR(one.xy[j], static_cast<double>(sums[d * d + j] / n), 1e-14);
    EXPECT_NEAR(one.mean_x[j], static_cast<double>(sums[d * d + d + j] / n), 1e-14);
  }
  EXPECT_NEAR(one.mean_y, static_cast<double>(sums[d * d + 2 * d] / n), 1e-14);
}

}  // namespace
}  // namespace relureg
