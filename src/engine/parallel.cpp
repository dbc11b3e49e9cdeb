// for_blocks: the OpenMP loop every parallel computation of the project runs through.
#include "relureg/parallel.hpp"

#include <omp.h>

#include <atomic>
#include <cstdint>
#include <exception>
#include <limits>
#include <mutex>
#include <vector>

namespace relureg {
namespace {

// The exception of the lowest-numbered failing block, shared by the workers of one loop.
class FirstFailure {
 public:
  // Whether block k may be skipped: an earlier block already failed.
  bool after_failure(std::size_t k) const { return k > block_.load(std::memory_order_relaxed); }
  void record(std::size_t k, std::exception_ptr error) {
    std::lock_guard lock(mutex_);
    if (k < block_.load()) block_ = k, error_ = std::move(error);
  }
  void rethrow() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  std::mutex mutex_;
  std::atomic<std::size_t> block_{std::numeric_limits<std::size_t>::max()};
  std::exception_ptr error_;
};

void run_block(const std::function<void(std::size_t)>& body, std::size_t k, FirstFailure& failure) {
  if (failure.after_failure(k)) return;
  try {
    body(k);
  } catch (...) {
    failure.record(k, std::current_exception());
  }
}

// Contiguous runs of blocks, one per thread, from which a thread that has finished its own takes
// the back half of the largest run left (until none is left): each thread still streams through
// neighbouring blocks, and a thread slowed by other work on its core no longer holds up the pass
// (AVX-512 host, n = 10^6, two threads: gd's, glmtron's and the loss's passes 4-10 % faster than
// with OpenMP's static schedule; its dynamic one, block by block, was 10-25 % slower at d <= 32).
// Each run is a pair (next, end) in one 64-bit word, so that its owner taking `next` from the
// front and a thief moving `end` from the back cannot both take one block.
class StealingRuns {
 public:
  static constexpr std::size_t kMaxBlocks = std::size_t{1} << 32;  // larger loops: dynamic
  StealingRuns(std::size_t blocks, std::size_t threads) : runs_(threads) {
    for (std::size_t t = 0; t < threads; ++t)
      runs_[t].run.store(pack(blocks * t / threads, blocks * (t + 1) / threads));
  }
  // The next block for thread t, or false when no block is left anywhere.
  bool next(std::size_t t, std::size_t& block) {
    for (;;) {
      if (take_front(t, block)) return true;
      if (!steal_into(t)) return false;
    }
  }

 private:
  static std::uint64_t pack(std::uint64_t next, std::uint64_t end) { return next << 32 | end; }
  static std::uint64_t next_of(std::uint64_t run) { return run >> 32; }
  static std::uint64_t end_of(std::uint64_t run) { return run & 0xffffffffu; }

  bool take_front(std::size_t t, std::size_t& block) {
    std::uint64_t run = runs_[t].run.load();
    while (next_of(run) < end_of(run))
      if (runs_[t].run.compare_exchange_weak(run, pack(next_of(run) + 1, end_of(run)))) {
        block = next_of(run);
        return true;
      }
    return false;
  }
  // Moves the back half of the largest run left into thread t's (empty) run; false if none is.
  bool steal_into(std::size_t t) {
    for (;;) {
      std::size_t victim = runs_.size();
      std::uint64_t largest = 0, seen = 0;
      for (std::size_t v = 0; v < runs_.size(); ++v) {
        const std::uint64_t run = runs_[v].run.load();
        if (end_of(run) - next_of(run) > largest)  // next <= end always
          victim = v, largest = end_of(run) - next_of(run), seen = run;
      }
      if (victim == runs_.size()) return false;
      const std::uint64_t split = end_of(seen) - (largest + 1) / 2;
      if (runs_[victim].run.compare_exchange_strong(seen, pack(next_of(seen), split))) {
        runs_[t].run.store(pack(split, end_of(seen)));
        return true;
      }
    }
  }

  struct alignas(64) Run {  // a cache line each: its owner updates it at every block
    std::atomic<std::uint64_t> run;
  };
  std::vector<Run> runs_;
};

}  // namespace

void for_blocks(std::size_t blocks, int threads, const std::function<void(std::size_t)>& body,
                BlockSchedule schedule) {
  if (threads <= 1 || blocks <= 1) {
    for (std::size_t k = 0; k < blocks; ++k) body(k);
    return;
  }
  FirstFailure failure;
  if (schedule == BlockSchedule::even && blocks < StealingRuns::kMaxBlocks) {
    StealingRuns runs(blocks, static_cast<std::size_t>(threads));
#pragma omp parallel num_threads(threads)
    {
      std::size_t k = 0;
      const auto t = static_cast<std::size_t>(omp_get_thread_num());
      while (runs.next(t, k)) run_block(body, k, failure);
    }
  } else {
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (std::size_t k = 0; k < blocks; ++k) run_block(body, k, failure);
  }
  failure.rethrow();
}

}  // namespace relureg
