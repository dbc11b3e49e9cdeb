// The short-row kernels (d ≤ 32), every instruction-set variant this host runs: the same z as
// affine_value, the same sums as the row-major kernels up to rounding, the same fitted models, and
// sums that do not depend on the thread count.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

#include "kernels/float_z.hpp"
#include "kernels/short_rows.hpp"
#include "relureg/engine.hpp"
#include "relureg/family.hpp"
#include "relureg/kernels.hpp"
#include "relureg/learner.hpp"
#include "relureg/model_ops.hpp"
#include "test_support.hpp"

namespace relureg {
namespace {

Dataset random_rows(std::size_t n, std::size_t d, unsigned seed) {
  return testing::GaussianDraws(seed).noise_rows(n, d);
}

std::vector<double> some_weights(std::size_t d, double phase) {
  std::vector<double> w(d);
  for (std::size_t j = 0; j < d; ++j) w[j] = std::sin(phase + 0.7 * j) / std::sqrt(double(d));
  return w;
}

// Runs fn() with the row-major kernels for every d, their z in double (the reference), then
// restores the short-row ones and the row-major kernel's float z.
template <class Fn>
auto row_major(Fn&& fn) {
  detail::use_short_row_kernels(false);
  detail::use_long_row_float_z(false);
  auto result = fn();
  detail::use_long_row_float_z(true);
  detail::use_short_row_kernels(true);
  return result;
}

// Runs fn() with the short-row kernels of `isa` at every d, then restores the start-up choice.
template <class Fn>
auto with_isa(detail::ShortRowIsa isa, Fn&& fn) {
  detail::use_short_row_isa(isa);
  auto result = fn();
  detail::use_default_short_row_isas();
  return result;
}

std::string isa_name(detail::ShortRowIsa isa) {
  return detail::short_row_isa_name(isa);
}

// The dimensions at and around every boundary of the variants' pieces (4 and 8 features), of
// the AVX2 and AVX-512 variants' wider rows (up to 128 features), and every d up to 13 (the
// columns build their transposition per d and stop at 6 and 12 features).
const std::vector<std::size_t> kBoundaryDims = {1,  2,  3,  4,  5,  6,  7,   8,   9,   10,
                                                11, 12, 13, 15, 16, 17, 20,  24,  25,  31,
                                                32, 33, 40, 63, 64, 65, 100, 127, 128, 129};

double relative(double a, double b) {
  return std::abs(a - b) / std::max({std::abs(a), std::abs(b), 1e-300});
}

void expect_close(const std::vector<double>& a, const std::vector<double>& b, double tolerance,
                  const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  double scale = 0;
  for (double v : b) scale = std::max(scale, std::abs(v));
  for (std::size_t j = 0; j < a.size(); ++j)
    EXPECT_LE(std::abs(a[j] - b[j]), tolerance * scale) << what << " entry " << j;
}

TEST(ShortRows, PredictionsAreBitForBitPredictOne) {
  // Every d up to the limit and just past it; 1031 rows in blocks of 257: groups of eight and a
  // short last group in every block.
  for (std::size_t d = 1; d <= detail::short_row_features() + 1; ++d) {
    const Dataset data = random_rows(1031, d, static_cast<unsigned>(d));
    const ReluModel model{some_weights(d, 0.3), -0.05, true};
    const Engine engine(EngineOptions{2, 257});
    const std::vector<double> out = predict(engine, Model(model), data.view());
    ASSERT_EQ(out.size(), data.n);
    for (std::size_t i = 0; i < data.n; ++i) {
      const double one = model.predict_one(data.X.data() + i * d);
      ASSERT_EQ(std::memcmp(&out[i], &one, sizeof one), 0) << "d " << d << " row " << i;
    }
  }
}

TEST(ShortRows, BlocksOfEveryLengthSumEachGroupOnce) {
  // The AVX-512 columns transpose a block's next group of eight rows ahead of the current one's
  // arithmetic (d > 4): blocks of 1 to 40 rows (no full group, one, several, with and without a
  // short last one) give predict_one's predictions bit for bit and the row-major sums.
  for (const detail::ShortRowIsa isa : detail::runnable_short_row_isas()) {
    for (const std::size_t d : {4u, 5u, 10u, 12u}) {
      const Dataset data = random_rows(83, d, 60 + static_cast<unsigned>(d));
      const ReluModel model{some_weights(d, 0.4), 0.02, true};
      for (std::size_t block = 1; block <= 40; ++block) {
        const std::string what =
            isa_name(isa) + " d " + std::to_string(d) + " block " + std::to_string(block);
        const Engine engine(EngineOptions{1, block});
        const std::vector<double> out =
            with_isa(isa, [&] { return predict(engine, Model(model), data.view()); });
        ASSERT_EQ(out.size(), data.n);
        for (std::size_t i = 0; i < data.n; ++i) {
          const double one = model.predict_one(data.X.data() + i * d);
          ASSERT_EQ(std::memcmp(&out[i], &one, sizeof one), 0) << what << " row " << i;
        }
        const ReluStats fast = with_isa(
            isa, [&] { return relu_stats(engine, data.view(), model.w, model.b, true, 0.5); });
        const ReluStats slow =
            row_major([&] { return relu_stats(engine, data.view(), model.w, model.b, true, 0.5); });
        EXPECT_LE(relative(fast.loss, slow.loss), 1e-12) << what;
        EXPECT_EQ(fast.active, slow.active) << what;
        expect_close(fast.grad_square, slow.grad_square, 1e-12, what + " square");
        expect_close(fast.grad_surrogate, slow.grad_surrogate, 1e-12, what + " surrogate");
        EXPECT_LE(
            relative(
                with_isa(isa, [&] { return relu_loss(engine, data.view(), model.w, model.b); }),
                slow.loss),
            1e-12)
            << what;
      }
    }
  }
}

TEST(ShortRows, EveryVariantGivesPredictOneBitForBit) {
  // z = w·x + b of every variant is affine_value's bit for bit (the same products and additions
  // in the same order), so predictions equal predict_one and a planted teacher's loss on its own
  // labels is exactly 0.
  for (const detail::ShortRowIsa isa : detail::runnable_short_row_isas()) {
    for (const std::size_t d : kBoundaryDims) {
      const std::string what = isa_name(isa) + " d " + std::to_string(d);
      Dataset data = random_rows(517, d, 11 + static_cast<unsigned>(d));
      const ReluModel model{some_weights(d, 0.8), 0.03, true};
      for (std::size_t i = 0; i < data.n; ++i) data.y[i] = model.predict_one(data.X.data() + i * d);
      const Engine engine(EngineOptions{2, 129});
      const std::vector<double> out =
          with_isa(isa, [&] { return predict(engine, Model(model), data.view()); });
      ASSERT_EQ(out.size(), data.n);
      for (std::size_t i = 0; i < data.n; ++i)
        ASSERT_EQ(std::memcmp(&out[i], &data.y[i], sizeof(double)), 0) << what << " row " << i;
      EXPECT_EQ(with_isa(isa, [&] { return relu_loss(engine, data.view(), model.w, model.b); }),
                0.0)
          << what;
    }
  }
}

TEST(ShortRows, EveryVariantAgreesWithTheRowMajorKernels) {
  // Each variant against the row-major kernels (double throughout in both): the order of the
  // additions across rows differs, so 1e-12 relative; weighted rows, a bias and both gradients.
  for (const detail::ShortRowIsa isa : detail::runnable_short_row_isas()) {
    for (const std::size_t d : kBoundaryDims) {
      if (!detail::short_rows(d)) continue;
      const std::string what = isa_name(isa) + " d " + std::to_string(d);
      const Dataset data = random_rows(3001, d, 90 + static_cast<unsigned>(d));
      std::vector<double> weights(data.n);
      for (std::size_t i = 0; i < data.n; ++i) weights[i] = (i % 7 == 0) ? 0.0 : 0.25 * (i % 5);
      const std::vector<double> w = some_weights(d, 0.6);
      const Engine engine(EngineOptions{2, 500});
      for (const bool weighted : {false, true}) {
        const DatasetView view(data.X.data(), data.y.data(), data.n, d,
                               weighted ? weights.data() : nullptr);
        const ReluStats fast =
            with_isa(isa, [&] { return relu_stats(engine, view, w, -0.1, true, 0.5); });
        const ReluStats slow =
            row_major([&] { return relu_stats(engine, view, w, -0.1, true, 0.5); });
        EXPECT_LE(relative(fast.loss, slow.loss), 1e-12) << what;
        EXPECT_LE(relative(fast.surrogate, slow.surrogate), 1e-12) << what;
        EXPECT_LE(relative(fast.active, slow.active), 1e-12) << what;
        expect_close(fast.grad_square, slow.grad_square, 1e-12, what + " square");
        expect_close(fast.grad_surrogate, slow.grad_surrogate, 1e-12, what + " surrogate");
        for (const ReluGradients one : {ReluGradients::square, ReluGradients::surrogate}) {
          const ReluStats single =
              with_isa(isa, [&] { return relu_stats(engine, view, w, -0.1, true, 0.5, one); });
          EXPECT_EQ(single.loss, fast.loss) << what;
          EXPECT_EQ(single.active, fast.active) << what;
          if (one == ReluGradients::square) {
            EXPECT_EQ(single.grad_square, fast.grad_square) << what;
            EXPECT_TRUE(std::isnan(single.surrogate)) << what;
          } else {
            EXPECT_EQ(single.grad_surrogate, fast.grad_surrogate) << what;
            EXPECT_EQ(single.surrogate, fast.surrogate) << what;
          }
        }
        const double loss = with_isa(isa, [&] { return relu_loss(engine, view, w, -0.1); });
        EXPECT_EQ(loss, fast.loss) << what;
        EXPECT_LE(relative(loss, row_major([&] { return relu_loss(engine, view, w, -0.1); })),
                  1e-12)
            << what;
        const ScaleFit scale = with_isa(isa, [&] { return refit_scale(engine, view, w, 10.0); });
        const ScaleFit scale_slow = row_major([&] { return refit_scale(engine, view, w, 10.0); });
        EXPECT_LE(relative(scale.scale, scale_slow.scale), 1e-12) << what;
        EXPECT_LE(relative(scale.loss, scale_slow.loss), 1e-12) << what;
      }
    }
  }
}

TEST(ShortRows, EveryVariantIsBitIdenticalForAnyThreadCount) {
  for (const detail::ShortRowIsa isa : detail::runnable_short_row_isas()) {
    for (const std::size_t d : {1u, 7u, 10u, 17u, 32u, 100u}) {
      const std::string what = isa_name(isa) + " d " + std::to_string(d);
      const Dataset data = random_rows(10007, d, 3 + static_cast<unsigned>(d));
      const std::vector<double> w = some_weights(d, 0.2);
      const auto stats = [&](int threads) {
        const Engine engine(EngineOptions{threads, 1000});
        return with_isa(isa, [&] {
          ReluStats s = relu_stats(engine, data.view(), w, 0.05, true);
          s.active = relu_loss(engine, data.view(), w, 0.05);  // the loss pass too
          return s;
        });
      };
      const ReluStats one = stats(1);
      for (const int threads : {2, 3}) {
        const ReluStats many = stats(threads);
        EXPECT_EQ(std::memcmp(&many.loss, &one.loss, sizeof(double)), 0) << what << threads;
        EXPECT_EQ(std::memcmp(&many.surrogate, &one.surrogate, sizeof(double)), 0) << what;
        EXPECT_EQ(std::memcmp(&many.active, &one.active, sizeof(double)), 0) << what;
        EXPECT_EQ(many.grad_square, one.grad_square) << what << " threads " << threads;
        EXPECT_EQ(many.grad_surrogate, one.grad_surrogate) << what << " threads " << threads;
      }
    }
  }
}

TEST(ShortRows, TheAvxVariantsSumTheLossBitForBitAlike) {
  // The start-up choice may take one variant for relu_stats and the other for relu_loss at the
  // same d (columns or row pieces), so the AVX2 and AVX-512 variants give the same loss bit for
  // bit in both passes: every d the columns take and the next, weighted or not.
  std::vector<detail::ShortRowIsa> avx;
  for (const detail::ShortRowIsa isa : detail::runnable_short_row_isas())
    if (isa != detail::ShortRowIsa::generic) avx.push_back(isa);
  if (avx.empty())
    GTEST_SKIP() << "this build or CPU runs neither the AVX2 nor the AVX-512 variant";
  for (std::size_t d = 1; d <= detail::kAvx512ColumnFeatures + 1; ++d) {
    const std::string what = "d " + std::to_string(d);
    const Dataset data = random_rows(2021, d, 500 + static_cast<unsigned>(d));
    std::vector<double> weights(data.n);
    for (std::size_t i = 0; i < data.n; ++i) weights[i] = (i % 3 == 0) ? 0.0 : 0.5 * (i % 4);
    const std::vector<double> w = some_weights(d, 1.7);
    const Engine engine(EngineOptions{2, 700});
    for (const bool weighted : {false, true}) {
      const DatasetView view(data.X.data(), data.y.data(), data.n, d,
                             weighted ? weights.data() : nullptr);
      const double loss = with_isa(avx.front(), [&] { return relu_loss(engine, view, w, -0.05); });
      EXPECT_LE(relative(loss, row_major([&] { return relu_loss(engine, view, w, -0.05); })), 1e-12)
          << what;
      for (const detail::ShortRowIsa isa : avx) {
        const double stats_loss =
            with_isa(isa, [&] { return relu_stats(engine, view, w, -0.05, true, 0.5).loss; });
        EXPECT_EQ(std::memcmp(&stats_loss, &loss, sizeof loss), 0) << isa_name(isa) << " " << what;
        EXPECT_EQ(with_isa(isa, [&] { return relu_loss(engine, view, w, -0.05); }), loss)
            << isa_name(isa) << " " << what;
      }
    }
  }
}

TEST(ShortRows, SumsAgreeWithTheRowMajorKernels) {
  // Lanes change only the order of the additions across rows: 1e-12 relative.
  for (std::size_t d : {1u, 2u, 5u, 8u, 10u, 16u, 17u, 24u, 31u, 32u}) {
    const std::string what = "d " + std::to_string(d);
    const Dataset data = random_rows(20011, d, 40 + static_cast<unsigned>(d));
    const std::vector<double> w = some_weights(d, 1.1);
    const Engine engine(EngineOptions{2});
    for (const bool bias : {false, true}) {
      const ReluStats fast = relu_stats(engine, data.view(), w, 0.1, bias, 0.5);
      const ReluStats slow =
          row_major([&] { return relu_stats(engine, data.view(), w, 0.1, bias, 0.5); });
      EXPECT_LE(relative(fast.loss, slow.loss), 1e-12) << what;
      EXPECT_LE(relative(fast.surrogate, slow.surrogate), 1e-12) << what;
      EXPECT_EQ(fast.active, slow.active) << what;
      expect_close(fast.grad_square, slow.grad_square, 1e-12, what + " square");
      expect_close(fast.grad_surrogate, slow.grad_surrogate, 1e-12, what + " surrogate");
      // ReLU'(0) = 1, the default (the kernels' masked coefficient), against the row-major one.
      const ReluStats unit = relu_stats(engine, data.view(), w, 0.1, bias, 1.0);
      const ReluStats unit_slow =
          row_major([&] { return relu_stats(engine, data.view(), w, 0.1, bias, 1.0); });
      EXPECT_EQ(unit.loss, fast.loss) << what;
      expect_close(unit.grad_square, unit_slow.grad_square, 1e-12, what + " square, ReLU'(0) = 1");
      // One-gradient passes give the both-gradients pass's numbers exactly.
      const ReluStats square =
          relu_stats(engine, data.view(), w, 0.1, bias, 0.5, ReluGradients::square);
      const ReluStats surrogate =
          relu_stats(engine, data.view(), w, 0.1, bias, 0.5, ReluGradients::surrogate);
      EXPECT_EQ(square.grad_square, fast.grad_square) << what;
      EXPECT_EQ(surrogate.grad_surrogate, fast.grad_surrogate) << what;
      EXPECT_EQ(square.loss, fast.loss) << what;
    }
    const double loss = relu_loss(engine, data.view(), w, 0.1);
    EXPECT_LE(relative(loss, row_major([&] { return relu_loss(engine, data.view(), w, 0.1); })),
              1e-12)
        << what;
    EXPECT_EQ(loss, relu_stats(engine, data.view(), w, 0.1, false).loss) << what;
    const ScaleFit scale = refit_scale(engine, data.view(), w, 10.0);
    const ScaleFit scale_slow =
        row_major([&] { return refit_scale(engine, data.view(), w, 10.0); });
    EXPECT_LE(relative(scale.scale, scale_slow.scale), 1e-12) << what;
    EXPECT_LE(relative(scale.loss, scale_slow.loss), 1e-12) << what;
  }
}

TEST(ShortRows, WeightedSumsAgreeWithTheRowMajorKernels) {
  // Sample weights: each row's terms times its weight, in both kernels; a weight of 2 is the row
  // twice (checked against the data with the first rows duplicated).
  for (std::size_t d : {3u, 10u, 32u}) {
    const std::string what = "d " + std::to_string(d);
    const Dataset data = random_rows(9001, d, 70 + static_cast<unsigned>(d));
    std::vector<double> weights(data.n);
    for (std::size_t i = 0; i < data.n; ++i) weights[i] = (i % 7 == 0) ? 0.0 : 0.25 * (i % 5);
    const DatasetView view(data.X.data(), data.y.data(), data.n, d, weights.data());
    const std::vector<double> w = some_weights(d, 0.4);
    const Engine engine(EngineOptions{2});
    const ReluStats fast = relu_stats(engine, view, w, -0.2, true, 1.0);
    const ReluStats slow = row_major([&] { return relu_stats(engine, view, w, -0.2, true, 1.0); });
    EXPECT_LE(relative(fast.loss, slow.loss), 1e-12) << what;
    EXPECT_LE(relative(fast.surrogate, slow.surrogate), 1e-12) << what;
    EXPECT_LE(relative(fast.active, slow.active), 1e-12) << what;
    expect_close(fast.grad_square, slow.grad_square, 1e-12, what);
    expect_close(fast.grad_surrogate, slow.grad_surrogate, 1e-12, what);
    EXPECT_LE(relative(relu_loss(engine, view, w, -0.2),
                       row_major([&] { return relu_loss(engine, view, w, -0.2); })),
              1e-12)
        << what;
    const ScaleFit scale = refit_scale(engine, view, w, 10.0);
    EXPECT_LE(
        relative(scale.scale, row_major([&] { return refit_scale(engine, view, w, 10.0); }).scale),
        1e-12)
        << what;
  }
  // Weight 2 on the first 100 rows = those rows twice.
  const std::size_t d = 10;
  const Dataset data = random_rows(3000, d, 5);
  std::vector<double> weights(data.n, 1.0);
  for (std::size_t i = 0; i < 100; ++i) weights[i] = 2.0;
  Dataset doubled(data.n + 100, d);
  std::copy(data.X.begin(), data.X.end(), doubled.X.begin());
  std::copy(data.X.begin(), data.X.begin() + 100 * d, doubled.X.begin() + data.n * d);
  std::copy(data.y.begin(), data.y.end(), doubled.y.begin());
  std::copy(data.y.begin(), data.y.begin() + 100, doubled.y.begin() + data.n);
  const std::vector<double> w = some_weights(d, 0.9);
  const Engine engine(EngineOptions{1});
  const ReluStats weighted = relu_stats(
      engine, DatasetView(data.X.data(), data.y.data(), data.n, d, weights.data()), w, 0.1, true);
  const ReluStats twice = relu_stats(engine, doubled.view(), w, 0.1, true);
  EXPECT_LE(relative(weighted.loss, twice.loss), 1e-12);
  expect_close(weighted.grad_square, twice.grad_square, 1e-12, "weight 2");
}

TEST(ShortRows, RowsWithZeroActivationTakeTheGradientConvention) {
  // w = 0, b = 0: every z is exactly 0, so the square-loss gradient is ReLU'(0)·(−2 Σ y x)/n:
  // with ReLU'(0) = 1 the Chow direction, with 0 (autograd's convention) stuck at zero. Short
  // rows (d = 3, 6, 40) and the row-major kernel (d = 200) alike.
  for (const std::size_t d : {3, 6, 40, 200}) {
    const Dataset data = random_rows(4099, d, 7);
    const Engine engine(EngineOptions{1});
    const std::vector<double> zero(d, 0.0);
    const ReluStats one = relu_stats(engine, data.view(), zero, 0.0, false, 1.0);
    const ReluStats none = relu_stats(engine, data.view(), zero, 0.0, false, 0.0);
    for (std::size_t j = 0; j < d; ++j) {
      long double yx = 0;
      for (std::size_t i = 0; i < data.n; ++i) yx += data.y[i] * data.X[i * d + j];
      EXPECT_NEAR(one.grad_square[j], static_cast<double>(-2 * yx / data.n), 1e-13) << d;
      EXPECT_EQ(none.grad_square[j], 0.0) << d;
    }
    EXPECT_EQ(one.active, 0.0) << d;
  }
}

TEST(ShortRows, FittedModelsAgreeWithTheRowMajorKernels) {
  // The learners whose passes changed: the same model to 1e-9 relative where the kernels differ
  // only in the order of the additions across rows, to 1e-6 (the bound) where gd's and
  // glmtron's passes take z in float32 (relu_stats_float_z: the generic variant's rows of 100
  // features go to the row-major kernel, which takes it too), and the same for 1 and 2 threads bit
  // for bit. Every variant, at d = 10, 32 and 100.
  for (const std::size_t d : {10u, 32u, 100u}) {
    const Instance instance =
        generate_instance("label-noise", 30000, d, 4, {"noise=0.2"}, Engine());
    for (const std::string name : {"gd", "glmtron", "moment"}) {
      const LearnerEntry& entry = find_learner(name);
      const auto fit = [&](int threads) {
        Engine engine(EngineOptions{threads});
        FitContext context{&engine, 3, {}};
        const ParamValues params = ParamValues::parse(entry.params, {}, name);
        return fit_learner(entry, params, instance.data.view(), context);
      };
      const FitResult slow = row_major([&] { return fit(2); });
      const ReluModel& b = std::get<ReluModel>(slow.model);
      for (const detail::ShortRowIsa isa : detail::runnable_short_row_isas()) {
        const std::string what = name + " " + isa_name(isa) + " d " + std::to_string(d);
        const FitResult fast = with_isa(isa, [&] { return fit(2); });
        const FitResult one_thread = with_isa(isa, [&] { return fit(1); });
        const ReluModel& a = std::get<ReluModel>(fast.model);
        const bool float_z =
            name != "moment" && with_isa(isa, [&] { return detail::relu_stats_float_z(d); });
        const double tolerance = float_z ? 1e-6 : 1e-9;
        expect_close(a.w, b.w, tolerance, what);
        EXPECT_LE(relative(a.b, b.b), tolerance) << what;
        EXPECT_EQ(std::get<ReluModel>(one_thread.model).w, a.w) << what;
        // The float z's fits read the point where it ends once more in double (descent.cpp).
        EXPECT_EQ(fast.passes, slow.passes + (float_z ? 1 : 0)) << what;
      }
    }
  }
}

}  // namespace
}  // namespace relureg
