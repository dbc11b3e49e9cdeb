// relu_stats on row-major pieces in two phases per chunk of rows gives the one-phase kernel's sums
// bit for bit: every gradient sum takes its rows in the same order; and a group's float z is the
// same bits whether it is taken with its neighbour or alone.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/short_rows.hpp"
#include "relureg/engine.hpp"
#include "relureg/kernels.hpp"
#include "test_support.hpp"

namespace relureg {
namespace {

bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof(double)) == 0;
}

TEST(ShortRowTwoPhase, IsOnByDefaultAndCanBeTurnedOff) {
  EXPECT_TRUE(detail::short_row_two_phase());
  detail::use_short_row_two_phase(false);
  EXPECT_FALSE(detail::short_row_two_phase());
  detail::use_short_row_two_phase(true);
  EXPECT_TRUE(detail::short_row_two_phase());
}

TEST(ShortRowTwoPhase, SumsAreThoseOfTheOnePhaseKernelBitForBit) {
  // Every variant this host runs; rows of 17 to 64 features (AVX-512 takes two phases at 17 to
  // 64, AVX2 at 17 to 32) and 16 and 65 beside them; 3,001 rows in blocks of 500, so that blocks
  // end inside a chunk and each ends with a short group; weighted rows or not, each gradient alone
  // and both, ReLU'(0) = 1 (the learners' default) and 0.5, with and without a bias.
  for (const detail::ShortRowIsa isa : detail::runnable_short_row_isas()) {
    detail::use_short_row_isa(isa);
    for (const std::size_t d : {16u, 17u, 23u, 32u, 33u, 40u, 64u, 65u}) {
      const testing::StatsRows rows(3001, d, 70 + static_cast<unsigned>(d));
      const Dataset& data = rows.data;
      const std::vector<double>& w = rows.w;
      const Engine engine(EngineOptions{2, 500});
      for (const bool weighted : {false, true}) {
        const DatasetView view(data.X.data(), data.y.data(), data.n, d,
                               weighted ? rows.weights.data() : nullptr);
        for (const ReluGradients gradients :
             {ReluGradients::both, ReluGradients::square, ReluGradients::surrogate}) {
          for (const double at_zero : {1.0, 0.5}) {
            for (const bool bias : {true, false}) {
              const std::string what =
                  std::string(detail::short_row_isa_name(isa)) + ", d = " + std::to_string(d) +
                  (weighted ? ", weighted" : "") + ", gradients " + std::to_string(int(gradients)) +
                  ", ReLU'(0) = " + std::to_string(at_zero) + (bias ? ", bias" : "");
              const auto run = [&](bool two_phase) {
                detail::use_short_row_two_phase(two_phase);
                return relu_stats(engine, view, w, 0.1, bias, at_zero, gradients);
              };
              const ReluStats two = run(true);
              const ReluStats one = run(false);
              EXPECT_TRUE(same_bits(two.loss, one.loss)) << what;
              EXPECT_TRUE(same_bits(two.surrogate, one.surrogate)) << what;
              EXPECT_TRUE(same_bits(two.active, one.active)) << what;
              EXPECT_EQ(two.grad_square, one.grad_square) << what;
              EXPECT_EQ(two.grad_surrogate, one.grad_surrogate) << what;
              // The sums are real ones: rows are active, and the gradients are not all zero.
              EXPECT_GT(one.active, 0.2) << what;
              const std::vector<double>& g =
                  gradients == ReluGradients::surrogate ? one.grad_surrogate : one.grad_square;
              ASSERT_EQ(g.size(), d + (bias ? 1 : 0)) << what;
              double norm = 0.0;
              for (const double v : g) norm += v * v;
              EXPECT_GT(norm, 0.0) << what;
            }
          }
        }
      }
    }
  }
  detail::use_short_row_two_phase(true);
  detail::use_default_short_row_isas();
}

TEST(ShortRowTwoPhase, FloatZOfAGroupIsTheSameBitsWithItsNeighbourOrAlone) {
  // The float z takes two full groups at a time where the block holds both, a group alone
  // otherwise (short_rows_two_phase.hpp). Rows R alone in a block, against R followed by as many
  // rows of weight 0 (which add exact zeros to every sum): for m = 4 and 8 rows, one of the two is
  // a group alone against the same group paired in every vector variant (W = 4 or 8). Weighted
  // means divide by the total weight, the same in both, so they are the same bits only if the
  // pair's z is the lone group's z.
  for (const detail::ShortRowIsa isa : detail::runnable_short_row_isas()) {
    detail::use_short_row_isa(isa);
    for (const std::size_t d : {20u, 64u, 100u}) {
      for (const std::size_t m : {4u, 8u}) {
        const testing::StatsRows rows(2 * m, d, 40 + static_cast<unsigned>(d + m));
        const Dataset& data = rows.data;
        std::vector<double> weights(2 * m, 0.0);
        for (std::size_t i = 0; i < m; ++i) weights[i] = 0.5 + 0.25 * static_cast<double>(i);
        const Engine engine(EngineOptions{1, 64});
        for (const ReluGradients gradients : {ReluGradients::square, ReluGradients::surrogate}) {
          const std::string what = std::string(detail::short_row_isa_name(isa)) +
                                   ", d = " + std::to_string(d) + ", m = " + std::to_string(m) +
                                   ", gradients " + std::to_string(int(gradients));
          const auto run = [&](std::size_t n) {
            const DatasetView view(data.X.data(), data.y.data(), n, d, weights.data());
            return relu_stats(engine, view, rows.w, 0.1, true, 1.0, gradients,
                              RowDot::float32_allowed);
          };
          const ReluStats alone = run(m);
          const ReluStats padded = run(2 * m);
          EXPECT_TRUE(same_bits(padded.loss, alone.loss)) << what;
          EXPECT_TRUE(same_bits(padded.active, alone.active)) << what;
          const std::vector<double>& g_alone =
              gradients == ReluGradients::surrogate ? alone.grad_surrogate : alone.grad_square;
          const std::vector<double>& g_padded =
              gradients == ReluGradients::surrogate ? padded.grad_surrogate : padded.grad_square;
          ASSERT_EQ(g_alone.size(), d + 1) << what;
          ASSERT_EQ(g_padded.size(), d + 1) << what;
          for (std::size_t j = 0; j <= d; ++j)
            EXPECT_TRUE(same_bits(g_padded[j], g_alone[j])) << what << ", entry " << j;
          EXPECT_GT(alone.active, 0.0) << what;  // some rows are active: the sums are real ones
        }
      }
    }
  }
  detail::use_default_short_row_isas();
}

}  // namespace
}  // namespace relureg
