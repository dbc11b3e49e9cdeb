// Engine: deterministic block-ordered parallel sums and maps over a data source (for_blocks).
#include "relureg/engine.hpp"

#include <omp.h>

#include <algorithm>
#include <cstdint>

#include "relureg/parallel.hpp"

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

}  // namespace

Engine::Engine(EngineOptions options)
    : options_(options), collective_(std::make_shared<SerialCollective>()) {
  if (options_.block_rows == 0) options_.block_rows = kBlockRows;
  threads_ = options_.threads > 0 ? options_.threads : std::max(1, omp_get_max_threads());
}

std::vector<double> Engine::sum(const DataSource& source, std::size_t width,
                                const BlockKernel& kernel) const {
  ++passes_;
  const std::size_t n = source.rows();
  const std::size_t block_rows = options_.block_rows;
  const std::size_t blocks = block_count(n, block_rows);
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
  for (std::size_t wave_begin = 0; wave_begin < blocks; wave_begin += wave) {
    const std::size_t wave_size = std::min(wave, blocks - wave_begin);
    std::fill(partial, partial + wave_size * stride, 0.0);
    for_blocks(wave_size, threads_, [&](std::size_t i) {
      const std::size_t begin = (wave_begin + i) * block_rows;
      const RowBlock block = source.block(begin, std::min(block_rows, n - begin));
      kernel(block, partial + i * stride);
    });
    for (std::size_t i = 0; i < wave_size; ++i) {
      const double* p = partial + i * stride;
      for (std::size_t k = 0; k < width; ++k) total[k] += p[k];
    }
  }
  collective_->allreduce_sum(total);
  return total;
}

std::vector<double> Engine::mean(const DataSource& source, std::size_t width,
                                 const BlockKernel& kernel) const {
  std::vector<double> result = sum(source, width, kernel);
  const double n = static_cast<double>(source.rows());
  for (double& v : result) v /= n;
  if (oracle_) oracle_->answer_query(source, width, kernel, result);
  return result;
}

void Engine::map(const DataSource& source, std::span<double> out, const MapKernel& kernel) const {
  ++passes_;
  const std::size_t n = source.rows();
  const std::size_t block_rows = options_.block_rows;
  const std::size_t blocks = block_count(n, block_rows);
  for_blocks(blocks, threads_, [&](std::size_t i) {
    const std::size_t begin = i * block_rows;
    const RowBlock block = source.block(begin, std::min(block_rows, n - begin));
    kernel(block, out.data() + begin);
  });
}

void Engine::set_collective(std::shared_ptr<const Collective> collective) {
  collective_ = collective ? std::move(collective) : std::make_shared<SerialCollective>();
}

void Engine::set_query_oracle(std::shared_ptr<const QueryOracle> oracle) {
  oracle_ = std::move(oracle);
}

}  // namespace relureg
