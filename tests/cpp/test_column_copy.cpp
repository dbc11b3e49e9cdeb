// ColumnCopySource: the copy's layout, and passes and fits through it equal to those over the rows.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "kernels/short_rows.hpp"
#include "relureg/column_copy.hpp"
#include "relureg/family.hpp"
#include "relureg/kernels.hpp"
#include "relureg/learner.hpp"
#include "relureg/sources.hpp"
#include "test_support.hpp"

namespace relureg {
namespace {

// Bitwise equality (so that -0 and +0, or two NaNs, are told apart as a bit-for-bit claim needs).
bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

void expect_same_stats(const ReluStats& a, const ReluStats& b, const std::string& what) {
  EXPECT_TRUE(same_bits(a.loss, b.loss)) << what << ": loss " << a.loss << " / " << b.loss;
  EXPECT_TRUE(same_bits(a.surrogate, b.surrogate) ||
              (std::isnan(a.surrogate) && std::isnan(b.surrogate)))
      << what;
  EXPECT_TRUE(same_bits(a.active, b.active)) << what;
  ASSERT_EQ(a.grad_square.size(), b.grad_square.size()) << what;
  ASSERT_EQ(a.grad_surrogate.size(), b.grad_surrogate.size()) << what;
  for (std::size_t k = 0; k < a.grad_square.size(); ++k)
    EXPECT_TRUE(same_bits(a.grad_square[k], b.grad_square[k]))
        << what << ": square-loss gradient entry " << k;
  for (std::size_t k = 0; k < a.grad_surrogate.size(); ++k)
    EXPECT_TRUE(same_bits(a.grad_surrogate[k], b.grad_surrogate[k]))
        << what << ": surrogate gradient entry " << k;
}

std::vector<double> direction(std::size_t d) {
  std::vector<double> w(d);
  for (std::size_t j = 0; j < d; ++j) w[j] = std::cos(0.3 + 1.1 * j) / std::sqrt(double(d));
  return w;
}

TEST(ColumnCopy, HoldsEachGroupOfEightRowsFeatureMajorPaddedWithZeros) {
  // Two engine blocks and 13 rows: the last group has 5 rows and 3 of zeros.
  const std::size_t d = 10, n = 2 * kBlockRows + 13;
  const Dataset data = testing::GaussianDraws(11).noise_rows(n, d);
  const DatasetView view = data.view();
  for (const detail::ShortRowIsa isa : detail::runnable_short_row_isas()) {
    detail::use_short_row_isa(isa);  // the AVX-512 variant copies by its own transposition
    const ColumnCopySource copy(view, 1);
    EXPECT_EQ(copy.copied_blocks(), 0u);
    const RowBlock last = copy.block(2 * kBlockRows, 13);
    ASSERT_NE(last.columns, nullptr);
    EXPECT_EQ(copy.copied_blocks(), 1u);
    for (std::size_t r = 0; r < 16; ++r)
      for (std::size_t l = 0; l < d; ++l) {
        const float expected = r < 13 ? data.X[(2 * kBlockRows + r) * d + l] : 0.0f;
        EXPECT_EQ(last.columns[8 * (d * (r / 8) + l) + r % 8], expected)
            << detail::short_row_isa_name(isa) << " row " << r << " feature " << l;
      }
    // A block inside the first engine block, starting at its third group.
    const RowBlock inside = copy.block(16, 40);
    ASSERT_NE(inside.columns, nullptr);
    for (std::size_t r = 0; r < 40; ++r)
      for (std::size_t l = 0; l < d; ++l)
        ASSERT_EQ(inside.columns[8 * (d * (r / 8) + l) + r % 8], data.X[(16 + r) * d + l])
            << detail::short_row_isa_name(isa) << " row " << r << " feature " << l;
    EXPECT_EQ(copy.copied_blocks(), 2u);
  }
  detail::use_default_short_row_isas();
}

TEST(ColumnCopy, MakesABlocksCopyAtItsNthRead) {
  const std::size_t d = 3, n = 2 * kBlockRows;
  const Dataset data = testing::GaussianDraws(13).noise_rows(n, d);
  const DatasetView view = data.view();
  const ColumnCopySource copy(view, 3);
  EXPECT_EQ(copy.block(0, kBlockRows).columns, nullptr);
  EXPECT_EQ(copy.block(0, 8).columns, nullptr);  // any read of the block counts
  EXPECT_EQ(copy.block(kBlockRows, kBlockRows).columns, nullptr);
  EXPECT_EQ(copy.copied_blocks(), 0u);
  EXPECT_NE(copy.block(0, kBlockRows).columns, nullptr);
  EXPECT_EQ(copy.copied_blocks(), 1u);
  EXPECT_NE(copy.block(0, kBlockRows).columns, nullptr);
  EXPECT_EQ(copy.block(kBlockRows, kBlockRows).columns, nullptr);
  for (const std::size_t reads : {std::size_t{0}, std::size_t{4294967294}}) {
    try {
      const ColumnCopySource bad(view, reads);
      ADD_FAILURE() << reads << " reads accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_STREQ(e.what(), "ColumnCopySource: reads_before_copy must be from 1 to 4294967293");
    }
  }
  const ColumnCopySource longest(view, 4294967293);  // the largest count it takes
  EXPECT_EQ(longest.block(0, kBlockRows).columns, nullptr);
}

TEST(ColumnCopy, IsMadeAtThe32ndReadWithAvx512KernelsAndThe16thWithAvx2Ones) {
  const std::size_t d = 10, n = 2 * kBlockRows;
  const Dataset data = testing::GaussianDraws(14).noise_rows(n, d);
  const DatasetView view = data.view();
  std::size_t variants = 0;
  for (const detail::ShortRowIsa isa : detail::runnable_short_row_isas()) {
    detail::use_short_row_isa(isa);
    const std::size_t expected = isa == detail::ShortRowIsa::avx2 ? 16 : 32;
    const char* name = detail::short_row_isa_name(isa);
    EXPECT_EQ(column_copy_after_reads(d), expected) << name;
    if (isa == detail::ShortRowIsa::generic) continue;  // no kernels on columns: no copy made
    ++variants;
    const ColumnCopySource copy(view);
    for (std::size_t k = 1; k < expected; ++k)
      ASSERT_EQ(copy.block(0, kBlockRows).columns, nullptr) << name << " read " << k;
    EXPECT_NE(copy.block(0, kBlockRows).columns, nullptr) << name;
    EXPECT_EQ(copy.copied_blocks(), 1u) << name;
  }
  detail::use_default_short_row_isas();
  // Every x86-64 CPU CI runs on has AVX2 at least.
  EXPECT_EQ(variants > 0, detail::short_row_isas_compiled());
}

TEST(ColumnCopy, CountsTheBytesItMapsUntilItGoes) {
  // 10^6 rows of 10 features: 40 MB of copy, mapped in 2 MB pages with one more for alignment.
  const std::size_t d = 10, n = 1000000;
  const std::vector<float> x(n * d, 1.0f);
  const DatasetView view(x.data(), nullptr, n, d);
  const std::size_t before = column_copy_mapped_bytes();
  {
    const ColumnCopySource copy(view);
    EXPECT_EQ(column_copy_mapped_bytes() - before, std::size_t{42} << 20);
  }
  EXPECT_EQ(column_copy_mapped_bytes(), before);
}

TEST(ColumnCopy, LeavesOutBlocksThatDoNotStartAndEndGroups) {
  const std::size_t d = 6, n = kBlockRows + 100;
  const Dataset data = testing::GaussianDraws(12).noise_rows(n, d);
  const DatasetView view = data.view();
  const ColumnCopySource copy(view, 1);
  EXPECT_EQ(copy.block(3, 16).columns, nullptr);               // starts inside a group
  EXPECT_EQ(copy.block(8, 13).columns, nullptr);               // ends inside a group that goes on
  EXPECT_EQ(copy.block(kBlockRows - 8, 16).columns, nullptr);  // across two engine blocks
  EXPECT_EQ(copy.copied_blocks(), 0u);
  EXPECT_NE(copy.block(kBlockRows + 96, 4).columns, nullptr);  // ends the data
  // Its rows are the source's.
  const RowBlock b = copy.block(3, 16);
  EXPECT_EQ(b.X, data.X.data() + 3 * d);
  EXPECT_EQ(b.y, data.y.data() + 3);
  EXPECT_EQ(b.rows, 16u);
}

TEST(ColumnCopy, PassesThroughTheCopyEqualThoseOverTheRowsBitForBit) {
  // Every d the kernels on columns take, both thread counts, every variant this CPU runs; the
  // first pass reads the rows, the second makes the copy, the third reads it. Weighted rows and a
  // slice (whose blocks do not start groups, so they go without the copy) too. z in double and in
  // float32 where allowed (from 9 features: the float z is the same with and without the copy).
  const Engine one(EngineOptions{1}), two(EngineOptions{2});
  for (const detail::ShortRowIsa isa : detail::runnable_short_row_isas()) {
    detail::use_short_row_isa(isa);
    for (std::size_t d = 1; d <= detail::kAvx512CopyColumnFeatures; ++d) {
      const std::size_t n = 3 * kBlockRows + 21;
      const Dataset data = testing::GaussianDraws(100 + unsigned(d)).noise_rows(n, d);
      const DatasetView view = data.view();
      const std::vector<double> w = direction(d);
      const std::string what =
          std::string(detail::short_row_isa_name(isa)) + " d " + std::to_string(d);
      for (const Engine* engine : {&one, &two}) {
        const ColumnCopySource copy(view, 2);
        for (int pass = 0; pass < 3; ++pass) {
          for (const ReluGradients g :
               {ReluGradients::both, ReluGradients::square, ReluGradients::surrogate})
            for (const bool bias : {false, true})
              for (const RowDot dot : {RowDot::exact, RowDot::float32_allowed})
                expect_same_stats(relu_stats(*engine, copy, w, -0.2, bias, 1.0, g, dot),
                                  relu_stats(*engine, view, w, -0.2, bias, 1.0, g, dot),
                                  what + (dot == RowDot::exact ? "" : " float z"));
        }
        EXPECT_EQ(copy.copied_blocks(), 4u) << what;
        EXPECT_TRUE(same_bits(relu_loss(*engine, copy, w, 0.1), relu_loss(*engine, view, w, 0.1)))
            << what;
        std::vector<double> through(n), over(n);
        relu_predict(*engine, copy, w, 0.1, through);
        relu_predict(*engine, view, w, 0.1, over);
        for (std::size_t i = 0; i < n; ++i)
          ASSERT_TRUE(same_bits(through[i], over[i])) << what << " row " << i;
        const ScaleFit a = refit_scale(*engine, copy, w, 10), b = refit_scale(*engine, view, w, 10);
        EXPECT_TRUE(same_bits(a.scale, b.scale) && same_bits(a.loss, b.loss)) << what;

        std::vector<double> weights(n);
        for (std::size_t i = 0; i < n; ++i) weights[i] = (i % 7) * 0.5;
        const WeightedSource weighted_copy(copy, weights), weighted_view(view, weights);
        for (const ReluGradients g :
             {ReluGradients::both, ReluGradients::square, ReluGradients::surrogate})
          for (const RowDot dot : {RowDot::exact, RowDot::float32_allowed})
            expect_same_stats(relu_stats(*engine, weighted_copy, w, 0.3, true, 1.0, g, dot),
                              relu_stats(*engine, weighted_view, w, 0.3, true, 1.0, g, dot),
                              what + " weighted");
        // ReLU'(0) = 0 takes the general slope (short_rows_body.hpp's StatsTerms).
        expect_same_stats(relu_stats(*engine, copy, w, 0.3, true, 0.0, ReluGradients::square),
                          relu_stats(*engine, view, w, 0.3, true, 0.0, ReluGradients::square),
                          what + " ReLU'(0) = 0");
        const SliceSource slice_copy(copy, 5, n), slice_view(view, 5, n);
        expect_same_stats(relu_stats(*engine, slice_copy, w, 0.3, true),
                          relu_stats(*engine, slice_view, w, 0.3, true), what + " slice");
        for (const ReluGradients g : {ReluGradients::square, ReluGradients::surrogate})
          expect_same_stats(
              relu_stats(*engine, slice_copy, w, 0.3, true, 1.0, g, RowDot::float32_allowed),
              relu_stats(*engine, slice_view, w, 0.3, true, 1.0, g, RowDot::float32_allowed),
              what + " slice, float z");
      }
    }
  }
  detail::use_default_short_row_isas();
}

// A's rows and labels with B's column copy: shows which of the two a pass reads.
class MixedSource final : public DataSource {
 public:
  MixedSource(const DataSource& rows, const DataSource& columns) : rows_(rows), columns_(columns) {}
  std::size_t rows() const override { return rows_.rows(); }
  std::size_t cols() const override { return rows_.cols(); }
  RowBlock block(std::size_t begin, std::size_t count) const override {
    RowBlock b = rows_.block(begin, count);
    b.columns = columns_.block(begin, count).columns;
    return b;
  }

 private:
  const DataSource& rows_;
  const DataSource& columns_;
};

TEST(ColumnCopy, PassesReadTheCopyWhereTheKernelsTakeColumns) {
  const std::size_t d = 10, n = 2 * kBlockRows;
  const Dataset a = testing::GaussianDraws(21).noise_rows(n, d);
  const Dataset b = testing::GaussianDraws(22).noise_rows(n, d);
  const DatasetView view_a = a.view(), view_b = b.view();
  const ColumnCopySource copy_b(view_b, 1);
  const MixedSource mixed(view_a, copy_b);
  const Engine engine(EngineOptions{2});
  const std::vector<double> w = direction(d);
  const bool reads = detail::short_rows_read_columns(d);
  const RelabelledSource b_features_a_labels(view_b, a.y);  // what the copy's columns are
  const ReluStats expected = reads ? relu_stats(engine, b_features_a_labels, w, 0.1, true)
                                   : relu_stats(engine, view_a, w, 0.1, true);
  expect_same_stats(relu_stats(engine, mixed, w, 0.1, true), expected, "mixed");
  EXPECT_EQ(copy_b.copied_blocks(), 2u);
  // Different data give a different loss, so the check above can fail.
  EXPECT_NE(relu_loss(engine, view_a, w, 0.1), relu_loss(engine, view_b, w, 0.1));
}

TEST(ColumnCopy, FitsTakeItWhereTheKernelsReadColumnsAndGiveTheSameModel) {
  const Engine engine(EngineOptions{2});
  const Instance instance = generate_instance("label-noise", 20000, 10, 3, {}, engine);
  const DatasetView view = instance.data.view();
  EXPECT_EQ(column_copy_pays(view), detail::short_rows_read_columns(10));
  // One engine block only: nothing to gain over one pass.
  EXPECT_FALSE(column_copy_pays(view.slice(0, kBlockRows)));
  // Rows the kernels take in row-major pieces.
  const Instance wide = generate_instance("label-noise", 20000, 40, 3, {}, engine);
  EXPECT_FALSE(column_copy_pays(wide.data.view()));

  // Fits long enough that the copy is made (at the 32nd read, or the 16th with the AVX2 kernels)
  // and then read for 16 passes or more, in each variant with kernels on columns.
  for (const detail::ShortRowIsa isa : detail::runnable_short_row_isas()) {
    if (isa == detail::ShortRowIsa::generic) continue;
    detail::use_short_row_isa(isa);
    EXPECT_TRUE(column_copy_pays(view));
    for (const std::string learner : {"gd", "glmtron"}) {
      const std::string name = learner + " (" + detail::short_row_isa_name(isa) + ")";
      const LearnerEntry& entry = find_learner(learner);
      const ParamValues values =
          ParamValues::parse(entry.params, {"tol=0", "max_passes=48"}, learner);
      const FitContext context{&engine, 7, {}};
      use_column_copies(false);
      const FitResult rows = fit_learner(entry, values, view, context);
      use_column_copies(true);
      const FitResult columns = fit_learner(entry, values, view, context);
      const ReluModel& a = rows.relu();
      const ReluModel& b = columns.relu();
      ASSERT_EQ(a.w.size(), 10u);
      for (std::size_t j = 0; j < 10; ++j) EXPECT_TRUE(same_bits(a.w[j], b.w[j])) << name << j;
      EXPECT_EQ(rows.passes, columns.passes) << name;
      EXPECT_GE(columns.passes, column_copy_after_reads(10) + 16) << name;
      ASSERT_EQ(rows.loss_history.size(), columns.loss_history.size()) << name;
      for (std::size_t k = 0; k < rows.loss_history.size(); ++k)
        EXPECT_TRUE(same_bits(rows.loss_history[k], columns.loss_history[k])) << name << k;
      // The fit reaches the class's known opt (its training loss within 5 % of it).
      EXPECT_LT(columns.loss_history.back(), 1.05 * class_opt(instance.truth, false).opt) << name;
    }
  }
  detail::use_default_short_row_isas();
}

}  // namespace
}  // namespace relureg
