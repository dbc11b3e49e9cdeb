// for_blocks: the OpenMP loop every parallel computation of the project runs through.
#include "relureg/parallel.hpp"

#include <atomic>
#include <exception>
#include <limits>
#include <mutex>

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

}  // namespace

void for_blocks(std::size_t blocks, int threads, const std::function<void(std::size_t)>& body,
                BlockSchedule schedule) {
  if (threads <= 1 || blocks <= 1) {
    for (std::size_t k = 0; k < blocks; ++k) body(k);
    return;
  }
  FirstFailure failure;
  if (schedule == BlockSchedule::even) {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (std::size_t k = 0; k < blocks; ++k) run_block(body, k, failure);
  } else {
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (std::size_t k = 0; k < blocks; ++k) run_block(body, k, failure);
  }
  failure.rethrow();
}

}  // namespace relureg
