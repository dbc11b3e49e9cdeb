// Engine: deterministic block-ordered parallel sums and maps over a data source (for_blocks).
#include "relureg/engine.hpp"

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>
#include <tuple>

#include "relureg/parallel.hpp"

#include "relureg/resources.hpp"

namespace relureg {
namespace {

// Blocks summed concurrently per wave: at most kMaxWave, and few enough that the partial sums
// stay under kWaveBytes. Block sums are always added in block order, so the wave size never
// changes a result; it only bounds memory.
constexpr std::size_t kMaxWave = 64;
constexpr std::size_t kWaveBytes = std::size_t{64} << 20;

class SerialCollective final : public Collective {
 public:
  void allreduce_sum(std::span<double>) const override {}
};

// This process's blocks [first, last): all of them, or the block-aligned range of a source split
// across processes.
std::pair<std::size_t, std::size_t> local_blocks(const DataSource& source, std::size_t block_rows) {
  const std::size_t n = source.rows();
  const auto [first, last] = source.local_rows();
  if (first % block_rows != 0 || (last % block_rows != 0 && last != n) || first > last || last > n)
    throw std::logic_error("engine: this process holds rows [" + std::to_string(first) + ", " +
                           std::to_string(last) + "), not a range of whole " +
                           std::to_string(block_rows) +
                           "-row blocks; this computation cannot run on several processes");
  return {first / block_rows, (last + block_rows - 1) / block_rows};
}

}  // namespace

Engine::Engine(EngineOptions options)
    : options_(options), collective_(std::make_shared<SerialCollective>()) {
  if (options_.block_rows == 0) options_.block_rows = kBlockRows;
  // At most max_threads(): an unbounded count (or OMP_NUM_THREADS) crashes the OpenMP runtime.
  threads_ = clamp_threads(static_cast<std::uint64_t>(
      options_.threads > 0 ? options_.threads : std::max(1, omp_get_max_threads())));
}

std::vector<double> Engine::sum(const DataSource& source, std::size_t width,
                                const BlockKernel& user_kernel, double* total_weight) const {
  if (total_weight == nullptr) return sum_blocks(source, width, user_kernel);
  // One more column, the block's weight, added by the engine after the kernel's own columns.
  std::vector<double> total =
      sum_blocks(source, width + 1, [&user_kernel, width](const RowBlock& block, double* acc) {
        user_kernel(block, acc);
        double weight = static_cast<double>(block.rows);
        if (block.w != nullptr) {
          weight = 0;
          for (std::size_t r = 0; r < block.rows; ++r) weight += block.w[r];
        }
        acc[width] += weight;
      });
  *total_weight = total[width];
  total.pop_back();
  return total;
}

std::vector<double> Engine::sum_blocks(const DataSource& source, std::size_t width,
                                       const BlockKernel& kernel) const {
  ++passes_;
  const std::size_t n = source.rows();
  const std::size_t block_rows = options_.block_rows;
  // Several processes: each sums its own blocks and keeps their sums for the ordered reduction.
  const bool distributed = collective_->size() > 1;
  std::vector<double> block_sums;
  std::exception_ptr error;
  std::size_t first_block = 0, blocks = 0;
  try {
    std::tie(first_block, blocks) = local_blocks(source, block_rows);
  } catch (...) {
    if (!distributed) throw;
    error = std::current_exception();
  }
  const std::size_t wave =
      std::clamp<std::size_t>(kWaveBytes / (8 * std::max<std::size_t>(width, 1)),
                              std::min<std::size_t>(threads_, kMaxWave), kMaxWave);
  std::vector<double> total(width, 0.0);
  // Every block's accumulator starts on a 64-byte boundary: kernels whose vectorisation depends
  // on alignment (Eigen's) then round identically whichever slot of the wave a block lands in.
  const std::size_t stride = (width + 7) / 8 * 8;
  std::vector<double> storage(std::min(blocks, wave) * stride + 8);
  double* partial = storage.data();
  while (reinterpret_cast<std::uintptr_t>(partial) % 64 != 0) ++partial;
  for (std::size_t wave_begin = first_block; wave_begin < blocks && !error; wave_begin += wave) {
    const std::size_t wave_size = std::min(wave, blocks - wave_begin);
    std::fill(partial, partial + wave_size * stride, 0.0);
    try {
      for_blocks(wave_size, threads_, [&](std::size_t i) {
        const std::size_t begin = (wave_begin + i) * block_rows;
        const RowBlock block = source.block(begin, std::min(block_rows, n - begin));
        kernel(block, partial + i * stride);
      });
    } catch (...) {
      if (!distributed) throw;
      error = std::current_exception();
    }
    for (std::size_t i = 0; i < wave_size && !error; ++i) {
      const double* p = partial + i * stride;
      if (distributed)
        block_sums.insert(block_sums.end(), p, p + width);
      else
        for (std::size_t k = 0; k < width; ++k) total[k] += p[k];
    }
  }
  if (distributed) collective_->ordered_sum(block_sums, width, first_block, total, error);
  return total;
}

std::vector<double> Engine::mean(const DataSource& source, std::size_t width,
                                 const BlockKernel& kernel) const {
  double n = static_cast<double>(source.rows());
  std::vector<double> result = sum(source, width, kernel, source.weighted() ? &n : nullptr);
  for (double& v : result) v /= n;
  if (oracle_) oracle_->answer_query(source, width, kernel, result);
  return result;
}

void Engine::map(const DataSource& source, std::span<double> out, const MapKernel& kernel) const {
  ++passes_;
  const std::size_t n = source.rows();
  const std::size_t block_rows = options_.block_rows;
  const bool distributed = collective_->size() > 1;
  std::exception_ptr error;
  std::size_t first_block = 0, blocks = 0;
  try {
    std::tie(first_block, blocks) = local_blocks(source, block_rows);
    for_blocks(blocks - first_block, threads_, [&](std::size_t i) {
      const std::size_t begin = (first_block + i) * block_rows;
      const RowBlock block = source.block(begin, std::min(block_rows, n - begin));
      kernel(block, out.data() + begin);
    });
  } catch (...) {
    if (!distributed) throw;
    error = std::current_exception();
  }
  if (distributed)
    collective_->share_rows(out, std::min(n, first_block * block_rows),
                            std::min(n, blocks * block_rows), error);
}

void Engine::set_collective(std::shared_ptr<const Collective> collective) {
  collective_ = collective ? std::move(collective) : std::make_shared<SerialCollective>();
}

void Engine::set_query_oracle(std::shared_ptr<const QueryOracle> oracle) {
  oracle_ = std::move(oracle);
}

}  // namespace relureg
