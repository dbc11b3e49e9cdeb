// The short-row kernels' software prefetch: its second stream (into L2, rows of more than 16
// features) is on except on AMD CPUs, the two-phase kernel's L1 distance is two chunks on Zen 5
// and later, and neither changes any result.
#include <gtest/gtest.h>

#include <cstring>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "base/cpu_level.hpp"
#include "kernels/short_rows.hpp"
#include "relureg/engine.hpp"
#include "relureg/kernels.hpp"
#include "test_support.hpp"

namespace relureg {
namespace {

// Calls check(what, data, w) for every variant this host runs and every d in `features`: 20,011
// Gaussian rows of d features (seed `seed` + d), in the variant's kernels, and a fixed w.
template <class Check>
void for_each_variant_and_d(std::initializer_list<std::size_t> features, unsigned seed,
                            Check&& check) {
  for (const detail::ShortRowIsa isa : detail::runnable_short_row_isas()) {
    detail::use_short_row_isa(isa);
    for (const std::size_t d : features) {
      const std::string what =
          std::string(detail::short_row_isa_name(isa)) + ", d = " + std::to_string(d);
      const Dataset data =
          testing::GaussianDraws(seed + static_cast<unsigned>(d)).noise_rows(20011, d);
      std::vector<double> w(d);
      for (std::size_t j = 0; j < d; ++j) w[j] = (j % 3 == 0 ? 0.3 : -0.2) / (1.0 + 0.1 * j);
      check(what, data, w);
    }
  }
  detail::use_default_short_row_isas();
}

TEST(ShortRowPrefetch, SecondStreamIsOffOnAmdOnly) {
  EXPECT_EQ(detail::short_row_l2_prefetch(), !detail::cpu_is_amd());
  detail::use_short_row_l2_prefetch(detail::cpu_is_amd());
  EXPECT_EQ(detail::short_row_l2_prefetch(), detail::cpu_is_amd());
  detail::use_default_short_row_l2_prefetch();
  EXPECT_EQ(detail::short_row_l2_prefetch(), !detail::cpu_is_amd());
}

TEST(ShortRowPrefetch, SumsAreTheSameBitForBitWithOrWithoutTheSecondStream) {
  // Every variant this host runs, rows of 17 to 128 features (the ones that may take the second
  // stream) and of 10 (never), both gradients, the loss and predictions, 20,011 rows in blocks of
  // 4096 (the stream crosses each block's end).
  for_each_variant_and_d(
      {10, 17, 32, 64, 100, 128}, 40,
      [](const std::string& what, const Dataset& data, const std::vector<double>& w) {
        const Engine engine(EngineOptions{2, 4096});
        const auto run = [&](bool stream) {
          detail::use_short_row_l2_prefetch(stream);
          ReluStats s = relu_stats(engine, data.view(), w, 0.1, true);
          std::vector<double> out(data.n);
          relu_predict(engine, data.view(), w, 0.1, out);
          out.push_back(relu_loss(engine, data.view(), w, 0.1));
          return std::make_pair(s, out);
        };
        const auto [with, with_out] = run(true);
        const auto [without, without_out] = run(false);
        EXPECT_EQ(std::memcmp(&with.loss, &without.loss, sizeof(double)), 0) << what;
        EXPECT_EQ(std::memcmp(&with.surrogate, &without.surrogate, sizeof(double)), 0) << what;
        EXPECT_EQ(with.grad_square, without.grad_square) << what;
        EXPECT_EQ(with.grad_surrogate, without.grad_surrogate) << what;
        EXPECT_EQ(with_out, without_out) << what;
        EXPECT_GT(with.loss, 0.0) << what;
        EXPECT_GT(with.active, 0.2) << what;
      });
  detail::use_default_short_row_l2_prefetch();
}

TEST(ShortRowPrefetch, TwoPhaseKernelRunsTwoChunksAheadOnZen5AndLaterOnly) {
  const std::size_t expected = detail::cpu_is_amd() && detail::cpu_family() >= 26 ? 2 : 1;
  EXPECT_EQ(detail::short_row_two_phase_chunks_ahead(), expected);
  detail::use_short_row_two_phase_chunks_ahead(3 - expected);
  EXPECT_EQ(detail::short_row_two_phase_chunks_ahead(), 3 - expected);
  try {
    detail::use_short_row_two_phase_chunks_ahead(3);
    ADD_FAILURE() << "3 chunks accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "use_short_row_two_phase_chunks_ahead: 3 chunks (1 or 2)");
  }
  EXPECT_EQ(detail::short_row_two_phase_chunks_ahead(), 3 - expected);
  detail::use_default_short_row_two_phase_chunks_ahead();
  EXPECT_EQ(detail::short_row_two_phase_chunks_ahead(), expected);
}

TEST(ShortRowPrefetch, TwoPhaseSumsAreTheSameBitForBitOneOrTwoChunksAhead) {
  // The distance applies where the L2 stream is off (turned off here on every host): gd's and
  // glmtron's passes with the float z and with the double z, both gradients, rows of 17 to 128
  // features, 20,011 rows in blocks of 4096, every variant this host runs. Two chunks ahead, the
  // AVX-512 float z over rows of up to 32 features requests its lines piece by piece instead.
  detail::use_short_row_l2_prefetch(false);
  for_each_variant_and_d(
      {17, 32, 64, 100, 128}, 90,
      [](const std::string& what, const Dataset& data, const std::vector<double>& w) {
        const Engine engine(EngineOptions{2, 4096});
        const auto run = [&](std::size_t chunks) {
          detail::use_short_row_two_phase_chunks_ahead(chunks);
          std::vector<ReluStats> out;
          for (const RowDot dot : {RowDot::float32_allowed, RowDot::exact})
            for (const ReluGradients g : {ReluGradients::square, ReluGradients::surrogate})
              out.push_back(relu_stats(engine, data.view(), w, -0.05, true, 1.0, g, dot));
          out.push_back(relu_stats(engine, data.view(), w, -0.05, true));
          return out;
        };
        const std::vector<ReluStats> one = run(1), two = run(2);
        for (std::size_t k = 0; k < one.size(); ++k) {
          EXPECT_EQ(std::memcmp(&one[k].loss, &two[k].loss, sizeof(double)), 0)
              << what << ", " << k;
          EXPECT_EQ(one[k].grad_square, two[k].grad_square) << what << ", " << k;
          EXPECT_EQ(one[k].grad_surrogate, two[k].grad_surrogate) << what << ", " << k;
          EXPECT_GT(one[k].loss, 0.0) << what;
          EXPECT_GT(one[k].active, 0.2) << what;
        }
        EXPECT_FALSE(one[0].grad_square.empty()) << what;
      });
  detail::use_default_short_row_l2_prefetch();
  detail::use_default_short_row_two_phase_chunks_ahead();
}

}  // namespace
}  // namespace relureg
