// The AVX2 variant's columns: which rows relu_stats takes on them, and that it then sums each
// gradient entry in four row lanes (row r in lane r mod 4), added at the block's end.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "kernels/short_rows.hpp"
#include "relureg/model.hpp"
#include "test_support.hpp"

namespace relureg {
namespace {

TEST(ShortRowColumns, Avx2StatsTakeColumnsUpToElevenFeaturesButEight) {
  // Rows of 8 features fill two four-lane pieces and keep them (short_rows.hpp's measurements).
  for (std::size_t d = 1; d <= 16; ++d)
    EXPECT_EQ(detail::avx2_stats_on_columns(d), d <= 11 && d != 8) << d;
  EXPECT_EQ(detail::kAvx2ColumnPassFeatures, 6u);
}

TEST(ShortRowColumns, Avx2ColumnsSumGlmtronsGradientInFourRowLanes) {
  // glmtron's gradient over one block of 1024 rows, recomputed in the columns' order: each entry
  // Σ (ReLU(z) − y)·x in lane r mod 4 by fused multiply-adds, then (l0 + l2) + (l1 + l3); the
  // bias entry the same of ReLU(z) − y by additions. Bit for bit at every d the columns take.
  const std::vector<detail::ShortRowIsa> isas = detail::runnable_short_row_isas();
  if (std::find(isas.begin(), isas.end(), detail::ShortRowIsa::avx2) == isas.end())
    GTEST_SKIP() << "this build or CPU has no AVX2 variant";
  detail::use_short_row_isa(detail::ShortRowIsa::avx2);
  for (std::size_t d = 1; d <= detail::kAvx2ColumnFeatures; ++d) {
    if (!detail::avx2_stats_on_columns(d)) continue;
    const std::size_t n = 1024;
    const Dataset data = testing::GaussianDraws(700 + static_cast<unsigned>(d)).noise_rows(n, d);
    std::vector<double> w(d);
    for (std::size_t j = 0; j < d; ++j) w[j] = std::cos(0.4 + 0.9 * j) / std::sqrt(double(d));
    const ReluModel model{w, 0.1, true};
    std::vector<double> acc(3 + d + 1, 0.0);
    const RowBlock blk{data.X.data(), data.y.data(), n, d, 0, nullptr};
    detail::short_relu_stats_block(blk, nullptr, w.data(), 0.1, true, 0.5,
                                   detail::ShortGradients::surrogate, false, acc.data());
    std::vector<double> lanes((d + 1) * 4, 0.0);
    for (std::size_t r = 0; r < n; ++r) {
      const float* x = data.X.data() + r * d;
      const double residual = model.predict_one(x) - data.y[r];
      for (std::size_t j = 0; j < d; ++j)
        lanes[j * 4 + r % 4] = std::fma(residual, double(x[j]), lanes[j * 4 + r % 4]);
      lanes[d * 4 + r % 4] += residual;
    }
    for (std::size_t j = 0; j <= d; ++j) {
      const double* l = &lanes[j * 4];
      const double expected = (l[0] + l[2]) + (l[1] + l[3]);
      EXPECT_EQ(std::memcmp(&acc[3 + j], &expected, sizeof expected), 0)
          << "d " << d << " entry " << j << ": " << acc[3 + j] << " against " << expected;
    }
  }
  detail::use_default_short_row_isas();
}

}  // namespace
}  // namespace relureg
