// PagePrefetcher: reads a read-only file mapping ahead of a sequential pass on its own thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

namespace relureg::detail {

// Keeps the bytes ahead of a pass over a mapping resident and mapped, so that the threads that
// compute never wait on a page fault: a background thread asks the kernel to read a window ahead
// (MADV_WILLNEED, many requests in flight) and then maps the pages just ahead of the pass
// (MADV_POPULATE_READ, which waits for them). For a mapping too large to stay in the page cache it
// also unmaps and drops what lies far behind the pass (MADV_DONTNEED, POSIX_FADV_DONTNEED), in
// large steps, so the kernel never has to reclaim mapped pages. The thread starts on demand and
// ends when it reaches the end of the mapping; a jump back (a new pass) starts over. A mapping that
// is not released behind stays mapped once a pass has populated all of it: later passes run
// without the thread (on a 2-core machine it took a core's share from the pass's threads).
class PagePrefetcher {
 public:
  // `file` is a descriptor of the mapped file (used only when `release_behind`), `file_start` the
  // file offset of `base`.
  PagePrefetcher(char* base, std::size_t length, int file, std::size_t file_start,
                 bool release_behind);
  ~PagePrefetcher();
  PagePrefetcher(const PagePrefetcher&) = delete;
  PagePrefetcher& operator=(const PagePrefetcher&) = delete;

  // The pass is reading at byte `pos` of the mapping (any thread; cheap when nothing is to do).
  void at(std::size_t pos);
  // Whether every page is mapped for good (a pass populated all of a mapping not released behind).
  bool resident() const { return resident_.load(std::memory_order_relaxed); }

 private:
  void run();
  void populate(std::size_t from, std::size_t to);
  std::size_t mapped_end() const;  // where the populated part should reach (mutex_ held)

  char* base_;
  std::size_t length_;
  int file_;
  std::size_t file_start_;
  bool release_behind_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread worker_;
  bool running_ = false, stop_ = false;
  std::size_t pass_ = 0;               // byte the pass last reported (the furthest of this pass)
  std::size_t mapped_to_ = 0;          // bytes [pass start, mapped_to_) populated
  std::size_t released_ = 0;           // bytes [0, released_) dropped behind the pass
  std::size_t generation_ = 0;         // bumped when a new pass starts
  std::size_t pass_start_ = 0;         // where the current pass started
  std::atomic<bool> resident_{false};  // all mapped, nothing released: nothing left to do
};

}  // namespace relureg::detail
