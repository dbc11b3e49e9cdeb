// Per-thread heap accounting for `relureg tradeoff`'s peak-memory column.
#pragma once

#include <memory>

#include "relureg/tradeoff.hpp"

namespace relureg::cli {

// A meter over the calling thread's heap bytes, counted by this binary's global operator
// new/delete (heap_meter.cpp). Memory freed by another thread than the one that allocated it is
// credited to the freeing thread; a cell's fit and evaluation run on one worker thread.
std::shared_ptr<tradeoff::MemoryMeter> thread_heap_meter();

}  // namespace relureg::cli
