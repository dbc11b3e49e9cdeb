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

// Null when the memory is not there (the nothrow forms); allocate throws instead.
void* allocate_or_null(std::size_t size) noexcept {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) return nullptr;
  thread_heap.current += static_cast<std::int64_t>(malloc_usable_size(p));
  if (thread_heap.current > thread_heap.peak) thread_heap.peak = thread_heap.current;
  return p;
}

void* allocate(std::size_t size) {
  void* p = allocate_or_null(size);
  if (p == nullptr) throw std::bad_alloc();
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

// The replaceable allocation functions ([new.delete.single], [new.delete.array]). The nothrow forms
// are replaced too: libstdc++'s own forward to the plain ones, but AddressSanitizer's runtime
// defines them itself, and memory from its nothrow new freed here was an alloc-dealloc mismatch
// (std::stable_sort's buffer, under bash scripts/sanitize.sh). Aligned forms are not counted.
void* operator new(std::size_t size) {
  return relureg::cli::allocate(size);
}
void* operator new[](std::size_t size) {
  return relureg::cli::allocate(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return relureg::cli::allocate_or_null(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return relureg::cli::allocate_or_null(size);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  relureg::cli::release(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  relureg::cli::release(p);
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
