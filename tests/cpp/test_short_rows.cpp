// The short-row kernels (d ≤ 32): the same z as affine_value, the same sums as the row-major
// kernels up to rounding, and the same fitted models.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

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

// Runs fn() with the row-major kernels for every d, then restores the short-row ones.
template <class Fn>
auto row_major(Fn&& fn) {
  detail::use_short_row_kernels(false);
  auto result = fn();
  detail::use_short_row_kernels(true);
  return result;
}

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
  for (std::size_t d = 1; d <= detail::kShortRowFeatures + 1; ++d) {
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
  // rows (d = 3, 6) and the row-major kernel (d = 40) alike.
  for (const std::size_t d : {3, 6, 40}) {
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
  // The learners whose passes changed: the same model to 1e-9 relative (the kernels differ only
  // in the order of the additions across rows), and the same for 1 and 2 threads bit for bit.
  const Instance instance = generate_instance("label-noise", 30000, 10, 4, {"noise=0.2"}, Engine());
  for (const std::string name : {"gd", "glmtron", "moment"}) {
    const LearnerEntry& entry = find_learner(name);
    const auto fit = [&](int threads) {
      Engine engine(EngineOptions{threads});
      FitContext context{&engine, 3, {}};
      const ParamValues params = ParamValues::parse(entry.params, {}, name);
      return fit_learner(entry, params, instance.data.view(), context);
    };
    const FitResult fast = fit(2);
    const FitResult slow = row_major([&] { return fit(2); });
    const FitResult one_thread = fit(1);
    const ReluModel& a = std::get<ReluModel>(fast.model);
    const ReluModel& b = std::get<ReluModel>(slow.model);
    expect_close(a.w, b.w, 1e-9, name);
    EXPECT_EQ(std::get<ReluModel>(one_thread.model).w, a.w) << name;
    EXPECT_EQ(fast.passes, slow.passes) << name;
  }
}

}  // namespace
}  // namespace relureg
