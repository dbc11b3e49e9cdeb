// The start-up choice of short-row variant per d, for every kind of host's layout on any host:
// where the best variant is AVX-512, Intel CPUs take AVX2 for rows of 9 to 64 features
// (relu_stats: 17-20, 25-28, 33-64), AMD's Zen 5 only for the passes other than relu_stats at 12
// features, and AMD's Zen 4 for every row from there on (relu_stats: from 17).
#include <gtest/gtest.h>

#include <string>

#include "base/cpu_level.hpp"
#include "kernels/short_rows.hpp"

namespace relureg {
namespace {

using detail::ShortRowIsa;

bool in(std::size_t d, std::size_t low, std::size_t high) {
  return d >= low && d <= high;
}

TEST(ShortRowLayouts, EachHostTakesAvx2WhereItWasMeasuredFaster) {
  using detail::ShortRowHost;
  for (const ShortRowHost host : {ShortRowHost::other, ShortRowHost::amd, ShortRowHost::amd_zen4}) {
    for (std::size_t d = 1; d <= detail::kWideShortRowFeatures; ++d) {
      const std::string what = (host == ShortRowHost::other ? "Intel d "
                                : host == ShortRowHost::amd ? "AMD d "
                                                            : "AMD Zen 4 d ") +
                               std::to_string(d);
      const bool passes_avx2 = host == ShortRowHost::other ? in(d, 9, 64)
                               : host == ShortRowHost::amd ? d == 12
                                                           : in(d, 12, 128);
      const bool stats_avx2 = host == ShortRowHost::other
                                  ? in(d, 17, 20) || in(d, 25, 28) || in(d, 33, 64)
                                  : host == ShortRowHost::amd_zen4 && in(d, 17, 128);
      EXPECT_EQ(detail::start_up_isa_for(d, false, ShortRowIsa::avx512, host),
                passes_avx2 ? ShortRowIsa::avx2 : ShortRowIsa::avx512)
          << what;
      EXPECT_EQ(detail::start_up_isa_for(d, true, ShortRowIsa::avx512, host),
                stats_avx2 ? ShortRowIsa::avx2 : ShortRowIsa::avx512)
          << what;
      // Without AVX-512 the best variant takes every d, on any host.
      for (const ShortRowIsa best : {ShortRowIsa::generic, ShortRowIsa::avx2})
        for (const bool stats : {false, true})
          EXPECT_EQ(detail::start_up_isa_for(d, stats, best, host), best) << what;
    }
  }
}

TEST(ShortRowLayouts, OnlyAmdFamily25WithAvx512IsZen4) {
  const detail::ShortRowHost expected = !detail::cpu_is_amd() ? detail::ShortRowHost::other
                                        : detail::cpu_family() == 25 && detail::cpu_runs_x86_64_v4()
                                            ? detail::ShortRowHost::amd_zen4
                                            : detail::ShortRowHost::amd;
  EXPECT_EQ(detail::short_row_host(), expected);
}

TEST(ShortRowLayouts, ThisHostStartsWithItsVendorsLayout) {
  detail::use_default_short_row_isas();
  const ShortRowIsa best = detail::default_short_row_isa();
  for (std::size_t d = 1; d <= detail::short_row_features(); ++d) {
    EXPECT_EQ(detail::short_row_isa(d),
              detail::start_up_isa_for(d, false, best, detail::short_row_host()))
        << d;
    EXPECT_EQ(detail::short_row_stats_isa(d),
              detail::start_up_isa_for(d, true, best, detail::short_row_host()))
        << d;
  }
}

}  // namespace
}  // namespace relureg
