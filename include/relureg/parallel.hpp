// The one parallel primitive: fixed blocks on threads, results combined in block order.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

namespace relureg {

// Rows per block, for summing data and for generating it (block k of a random stream draws from
// its own generator). Fixed: part of the determinism contract.
inline constexpr std::size_t kBlockRows = 4096;

// The number of blocks of kBlockRows (or `block_rows`) that cover `rows` rows.
constexpr std::size_t block_count(std::size_t rows, std::size_t block_rows = kBlockRows) {
  return rows / block_rows + (rows % block_rows != 0 ? 1 : 0);  // no overflow near SIZE_MAX
}

// The row where block `end_block` starts, or `rows` past the last block (no overflow).
constexpr std::size_t block_start_row(std::size_t rows, std::size_t end_block,
                                      std::size_t block_rows = kBlockRows) {
  return end_block >= block_count(rows, block_rows) ? rows : end_block * block_rows;
}

// How blocks are handed to threads. It never changes a result, only the speed: `even` (blocks of
// equal cost) starts each thread on a contiguous run of blocks, and a thread that has finished
// its run takes the back half of the largest run left; `uneven` hands them out one at a time.
enum class BlockSchedule { even, uneven };

// Runs body(k) for every block k in [0, blocks) on up to `threads` threads (≤ 1: on the calling
// thread, in order). Each block runs on one thread and writes only its own results, which the
// caller combines in block order, so results never depend on the thread count. An exception
// thrown by a block is caught in its worker; blocks after it are skipped, and the exception of
// the lowest-numbered failing block is rethrown on the calling thread with its original type
// (the one a serial run would throw).
void for_blocks(std::size_t blocks, int threads, const std::function<void(std::size_t)>& body,
                BlockSchedule schedule = BlockSchedule::even);

// for_blocks returning one value per block, in block order (for the caller to combine in order).
template <class T, class Fn>
std::vector<T> map_blocks(std::size_t blocks, int threads, Fn&& fn,
                          BlockSchedule schedule = BlockSchedule::even) {
  std::vector<T> results(blocks);
  for_blocks(
      blocks, threads, [&](std::size_t k) { results[k] = fn(k); }, schedule);
  return results;
}

}  // namespace relureg
