// Engine throughput: the fused ReLU pass against a plain streaming read of the same buffer.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <map>
#include <random>

#include "relureg/engine.hpp"
#include "relureg/kernels.hpp"

namespace {

using relureg::Dataset;
using relureg::Engine;
using relureg::EngineOptions;

const Dataset& shared_data(std::size_t n, std::size_t d) {
  static std::map<std::pair<std::size_t, std::size_t>, Dataset> cache;
  auto it = cache.find({n, d});
  if (it != cache.end()) return it->second;
  cache.clear();  // keep one dataset in memory at a time
  Dataset data(n, d);
  std::mt19937 rng(1);
  std::normal_distribution<float> normal;
  for (float& v : data.X) v = normal(rng);
  for (double& v : data.y) v = normal(rng);
  return cache.emplace(std::make_pair(n, d), std::move(data)).first->second;
}

// The physical limit: read every float of X once (summing them so the read cannot be elided),
// through the same engine and blocks, so both sides pay the same scheduling costs.
void BM_StreamRead(benchmark::State& state) {
  const std::size_t n = state.range(0), d = state.range(1);
  const Dataset& data = shared_data(n, d);
  const Engine engine(EngineOptions{static_cast<int>(state.range(2))});
  for (auto _ : state) {
    auto s = engine.sum(data.view(), 1, [](const relureg::RowBlock& b, double* acc) {
      const std::size_t count = b.rows * b.d;
      float sum = 0;
#pragma omp simd reduction(+ : sum)
      for (std::size_t k = 0; k < count; ++k) sum += b.X[k];
      acc[0] += sum;
    });
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(state.iterations() * n * d * sizeof(float));
}

// One fused pass: loss, square-loss gradient and surrogate gradient from one read of each row.
void BM_FusedPass(benchmark::State& state) {
  const std::size_t n = state.range(0), d = state.range(1);
  const Dataset& data = shared_data(n, d);
  const Engine engine(EngineOptions{static_cast<int>(state.range(2))});
  std::vector<double> w(d);
  for (std::size_t j = 0; j < d; ++j) w[j] = std::sin(1.0 + j) / std::sqrt(d);
  for (auto _ : state) {
    auto s = relureg::relu_stats(engine, data.view(), w, 0.0, false);
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(state.iterations() * n * d * sizeof(float));
}

void arguments(benchmark::internal::Benchmark* b) {
  for (long d : {10, 100, 1000})
    for (long threads : {1, 2}) b->Args({1000000, d, threads});
  b->ArgNames({"n", "d", "threads"})->Unit(benchmark::kMillisecond)->UseRealTime();
}

BENCHMARK(BM_StreamRead)->Apply(arguments);
BENCHMARK(BM_FusedPass)->Apply(arguments);

// Prints the usual table, then the fused/stream bandwidth ratio for every (n, d, threads).
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      const std::string name = run.benchmark_name();
      const auto slash = name.find('/');
      const auto it = run.counters.find("bytes_per_second");
      if (slash == std::string::npos || it == run.counters.end()) continue;
      rates_[name.substr(slash)][name.substr(0, slash)] = it->second.value;
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    for (const auto& [args, by_name] : rates_) {
      const auto stream = by_name.find("BM_StreamRead"), fused = by_name.find("BM_FusedPass");
      if (stream == by_name.end() || fused == by_name.end()) continue;
      GetOutputStream() << fmt::format(
          "ratio fused/stream {:<40} stream {:6.2f} GB/s  fused {:6.2f} GB/s  ratio {:.2f}\n", args,
          stream->second / 1e9, fused->second / 1e9, fused->second / stream->second);
    }
  }

 private:
  std::map<std::string, std::map<std::string, double>> rates_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
