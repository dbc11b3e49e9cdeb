// PagePrefetcher: background read-ahead and release-behind for a sequential pass over a mapping.
#include "page_prefetcher.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22  // Linux 5.14
#endif

namespace relureg::detail {
namespace {

constexpr std::size_t kStep = std::size_t{8} << 20;       // bytes populated per call
constexpr std::size_t kMapped = std::size_t{128} << 20;   // populated ahead of the pass
constexpr std::size_t kReading = std::size_t{64} << 20;   // asked for beyond the populated part
constexpr std::size_t kBehind = std::size_t{256} << 20;   // kept behind the pass
constexpr std::size_t kRelease = std::size_t{256} << 20;  // dropped at a time

std::size_t page_floor(std::size_t bytes) {
  static const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return bytes / page * page;
}

}  // namespace

PagePrefetcher::PagePrefetcher(char* base, std::size_t length, int file, std::size_t file_start,
                               bool release_behind)
    : base_(base),
      length_(length),
      file_(file),
      file_start_(file_start),
      release_behind_(release_behind) {}

PagePrefetcher::~PagePrefetcher() {
  {
    const std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void PagePrefetcher::at(std::size_t pos) {
  if (resident_.load(std::memory_order_relaxed)) return;
  std::unique_lock lock(mutex_);
  if (pos + std::min(2 * kMapped, length_ / 2) < pass_) {  // far behind: a new pass starts
    ++generation_;
    mapped_to_ = page_floor(pos);
    pass_start_ = mapped_to_;
    pass_ = pos;
  } else if (pos > pass_) {
    pass_ = pos;
  } else {
    return;
  }
  const bool work =
      mapped_to_ < mapped_end() || (release_behind_ && pass_ >= released_ + kBehind + kRelease);
  if (!work) return;
  if (running_) {
    lock.unlock();
    wake_.notify_one();
    return;
  }
  if (worker_.joinable()) worker_.join();  // a finished worker of an earlier pass
  running_ = true;
  worker_ = std::thread([this] { run(); });
}

std::size_t PagePrefetcher::mapped_end() const {
  // A page boundary (or the end): each step starts where the last ended, and madvise refuses a
  // start inside a page. A pass reports where its rows are, rarely on a boundary; an unaligned end
  // made every later request of the pass fail, so past the first 128 MiB nothing was read ahead
  // (a gd pass over a 4 GB file not in the page cache: 2.3-2.7 s, now 1.7-2.1 s, where reading
  // the file with O_DIRECT takes 1.9-2.2 s).
  return std::min(length_, page_floor(pass_ + kMapped));
}

void PagePrefetcher::populate(std::size_t from, std::size_t to) {
  // Ask for what lies beyond first, so the disk has work while this thread waits.
  const std::size_t ahead = std::min(length_, to + kReading);
  if (ahead > to) ::madvise(base_ + to, ahead - to, MADV_WILLNEED);
  if (::madvise(base_ + from, to - from, MADV_POPULATE_READ) != 0)
    ::madvise(base_ + from, to - from, MADV_WILLNEED);  // an older kernel: read ahead only
}

void PagePrefetcher::run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    const std::size_t target = mapped_end();
    if (mapped_to_ < target) {
      const std::size_t from = mapped_to_, to = std::min(target, from + kStep);
      const std::size_t generation = generation_;
      lock.unlock();
      populate(from, to);
      lock.lock();
      if (generation == generation_) mapped_to_ = std::max(mapped_to_, to);
      if (!release_behind_ && pass_start_ == 0 && mapped_to_ >= length_)
        resident_.store(true, std::memory_order_relaxed);
      continue;
    }
    if (release_behind_ && released_ > pass_) released_ = 0;  // a new pass
    if (release_behind_ && pass_ >= released_ + kBehind + kRelease) {
      const std::size_t from = released_, to = page_floor(pass_ - kBehind);
      released_ = to;
      lock.unlock();
      ::madvise(base_ + from, to - from, MADV_DONTNEED);
      ::posix_fadvise(file_, static_cast<off_t>(file_start_ + from), static_cast<off_t>(to - from),
                      POSIX_FADV_DONTNEED);
      lock.lock();
      continue;
    }
    if (mapped_to_ >= length_) break;  // the end of the mapping: a later pass starts a new thread
    wake_.wait(lock);
  }
  running_ = false;
}

}  // namespace relureg::detail
