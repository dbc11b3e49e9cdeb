// The short-row kernels' software prefetch: its second stream (into L2, rows of more than 16
// features) is on except on AMD CPUs, and whether it runs changes no result.
#include <gtest/gtest.h>

#include <cstring>
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
  for (const detail::ShortRowIsa isa : detail::runnable_short_row_isas()) {
    detail::use_short_row_isa(isa);
    for (const std::size_t d : {10u, 17u, 32u, 64u, 100u, 128u}) {
      const std::string what =
          std::string(detail::short_row_isa_name(isa)) + ", d = " + std::to_string(d);
      const Dataset data =
          testing::GaussianDraws(40 + static_cast<unsigned>(d)).noise_rows(20011, d);
      std::vector<double> w(d);
      for (std::size_t j = 0; j < d; ++j) w[j] = (j % 3 == 0 ? 0.3 : -0.2) / (1.0 + 0.1 * j);
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
    }
  }
  detail::use_default_short_row_isas();
  detail::use_default_short_row_l2_prefetch();
}

}  // namespace
}  // namespace relureg
