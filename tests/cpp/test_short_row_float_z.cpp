// relu_stats with z's dot product in float32 (RowDot::float32_allowed): where the kernels take it,
// sums within float32 rounding of the double path's and independent of the thread count; where
// they do not, the double path's bit for bit; and gd and glmtron still fit a planted teacher
// exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <ios>
#include <string>
#include <vector>

#include "kernels/float_z.hpp"
#include "kernels/short_rows.hpp"
#include "relureg/engine.hpp"
#include "relureg/family.hpp"
#include "relureg/kernels.hpp"
#include "relureg/learner.hpp"
#include "test_support.hpp"

namespace relureg {
namespace {

// The largest difference between a and b relative to the largest entry of b.
double relative_gap(const std::vector<double>& a, const std::vector<double>& b) {
  double gap = 0, scale = 0;
  for (std::size_t j = 0; j < b.size(); ++j) {
    gap = std::max(gap, std::abs(a[j] - b[j]));
    scale = std::max(scale, std::abs(b[j]));
  }
  return gap / scale;
}

TEST(ShortRowFloatZ, TakenFromNineFeaturesOnColumnsAndAboveSixteenByTheVectorVariants) {
  EXPECT_FALSE(detail::short_row_float_z(detail::ShortRowIsa::generic, 32));
  EXPECT_FALSE(detail::short_row_float_z(detail::ShortRowIsa::generic, 10));
  if (!detail::short_row_isas_compiled()) return;  // the sanitizer builds run the generic variant
  for (const detail::ShortRowIsa isa : {detail::ShortRowIsa::avx2, detail::ShortRowIsa::avx512}) {
    EXPECT_FALSE(detail::short_row_float_z(isa, 8));
    EXPECT_TRUE(detail::short_row_float_z(isa, 9));
    EXPECT_TRUE(detail::short_row_float_z(isa, 11));
    EXPECT_EQ(detail::short_row_float_z(isa, 12), isa == detail::ShortRowIsa::avx512);
    EXPECT_FALSE(detail::short_row_float_z(isa, 13));
    EXPECT_FALSE(detail::short_row_float_z(isa, 16));
    EXPECT_TRUE(detail::short_row_float_z(isa, 17));
    EXPECT_TRUE(detail::short_row_float_z(isa, 128));
    EXPECT_FALSE(detail::short_row_float_z(isa, 129));
    detail::use_short_row_two_phase(false);
    EXPECT_FALSE(detail::short_row_float_z(isa, 32));
    detail::use_short_row_two_phase(true);
  }
}

TEST(ShortRowFloatZ, TakenPastTheShortRowKernelsOnEveryBuild) {
  // Rows longer than the short-row kernels take go to the row-major kernel, whose float z
  // (src/base/float_rows.hpp) every build has; relu_stats_float_z answers for both kinds.
  const std::size_t longer = detail::short_row_features() + 1;
  EXPECT_TRUE(detail::long_row_float_z());
  EXPECT_TRUE(detail::relu_stats_float_z(longer));
  EXPECT_TRUE(detail::relu_stats_float_z(1000));
  EXPECT_EQ(detail::relu_stats_float_z(32),
            detail::short_row_float_z(detail::short_row_stats_isa(32), 32));
  EXPECT_FALSE(detail::relu_stats_float_z(8));
  detail::use_long_row_float_z(false);
  EXPECT_FALSE(detail::relu_stats_float_z(longer));
  detail::use_long_row_float_z(true);
  detail::use_short_row_kernels(false);  // every d to the row-major kernel
  EXPECT_TRUE(detail::relu_stats_float_z(8));
  detail::use_short_row_kernels(true);
}

TEST(ShortRowFloatZ, SumsAreTheDoublePathsUpToFloatRounding) {
  // Every variant this host runs; rows of 8 to 1000 features (past 128 the row-major kernel: a
  // last partial chunk of 1 float into the even accumulator at 129, of 4 into the odd one at 140,
  // a last whole even chunk at 1000); 3,001 rows in blocks of 500 (blocks end inside a chunk, each
  // with a short group); weighted rows or not; each gradient alone (the float z's case) and both
  // (never float). Where the float z is taken the sums differ from the double path's (so it ran)
  // by less than 1e-6 relative; elsewhere they are the same bits.
  for (const detail::ShortRowIsa isa : detail::runnable_short_row_isas()) {
    detail::use_short_row_isa(isa);
    for (const std::size_t d :
         {8u, 9u, 10u, 11u, 12u, 13u, 16u, 17u, 32u, 40u, 64u, 100u, 128u, 129u, 140u, 1000u}) {
      const testing::StatsRows rows(3001, d, 90 + static_cast<unsigned>(d));
      const Dataset& data = rows.data;
      const std::vector<double>& w = rows.w;
      for (const bool weighted : {false, true}) {
        const DatasetView view(data.X.data(), data.y.data(), data.n, d,
                               weighted ? rows.weights.data() : nullptr);
        for (const ReluGradients gradients :
             {ReluGradients::both, ReluGradients::square, ReluGradients::surrogate}) {
          const std::string what = std::string(detail::short_row_isa_name(isa)) +
                                   ", d = " + std::to_string(d) + (weighted ? ", weighted" : "") +
                                   ", gradients " + std::to_string(int(gradients));
          const auto run = [&](int threads, RowDot dot) {
            return relu_stats(Engine(EngineOptions{threads, 500}), view, w, 0.1, true, 1.0,
                              gradients, dot);
          };
          const ReluStats exact = run(2, RowDot::exact);
          const ReluStats fast = run(2, RowDot::float32_allowed);
          const ReluStats fast_one_thread = run(1, RowDot::float32_allowed);
          const std::vector<double>& g_exact =
              gradients == ReluGradients::surrogate ? exact.grad_surrogate : exact.grad_square;
          const std::vector<double>& g_fast =
              gradients == ReluGradients::surrogate ? fast.grad_surrogate : fast.grad_square;
          ASSERT_EQ(g_fast.size(), d + 1) << what;
          EXPECT_EQ(fast_one_thread.grad_square, fast.grad_square) << what;
          EXPECT_EQ(fast_one_thread.grad_surrogate, fast.grad_surrogate) << what;
          EXPECT_EQ(fast_one_thread.loss, fast.loss) << what;
          const bool float_z = gradients != ReluGradients::both && detail::relu_stats_float_z(d);
          if (float_z) {
            EXPECT_NE(g_fast, g_exact) << what;
            EXPECT_LT(relative_gap(g_fast, g_exact), 1e-6) << what;
            EXPECT_LT(std::abs(fast.loss - exact.loss), 1e-6 * exact.loss) << what;
            EXPECT_LT(std::abs(fast.active - exact.active), 1e-3) << what;
          } else {
            EXPECT_EQ(g_fast, g_exact) << what;
            EXPECT_EQ(fast.loss, exact.loss) << what;
            EXPECT_EQ(fast.active, exact.active) << what;
          }
        }
      }
    }
  }
  detail::use_default_short_row_isas();
}

TEST(ShortRowFloatZ, SameBitsAsTheDoublePathWhereFloatArithmeticIsExact) {
  // Features that are small integers and weights in quarters: every float32 product and partial
  // sum is exact, so the float z is the double z and every sum must be the double path's bit for
  // bit. The labels are not rounded, so a gradient sum that took its rows in another order (the
  // AVX2 variant adds rows of more than 64 features in blocks of pieces, and rows of 9 to 11 on
  // columns in two phases per 128 rows) would differ in its last bits. Every variant this host
  // runs; 3,001 rows in blocks of 500; weighted rows or not.
  for (const detail::ShortRowIsa isa : detail::runnable_short_row_isas()) {
    detail::use_short_row_isa(isa);
    for (const std::size_t d : {9u, 10u, 11u, 17u, 32u, 49u, 64u, 100u, 128u}) {
      testing::StatsRows rows(3001, d, 40 + static_cast<unsigned>(d));
      for (float& x : rows.data.X) x = std::round(3.0f * x);
      for (double& w : rows.w) w = std::round(8.0 * w) / 4.0;
      const Dataset& data = rows.data;
      // The vector variants take the float z at every d here, the generic one past 32 features.
      EXPECT_EQ(detail::relu_stats_float_z(d), isa != detail::ShortRowIsa::generic || d > 32)
          << detail::short_row_isa_name(isa) << ", d = " << d;
      for (const bool weighted : {false, true}) {
        const DatasetView view(data.X.data(), data.y.data(), data.n, d,
                               weighted ? rows.weights.data() : nullptr);
        for (const ReluGradients gradients : {ReluGradients::square, ReluGradients::surrogate}) {
          const std::string what = std::string(detail::short_row_isa_name(isa)) +
                                   ", d = " + std::to_string(d) + (weighted ? ", weighted" : "") +
                                   ", gradients " + std::to_string(int(gradients));
          const auto run = [&](RowDot dot) {
            return relu_stats(Engine(EngineOptions{2, 500}), view, rows.w, 0.1, true, 1.0,
                              gradients, dot);
          };
          const ReluStats exact = run(RowDot::exact);
          const ReluStats fast = run(RowDot::float32_allowed);
          EXPECT_EQ(fast.grad_square, exact.grad_square) << what;
          EXPECT_EQ(fast.grad_surrogate, exact.grad_surrogate) << what;
          EXPECT_EQ(fast.loss, exact.loss) << what;
          if (gradients == ReluGradients::surrogate) {  // (NaN: not summed for the square loss)
            EXPECT_EQ(fast.surrogate, exact.surrogate) << what;
          }
          EXPECT_EQ(fast.active, exact.active) << what;
          EXPECT_GT(exact.active, 0.2) << what;
        }
      }
    }
  }
  detail::use_default_short_row_isas();
}

TEST(ShortRowFloatZ, Avx2AndAvx512TakeTheSameFloatZOnColumnsBitForBit) {
  // At 9 to 11 features both vector variants take each row's z in float32 in the same operations
  // and order (short_rows_column_float_z.hpp: the AVX2 variant eight floats per vector, four rows
  // transposed at a time; the AVX-512 one eight rows at a time, sixteen floats per vector at
  // d = 10), and both sum the loss in the same four lanes: the loss is the same bits. Its terms
  // would differ in their last bits if either z took another rounding. 3,001 rows in blocks of
  // 500; weighted rows or not; each gradient alone.
  const std::vector<detail::ShortRowIsa> runnable = detail::runnable_short_row_isas();
  if (std::count(runnable.begin(), runnable.end(), detail::ShortRowIsa::avx512) == 0)
    GTEST_SKIP() << "this CPU runs no AVX-512 variant to compare with the AVX2 one";
  for (const std::size_t d : {9u, 10u, 11u}) {
    const testing::StatsRows rows(3001, d, 70 + static_cast<unsigned>(d));
    for (const bool weighted : {false, true}) {
      const DatasetView view(rows.data.X.data(), rows.data.y.data(), rows.data.n, d,
                             weighted ? rows.weights.data() : nullptr);
      for (const ReluGradients gradients : {ReluGradients::square, ReluGradients::surrogate}) {
        const std::string what = "d = " + std::to_string(d) + (weighted ? ", weighted" : "") +
                                 ", gradients " + std::to_string(int(gradients));
        const auto run = [&](detail::ShortRowIsa isa, RowDot dot) {
          detail::use_short_row_isa(isa);
          EXPECT_TRUE(detail::short_row_float_z(isa, d)) << what;
          return relu_stats(Engine(EngineOptions{2, 500}), view, rows.w, 0.1, true, 1.0, gradients,
                            dot);
        };
        const ReluStats avx2 = run(detail::ShortRowIsa::avx2, RowDot::float32_allowed);
        const ReluStats avx512 = run(detail::ShortRowIsa::avx512, RowDot::float32_allowed);
        EXPECT_EQ(avx2.loss, avx512.loss)
            << what << ": " << std::hexfloat << avx2.loss << " against " << avx512.loss;
        EXPECT_EQ(avx2.active, avx512.active) << what;
        // The float z ran: the double z's loss is another number.
        EXPECT_NE(run(detail::ShortRowIsa::avx512, RowDot::exact).loss, avx512.loss) << what;
      }
    }
  }
  detail::use_default_short_row_isas();
}

TEST(ShortRowFloatZ, GdAndGlmtronStillFitAPlantedTeacherExactly) {
  // descent.cpp takes the float z only while the loss is above 1e-6 of the starting one: the last
  // passes are exact, so a realizable fit ends on the teacher to double rounding, as before.
  const Engine engine(EngineOptions{2});
  for (const std::size_t d : {10u, 32u, 100u, 200u}) {
    const Instance instance = generate_instance("realizable", 20000, d, 11, {}, engine);
    for (const detail::ShortRowIsa isa : detail::runnable_short_row_isas()) {
      detail::use_short_row_isa(isa);
      for (const std::string name : {"gd", "glmtron"}) {
        const std::string what =
            name + " " + detail::short_row_isa_name(isa) + " d " + std::to_string(d);
        const LearnerEntry& entry = find_learner(name);
        FitContext context{&engine, 3, {}};
        const FitResult fit = fit_learner(entry, ParamValues::parse(entry.params, {}, name),
                                          instance.data.view(), context);
        const ReluModel& model = std::get<ReluModel>(fit.model);
        double distance = 0;
        for (std::size_t j = 0; j < d; ++j)
          distance +=
              (model.w[j] - instance.truth.w_star[j]) * (model.w[j] - instance.truth.w_star[j]);
        EXPECT_LT(std::sqrt(distance), 1e-12) << what;
        EXPECT_EQ(fit.stop_reason, "converged") << what;
        EXPECT_LT(fit.loss_history.back(), 1e-24) << what;
      }
    }
  }
  detail::use_default_short_row_isas();
}

TEST(ShortRowFloatZ, DescentLearnersTakeTheDoublePathWithFloat32DotOff) {
  // float32_dot=0 (a parameter of gd, glmtron, dktz22 and exhaustive's polish): every pass in
  // double, so the fit is bit for bit the one with no float kernel at all (the two-phase switch
  // off). By default the fit allows the float z until its steps lower the objective by less than
  // 1e-5 of it (then its backtracking and its stop compare exact objectives) and ends within 1e-6
  // of the double path's model after as many passes; a fixed-step fit (backtrack=0, tol=0) keeps
  // it to the end. details.float32_dot_passes counts the passes that allowed it: none where no
  // kernel takes the float z for these rows (the fit is then the double path's, pass for pass).
  // At d = 32 (the short-row kernels) and 200 (the row-major one).
  const Engine engine(EngineOptions{2});
  const std::vector<std::string> fixed_step = {"tol=0", "backtrack=0", "max_passes=20", "step=0.5"};
  for (const std::size_t d : {32u, 200u}) {
    const Instance instance = generate_instance("label-noise", 20000, d, 5, {}, engine);
    for (const detail::ShortRowIsa isa : detail::runnable_short_row_isas()) {
      detail::use_short_row_isa(isa);
      for (const std::string name : {"gd", "glmtron", "dktz22", "gd fixed step"}) {
        const std::string what =
            name + " " + detail::short_row_isa_name(isa) + " d " + std::to_string(d);
        const std::string learner = name == "gd fixed step" ? "gd" : name;
        const LearnerEntry& entry = find_learner(learner);
        const auto fit = [&](std::vector<std::string> params) {
          if (name == "gd fixed step")
            params.insert(params.end(), fixed_step.begin(), fixed_step.end());
          FitContext context{&engine, 3, {}};
          return fit_learner(entry, ParamValues::parse(entry.params, params, learner),
                             instance.data.view(), context);
        };
        const auto w = [](const FitResult& result) { return std::get<ReluModel>(result.model).w; };
        const FitResult exact = fit({"float32_dot=0"});
        const FitResult fast = fit({});
        detail::use_short_row_two_phase(false);  // no kernel takes the float z
        detail::use_long_row_float_z(false);
        const FitResult no_float_kernel = fit({});
        detail::use_short_row_two_phase(true);
        detail::use_long_row_float_z(true);
        EXPECT_EQ(w(exact), w(no_float_kernel)) << what;
        EXPECT_FALSE(exact.details.contains("float32_dot_passes")) << what;
        const std::size_t passes = fast.loss_history.size();
        EXPECT_EQ(exact.loss_history.size(), passes) << what;
        const std::size_t float_passes = fast.details["float32_dot_passes"].get<std::size_t>();
        EXPECT_EQ(no_float_kernel.details["float32_dot_passes"].get<std::size_t>(), 0u) << what;
        if (detail::relu_stats_float_z(d)) {
          if (name == "gd fixed step") {
            EXPECT_EQ(float_passes, passes) << what;
          } else {
            EXPECT_GT(float_passes, 1u) << what;
            EXPECT_LT(float_passes, passes) << what;
          }
          EXPECT_NE(w(fast), w(exact)) << what;
          EXPECT_LT(relative_gap(w(fast), w(exact)), 1e-6) << what;
        } else {
          // The generic variant takes no float z for short rows: the fit is the double path's, pass
          // for pass.
          EXPECT_EQ(float_passes, 0u) << what;
          EXPECT_EQ(w(fast), w(exact)) << what;
          EXPECT_EQ(fast.passes, exact.passes) << what;
        }
      }
    }
  }
  detail::use_default_short_row_isas();
}

// The float z over rows past the short-row kernels (src/base/float_rows.hpp) is its documented
// order, bit for bit: w rounded to float; feature j in lane j mod 8 of the even accumulator if
// ⌊j/8⌋ is even, of the odd one if odd, each lane a chain of multiply-adds in increasing j over
// zero-padded chunks of 8; s = even + odd; ((s0+s4)+(s2+s6)) + ((s1+s5)+(s3+s7)) in float,
// widened, + b. gd's pass reports the loss and gradient of that z, each engine block's rows summed
// in order from zero and the blocks added in order (fused multiply-adds where the build has them).
TEST(ShortRowFloatZ, LongRowsTakeTheDefinedFloatZBitForBit) {
  for (const std::size_t d : {129u, 140u, 1000u}) {
    const testing::StatsRows rows(700, d, 40 + static_cast<unsigned>(d));
    const Dataset& data = rows.data;
    const std::vector<double>& w = rows.w;
    const double b = 0.1;
    const std::size_t block_rows = 256;  // blocks of 256, 256 and 188 rows
    const ReluStats s = relu_stats(Engine(EngineOptions{2, block_rows}), data.view(), w, b, true,
                                   1.0, ReluGradients::square, RowDot::float32_allowed);
    std::vector<float> wf(d);
    for (std::size_t j = 0; j < d; ++j) wf[j] = static_cast<float>(w[j]);
    bool matched = false;
    for (const bool fused_float : {true, false}) {
      for (const bool fused_double : {true, false}) {
        const auto float_mul_add = [fused_float](float a, float x, float acc) {
          if (fused_float) return std::fma(a, x, acc);
          const volatile float product = a * x;  // rounded before the addition
          return acc + product;
        };
        const auto mul_add = [fused_double](double a, double x, double acc) {
          if (fused_double) return std::fma(a, x, acc);
          const volatile double product = a * x;
          return acc + product;
        };
        double loss = 0;
        std::vector<double> grad(d + 1, 0.0);
        for (std::size_t first = 0; first < data.n; first += block_rows) {
          double block_loss = 0;
          std::vector<double> block_grad(d + 1, 0.0);
          for (std::size_t i = first; i < std::min(first + block_rows, data.n); ++i) {
            const float* x = data.X.data() + i * d;
            float even[8] = {}, odd[8] = {};
            for (std::size_t j = 0; j < (d + 7) / 8 * 8; ++j) {
              float& acc = (j / 8) % 2 == 0 ? even[j % 8] : odd[j % 8];
              acc = float_mul_add(j < d ? wf[j] : 0.0f, j < d ? x[j] : 0.0f, acc);
            }
            float lanes[8];
            for (int l = 0; l < 8; ++l) lanes[l] = even[l] + odd[l];
            const float sum = ((lanes[0] + lanes[4]) + (lanes[2] + lanes[6])) +
                              ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]));
            const double z = static_cast<double>(sum) + b;
            const double residual = (z > 0 ? z : 0.0) - data.y[i];
            block_loss = mul_add(residual, residual, block_loss);
            const double coef = (z >= 0 ? 1.0 : 0.0) * residual;  // ReLU'(0) = 1, as asked
            for (std::size_t j = 0; j < d; ++j)
              block_grad[j] = mul_add(coef, double(x[j]), block_grad[j]);
            block_grad[d] += coef;
          }
          loss += block_loss;
          for (std::size_t j = 0; j <= d; ++j) grad[j] += block_grad[j];
        }
        const double n = static_cast<double>(data.n);
        for (double& g : grad) g = 2.0 * (g / n);
        matched = matched || (s.loss == loss / n && s.grad_square == grad);
      }
    }
    EXPECT_TRUE(matched) << d;
  }
}

}  // namespace
}  // namespace relureg
