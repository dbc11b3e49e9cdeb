// The short-row moments kernels: Σ w x xᵀ (lower triangle), Σ w y x, Σ w x, Σ w y against a
// long-double reference, with and without weights, at every chunk boundary, in every variant this
// CPU runs; data_moments through them for any thread count; and the sums of rows given in double.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
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

// Every variant this CPU runs, both its kernels: the reference sums at every chunk boundary (4
// and 8 lanes) up to the longest rows, with and without weights, and the upper triangle untouched.
TEST(MomentsKernel, MatchesTheReferenceAtEveryChunkBoundaryAndLeavesTheUpperTriangle) {
  for (const detail::MomentKernels* variant : detail::moment_kernel_variants()) {
    // Past 64 features the tiled kernel reads its chunk count from d (on the heap) and takes 128
    // rows at a time, buffered panel by panel (d = 257 and 512: many panels, the last one part
    // full at 257).
    for (const std::size_t d :
         {1,  2,  3,  4,  5,  7,  8,  9,  10, 12, 13, 15, 16, 17, 20,  23,  24,  25, 31,
          32, 33, 40, 47, 48, 49, 57, 63, 64, 65, 68, 69, 72, 73, 100, 129, 257, 512}) {
      for (const bool weighted : {false, true}) {
        for (const bool tiled : {false, true}) {
          if (!tiled && d > variant->max_features) continue;
          // Odd, and not a whole number of the tiled kernel's 32- or 128-row buffers.
          const std::size_t rows = 301;
          Dataset data = testing::GaussianDraws(d).noise_rows(rows, d);
          std::vector<double> weights(rows);
          for (std::size_t r = 0; r < rows; ++r) weights[r] = (r % 5 == 0) ? 0.0 : 0.5 + (r % 3);
          RowBlock blk{
              data.X.data(), data.y.data(), rows, d, 0, weighted ? weights.data() : nullptr};
          std::vector<double> acc(d * d + 2 * d + 1, 0.0);
          acc[0 + (d - 1) * d] =
              (d > 1) ? 7.0 : 0.0;  // an upper-triangle entry (row 0, column d−1)
          (tiled ? variant->tiled : variant->block)(blk, acc.data());
          const std::vector<long double> want =
              reference(data, rows, weighted ? weights.data() : nullptr);
          long double scale = 0;
          for (long double v : want) scale = std::max(scale, std::abs(v));
          const std::string where = std::string(variant->name) + (tiled ? " tiled" : "") + " d " +
                                    std::to_string(d) + (weighted ? " weighted" : "");
          for (std::size_t k = 0; k < acc.size(); ++k) {
            const std::size_t i = k % d, j = k / d;
            if (k < d * d && i < j) {
              EXPECT_EQ(acc[k], (i == 0 && j == d - 1) ? 7.0 : 0.0) << where << " entry " << k;
              continue;
            }
            EXPECT_NEAR(acc[k], static_cast<double>(want[k]), 1e-13 * static_cast<double>(scale))
                << where << " entry " << k;
          }
        }
      }
    }
  }
}

// Wherever a variant's register kernel can run, its tiled kernel gives the same sums bit for bit
// (every entry is the same products added in the same order), and so does its choice.
TEST(MomentsKernel, TiledKernelIsTheRegisterKernelBitForBit) {
  for (const detail::MomentKernels* variant : detail::moment_kernel_variants()) {
    for (std::size_t d = 1; d <= detail::kRegisterKernelFeatures; ++d) {
      for (const bool weighted : {false, true}) {
        const std::size_t rows = 157;
        Dataset data = testing::GaussianDraws(d + 40).noise_rows(rows, d);
        std::vector<double> weights(rows);
        for (std::size_t r = 0; r < rows; ++r) weights[r] = 0.25 + 0.1 * static_cast<double>(r % 7);
        RowBlock blk{data.X.data(), data.y.data(), rows, d, 0, weighted ? weights.data() : nullptr};
        std::vector<double> registers(d * d + 2 * d + 1, 0.0), tiled(registers), chosen(registers);
        variant->registers(blk, registers.data());
        variant->tiled(blk, tiled.data());
        variant->block(blk, chosen.data());
        EXPECT_EQ(registers, tiled) << variant->name << " d " << d << " weighted " << weighted;
        EXPECT_EQ(registers, chosen) << variant->name << " d " << d << " weighted " << weighted;
      }
    }
  }
}

// data_moments (the engine's pass that moment, dktz22, gv25 and wzdd23 read) over several blocks
// with these kernels (d = 10 the register one, d = 40 the tiled one, d = 100 the tiled one with its
// chunk count read from d): the means of the reference sums, both triangles, and bit-identical
// results for 1 and 2 threads.
TEST(MomentsKernel, DataMomentsAreTheMeansForAnyThreadCount) {
  for (const std::size_t d : {std::size_t{10}, std::size_t{40}, std::size_t{100}}) {
    const std::size_t n = 3 * kBlockRows + 77;
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
}

// moments_of_rows: the sums of the listed rows only (every third, then none), of (x, 1) with
// append_one, weighted as the block: the reference sums of a dataset made of those rows.
TEST(MomentsKernel, MomentsOfRowsAreTheSumsOfTheListedRowsWithTheAppendedOne) {
  const std::size_t d = 70, rows = 200;
  const Dataset data = testing::GaussianDraws(9).noise_rows(rows, d);
  std::vector<double> weights(rows);
  for (std::size_t r = 0; r < rows; ++r) weights[r] = 0.5 + static_cast<double>(r % 4);
  std::vector<std::size_t> listed;
  for (std::size_t r = 1; r < rows; r += 3) listed.push_back(r);
  for (const bool weighted : {false, true}) {
    for (const bool append_one : {false, true}) {
      const std::size_t p = d + (append_one ? 1 : 0);
      Dataset picked;
      picked.d = p;
      picked.n = listed.size();
      std::vector<double> picked_weights;
      for (const std::size_t r : listed) {
        picked.X.insert(picked.X.end(), data.X.begin() + static_cast<std::ptrdiff_t>(r * d),
                        data.X.begin() + static_cast<std::ptrdiff_t>((r + 1) * d));
        if (append_one) picked.X.push_back(1.0f);
        picked.y.push_back(data.y[r]);
        picked_weights.push_back(weights[r]);
      }
      const RowBlock blk{
          data.X.data(), data.y.data(), rows, d, 0, weighted ? weights.data() : nullptr};
      const std::vector<double> got = detail::moments_of_rows(blk, listed, append_one);
      const std::vector<long double> want =
          reference(picked, listed.size(), weighted ? picked_weights.data() : nullptr);
      ASSERT_EQ(got.size(), p * p + 2 * p + 1);
      long double scale = 0;
      for (long double v : want) scale = std::max(scale, std::abs(v));
      for (std::size_t j = 0; j < p; ++j) {
        for (std::size_t i = j; i < p; ++i)
          EXPECT_NEAR(got[i + j * p], static_cast<double>(want[i + j * p]),
                      1e-13 * static_cast<double>(scale))
              << i << "," << j << " weighted " << weighted << " append_one " << append_one;
      }
      for (std::size_t k = p * p; k < got.size(); ++k)
        EXPECT_NEAR(got[k], static_cast<double>(want[k]), 1e-13 * static_cast<double>(scale)) << k;
    }
  }
  const RowBlock blk{data.X.data(), data.y.data(), rows, d, 0, nullptr};
  EXPECT_EQ(detail::moments_of_rows(blk, {}, true),
            std::vector<double>((d + 1) * (d + 3) + 1, 0.0));
}

// Rows given in double (net2-enum's hidden units): with the float rows of a block, widened, every
// variant's double_rows gives its tiled kernel's sums bit for bit (the same products in the same
// order), weighted or not, below, at and past 64 features; the fill sees the rows once, in order.
TEST(MomentsKernel, DoubleRowsAreTheTiledKernelsSumsOfTheSameRows) {
  for (const detail::MomentKernels* variant : detail::moment_kernel_variants()) {
    for (const std::size_t d : {1, 3, 8, 9, 31, 64, 65, 130, 257}) {
      for (const bool weighted : {false, true}) {
        const std::size_t rows = 301;
        const Dataset data = testing::GaussianDraws(d + 11).noise_rows(rows, d);
        std::vector<double> weights(rows);
        for (std::size_t r = 0; r < rows; ++r) weights[r] = (r % 5 == 0) ? 0.0 : 0.5 + (r % 3);
        const double* w = weighted ? weights.data() : nullptr;
        const RowBlock blk{data.X.data(), data.y.data(), rows, d, 0, w};
        struct Seen {
          const Dataset& data;
          std::vector<std::size_t> order;
        } seen{data, {}};
        const auto fill = [](void* context, std::size_t r, double* out) {
          Seen& of = *static_cast<Seen*>(context);
          of.order.push_back(r);
          for (std::size_t j = 0; j < of.data.d; ++j) out[j] = of.data.X[r * of.data.d + j];
        };
        std::vector<double> floats(d * d + 2 * d + 1, 0.0), doubles(floats);
        variant->tiled(blk, floats.data());
        variant->double_rows({rows, d, data.y.data(), w, fill, &seen}, doubles.data());
        const std::string where =
            std::string(variant->name) + " d " + std::to_string(d) + (weighted ? " weighted" : "");
        EXPECT_EQ(doubles, floats) << where;
        ASSERT_EQ(seen.order.size(), rows) << where;
        for (std::size_t r = 0; r < rows; ++r) ASSERT_EQ(seen.order[r], r) << where;
        // and those are the sums (the long-double reference)
        const std::vector<long double> want = reference(data, rows, w);
        EXPECT_NEAR(doubles[d * d - 1], static_cast<double>(want[d * d - 1]),
                    1e-12 * std::abs(static_cast<double>(want[0])))
            << where;
      }
    }
  }
}

}  // namespace
}  // namespace relureg
