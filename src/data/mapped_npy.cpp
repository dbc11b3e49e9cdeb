// MappedNpySource: NPY files and shard directories mapped read-only and streamed in place.
#include "relureg/mapped.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "file_util.hpp"
#include "page_prefetcher.hpp"
#include "relureg/error.hpp"
#include "relureg/io.hpp"

namespace fs = std::filesystem;

namespace relureg {
namespace {

constexpr std::size_t kChunkRows = 4096;  // rows checked for finite values at a time

std::size_t page_size() {
  static const std::size_t size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return size;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The data files of a shard directory, in name order (labels files excluded).
std::vector<fs::path> shard_files(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (ends_with(name, ".npy") && !ends_with(name, ".labels.npy") && !name.starts_with("."))
      files.push_back(it->path());
  }
  if (ec) detail::throw_file_error(dir, "cannot read directory", ec.value());
  std::sort(files.begin(), files.end());
  if (files.empty()) throw InputError(dir.string() + ": no .npy shards in directory");
  return files;
}

// Whether none of the `count` IEEE values of `Bits` at `at` is a NaN or an infinity (all exponent
// bits set): a branch-free scan that the compiler vectorises, so that validating a mapped file's
// rows costs about a read of them; the row and column of a bad value are found afterwards.
template <class Bits, Bits kExponent>
bool all_finite(const char* at, std::size_t count) {
  Bits bad = 0;
  for (std::size_t i = 0; i < count; ++i) {
    Bits bits;
    std::memcpy(&bits, at + i * sizeof bits, sizeof bits);
    bad |= static_cast<Bits>((bits & kExponent) == kExponent);
  }
  return bad == 0;
}
constexpr auto all_finite_floats = all_finite<std::uint32_t, 0x7f800000u>;
constexpr auto all_finite_doubles = all_finite<std::uint64_t, 0x7ff0000000000000u>;

// A float64 value as float32, or the read_npy error when it does not fit.
bool fits_float(double v) {
  return std::isfinite(v) && std::abs(v) < 0x1.ffffffp+127;
}

}  // namespace

// Bytes [offset, offset + length) of a file, mapped read-only from the page below `offset`.
struct MappedNpySource::Mapping {
  void* base = nullptr;
  std::size_t length = 0;
  const char* data = nullptr;  // the byte at `offset`

  Mapping(const fs::path& path, std::size_t offset, std::size_t bytes) {
    if (bytes == 0) return;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) detail::throw_file_error(path, "cannot open file", errno);
    const std::size_t start = offset / page_size() * page_size();
    length = offset - start + bytes;
    base = ::mmap(nullptr, length, PROT_READ, MAP_SHARED, fd, static_cast<off_t>(start));
    const int err = errno;
    if (base == MAP_FAILED) {
      ::close(fd);
      base = nullptr;
      detail::throw_file_error(path, "cannot map file", err);
    }
    file = fd;
    ::madvise(base, length, MADV_SEQUENTIAL);  // read ahead; pages behind may be dropped
    const auto memory = static_cast<std::size_t>(::sysconf(_SC_PHYS_PAGES)) * page_size();
    const bool release_behind = length > memory / 2;
    if (length >= kPrefetchFrom)
      prefetcher = std::make_unique<detail::PagePrefetcher>(static_cast<char*>(base), length, file,
                                                            start, release_behind);
    if (!release_behind) {  // the descriptor is needed only to drop pages (many shards: few fds)
      ::close(file);
      file = -1;
    }
    data = static_cast<const char*>(base) + (offset - start);
  }
  ~Mapping() {
    prefetcher.reset();  // its thread stops before the pages go
    if (base != nullptr) ::munmap(base, length);
    if (file >= 0) ::close(file);
  }

  // Keeps the bytes after `at` being read ahead of the pass: a large mapping by its prefetcher's
  // thread (page_prefetcher.hpp), a small one by a 64 MiB MADV_WILLNEED window; a new pass (a
  // jump back) starts a new window.
  void read_ahead(const char* at) const {
    const auto pos = static_cast<std::size_t>(at - static_cast<const char*>(base));
    if (prefetcher) return prefetcher->at(pos);
    constexpr std::size_t kAhead = std::size_t{64} << 20;
    std::size_t until = advised.load(std::memory_order_relaxed);
    // Enough is asked for when the window reaches half a window ahead, or the end (without the
    // end case every block of the last half window asked again for the whole rest: one page-cache
    // lookup per page, per block, which cost a pass over a cached 40 MB file 4 times its reading).
    if (std::min(length, pos + kAhead / 2) <= until && pos + 2 * kAhead >= until) return;
    const std::size_t to = std::min(length, pos + kAhead);
    if (!advised.compare_exchange_strong(until, to, std::memory_order_relaxed)) return;
    // Continue the window already asked for, or start one at `pos`.
    const std::size_t from = (pos <= until && until < to ? until : pos) / page_size() * page_size();
    if (to > from) ::madvise(static_cast<char*>(base) + from, to - from, MADV_WILLNEED);
  }
  // Mappings from this size on are read ahead by a thread of their own.
  static constexpr std::size_t kPrefetchFrom = std::size_t{64} << 20;
  int file = -1;                                // kept open for posix_fadvise
  mutable std::atomic<std::size_t> advised{0};  // bytes from `base` asked for so far
  std::unique_ptr<detail::PagePrefetcher> prefetcher;
};

struct MappedNpySource::Shard {
  fs::path path, labels_path;
  std::size_t start = 0, rows = 0;  // global index of the shard's first row; its rows
  std::size_t x_item = 4, y_item = 8;
  std::size_t mapped_first = 0;  // global index of the first mapped row
  std::unique_ptr<Mapping> x, y;
  bool x_in_place = false, y_in_place = false;  // float32 features / float64 labels, aligned
};

std::pair<std::size_t, std::size_t> rank_rows(std::size_t n, int rank, int size,
                                              std::size_t block_rows) {
  const std::size_t blocks = (n + block_rows - 1) / block_rows;
  const auto edge = [&](int r) {
    return std::min(
        n, blocks * static_cast<std::size_t>(r) / static_cast<std::size_t>(size) * block_rows);
  };
  return {edge(rank), edge(rank + 1)};
}

bool is_mappable(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return true;
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".npy";
}

MappedNpySource::MappedNpySource(const fs::path& path, const MappedOptions& options) {
  std::error_code ec;
  const bool directory = fs::is_directory(path, ec);
  if (directory && !options.labels.empty())
    throw InputError(path.string() +
                     ": --labels applies to one file; a shard directory holds "
                     "<stem>.labels.npy next to each shard");
  const std::vector<fs::path> files = directory ? shard_files(path) : std::vector<fs::path>{path};
  std::vector<detail::NpyLayout> layouts;
  for (std::size_t i = 0; i < files.size(); ++i) {
    Shard shard;
    shard.path = files[i];
    const detail::NpyLayout layout = detail::read_npy_layout(files[i], false);
    if (i == 0) d_ = layout.cols;
    if (layout.cols != d_)
      throw InputError(files[i].string() + ": " + std::to_string(layout.cols) + " columns, but " +
                       files[0].string() + " has " + std::to_string(d_));
    shard.rows = layout.rows;
    shard.start = n_;
    shard.x_item = layout.itemsize;
    n_ += layout.rows;
    shard.labels_path =
        !directory && !options.labels.empty() ? options.labels : labels_path_for(files[i]);
    const bool has_labels = fs::exists(shard.labels_path, ec);
    if (!has_labels && !options.labels.empty())
      detail::throw_file_error(shard.labels_path, "cannot open file", ENOENT);
    if (!has_labels && (options.require_labels || (directory && labelled_)))
      throw InputError(files[i].string() +
                       ": NPY features need a labels file: pass --labels FILE (looked for " +
                       shard.labels_path.string() + ")");
    if (i == 0) labelled_ = has_labels;
    if (has_labels && !labelled_)
      throw InputError(files[i].string() + ": has labels, but " + files[0].string() +
                       " has none (every shard needs <stem>.labels.npy, or none)");
    layouts.push_back(layout);
    shards_.push_back(std::move(shard));
  }
  if (n_ == 0) throw InputError(path.string() + ": no data rows");
  std::tie(first_, last_) = rank_rows(n_, options.rank, std::max(options.ranks, 1));
  // Map the rows of this process only; labels first (a wrong labels file fails early).
  for (std::size_t i = 0; i < shards_.size(); ++i) {
    Shard& shard = shards_[i];
    std::size_t label_offset = 0;
    if (labelled_) {
      const detail::NpyLayout labels = detail::read_npy_layout(shard.labels_path, true);
      if (labels.rows != shard.rows)
        throw InputError(shard.labels_path.string() + ": " + std::to_string(labels.rows) +
                         " labels for " + std::to_string(shard.rows) + " rows in " +
                         shard.path.string());
      shard.y_item = labels.itemsize;
      label_offset = labels.offset;
    }
    const std::size_t lo = std::clamp(first_, shard.start, shard.start + shard.rows);
    const std::size_t hi = std::clamp(last_, shard.start, shard.start + shard.rows);
    shard.mapped_first = lo;
    if (lo == hi) continue;
    const std::size_t row_bytes = d_ * shard.x_item;
    const std::size_t x_offset = layouts[i].offset + (lo - shard.start) * row_bytes;
    shard.x = std::make_unique<Mapping>(shard.path, x_offset, (hi - lo) * row_bytes);
    shard.x_in_place = shard.x_item == sizeof(float) && x_offset % sizeof(float) == 0;
    if (labelled_) {
      const std::size_t y_offset = label_offset + (lo - shard.start) * shard.y_item;
      shard.y = std::make_unique<Mapping>(shard.labels_path, y_offset, (hi - lo) * shard.y_item);
      shard.y_in_place = shard.y_item == sizeof(double) && y_offset % sizeof(double) == 0;
    }
  }
  const std::size_t chunks = (last_ - first_ + kChunkRows - 1) / kChunkRows + 1;
  checked_ = std::make_unique<std::atomic<bool>[]>(chunks);
  for (std::size_t c = 0; c < chunks; ++c) checked_[c].store(false, std::memory_order_relaxed);
}

MappedNpySource::~MappedNpySource() = default;

std::size_t MappedNpySource::shards() const {
  return shards_.size();
}

const MappedNpySource::Shard& MappedNpySource::shard_of(std::size_t row) const {
  const auto it = std::upper_bound(shards_.begin(), shards_.end(), row,
                                   [](std::size_t r, const Shard& s) { return r < s.start; });
  // Skip empty shards: the last shard starting at or before `row` that contains it.
  auto found = std::prev(it);
  while (found->rows == 0 || row >= found->start + found->rows) ++found;
  return *found;
}

void MappedNpySource::check_shard_rows(const Shard& shard, std::size_t begin,
                                       std::size_t end) const {
  const auto bad = [&](const fs::path& file, std::size_t index, std::size_t cols,
                       const char* what) {
    throw InputError(file.string() + ": row " + std::to_string(index / cols + 1) + ", column " +
                     std::to_string(index % cols + 1) + ": " + what);
  };
  const std::size_t first = (begin - shard.start) * d_, count = (end - begin) * d_;
  const char* x = shard.x->data + (begin - shard.mapped_first) * d_ * shard.x_item;
  const bool x_ok = shard.x_item == sizeof(float) && all_finite_floats(x, count);
  for (std::size_t i = 0; i < count && !x_ok; ++i) {
    if (shard.x_item == sizeof(float)) {
      float v;
      std::memcpy(&v, x + i * sizeof v, sizeof v);
      if (!std::isfinite(v)) bad(shard.path, first + i, d_, "value is not finite");
    } else {
      double v;
      std::memcpy(&v, x + i * sizeof v, sizeof v);
      if (!std::isfinite(v)) bad(shard.path, first + i, d_, "value is not finite");
      if (!fits_float(v)) bad(shard.path, first + i, d_, "value is out of float32 range");
    }
  }
  if (!labelled_) return;
  const char* y = shard.y->data + (begin - shard.mapped_first) * shard.y_item;
  if (shard.y_item == sizeof(double) && all_finite_doubles(y, end - begin)) return;
  for (std::size_t i = 0; i < end - begin; ++i) {
    double v;
    if (shard.y_item == sizeof(double)) {
      std::memcpy(&v, y + i * sizeof v, sizeof v);
    } else {
      float f;
      std::memcpy(&f, y + i * sizeof f, sizeof f);
      v = f;
    }
    if (!std::isfinite(v))
      bad(shard.labels_path, begin - shard.start + i, 1, "value is not finite");
  }
}

void MappedNpySource::check_rows(std::size_t begin, std::size_t count) const {
  const std::size_t base = first_ / kChunkRows;
  for (std::size_t c = begin / kChunkRows; c * kChunkRows < begin + count; ++c) {
    std::atomic<bool>& done = checked_[c - base];
    if (done.load(std::memory_order_acquire)) continue;
    const std::size_t lo = std::max(c * kChunkRows, first_);
    const std::size_t hi = std::min((c + 1) * kChunkRows, last_);
    for (std::size_t row = lo; row < hi;) {
      const Shard& shard = shard_of(row);
      const std::size_t stop = std::min(hi, shard.start + shard.rows);
      check_shard_rows(shard, row, stop);
      row = stop;
    }
    done.store(true, std::memory_order_release);
  }
}

RowBlock MappedNpySource::block(std::size_t begin, std::size_t count) const {
  if (begin < first_ || begin > last_ || count > last_ - begin)
    throw std::out_of_range("MappedNpySource::block: rows [" + std::to_string(begin) + ", +" +
                            std::to_string(count) + ") outside this process's rows [" +
                            std::to_string(first_) + ", " + std::to_string(last_) + ")");
  RowBlock out;
  out.rows = count;
  out.d = d_;
  out.first_row = begin;
  if (count == 0) return out;
  check_rows(begin, count);
  const Shard& first = shard_of(begin);
  first.x->read_ahead(first.x->data + (begin - first.mapped_first) * d_ * first.x_item);
  if (labelled_) first.y->read_ahead(first.y->data + (begin - first.mapped_first) * first.y_item);
  const bool one_shard = begin + count <= first.start + first.rows;
  if (one_shard && first.x_in_place && (!labelled_ || first.y_in_place)) {
    out.X = reinterpret_cast<const float*>(first.x->data +
                                           (begin - first.mapped_first) * d_ * sizeof(float));
    if (labelled_)
      out.y = reinterpret_cast<const double*>(first.y->data +
                                              (begin - first.mapped_first) * sizeof(double));
    return out;
  }
  // Converted (or gathered across shards) into this thread's buffers, 64-byte aligned like the
  // in-memory features.
  thread_local std::vector<float> x_buffer;
  thread_local std::vector<double> y_buffer;
  x_buffer.resize(count * d_ + 16);
  float* X = x_buffer.data();
  while (reinterpret_cast<std::uintptr_t>(X) % 64 != 0) ++X;
  if (labelled_) y_buffer.resize(count);
  for (std::size_t row = begin; row < begin + count;) {
    const Shard& shard = shard_of(row);
    const std::size_t stop = std::min(begin + count, shard.start + shard.rows);
    const std::size_t values = (stop - row) * d_;
    const char* x = shard.x->data + (row - shard.mapped_first) * d_ * shard.x_item;
    float* to = X + (row - begin) * d_;
    if (shard.x_item == sizeof(float)) {
      std::memcpy(to, x, values * sizeof(float));
    } else {
      for (std::size_t i = 0; i < values; ++i) {
        double v;
        std::memcpy(&v, x + i * sizeof v, sizeof v);
        to[i] = static_cast<float>(v);
      }
    }
    if (labelled_) {
      const char* y = shard.y->data + (row - shard.mapped_first) * shard.y_item;
      for (std::size_t i = 0; i < stop - row; ++i) {
        if (shard.y_item == sizeof(double)) {
          std::memcpy(&y_buffer[row - begin + i], y + i * sizeof(double), sizeof(double));
        } else {
          float f;
          std::memcpy(&f, y + i * sizeof f, sizeof f);
          y_buffer[row - begin + i] = f;
        }
      }
    }
    row = stop;
  }
  out.X = X;
  out.y = labelled_ ? y_buffer.data() : nullptr;
  return out;
}

}  // namespace relureg
