// The start-up choice of short-row variant per d, for both vendors' layouts on any host: where the
// best variant is AVX-512, Intel CPUs take AVX2 for rows of 9 to 64 features (relu_stats: 17-20,
// 25-28, 33-64) and AMD CPUs only for the passes other than relu_stats at 12 features.
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

TEST(ShortRowLayouts, EachVendorTakesAvx2WhereItWasMeasuredFaster) {
  for (const bool amd : {false, true}) {
    for (std::size_t d = 1; d <= detail::kWideShortRowFeatures; ++d) {
      const std::string what = (amd ? "AMD d " : "Intel d ") + std::to_string(d);
      const bool passes_avx2 = amd ? d == 12 : in(d, 9, 64);
      const bool stats_avx2 = !amd && (in(d, 17, 20) || in(d, 25, 28) || in(d, 33, 64));
      EXPECT_EQ(detail::start_up_isa_for(d, false, ShortRowIsa::avx512, amd),
                passes_avx2 ? ShortRowIsa::avx2 : ShortRowIsa::avx512)
          << what;
      EXPECT_EQ(detail::start_up_isa_for(d, true, ShortRowIsa::avx512, amd),
                stats_avx2 ? ShortRowIsa::avx2 : ShortRowIsa::avx512)
          << what;
      // Without AVX-512 the best variant takes every d, on either vendor.
      for (const ShortRowIsa best : {ShortRowIsa::generic, ShortRowIsa::avx2})
        for (const bool stats : {false, true})
          EXPECT_EQ(detail::start_up_isa_for(d, stats, best, amd), best) << what;
    }
  }
}

TEST(ShortRowLayouts, ThisHostStartsWithItsVendorsLayout) {
  detail::use_default_short_row_isas();
  const ShortRowIsa best = detail::default_short_row_isa();
  for (std::size_t d = 1; d <= detail::short_row_features(); ++d) {
    EXPECT_EQ(detail::short_row_isa(d),
              detail::start_up_isa_for(d, false, best, detail::cpu_is_amd()))
        << d;
    EXPECT_EQ(detail::short_row_stats_isa(d),
              detail::start_up_isa_for(d, true, best, detail::cpu_is_amd()))
        << d;
  }
}

}  // namespace
}  // namespace relureg
