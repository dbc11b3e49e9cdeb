// The subset-search kernels: the bit-packed and column paths against the old per-subset scoring,
// and exhaustive-subsets' fits the same for any thread count and as with the old scoring.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <random>

#include "kernels/subset_scan.hpp"
#include "relureg/engine.hpp"
#include "relureg/learner.hpp"
#include "relureg/orthogonal.hpp"

namespace relureg {
namespace {

// n rows of d features: ±1 (boolean) or Gaussian, labels Gaussian plus a parity of the first
// min(k, d) coordinates' signs (so that some subsets score far better than others).
Dataset rows_of(std::size_t n, std::size_t d, std::size_t k, bool boolean, unsigned seed) {
  Dataset data(n, d);
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  for (float& v : data.X)
    v = boolean ? (rng() & 1 ? 1.0f : -1.0f) : static_cast<float>(normal(rng));
  for (std::size_t r = 0; r < n; ++r) {
    double chi = 1;
    for (std::size_t j = 0; j < std::min(k, d); ++j) chi *= data.X[r * d + j] < 0 ? -1 : 1;
    data.y[r] = chi + 0.5 * normal(rng);
  }
  return data;
}

using Kernel = void (*)(const RowBlock&, const std::uint32_t*, std::size_t, std::size_t, double*);

// The kernel's sums over the whole data, block by block of `block` rows.
std::vector<double> sums(Kernel kernel, const Dataset& data, const std::vector<std::uint32_t>& T,
                         std::size_t k, std::size_t block) {
  std::vector<double> acc(4 * T.size() / k, 0.0);
  for (std::size_t start = 0; start < data.n; start += block) {
    RowBlock blk{data.X.data() + start * data.d,
                 data.y.data() + start,
                 std::min(block, data.n - start),
                 data.d,
                 start,
                 nullptr};
    kernel(blk, T.data(), T.size() / k, k, acc.data());
  }
  return acc;
}

// Each sum within 1e-12 of the reference, relative to the largest sum of its kind.
void expect_sums_agree(const std::vector<double>& got, const std::vector<double>& want,
                       const std::string& what) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t kind = 0; kind < 4; ++kind) {
    double scale = 0;
    for (std::size_t i = kind; i < want.size(); i += 4) scale = std::max(scale, std::abs(want[i]));
    for (std::size_t i = kind; i < want.size(); i += 4)
      ASSERT_LE(std::abs(got[i] - want[i]), 1e-12 * scale) << what << " sum " << i;
  }
}

TEST(SubsetScan, EveryIsaVariantAgreesWithTheOldScoring) {
  // Each variant this CPU runs (the test hook: its functions called directly), ±1 and Gaussian
  // rows, k = 1..7 over d = 9 (the leaves of a prefix not a multiple of the leaf group): 1000
  // rows in blocks of 4096 and of 300 (rows not a multiple of the 8-row step, of a 64-row word,
  // of the column chunk), and 4096 + 1037 rows (a whole chunk, then a short one).
  const auto& variants = detail::subset_kernel_variants();
  ASSERT_FALSE(variants.empty());
  EXPECT_EQ(&detail::subset_kernels(), variants.front());
  for (const detail::SubsetKernels* v : variants)
    for (bool boolean : {true, false})
      for (std::size_t k = 1; k <= 7; ++k)
        for (std::size_t n : {std::size_t{1000}, std::size_t{4096 + 1037}}) {
          const Dataset data = rows_of(n, 9, k, boolean, 10 + k);
          const std::vector<std::uint32_t> T = detail::all_subsets(9, k);
          for (std::size_t block : {std::size_t{4096}, std::size_t{300}}) {
            const std::string what = std::string(v->name) + (boolean ? " ±1" : " Gaussian") +
                                     ", k = " + std::to_string(k) + ", n = " + std::to_string(n) +
                                     ", block " + std::to_string(block);
            const auto want = sums(detail::subset_parity_sums_reference, data, T, k, block);
            if (boolean) {
              expect_sums_agree(sums(v->parity_bits, data, T, k, block), want, what);
            }
            expect_sums_agree(sums(v->parity_columns, data, T, k, block), want, what);
          }
        }
}

// The subset-kernel variants that multiply-add with FMA. A build with AVX2 and FMA has its own
// variant and x86-64-v3's, so at least two.
std::vector<const detail::SubsetKernels*> variants_with_fma() {
  std::vector<const detail::SubsetKernels*> fma;
  for (const detail::SubsetKernels* v : detail::subset_kernel_variants())
    if (std::string(v->name).find("no AVX2") == std::string::npos) fma.push_back(v);
#if defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__)
  EXPECT_GE(fma.size(), 2u);
#endif
  return fma;
}

TEST(SubsetScan, IsaVariantsWithFmaGiveTheSameSums) {
  // The variants whose sums run in the same eight lanes with the same multiply-adds (x86-64-v4
  // and -v3, and the build's own when it has FMA) give bit-identical sums: a fit does not depend
  // on which of them the CPU takes. The variant without FMA agrees to rounding (test above).
  const std::vector<const detail::SubsetKernels*> fma = variants_with_fma();
  for (std::size_t k : {1, 2, 3, 4, 5, 6}) {
    for (bool boolean : {true, false}) {
      const Dataset data = rows_of(4096 + 777, 11, k, boolean, 30 + k);
      const std::vector<std::uint32_t> T = detail::all_subsets(11, k);
      const auto columns = sums(fma[0]->parity_columns, data, T, k, 4096);
      const auto bits = boolean ? sums(fma[0]->parity_bits, data, T, k, 4096) : columns;
      for (std::size_t i = 1; i < fma.size(); ++i) {
        EXPECT_EQ(sums(fma[i]->parity_columns, data, T, k, 4096), columns) << fma[i]->name;
        if (boolean) {
          EXPECT_EQ(sums(fma[i]->parity_bits, data, T, k, 4096), bits) << fma[i]->name;
        }
      }
    }
  }
}

TEST(SubsetScan, SquaresOfBooleanRowsAreExactIntegers) {
  // ReLU(z±)² of ±1 rows are integers: both paths give the reference's sums exactly (one block).
  const std::size_t k = 4;
  const Dataset data = rows_of(777, 8, k, true, 3);
  const std::vector<std::uint32_t> T = detail::all_subsets(8, k);
  const auto want = sums(detail::subset_parity_sums_reference, data, T, k, 4096);
  const auto bits = sums(detail::subset_parity_sums_bits, data, T, k, 4096);
  const double unit2 = 0.25;  // (1/√4)², exact
  for (std::size_t i = 1; i < want.size(); i += 2) {
    EXPECT_EQ(bits[i] / unit2, std::round(bits[i] / unit2)) << i;
    EXPECT_NEAR(bits[i], want[i], 1e-9) << i;
  }
}

TEST(SubsetScan, ColumnSumsAgreeWithTheOldScoringOnGaussianRows) {
  for (std::size_t k : {1, 2, 3, 4, 6}) {
    const Dataset data = rows_of(4096 + 1037, 10, k, false, 20 + k);
    const std::vector<std::uint32_t> T = detail::all_subsets(10, k);
    const auto want = sums(detail::subset_parity_sums_reference, data, T, k, 4096);
    expect_sums_agree(sums(detail::subset_parity_sums_columns, data, T, k, 4096), want,
                      "k = " + std::to_string(k));
    // not ±1: the dispatcher takes the column path
    EXPECT_FALSE(detail::plus_minus_one_block(
        RowBlock{data.X.data(), data.y.data(), data.n, data.d, 0, nullptr}));
  }
}

TEST(SubsetScan, ColumnsOfEveryRowWidthAgreeWithDirectSums) {
  // The kernels transpose four rows and four features at a time: rows of 1 to 5, 8 and 17
  // features (less than a tile, whole tiles, tiles and a remainder), 1003 rows (a chunk's last
  // three rows outside any four-row step) in blocks of 4096 and of 301 (every block's rows start
  // at another offset). The column path against the old scoring, and the sign patterns' sums
  // against a direct computation, in every variant this CPU runs.
  for (const detail::SubsetKernels* v : detail::subset_kernel_variants())
    for (std::size_t d : {1, 2, 3, 4, 5, 8, 17})
      for (std::size_t k = 1; k <= std::min<std::size_t>(d, 2); ++k) {
        const Dataset data = rows_of(1003, d, k, false, 40 + d);
        const std::vector<std::uint32_t> T = detail::all_subsets(d, k);
        const std::size_t count = T.size() / k, patterns = std::size_t{1} << k;
        const double unit = 1 / std::sqrt(static_cast<double>(k));
        std::vector<double> direct(2 * count * patterns, 0.0);
        for (std::size_t r = 0; r < data.n; ++r)
          for (std::size_t s = 0; s < count; ++s)
            for (std::size_t p = 0; p < patterns; ++p) {
              double z = 0;
              for (std::size_t i = 0; i < k; ++i)
                z += ((p >> i) & 1 ? -unit : unit) * data.X[r * d + T[s * k + i]];
              const double relu = std::max(z, 0.0);
              direct[2 * (s * patterns + p)] += data.y[r] * relu;
              direct[2 * (s * patterns + p) + 1] += relu * relu;
            }
        for (std::size_t block : {std::size_t{4096}, std::size_t{301}}) {
          const std::string what =
              fmt::format("{}, d = {}, k = {}, block {}", v->name, d, k, block);
          expect_sums_agree(sums(v->parity_columns, data, T, k, block),
                            sums(detail::subset_parity_sums_reference, data, T, k, block), what);
          std::vector<double> signs(direct.size(), 0.0);
          for (std::size_t start = 0; start < data.n; start += block) {
            const RowBlock blk{data.X.data() + start * d,
                               data.y.data() + start,
                               std::min(block, data.n - start),
                               d,
                               start,
                               nullptr};
            v->sign_sums(blk, T.data(), count, k, signs.data());
          }
          double scale = 0;
          for (double x : direct) scale = std::max(scale, std::abs(x));
          for (std::size_t i = 0; i < direct.size(); ++i)
            ASSERT_NEAR(signs[i], direct[i], 1e-12 * scale) << what << ", sign sum " << i;
        }
      }
}

TEST(SubsetScan, MixedBlocksTakeEachItsPath) {
  // Block 0 is ±1 (bit path), block 1 has one 0.5 (column path): sums agree with the reference.
  const std::size_t k = 3;
  Dataset data = rows_of(2 * 4096, 7, k, true, 5);
  data.X[4096 * 7 + 11] = 0.5f;
  EXPECT_TRUE(detail::plus_minus_one_block(
      RowBlock{data.X.data(), data.y.data(), 4096, data.d, 0, nullptr}));
  EXPECT_FALSE(detail::plus_minus_one_block(
      RowBlock{data.X.data() + 4096 * 7, data.y.data() + 4096, 4096, data.d, 4096, nullptr}));
  const std::vector<std::uint32_t> T = detail::all_subsets(7, k);
  expect_sums_agree(sums(detail::subset_parity_sums, data, T, k, 4096),
                    sums(detail::subset_parity_sums_reference, data, T, k, 4096), "mixed");
}

// exhaustive-subsets on `data` with the given threads and parameters.
FitResult fit_subsets(const Dataset& data, int threads, std::vector<std::string> params) {
  const LearnerEntry& entry = find_learner("exhaustive-subsets");
  const Engine engine(EngineOptions{threads});
  FitContext context{&engine, 1, {}};
  return fit_learner(entry, ParamValues::parse(entry.params, params, "test"), data.view(), context);
}

TEST(SubsetScan, FitsAreBitIdenticalForAnyThreadCountAndMatchTheOldScoring) {
  for (bool boolean : {true, false}) {
    const std::size_t d = 11, k = 4;
    const Dataset data = rows_of(3 * 4096 + 500, d, k, boolean, 7);
    const FitResult one = fit_subsets(data, 1, {"k=4", "batch=100"});
    const FitResult two = fit_subsets(data, 2, {"k=4", "batch=100"});
    EXPECT_EQ(one.details.dump(), two.details.dump());
    EXPECT_EQ(one.relu().w, two.relu().w);
    EXPECT_EQ(one.details["best_subset"], nlohmann::json({0, 1, 2, 3}));
    // The old scoring's losses of the five best subsets, from the reference sums.
    const std::vector<std::uint32_t> T = detail::all_subsets(d, k);
    const auto ref = sums(detail::subset_parity_sums_reference, data, T, k, 4096);
    double yy = 0;
    for (double y : data.y) yy += y * y;
    const double m = static_cast<double>(data.n);
    std::vector<std::pair<double, std::size_t>> ranked;  // (old loss, subset index)
    for (std::size_t s = 0; s < T.size() / k; ++s) {
      double best = INFINITY;
      for (std::size_t p = 0; p < 2; ++p) {
        const double yr = ref[4 * s + 2 * p] / m, rr = ref[4 * s + 2 * p + 1] / m;
        const double a = rr > 0 ? std::max(yr / rr, 0.0) : 0.0;
        best = std::min(best, yy / m - 2 * a * yr + a * a * rr);
      }
      ranked.emplace_back(best, s);
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < one.details["top"].size(); ++i) {
      const std::size_t s = ranked[i].second;
      EXPECT_EQ(one.details["top"][i]["subset"].get<std::vector<std::uint32_t>>(),
                std::vector<std::uint32_t>(T.begin() + s * k, T.begin() + (s + 1) * k));
    }
    for (const auto& top : one.details["top"]) {
      const auto subset = top["subset"].get<std::vector<std::uint32_t>>();
      const std::size_t s =
          static_cast<std::size_t>(std::search(T.begin(), T.end(), subset.begin(), subset.end()) -
                                   T.begin()) /
          k;
      double best = INFINITY;
      for (std::size_t p = 0; p < 2; ++p) {
        const double yr = ref[4 * s + 2 * p] / m, rr = ref[4 * s + 2 * p + 1] / m;
        const double a = rr > 0 ? std::max(yr / rr, 0.0) : 0.0;
        best = std::min(best, yy / m - 2 * a * yr + a * a * rr);
      }
      EXPECT_NEAR(top["loss"].get<double>(), best, 1e-12 * best) << top.dump();
    }
  }
}

// orthogonal_subset_sums of variant v over n rows of d Gaussian features, in blocks of 4096.
std::vector<double> orthogonal_sums(const detail::SubsetKernels& v, const Dataset& data,
                                    std::size_t k, bool relu, bool single = false) {
  std::vector<double> got(3 * orthogonal::subset_count(data.d, k), 0.0);
  for (std::size_t start = 0; start < data.n; start += 4096) {
    const RowBlock blk{data.X.data() + start * data.d,
                       data.y.data() + start,
                       std::min<std::size_t>(4096, data.n - start),
                       data.d,
                       start,
                       nullptr};
    v.orthogonal(blk, k, relu, single, got.data());
  }
  return got;
}

// The sums of every k-subset's orthogonal::feature over the rows of data (what the scan replaces).
std::vector<double> feature_sums(const Dataset& data, std::size_t k, Activation activation) {
  const std::size_t d = data.d, count = orthogonal::subset_count(d, k);
  std::vector<double> want(3 * count, 0.0), values(k);
  std::vector<std::size_t> S(k);
  for (std::size_t i = 0; i < k; ++i) S[i] = i;
  for (std::size_t i = 0; i < count; ++i, orthogonal::next_subset(S, d))
    for (std::size_t r = 0; r < data.n; ++r) {
      for (std::size_t j = 0; j < k; ++j) values[j] = data.X[r * d + S[j]];
      const double f = orthogonal::feature(values.data(), k, activation);
      want[3 * i] += data.y[r] * f;
      want[3 * i + 1] += f * f;
      want[3 * i + 2] += f;
    }
  return want;
}

TEST(OrthogonalScan, SigmoidAgreesWithTheFeatureOverAWideRangeOfFeatures) {
  // Gaussian features times 1, 20 or 200 by chunk (the scan's chunks are 256 rows): k = 1 takes
  // e^x for every size; with k = 3 and 5 the chunks of 200 (and for k = 5 of 20) take the
  // scalar tanh, whose denominators could overflow otherwise. Each variant this CPU runs.
  for (const detail::SubsetKernels* v : detail::subset_kernel_variants())
    for (std::size_t k : {1, 3, 5}) {
      Dataset data = rows_of(3 * 256 + 40, 7, k, false, 70 + k);
      for (std::size_t r = 0; r < data.n; ++r)
        for (std::size_t j = 0; j < data.d; ++j)
          data.X[r * data.d + j] *= std::array<float, 3>{1, 20, 200}[r / 256 % 3];
      const std::vector<double> got = orthogonal_sums(*v, data, k, false);
      const std::vector<double> want = feature_sums(data, k, Activation::sigmoid);
      for (std::size_t i = 0; i < want.size(); ++i)
        ASSERT_NEAR(got[i], want[i], 1e-12 * std::max(1.0, std::abs(want[i])))
            << v->name << ", k = " << k << ", sum " << i;
    }
}

TEST(OrthogonalScan, EveryIsaVariantAgreesWithTheFeatureOfEachSubset) {
  // relu with even k, sigmoid with odd k; 4096 + 300 rows (a padded last chunk), d = 8 and 9
  // (an odd number of leaves after some prefixes); each variant this CPU runs.
  for (const detail::SubsetKernels* v : detail::subset_kernel_variants())
    for (std::size_t d : {8, 9})
      for (const auto& [k, relu] : std::vector<std::pair<std::size_t, bool>>{
               {2, true}, {4, true}, {6, true}, {1, false}, {3, false}, {5, false}}) {
        const std::size_t n = 4096 + 300;
        const Dataset data = rows_of(n, d, k, false, 40 + k);
        const Activation activation = relu ? Activation::relu : Activation::sigmoid;
        const std::size_t count = orthogonal::subset_count(d, k);
        const std::vector<double> got = orthogonal_sums(*v, data, k, relu);
        const std::vector<double> want = feature_sums(data, k, activation);
        ASSERT_EQ(want.size(), 3 * count);
        for (std::size_t kind = 0; kind < 3; ++kind) {
          double scale = 0;
          for (std::size_t i = kind; i < want.size(); i += 3)
            scale = std::max(scale, std::abs(want[i]));
          for (std::size_t i = kind; i < want.size(); i += 3)
            ASSERT_LE(std::abs(got[i] - want[i]), 1e-12 * scale)
                << v->name << ", d = " << d << ", k = " << k << ", sum " << i;
        }
      }
}

TEST(OrthogonalScan, IsaVariantsWithFmaGiveTheSameSums) {
  const std::vector<const detail::SubsetKernels*> fma = variants_with_fma();
  for (std::size_t k : {2, 4, 6}) {
    const Dataset data = rows_of(4096 + 300, 9, k, false, 50 + k);
    for (bool single : {false, true}) {
      const std::vector<double> first = orthogonal_sums(*fma[0], data, k, true, single);
      for (std::size_t i = 1; i < fma.size(); ++i)
        EXPECT_EQ(orthogonal_sums(*fma[i], data, k, true, single), first)
            << fma[i]->name << ", k = " << k << ", float32 " << single;
    }
  }
  // The sigmoid's float32 paths too (their exponentials and divisions are the same operations).
  for (std::size_t k : {1, 3, 5}) {
    const Dataset data = rows_of(4096 + 300, 20, k, false, 60 + k);
    const std::vector<double> first = orthogonal_sums(*fma[0], data, k, false, true);
    for (std::size_t i = 1; i < fma.size(); ++i)
      EXPECT_EQ(orthogonal_sums(*fma[i], data, k, false, true), first)
          << fma[i]->name << ", sigmoid k = " << k;
  }
}

// The sums of a float32 path (got) against exact ones (want) of the same subsets: each sum to
// 1e-6 of the largest of its kind, every subset's closed-form scale Σ y·f / Σ f² to 1e-6 of the
// largest, and the fitted model (the best subset, its scale) the same to 1e-6 relative.
void expect_same_models(const std::vector<double>& got, const std::vector<double>& want,
                        const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  ASSERT_NE(got, want) << what << ": the float32 path was not taken";
  const std::size_t count = want.size() / 3;
  double largest[3] = {0, 0, 0}, largest_scale = 0;
  for (std::size_t i = 0; i < want.size(); ++i)
    largest[i % 3] = std::max(largest[i % 3], std::abs(want[i]));
  for (std::size_t i = 0; i < want.size(); ++i)
    ASSERT_NEAR(got[i], want[i], 1e-6 * largest[i % 3]) << what << ", sum " << i;
  const auto scale = [](const std::vector<double>& a, std::size_t s) {
    return a[3 * s] / a[3 * s + 1];
  };
  const auto best = [&](const std::vector<double>& a) {
    std::size_t b = 0;
    for (std::size_t s = 1; s < count; ++s)
      if (a[3 * s] * scale(a, s) > a[3 * b] * scale(a, b)) b = s;
    return b;
  };
  for (std::size_t s = 0; s < count; ++s)
    largest_scale = std::max(largest_scale, std::abs(scale(want, s)));
  for (std::size_t s = 0; s < count; ++s)
    EXPECT_NEAR(scale(got, s), scale(want, s), 1e-6 * largest_scale) << what << ", subset " << s;
  const std::size_t b = best(want);
  EXPECT_EQ(best(got), b) << what;
  EXPECT_NEAR(scale(got, b), scale(want, b), 1e-6 * std::abs(scale(want, b))) << what;
  // The best subset's score Σ y·f·scale (the drop of the square loss) to 1e-6 relative.
  EXPECT_NEAR(got[3 * b] * scale(got, b), want[3 * b] * scale(want, b),
              1e-6 * std::abs(want[3 * b] * scale(want, b)))
      << what;
}

TEST(OrthogonalScan, Float32ReluLeavesFitTheSameModelsAsDouble) {
  // relu k = 4 and 6 with float32 leaves (what orthogonal_subset_sums takes) against the double
  // leaves, each variant, Gaussian features.
  for (const detail::SubsetKernels* v : detail::subset_kernel_variants())
    for (std::size_t k : {4, 6}) {
      const Dataset data = rows_of(4096 + 300, 9, k, false, 80 + k);
      expect_same_models(orthogonal_sums(*v, data, k, true, true),
                         orthogonal_sums(*v, data, k, true, false),
                         std::string(v->name) + ", k = " + std::to_string(k));
    }
}

TEST(OrthogonalScan, Float32SigmoidFitsTheSameModelsAsTheFeature) {
  // sigmoid with float32 lanes (what orthogonal_subset_sums takes) against every subset's
  // orthogonal::feature summed in double row by row, each variant: Gaussian features, and the
  // same times 1, 2, 20 or 200 by chunk of 256 rows (k = 1 clamps x beyond ±40; with k ≥ 3 the
  // chunks times 2 divide once per two fractions instead of four at k = 5 and 7, and those times
  // 20 and 200 keep to double); d = 9 and 20 for k = 1 (fewer features than a vector's floats,
  // and a last group that overlaps the one before), 9 and 10 for k = 3, 5, 7 (paired leaves).
  for (std::size_t k : {1, 3, 5, 7})
    for (std::size_t d : {std::size_t{9}, k == 1 ? std::size_t{20} : std::size_t{10}})
      for (bool wide : {false, true}) {
        Dataset data = rows_of(4 * 256 + 40, d, k, false, 90 + k + d);
        for (std::size_t r = 0; wide && r < data.n; ++r)
          for (std::size_t j = 0; j < d; ++j)
            data.X[r * d + j] *= std::array<float, 4>{1, 2, 20, 200}[r / 256 % 4];
        const std::vector<double> want = feature_sums(data, k, Activation::sigmoid);
        for (const detail::SubsetKernels* v : detail::subset_kernel_variants()) {
          const std::vector<double> got = orthogonal_sums(*v, data, k, false, true);
          expect_same_models(got, want,
                             fmt::format("{}, k = {}, d = {}, wide {}", v->name, k, d, wide));
          EXPECT_NE(got, orthogonal_sums(*v, data, k, false, false)) << "not the double path";
        }
      }
}

TEST(OrthogonalScan, FitsAreBitIdenticalForAnyThreadCount) {
  // relu k = 4 (float32 leaves) and sigmoid k = 1 and 5 (float32 paths): the fit's details,
  // printed in full, are the same with 1 and 2 threads.
  const Dataset data = rows_of(2 * 4096 + 123, 10, 4, false, 9);
  const LearnerEntry& entry = find_learner("orthogonal-subsets");
  for (const std::vector<std::string>& params :
       std::vector<std::vector<std::string>>{{"k=4", "screen_rows=0"},
                                             {"k=1", "activation=sigmoid", "screen_rows=0"},
                                             {"k=5", "activation=sigmoid", "screen_rows=0"}}) {
    std::vector<std::string> details;
    for (int threads : {1, 2}) {
      const Engine engine(EngineOptions{threads});
      FitContext context{&engine, 1, {}};
      const FitResult fit = fit_learner(entry, ParamValues::parse(entry.params, params, "test"),
                                        data.view(), context);
      details.push_back(fit.details.dump());
    }
    EXPECT_EQ(details[0], details[1]) << params[0];
  }
}

}  // namespace
}  // namespace relureg
