// Engine: exact sums, bit-identical results for any thread count, pass counting, fused kernels.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "relureg/engine.hpp"
#include "relureg/kernels.hpp"
#include "test_support.hpp"

namespace relureg {
namespace {

Dataset random_dataset(std::size_t n, std::size_t d, unsigned seed) {
  return testing::GaussianDraws(seed).noise_rows(n, d);
}

TEST(Engine, SumMatchesSerialLoopAndCountsPasses) {
  const Dataset data = random_dataset(10007, 3, 1);  // not a multiple of the block size
  const Engine engine(EngineOptions{2, 1000});
  const auto s = engine.sum_rows(data.view(), 2, [](const float* x, double y, double* acc) {
    acc[0] += x[1];
    acc[1] += y;
  });
  long double x1 = 0, y = 0;
  for (std::size_t i = 0; i < data.n; ++i) {
    x1 += data.X[i * 3 + 1];
    y += data.y[i];
  }
  EXPECT_NEAR(s[0], static_cast<double>(x1), 1e-9);
  EXPECT_NEAR(s[1], static_cast<double>(y), 1e-9);
  EXPECT_EQ(engine.passes(), 1u);
  const auto m =
      engine.mean_rows(data.view(), 1, [](const float*, double, double* acc) { acc[0] += 1; });
  EXPECT_DOUBLE_EQ(m[0], 1.0);
  EXPECT_EQ(engine.passes(), 2u);
}

TEST(Engine, ResultsAreBitIdenticalForOneTwoAndEightThreads) {
  const Dataset data = random_dataset(50000, 17, 2);
  std::vector<double> w(17);
  for (std::size_t j = 0; j < w.size(); ++j) w[j] = std::sin(1.0 + j);
  std::vector<ReluStats> stats;
  for (int threads : {1, 2, 8}) {
    const Engine engine(EngineOptions{threads});
    stats.push_back(relu_stats(engine, data.view(), w, 0.25, true));
  }
  for (std::size_t t = 1; t < stats.size(); ++t) {
    EXPECT_EQ(stats[t].loss, stats[0].loss);
    EXPECT_EQ(stats[t].surrogate, stats[0].surrogate);
    EXPECT_EQ(stats[t].grad_square, stats[0].grad_square);
    EXPECT_EQ(stats[t].grad_surrogate, stats[0].grad_surrogate);
  }
}

TEST(Engine, ResultsAreBitIdenticalAcrossThreadsForLongRowsAndABias) {
  // d = 100 and 1000 take the tiled and the one-group-per-tile paths of the fused pass.
  for (std::size_t d : {100u, 1000u}) {
    const Dataset data = random_dataset(9001, d, 8);
    std::vector<double> w(d);
    for (std::size_t j = 0; j < d; ++j) w[j] = std::cos(0.5 + j) / std::sqrt(double(d));
    std::vector<ReluStats> stats;
    for (int threads : {1, 2, 3}) {
      const Engine engine(EngineOptions{threads, 1000});
      stats.push_back(relu_stats(engine, data.view(), w, -0.1, true));
    }
    for (std::size_t t = 1; t < stats.size(); ++t) {
      EXPECT_EQ(stats[t].loss, stats[0].loss) << d;
      EXPECT_EQ(stats[t].grad_square, stats[0].grad_square) << d;
      EXPECT_EQ(stats[t].grad_surrogate, stats[0].grad_surrogate) << d;
    }
  }
}

// Past the short-row kernels, relu_stats sums each engine block's gradient terms from zero, row by
// row in order with one multiply-add per feature, and adds the blocks' sums in order: its
// gradients are that serial sum bit for bit (fused multiply-adds where the build has them).
TEST(Engine, LongRowGradientsSumEachBlocksRowsInOrderBitForBit) {
  for (std::size_t d : {129u, 1000u}) {
    const Dataset data = random_dataset(700, d, 23);
    std::vector<double> w(d);
    for (std::size_t j = 0; j < d; ++j) w[j] = std::sin(0.7 * j + 0.2) / std::sqrt(double(d));
    const double b = 0.05, at_zero = 0.5;
    const std::size_t block_rows = 256;  // blocks of 256, 256 and 188 rows
    const ReluStats s =
        relu_stats(Engine(EngineOptions{2, block_rows}), data.view(), w, b, true, at_zero);
    bool matched = false;
    for (bool fused : {true, false}) {
      const auto mul_add = [fused](double a, double x, double acc) {
        if (fused) return std::fma(a, x, acc);
        const volatile double product = a * x;  // rounded before the addition
        return acc + product;
      };
      std::vector<double> square(d + 1, 0.0), surrogate(d + 1, 0.0);
      for (std::size_t first = 0; first < data.n; first += block_rows) {
        std::vector<double> block_square(d + 1, 0.0), block_surrogate(d + 1, 0.0);
        for (std::size_t i = first; i < std::min(first + block_rows, data.n); ++i) {
          const float* x = data.X.data() + i * d;
          const double z = affine_value(x, w.data(), d, b);
          const double residual = (z > 0 ? z : 0.0) - data.y[i];
          const double coef = (z > 0 ? 1.0 : (z == 0 ? at_zero : 0.0)) * residual;
          for (std::size_t j = 0; j < d; ++j) {
            block_square[j] = mul_add(coef, double(x[j]), block_square[j]);
            block_surrogate[j] = mul_add(residual, double(x[j]), block_surrogate[j]);
          }
          block_square[d] += coef;
          block_surrogate[d] += residual;
        }
        for (std::size_t j = 0; j <= d; ++j) {
          square[j] += block_square[j];
          surrogate[j] += block_surrogate[j];
        }
      }
      const double n = static_cast<double>(data.n);
      for (std::size_t j = 0; j <= d; ++j) {
        square[j] = 2.0 * (square[j] / n);
        surrogate[j] /= n;
      }
      matched = matched || (s.grad_square == square && s.grad_surrogate == surrogate);
    }
    EXPECT_TRUE(matched) << d;
    // The one-gradient passes (summed in place) give the same bits.
    const Engine engine(EngineOptions{2, block_rows});
    EXPECT_EQ(
        relu_stats(engine, data.view(), w, b, true, at_zero, ReluGradients::square).grad_square,
        s.grad_square)
        << d;
    EXPECT_EQ(relu_stats(engine, data.view(), w, b, true, at_zero, ReluGradients::surrogate)
                  .grad_surrogate,
              s.grad_surrogate)
        << d;
  }
}

// Every pass computes z = w·x + b in one summation order, whether rows are taken one by one
// (affine_value: predictions, generated labels) or four at a time (the fused pass, the loss),
// for every d (full and partial chunks of 8 and 16 features) and any row count (groups and
// leftovers). A teacher labelling its own data therefore has a loss and gradient of exactly 0.
TEST(Engine, GroupedAndSingleRowAffineValuesAreBitIdentical) {
  for (std::size_t d : {1u, 3u, 7u, 8u, 9u, 15u, 16u, 17u, 23u, 24u, 31u, 40u, 100u, 129u, 600u}) {
    Dataset data = random_dataset(1031, d, 9 + d);
    std::vector<double> w(d);
    for (std::size_t j = 0; j < d; ++j) w[j] = std::sin(0.3 * j + 0.1) * 1.7;
    const double b = 0.05;
    for (std::size_t i = 0; i < data.n; ++i)
      data.y[i] = std::max(0.0, affine_value(data.X.data() + i * d, w.data(), d, b));
    const Engine engine(EngineOptions{2, 257});
    EXPECT_EQ(relu_loss(engine, data.view(), w, b), 0.0) << d;
    const ReluStats s = relu_stats(engine, data.view(), w, b, true);
    EXPECT_EQ(s.loss, 0.0) << d;
    EXPECT_EQ(s.grad_square, std::vector<double>(d + 1, 0.0)) << d;
    // affine_value itself against a long-double reference (the order only moves ulps).
    for (std::size_t i = 0; i < data.n; i += 97) {
      long double ref = b;
      for (std::size_t j = 0; j < d; ++j) ref += (long double)w[j] * data.X[i * d + j];
      EXPECT_NEAR(affine_value(data.X.data() + i * d, w.data(), d, b), (double)ref, 1e-12)
          << d << " " << i;
    }
    // Predictions (row-major tiles past the short rows) are the labels the teacher gave.
    std::vector<double> predicted(data.n);
    relu_predict(engine, data.view(), w, b, predicted);
    EXPECT_EQ(predicted, data.y) << d;
    // The loss pass and the fused pass add the same squares in the same order.
    for (double& y : data.y) y += 0.25;
    EXPECT_EQ(relu_loss(engine, data.view(), w, b),
              relu_stats(engine, data.view(), w, b, false).loss)
        << d;
  }
}

TEST(Engine, OneGradientPassesEqualTheBothGradientsPass) {
  const Dataset data = random_dataset(5003, 37, 10);
  std::vector<double> w(37);
  for (std::size_t j = 0; j < w.size(); ++j) w[j] = std::sin(2.0 + j) / 6;
  const Engine engine(EngineOptions{2, 700});
  const ReluStats both = relu_stats(engine, data.view(), w, 0.2, true, 0.5);
  const ReluStats square =
      relu_stats(engine, data.view(), w, 0.2, true, 0.5, ReluGradients::square);
  const ReluStats surrogate =
      relu_stats(engine, data.view(), w, 0.2, true, 0.5, ReluGradients::surrogate);
  ASSERT_EQ(both.grad_square.size(), 38u);
  EXPECT_EQ(square.grad_square, both.grad_square);
  EXPECT_TRUE(square.grad_surrogate.empty());
  EXPECT_EQ(surrogate.grad_surrogate, both.grad_surrogate);
  EXPECT_TRUE(surrogate.grad_square.empty());
  EXPECT_EQ(square.loss, both.loss);
  EXPECT_EQ(surrogate.surrogate, both.surrogate);
  EXPECT_TRUE(std::isnan(square.surrogate));  // the square loss's pass leaves it out
  EXPECT_EQ(square.active, both.active);
  EXPECT_EQ(surrogate.active, both.active);
}

TEST(Engine, FusedStatsMatchDirectFormulas) {
  const Dataset data = random_dataset(3000, 4, 3);
  const std::vector<double> w{0.5, -0.25, 1.0, 0.0};
  const double b = 0.1;
  const Engine engine(EngineOptions{2, 256});
  const ReluStats s = relu_stats(engine, data.view(), w, b, true);
  double loss = 0, surrogate = 0, active = 0;
  std::vector<double> gsq(5, 0), gsur(5, 0);
  for (std::size_t i = 0; i < data.n; ++i) {
    double z = b;
    for (int j = 0; j < 4; ++j) z += w[j] * data.X[i * 4 + j];
    const double relu = std::max(z, 0.0), r = relu - data.y[i];
    loss += r * r;
    surrogate += 0.5 * relu * relu - data.y[i] * z;
    active += z > 0;
    for (int j = 0; j < 5; ++j) {
      const double xj = j < 4 ? data.X[i * 4 + j] : 1.0;
      if (z > 0) gsq[j] += 2 * r * xj;
      gsur[j] += r * xj;
    }
  }
  const double n = static_cast<double>(data.n);
  EXPECT_NEAR(s.loss, loss / n, 1e-12);
  EXPECT_NEAR(s.surrogate, surrogate / n, 1e-12);
  EXPECT_NEAR(s.active, active / n, 1e-15);
  for (int j = 0; j < 5; ++j) {
    EXPECT_NEAR(s.grad_square[j], gsq[j] / n, 1e-12) << j;
    EXPECT_NEAR(s.grad_surrogate[j], gsur[j] / n, 1e-12) << j;
  }
  EXPECT_NEAR(relu_loss(engine, data.view(), w, b), loss / n, 1e-12);
}

TEST(Engine, MapWritesOneValuePerRowInOrder) {
  const Dataset data = random_dataset(9000, 2, 5);
  const Engine engine(EngineOptions{2, 512});
  std::vector<double> out(data.n);
  engine.map(data.view(), out, [](const RowBlock& b, double* o) {
    for (std::size_t r = 0; r < b.rows; ++r) o[r] = static_cast<double>(b.first_row + r);
  });
  for (std::size_t i = 0; i < data.n; ++i) ASSERT_EQ(out[i], static_cast<double>(i));
}

TEST(Engine, KernelExceptionsPropagateFromWorkerThreads) {
  const Dataset data = random_dataset(10000, 2, 6);
  const Engine engine(EngineOptions{2, 100});
  EXPECT_THROW(engine.sum(data.view(), 1,
                          [](const RowBlock& b, double*) {
                            if (b.first_row == 5000) throw std::runtime_error("boom");
                          }),
               std::runtime_error);
}

TEST(Refit, ScaleAndScaleBiasRecoverAPlantedReluAlongTheDirection) {
  Dataset data = random_dataset(20000, 3, 7);
  const std::vector<double> u{0.6, 0.8, 0.0};
  for (std::size_t i = 0; i < data.n; ++i) {
    const double z = u[0] * data.X[i * 3] + u[1] * data.X[i * 3 + 1];
    data.y[i] = std::max(0.0, 1.7 * z - 0.4);
  }
  const Engine engine(EngineOptions{2});
  const ScaleBiasFit fit = refit_scale_bias(engine, data.view(), u, 1e9);
  EXPECT_NEAR(fit.scale, 1.7, 1e-9);
  EXPECT_NEAR(fit.bias, -0.4, 1e-9);
  EXPECT_LT(fit.loss, 1e-18);
  const ScaleFit clipped = refit_scale(engine, data.view(), u, 1.0);
  EXPECT_EQ(clipped.scale, 1.0);
}

}  // namespace
}  // namespace relureg
