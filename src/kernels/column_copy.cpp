// ColumnCopySource: each engine block's rows copied feature-major at a set read, then kept.
#include "relureg/column_copy.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <new>
#include <stdexcept>
#include <string>

#include "kernels/short_rows.hpp"
#include "relureg/parallel.hpp"
#include "relureg/resources.hpp"

namespace relureg {
namespace {

constexpr std::uint32_t kMaking = 0xFFFFFFFE, kMade = 0xFFFFFFFF;

constexpr std::size_t kGroupRows = 8;

std::atomic<bool> g_column_copies{true};
// The bytes the live copies of this process may fill (their pages are touched only as they are
// made): column_copy_pays counts them, so that fits run side by side (the laboratory's jobs)
// keep all their copies within the same eighth of the memory.
std::atomic<std::size_t> g_mapped_bytes{0};

std::size_t copy_floats(std::size_t rows, std::size_t d) {
  return (rows + kGroupRows - 1) / kGroupRows * kGroupRows * d;
}

// Room for `count` floats, mapped afresh (no page touched until a block's copy is written), 2 MB
// aligned and in transparent huge pages where large. Zen 5 guest, 40 MB: glibc's aligned_alloc
// with the same madvise took 14 ms to first touch (4 KB faults), a 2 MB-aligned mapping 2.6-3 ms.
struct Mapping {
  void* base;
  std::size_t length;
  float* data;  // 2 MB aligned where the mapping is large
};
Mapping map_floats(std::size_t count) {
  constexpr std::size_t kHugePage = std::size_t{2} << 20;
  const std::size_t bytes = std::max<std::size_t>(count * sizeof(float), 1);
  const bool huge = bytes >= 4 * kHugePage;
  const std::size_t span = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  const std::size_t length = huge ? span + kHugePage : bytes;
  void* base = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) throw std::bad_alloc();
  if (!huge) return {base, length, static_cast<float*>(base)};
  const auto first = reinterpret_cast<std::uintptr_t>(base);
  void* aligned = reinterpret_cast<void*>((first + kHugePage - 1) / kHugePage * kHugePage);
#if defined(MADV_HUGEPAGE)
  madvise(aligned, span, MADV_HUGEPAGE);  // hints: without them the pages stay small
#endif
  return {base, length, static_cast<float*>(aligned)};
}

}  // namespace

void ColumnCopySource::Unmap::operator()(float*) const {
  munmap(base, length);
  g_mapped_bytes.fetch_sub(length, std::memory_order_relaxed);
}

ColumnCopySource::ColumnCopySource(const DataSource& source)
    : ColumnCopySource(source, column_copy_after_reads(source.cols())) {}

ColumnCopySource::ColumnCopySource(const DataSource& source, std::size_t reads_before_copy)
    : source_(source) {
  if (reads_before_copy == 0 || reads_before_copy >= kMaking)
    throw std::invalid_argument("ColumnCopySource: reads_before_copy must be from 1 to " +
                                std::to_string(kMaking - 1));
  copy_at_ = static_cast<std::uint32_t>(reads_before_copy - 1);
  std::tie(first_, last_) = source.local_rows();
  const std::size_t local = last_ - first_;
  units_ = (local + kBlockRows - 1) / kBlockRows;
  const Mapping mapping = map_floats(copy_floats(local, source.cols()));
  copy_ = std::unique_ptr<float[], Unmap>(mapping.data, Unmap{mapping.base, mapping.length});
  g_mapped_bytes.fetch_add(mapping.length, std::memory_order_relaxed);
  state_ = std::make_unique<std::atomic<std::uint32_t>[]>(units_);
  for (std::size_t k = 0; k < units_; ++k) state_[k].store(0, std::memory_order_relaxed);
}

RowBlock ColumnCopySource::block(std::size_t begin, std::size_t count) const {
  RowBlock out = source_.block(begin, count);
  const std::size_t d = source_.cols();
  if (count == 0 || d == 0 || begin < first_ || begin + count > last_) return out;
  const std::size_t local = begin - first_, unit = local / kBlockRows;
  const std::size_t unit_begin = unit * kBlockRows;
  const std::size_t unit_end = std::min(unit_begin + kBlockRows, last_ - first_);
  // The copy holds whole groups of eight rows, zeros past the last row: a block's columns are
  // its own rows only when it starts a group and ends one or the data.
  if (local % kGroupRows != 0 || local + count > unit_end) return out;
  if (count % kGroupRows != 0 && local + count != last_ - first_) return out;
  std::atomic<std::uint32_t>& state = state_[unit];
  std::uint32_t now = state.load(std::memory_order_acquire);
  while (now < copy_at_)  // one more read without the copy
    if (state.compare_exchange_weak(now, now + 1, std::memory_order_acq_rel)) return out;
  if (now == copy_at_ && state.compare_exchange_strong(now, kMaking, std::memory_order_acq_rel)) {
    try {
      const RowBlock rows = source_.block(first_ + unit_begin, unit_end - unit_begin);
      detail::copy_short_columns(rows.X, rows.rows, d, copy_.get() + unit_begin * d);
    } catch (...) {
      state.store(copy_at_, std::memory_order_release);
      throw;
    }
    state.store(kMade, std::memory_order_release);
    now = kMade;
  }
  if (now == kMade) out.columns = copy_.get() + local * d;
  return out;
}

std::size_t ColumnCopySource::copied_blocks() const {
  std::size_t made = 0;
  for (std::size_t k = 0; k < units_; ++k)
    made += state_[k].load(std::memory_order_acquire) == kMade ? 1 : 0;
  return made;
}

std::size_t column_copy_after_reads(std::size_t d) {
  const bool avx2 =
      detail::short_rows(d) && detail::short_row_stats_isa(d) == detail::ShortRowIsa::avx2;
  return avx2 ? kColumnCopyAfterReadsAvx2 : kColumnCopyAfterReadsAvx512;
}

bool column_copy_pays(const DataSource& source) {
  const auto [first, last] = source.local_rows();
  const std::size_t d = source.cols();
  if (!g_column_copies.load(std::memory_order_relaxed) || !detail::short_rows_read_columns(d) ||
      last - first <= kBlockRows)
    return false;
  const double bytes = static_cast<double>(copy_floats(last - first, d)) * sizeof(float);
  const double mapped = static_cast<double>(g_mapped_bytes.load(std::memory_order_relaxed));
  return mapped + bytes <= static_cast<double>(available_memory_bytes()) / 8;
}

std::size_t column_copy_mapped_bytes() {
  return g_mapped_bytes.load(std::memory_order_relaxed);
}

void use_column_copies(bool enabled) {
  g_column_copies.store(enabled, std::memory_order_relaxed);
}

}  // namespace relureg
