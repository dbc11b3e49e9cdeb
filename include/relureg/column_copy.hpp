// ColumnCopySource: short rows also kept feature-major, so that passes need not transpose them.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

#include "relureg/dataset.hpp"

namespace relureg {

// The rows of another source whose blocks also carry the same rows feature-major in groups of
// eight (RowBlock::columns). The kernels on columns (relu_stats over rows of up to 12 features
// with AVX-512, 11 with AVX2; docs/performance.md) then read the copy instead of transposing every
// group of rows in every pass, with the same results bit for bit. The copy of an engine block is
// made at its `reads_before_copy`-th read (by the pass that reads it then) and kept; fit_learner
// makes it at column_copy_after_reads(d) (below, with what it costs and saves).
// It holds one more copy of the features (⌈n/8⌉·8·d floats, mapped, touched when made). A block
// not aligned to the copy's groups, or whose copy another thread is making, is served without it.
// The wrapped source must outlive it.
class ColumnCopySource final : public DataSource {
 public:
  // The copy made at column_copy_after_reads(source.cols()).
  explicit ColumnCopySource(const DataSource& source);
  ColumnCopySource(const DataSource& source, std::size_t reads_before_copy);

  std::size_t rows() const override { return source_.rows(); }
  std::size_t cols() const override { return source_.cols(); }
  RowBlock block(std::size_t begin, std::size_t count) const override;
  std::pair<std::size_t, std::size_t> local_rows() const override { return {first_, last_}; }
  bool weighted() const override { return source_.weighted(); }

  // The engine blocks (kBlockRows rows from the first local row) whose copy is made so far.
  std::size_t copied_blocks() const;

 private:
  struct Unmap {  // the mapping that holds the copy
    void* base;
    std::size_t length;
    void operator()(float* p) const;
  };
  const DataSource& source_;
  std::size_t first_ = 0, last_ = 0;  // the local rows the copy covers
  std::size_t units_ = 0;             // engine blocks in [first_, last_)
  std::unique_ptr<float[], Unmap> copy_;
  std::uint32_t copy_at_ = 0;  // reads_before_copy - 1: the reads of a block before its copy
  // Per engine block: the reads so far (< copy_at_), or kMaking / kMade.
  std::unique_ptr<std::atomic<std::uint32_t>[]> state_;
};

// The read of an engine block at which fit_learner makes its column copy, for rows of d features
// in the variant the passes take now (detail::short_row_stats_isa). Measured at n = 10^6, d = 10
// (Zen 5; bench/bench_column_copy.cpp): the pass that makes the copy takes 3-6 ms more than one
// over the rows (writing the copy and its fresh pages' first touch). With the AVX-512 kernels a
// pass through it saves 15-30 %, so it pays for itself 17-27 passes after it is made: made at the
// 32nd read it changes nothing in fits of up to 31 passes, added 13-16 % to one of 36 and took
// 12-23 % off one of 200. The AVX2 kernels' passes over the rows are slower and one through the
// copy saves about 40 %, so it pays back after 5-7 passes: made at the 16th read (x86-64-v3
// build), it added 5-12 % to a fit of 20 passes and took 12-18 % off one of 60 and 24-26 % off one
// of 200 (6-9 % and 17-21 % at the 32nd). So either read adds at most about a sixth to a fit.
// docs/performance.md: "the column copy made at the 16th read where the AVX2 kernels run".
inline constexpr std::size_t kColumnCopyAfterReadsAvx512 = 32;
inline constexpr std::size_t kColumnCopyAfterReadsAvx2 = 16;
std::size_t column_copy_after_reads(std::size_t d);

// Whether fit_learner reads a learner's data through a ColumnCopySource: the passes over its rows
// take kernels on columns (detail::short_rows_read_columns), it has more than one engine block,
// and the copy, with those of the process's other live ColumnCopySources, takes at most an eighth
// of the memory available now.
bool column_copy_pays(const DataSource& source);
// The bytes mapped by this process's live ColumnCopySources (what column_copy_pays counts).
std::size_t column_copy_mapped_bytes();
// Turns column_copy_pays off (every fit then reads its rows as they are) or back on: for the
// tests and benchmarks that compare the two. Not meant to change while a fit runs.
void use_column_copies(bool enabled);

}  // namespace relureg
