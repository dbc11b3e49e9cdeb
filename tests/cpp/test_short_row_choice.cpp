// The run-time choice of the short-row kernels' variant (short_rows.cpp): which variants this host
// runs, which one each d takes at start-up, forcing one, and refusing one the host lacks.
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/cpu_level.hpp"
#include "kernels/short_rows.hpp"

namespace relureg {
namespace {

// The variant the start-up choice takes at d: the best one, except where the best is AVX-512 AVX2
// for short rows past the AVX-512 variant's columns on Intel, at 12 features on AMD's Zen 5 and
// from 12 features up on Zen 4.
bool zen4() {
  return detail::short_row_host() == detail::ShortRowHost::amd_zen4;
}
detail::ShortRowIsa start_up_isa(std::size_t d) {
  const detail::ShortRowIsa best = detail::default_short_row_isa();
  if (best == detail::ShortRowIsa::avx512 && zen4())
    return d >= detail::kAmdAvx2PassFeatures ? detail::ShortRowIsa::avx2 : best;
  if (best == detail::ShortRowIsa::avx512 && detail::cpu_is_amd())
    return d == detail::kAmdAvx2PassFeatures ? detail::ShortRowIsa::avx2 : best;
  return best == detail::ShortRowIsa::avx512 && d > detail::kAvx512ColumnPassFeatures &&
                 d <= detail::kAvx2RowFeatures
             ? detail::ShortRowIsa::avx2
             : best;
}

// The variant relu_stats takes at d at start-up: as start_up_isa, but AVX-512 where the best is
// AVX-512 and rows of at most 12 features (its columns), or of at most 32 that fill as many
// eight-lane pieces as four-lane ones; on AMD, AVX-512 at every d, but AVX2 past 16 on Zen 4.
detail::ShortRowIsa start_up_stats_isa(std::size_t d) {
  const detail::ShortRowIsa best = detail::default_short_row_isa();
  if (best == detail::ShortRowIsa::avx512 && zen4())
    return d > detail::kFloatZAboveFeatures ? detail::ShortRowIsa::avx2 : best;
  if (best == detail::ShortRowIsa::avx512 &&
      (detail::cpu_is_amd() || d <= detail::kAvx512ColumnFeatures ||
       (d <= 32 && (d + 7) / 8 * 8 == (d + 3) / 4 * 4)))
    return best;
  return start_up_isa(d);
}

TEST(ShortRowChoice, HostRunsTheVariantsItsCpuHas) {
  // The generic variant always; on an x86-64 host with AVX2 (and AVX-512) those too, in a build
  // that compiles them (GCC or Clang on x86-64, not the sanitizer or fuzzing build); the one
  // chosen at start-up is one of them.
  const std::vector<detail::ShortRowIsa> isas = detail::runnable_short_row_isas();
  ASSERT_FALSE(isas.empty());
  EXPECT_EQ(isas.front(), detail::ShortRowIsa::generic);
  EXPECT_NE(std::find(isas.begin(), isas.end(), detail::default_short_row_isa()), isas.end());
  for (std::size_t d = 1; d <= detail::short_row_features(); ++d) {
    EXPECT_EQ(detail::short_row_isa(d), start_up_isa(d)) << d;
    EXPECT_EQ(detail::short_row_stats_isa(d), start_up_stats_isa(d)) << d;
  }
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  const bool compiled = detail::short_row_isas_compiled();
  const bool avx2 = compiled && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  EXPECT_EQ(std::find(isas.begin(), isas.end(), detail::ShortRowIsa::avx2) != isas.end(), avx2);
  if (!compiled) {
    EXPECT_EQ(isas, std::vector<detail::ShortRowIsa>{detail::ShortRowIsa::generic});
  }
  if (compiled && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq")) {
    EXPECT_EQ(isas.back(), detail::ShortRowIsa::avx512);
  }
#endif
#if defined(__AVX2__) && defined(__FMA__) && !defined(__AVX512F__)
  // A build for an AVX2 target (e.g. -march=x86-64-v3) runs the AVX2 variant, never AVX-512.
  if (detail::short_row_isas_compiled()) {
    EXPECT_EQ(detail::default_short_row_isa(), detail::ShortRowIsa::avx2);
  }
#endif
}

TEST(ShortRowChoice, UnknownVariantIsRefused) {
  // Choosing a variant the CPU or build does not have is an error, not a crash later.
  const std::vector<detail::ShortRowIsa> isas = detail::runnable_short_row_isas();
  for (const detail::ShortRowIsa isa : {detail::ShortRowIsa::avx2, detail::ShortRowIsa::avx512}) {
    if (std::find(isas.begin(), isas.end(), isa) != isas.end()) continue;
    const std::string name = detail::short_row_isa_name(isa);
    try {
      detail::use_short_row_isa(isa);
      FAIL() << name;
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()),
                "short-row kernels: this build or CPU has no " + name + " variant");
    }
  }
  for (std::size_t d = 1; d <= detail::short_row_features(); ++d)
    EXPECT_EQ(detail::short_row_isa(d), start_up_isa(d)) << d;
}

TEST(ShortRowChoice, AvxHostsTakeAvx512ColumnsThenAvx2ThenAvx512) {
  // Where the best variant is AVX-512 on Intel, rows of up to kAvx512ColumnPassFeatures take its
  // columns (relu_stats: kAvx512ColumnFeatures), rows of up to kAvx2RowFeatures AVX2 and longer
  // ones AVX-512; forcing a variant applies it at every d, and the start-up choice comes back
  // after.
  const std::vector<detail::ShortRowIsa> isas = detail::runnable_short_row_isas();
  if (detail::default_short_row_isa() == detail::ShortRowIsa::avx512 && zen4()) {
    // On Zen 4: AVX-512 on columns up to 11 features, AVX2 above; relu_stats AVX-512 up to 16.
    for (const std::size_t d : {1, 8, 9, 11}) {
      EXPECT_EQ(detail::short_row_isa(d), detail::ShortRowIsa::avx512) << d;
      EXPECT_EQ(detail::short_row_stats_isa(d), detail::ShortRowIsa::avx512) << d;
    }
    for (const std::size_t d : {12, 13, 16}) {
      EXPECT_EQ(detail::short_row_isa(d), detail::ShortRowIsa::avx2) << d;
      EXPECT_EQ(detail::short_row_stats_isa(d), detail::ShortRowIsa::avx512) << d;
    }
    for (const std::size_t d : {17, 32, 33, 64, 65, 100, 128}) {
      EXPECT_EQ(detail::short_row_isa(d), detail::ShortRowIsa::avx2) << d;
      EXPECT_EQ(detail::short_row_stats_isa(d), detail::ShortRowIsa::avx2) << d;
    }
  } else if (detail::default_short_row_isa() == detail::ShortRowIsa::avx512 &&
             detail::cpu_is_amd()) {
    // On AMD: AVX-512 at every d, but AVX2 for the passes other than relu_stats at 12 features.
    for (const std::size_t d : {1, 8, 9, 11, 13, 16, 17, 33, 64, 65, 128}) {
      EXPECT_EQ(detail::short_row_isa(d), detail::ShortRowIsa::avx512) << d;
      EXPECT_EQ(detail::short_row_stats_isa(d), detail::ShortRowIsa::avx512) << d;
    }
    EXPECT_EQ(detail::short_row_isa(12), detail::ShortRowIsa::avx2);
    EXPECT_EQ(detail::short_row_stats_isa(12), detail::ShortRowIsa::avx512);
  } else if (detail::default_short_row_isa() == detail::ShortRowIsa::avx512) {
    EXPECT_EQ(detail::short_row_isa(1), detail::ShortRowIsa::avx512);
    EXPECT_EQ(detail::short_row_isa(8), detail::ShortRowIsa::avx512);
    EXPECT_EQ(detail::short_row_isa(9), detail::ShortRowIsa::avx2);
    EXPECT_EQ(detail::short_row_isa(detail::kAvx2RowFeatures), detail::ShortRowIsa::avx2);
    EXPECT_EQ(detail::short_row_isa(detail::kAvx2RowFeatures + 1), detail::ShortRowIsa::avx512);
    EXPECT_EQ(detail::short_row_isa(detail::kWideShortRowFeatures), detail::ShortRowIsa::avx512);
    // relu_stats: AVX-512 up to 12 features (columns), and up to 32 where its row-major pieces
    // pad no more than AVX2's, else AVX2 up to 64.
    for (const std::size_t d : {17, 18, 20, 25, 33, 36, 40, 64})
      EXPECT_EQ(detail::short_row_stats_isa(d), detail::ShortRowIsa::avx2) << d;
    for (const std::size_t d : {1, 2, 4, 5, 8, 9, 10, 12, 13, 16, 24, 32, 65, 100})
      EXPECT_EQ(detail::short_row_stats_isa(d), detail::ShortRowIsa::avx512) << d;
  }
  for (const detail::ShortRowIsa isa : isas) {
    detail::use_short_row_isa(isa);
    for (const std::size_t d :
         {std::size_t{1}, std::size_t{10}, std::size_t{16}, detail::kAvx2RowFeatures + 1}) {
      EXPECT_EQ(detail::short_row_isa(d), isa) << detail::short_row_isa_name(isa) << " d " << d;
      EXPECT_EQ(detail::short_row_stats_isa(d), isa)
          << detail::short_row_isa_name(isa) << " d " << d;
    }
    EXPECT_EQ(detail::short_row_features(), isa == detail::ShortRowIsa::generic
                                                ? detail::kShortRowFeatures
                                                : detail::kWideShortRowFeatures);
  }
  detail::use_default_short_row_isas();
  for (std::size_t d = 1; d <= detail::short_row_features(); ++d) {
    EXPECT_EQ(detail::short_row_isa(d), start_up_isa(d)) << d;
    EXPECT_EQ(detail::short_row_stats_isa(d), start_up_stats_isa(d)) << d;
  }
}

}  // namespace
}  // namespace relureg
