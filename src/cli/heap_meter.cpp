// Replaces the binary's global operator new/delete to count live heap bytes per thread.
#include "heap_meter.hpp"

#include <malloc.h>

#include <cstdlib>
#include <new>

namespace relureg::cli {
namespace {

struct ThreadHeap {
  std::int64_t current = 0;  // bytes allocated minus bytes freed by this thread
  std::int64_t peak = 0;
};
thread_local constinit ThreadHeap thread_heap;

void* allocate(std::size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  thread_heap.current += static_cast<std::int64_t>(malloc_usable_size(p));
  if (thread_heap.current > thread_heap.peak) thread_heap.peak = thread_heap.current;
  return p;
}

void release(void* p) noexcept {
  if (p == nullptr) return;
  thread_heap.current -= static_cast<std::int64_t>(malloc_usable_size(p));
  std::free(p);
}

class ThreadHeapMeter final : public tradeoff::MemoryMeter {
 public:
  std::int64_t current_bytes() const override { return thread_heap.current; }
  void reset_peak() override { thread_heap.peak = thread_heap.current; }
  std::int64_t peak_bytes() const override { return thread_heap.peak; }
};

}  // namespace

std::shared_ptr<tradeoff::MemoryMeter> thread_heap_meter() {
  return std::make_shared<ThreadHeapMeter>();
}

}  // namespace relureg::cli

// The replaceable allocation functions ([new.delete.single], [new.delete.array]); the nothrow and
// sized forms of the standard library forward to these. Aligned forms are not counted.
void* operator new(std::size_t size) {
  return relureg::cli::allocate(size);
}
void* operator new[](std::size_t size) {
  return relureg::cli::allocate(size);
}
void operator delete(void* p) noexcept {
  relureg::cli::release(p);
}
void operator delete[](void* p) noexcept {
  relureg::cli::release(p);
}
void operator delete(void* p, std::size_t) noexcept {
  relureg::cli::release(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  relureg::cli::release(p);
}
