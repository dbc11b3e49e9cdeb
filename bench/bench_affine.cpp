// affine_value (w·x + b of one row, the arithmetic every per-row model and kernel uses) per row,
// rows in cache: the build's own code against what a build for any x86-64 runs.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "relureg/affine.hpp"

namespace {

// About 256 KB of rows of d features (in L2), summed row by row.
void BM_AffineValue(benchmark::State& state) {
  const auto d = static_cast<std::size_t>(state.range(0));
  const std::size_t rows = (std::size_t{64} << 10) / d;
  std::vector<float> x(rows * d);
  std::vector<double> w(d);
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  for (float& v : x) v = normal(rng);
  for (double& v : w) v = normal(rng);
  double sum = 0;
  for (auto _ : state) {
    for (std::size_t r = 0; r < rows; ++r)
      sum += relureg::affine_value(x.data() + r * d, w.data(), d, 0.5);
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * rows));
  state.counters["time_per_row"] =
      benchmark::Counter(static_cast<double>(state.iterations() * rows),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_AffineValue)
    ->ArgName("d")
    ->Arg(4)
    ->Arg(10)
    ->Arg(16)
    ->Arg(32)
    ->Arg(64)
    ->Arg(100)
    ->Arg(1000);

}  // namespace

BENCHMARK_MAIN();
