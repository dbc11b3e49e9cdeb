// Exhaustive subset search: subset-row evaluations per second of each scoring path, and the
// fraction of the core's double-precision vector peak (measured in the same run) that it implies.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <numeric>
#include <random>

#include "kernels/subset_scan.hpp"
#include "relureg/engine.hpp"
#include "relureg/orthogonal.hpp"

namespace {

using relureg::Dataset;
using relureg::RowBlock;
namespace detail = relureg::detail;

constexpr std::size_t kRows = 4 * 4096;  // four engine blocks: X stays in cache (d ≤ 16: 1 MB)

// ±1 features (every path can score them; only the bit-packed path needs them) and Gaussian labels.
const Dataset& boolean_data(std::size_t d) {
  static std::map<std::size_t, Dataset> cache;
  auto it = cache.find(d);
  if (it != cache.end()) return it->second;
  Dataset data(kRows, d);
  std::mt19937_64 rng(d);
  std::normal_distribution<double> normal;
  for (float& v : data.X) v = rng() & 1 ? 1.0f : -1.0f;
  for (double& v : data.y) v = normal(rng);
  return cache.emplace(d, std::move(data)).first->second;
}

using Kernel = void (*)(const RowBlock&, const std::uint32_t*, std::size_t, std::size_t, double*);

// Path 0: the old scoring; 1: the column path; 2: the bit-packed path, of ISA variant `isa`
// (detail::subset_kernel_variants(): 0 is the one the library takes on this CPU).
Kernel kernel_of(std::int64_t path, std::int64_t isa) {
  const detail::SubsetKernels& v = *detail::subset_kernel_variants().at(isa);
  return path == 0   ? detail::subset_parity_sums_reference
         : path == 1 ? v.parity_columns
                     : v.parity_bits;
}

// Scores every k-subset of d features over kRows rows through the engine (its blocks, `threads`
// threads): one iteration is C(d, k)·kRows subset-row evaluations, both sign patterns included.
void BM_Subsets(benchmark::State& state) {
  const Kernel kernel = kernel_of(state.range(0), state.range(4));
  const auto k = static_cast<std::size_t>(state.range(1));
  const auto d = static_cast<std::size_t>(state.range(2));
  const int threads = static_cast<int>(state.range(3));
  const Dataset& data = boolean_data(d);
  const std::vector<std::uint32_t> T = detail::all_subsets(d, k);
  const std::size_t count = T.size() / k;
  const relureg::Engine engine(relureg::EngineOptions{threads});
  for (auto _ : state) {
    const std::vector<double> s =
        engine.sum(data.view(), 4 * count,
                   [&](const RowBlock& blk, double* acc) { kernel(blk, T.data(), count, k, acc); });
    benchmark::DoNotOptimize(s.data());
  }
  state.counters["evaluations"] = benchmark::Counter(
      static_cast<double>(count * kRows) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}

// orthogonal-subsets' scan of every k-subset (relu for even k, sigmoid for odd k) over kRows
// ±1 rows (its speed does not depend on the values), one engine pass; `single`: the float32
// paths the learner takes, else the double ones (the sigmoid's scoring before its float32 paths,
// the relu's double leaves).
void time_orthogonal(benchmark::State& state, bool single) {
  const auto k = static_cast<std::size_t>(state.range(0));
  const auto d = static_cast<std::size_t>(state.range(1));
  const int threads = static_cast<int>(state.range(2));
  const auto orthogonal = detail::subset_kernel_variants().at(state.range(3))->orthogonal;
  const Dataset& data = boolean_data(d);
  const std::size_t count = detail::all_subsets(d, k).size() / k;
  const relureg::Engine engine(relureg::EngineOptions{threads});
  for (auto _ : state) {
    const std::vector<double> s = engine.sum(
        data.view(), 3 * count,
        [&](const RowBlock& blk, double* acc) { orthogonal(blk, k, k % 2 == 0, single, acc); });
    benchmark::DoNotOptimize(s.data());
  }
  state.counters["evaluations"] = benchmark::Counter(
      static_cast<double>(count * kRows) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}

void BM_Orthogonal(benchmark::State& state) {
  time_orthogonal(state, true);
}

// The double paths at 1 thread: the console table only, for comparison.
void BM_OrthogonalDouble(benchmark::State& state) {
  time_orthogonal(state, false);
}

// The core's peak rate of double multiply-adds with the build's flags: independent chains of
// vectors as wide as the ISA's (8 doubles with AVX-512, 4 with AVX2), as many as the registers
// hold besides the two operands (16 of AVX-512's 32, 12 of AVX2's 16): at least latency × ports
// multiply-adds in flight, no memory, no spills.
void BM_PeakFma(benchmark::State& state) {
#if defined(__AVX512F__)
  constexpr int kWidth = 8, kChains = 16;
#else
  constexpr int kWidth = 4, kChains = 12;
#endif
  using Lanes = double __attribute__((vector_size(8 * kWidth)));
  constexpr std::size_t kSteps = 1 << 20;
  Lanes a[kChains], b, c;
  for (int i = 0; i < kChains; ++i) a[i] = Lanes{} + 1.0 + i * 1e-3;
  b = Lanes{} + 0.999999;
  c = Lanes{} + 1e-6;
  for (auto _ : state) {
    for (std::size_t s = 0; s < kSteps; ++s)
      for (int i = 0; i < kChains; ++i) a[i] = a[i] * b + c;
    for (int i = 0; i < kChains; ++i) benchmark::DoNotOptimize(a[i]);
  }
  state.counters["lane_ops"] = benchmark::Counter(
      double{kWidth} * kChains * kSteps * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}

// Every path at 1 and 2 threads with the library's variant (isa 0); the other variants this CPU
// runs at 1 thread (the old scoring has no variants).
void subset_arguments(benchmark::internal::Benchmark* b) {
  b->ArgNames({"path", "k", "d", "threads", "isa"})->Unit(benchmark::kMillisecond);
  b->MeasureProcessCPUTime();
  const auto variants = static_cast<int>(detail::subset_kernel_variants().size());
  for (int threads : {1, 2})
    for (int k = 1; k <= 6; ++k)
      for (int path = 0; path < 3; ++path)
        for (int isa = 0; isa < (threads == 1 && path > 0 ? variants : 1); ++isa)
          b->Args({path, k, 16, threads, isa});
}

void orthogonal_double_arguments(benchmark::internal::Benchmark* b) {
  b->ArgNames({"k", "d", "threads", "isa"})->Unit(benchmark::kMillisecond);
  b->MeasureProcessCPUTime();
  const auto variants = static_cast<int>(detail::subset_kernel_variants().size());
  for (int k = 1; k <= 6; ++k)
    for (int isa = 0; isa < std::min(variants, 2); ++isa) b->Args({k, 16, 1, isa});
}

void orthogonal_arguments(benchmark::internal::Benchmark* b) {
  b->ArgNames({"k", "d", "threads", "isa"})->Unit(benchmark::kMillisecond);
  b->MeasureProcessCPUTime();
  const auto variants = static_cast<int>(detail::subset_kernel_variants().size());
  for (int k = 1; k <= 6; ++k)
    for (int isa = 0; isa < variants; ++isa) b->Args({k, 16, 1, isa});
  b->Args({4, 16, 2, 0});
}

BENCHMARK(BM_Subsets)->Apply(subset_arguments);
BENCHMARK(BM_Orthogonal)->Apply(orthogonal_arguments);
BENCHMARK(BM_OrthogonalDouble)->Apply(orthogonal_double_arguments);
BENCHMARK(BM_PeakFma)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();

// Prints the usual table, then each path's rate per core, against the 10^9 target and as a
// fraction of the roofline: the FMA peak over the vector-lane operations a subset-row costs
// (reference and columns: z ± x, two ReLUs, four multiply-adds = 8; bits: one masked add per
// row for even k, two for odd k — the prefix's shared work and the mask arithmetic not counted).
class RateReporter : public benchmark::ConsoleReporter {
 public:
  RateReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_Defaults : OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name != "median") continue;
      if (run.run_type == Run::RT_Iteration && run.repetitions > 1) continue;
      for (const char* counter : {"evaluations", "lane_ops"}) {
        const auto it = run.counters.find(counter);
        if (it != run.counters.end()) rates_[run.run_name.str()] = it->second.value;
      }
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    std::ostream& out = GetOutputStream();
    const auto peak = rates_.find("BM_PeakFma/process_time");
    const double lane_ops = peak == rates_.end() ? 0.0 : peak->second;
    out << fmt::format("peak: {:.3g} double lane multiply-adds per second per core\n", lane_ops);
    const auto& variants = detail::subset_kernel_variants();
    out << fmt::format("library variant on this CPU: {}\n", variants.front()->name);
    // The library's variant (isa 0) in the rows the report reads; the others prefixed "variant".
    const auto prefix = [&](int isa) {
      return isa == 0 ? std::string() : fmt::format("variant {}: ", variants.at(isa)->name);
    };
    for (const auto& [name, rate] : rates_) {
      int k = 0, d = 0, threads = 0, isa = 0;
      if (std::sscanf(name.c_str(), "BM_Orthogonal/k:%d/d:%d/threads:%d/isa:%d/process_time", &k,
                      &d, &threads, &isa) != 4)
        continue;
      // relu (even k ≥ 4): per leaf 2^{k-3} (max, min, add) triples and ~8 more in float32
      // lanes (half a double lane each), the conversion and three sums ~4 double lane ops (the
      // scale applies to the sums) (k = 2: one triple and ~8 more, double). Sigmoid, float32 lanes:
      // k = 1 tanh(x/2) (19 float lane ops) and the conversion and three sums (4 double); odd k ≥ 3
      // per leaf (w, v) 2 float ops for its two products, 2 per pair of units for the denominator
      // and 3 to add the fraction (the first of each of the two chains: none), 5 per division of
      // four pairs (k = 3: one pair, one division), 2 for the factor, then the 4 double ops (k = 5:
      // 23 float ops). The prefixes' shared work is not counted.
      const double ops = k == 1       ? 9.5 + 4
                         : k == 2     ? 11.0
                         : k % 2 == 0 ? 1.5 * (1 << (k - 3)) + 8
                         : k == 3     ? 3.5 + 4
                                      : 0.5 * (4.75 * (1 << (k - 3)) + 4) + 4;
      out << prefix(isa)
          << fmt::format(
                 "orthogonal {:<7} k = {} d = {} threads = {}: {:.3g} evaluations/s per core "
                 "({:.2f} x 10^9, target >= 1: {})",
                 k % 2 == 0 ? "relu" : "sigmoid", k, d, threads, rate, rate / 1e9,
                 rate >= 1e9 ? "met" : "MISSED");
      out << fmt::format("; roofline {:.3g}/s ({} lane ops each), {:.2f} of it\n", lane_ops / ops,
                         ops, rate * ops / lane_ops);
    }
    const char* names[] = {"reference", "columns", "bits"};
    for (const auto& [name, rate] : rates_) {
      int path = 0, k = 0, d = 0, threads = 0, isa = 0;
      if (std::sscanf(name.c_str(), "BM_Subsets/path:%d/k:%d/d:%d/threads:%d/isa:%d/process_time",
                      &path, &k, &d, &threads, &isa) != 5)
        continue;
      const double per_core = rate;  // evaluations per second of CPU time (all threads')
      const double ops = path == 2 ? (k % 2 == 0 ? 1.0 : 2.0) : 8.0;
      const double roofline = lane_ops / ops;
      out << prefix(isa)
          << fmt::format(
                 "subsets {:<9} k = {} d = {} threads = {}: {:.3g} evaluations/s per core ({:.2f} "
                 "x 10^9, target >= 1: {}); roofline {:.3g}/s ({} lane ops each), {:.2f} of it\n",
                 names[path], k, d, threads, per_core, per_core / 1e9,
                 per_core >= 1e9 ? "met" : "MISSED", roofline, ops,
                 roofline > 0 ? per_core / roofline : 0.0);
    }
  }

 private:
  std::map<std::string, double> rates_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  RateReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
