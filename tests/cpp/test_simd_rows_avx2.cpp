// The x86-64-v3 row kernels (src/base/simd_rows_avx2.hpp: an AVX2 build's long rows, and those of
// a build for any x86-64 on a CPU with AVX2) against affine_value's definition and the gradient's
// order, with and without fused multiply-adds, bit for bit, on any host that runs AVX2 and FMA,
// whatever this build's own target.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "base/cpu_level.hpp"
#include "simd_rows_v3_probe.hpp"

namespace relureg {
namespace {

bool can_run_v3() {
  return testing::have_v3_probe() && detail::cpu_runs_x86_64_v3();
}

// a·b + acc with one rounding (fused) or two.
double mul_add(bool fused, double a, double b, double acc) {
  if (fused) return std::fma(a, b, acc);
  const volatile double product = a * b;  // rounded before the addition
  return acc + product;
}

// affine_value's definition (src/base/simd_rows.hpp), one row, with multiply-adds (fused: as a
// build for a target with FMA computes it; otherwise as one without): feature j to lane j mod 8 of
// the even accumulator if ⌊j/8⌋ is even, else of the odd one; s = even + odd; z = ((s0+s4)+(s2+s6))
// + ((s1+s5)+(s3+s7)) + b.
double definition(bool fused, const float* x, const double* w, std::size_t d, double b) {
  double even[8] = {}, odd[8] = {};
  for (std::size_t j = 0; j < d; ++j) {
    double& acc = (j / 8) % 2 == 0 ? even[j % 8] : odd[j % 8];
    acc = mul_add(fused, w[j], static_cast<double>(x[j]), acc);
  }
  double s[8];
  for (std::size_t l = 0; l < 8; ++l) s[l] = even[l] + odd[l];
  return (((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]))) + b;
}

struct Rows {
  std::vector<float> x;
  std::vector<double> w;
};

// Four rows of d features and weights spread over eight orders of magnitude (so that the order of
// the additions shows in the last bits).
Rows four_rows(std::size_t d, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> exponent(-4, 4);
  Rows rows{std::vector<float>(4 * d), std::vector<double>(d)};
  for (float& v : rows.x) v = static_cast<float>(normal(rng));
  for (double& v : rows.w) v = normal(rng) * std::pow(10.0, exponent(rng));
  return rows;
}

TEST(SimdRowsAvx2, AffineRowsIsTheDefinitionBitForBit) {
  if (!can_run_v3()) GTEST_SKIP() << "this host or build runs no x86-64-v3 code";
  std::size_t rows_differing_from_a_plain_sum = 0;
  using detail::WeightLoads;
  for (bool fused : {true, false})
    for (std::size_t d : {1, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 23, 24, 31, 33, 100, 129, 1000})
      for (std::size_t count = 1; count <= 4; ++count)
        for (std::ptrdiff_t prefetch : {std::ptrdiff_t{0}, std::ptrdiff_t(4 * d)})
          for (WeightLoads loads : {WeightLoads::per_product, WeightLoads::per_step}) {
            const Rows rows = four_rows(d, static_cast<unsigned>(d * 10 + count));
            const double b = 0.25;
            // Room past the rows for the prefetches (they read nothing, but stay in the buffer).
            std::vector<float> x(rows.x);
            x.resize(8 * d);
            double z[4] = {};
            testing::affine_rows_v3(fused, count, x.data(), d, rows.w.data(), d, b, z, prefetch,
                                    loads);
            for (std::size_t r = 0; r < count; ++r) {
              const double want = definition(fused, x.data() + r * d, rows.w.data(), d, b);
              EXPECT_EQ(z[r], want)
                  << (fused ? "fused" : "not fused") << ", d = " << d << ", rows = " << count
                  << ", row " << r << (loads == WeightLoads::per_step ? ", w per step" : "");
              double plain = b;
              for (std::size_t j = 0; j < d; ++j) plain += rows.w[j] * x[r * d + j];
              rows_differing_from_a_plain_sum += plain != want;
            }
          }
  // The comparison can tell one order of the additions from another.
  EXPECT_GT(rows_differing_from_a_plain_sum, 80u);
}

TEST(SimdRowsAvx2, AccumulateRowsAddsTheRowsInOrder) {
  if (!can_run_v3()) GTEST_SKIP() << "this host or build runs no x86-64-v3 code";
  for (bool fused : {true, false})
    for (std::size_t d : {1, 7, 8, 9, 16, 17, 100, 1000}) {
      const Rows rows = four_rows(d, static_cast<unsigned>(d + 3));
      std::vector<double> got[2], want[2];
      for (std::size_t g = 0; g < 2; ++g) {
        got[g].assign(d, 0.0);
        for (std::size_t j = 0; j < d; ++j) got[g][j] = 1e-3 * std::cos(double(j + g));
        want[g] = got[g];
      }
      const double coef[2][4] = {{0.5, -1.25e3, 3e-4, 7.0}, {-2.0, 1e-5, 4.5e2, -0.125}};
      double* const acc[2] = {got[0].data(), got[1].data()};
      testing::accumulate_rows_v3(fused, rows.x.data(), d, d, coef, acc, 0);
      for (std::size_t g = 0; g < 2; ++g)
        for (std::size_t j = 0; j < d; ++j) {
          for (std::size_t r = 0; r < 4; ++r)
            want[g][j] =
                mul_add(fused, coef[g][r], static_cast<double>(rows.x[r * d + j]), want[g][j]);
          EXPECT_EQ(got[g][j], want[g][j]) << (fused ? "fused" : "not fused") << ", d = " << d
                                           << ", gradient " << g << ", feature " << j;
        }
    }
}

}  // namespace
}  // namespace relureg
