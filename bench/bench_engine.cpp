// Engine throughput: the fused ReLU pass against a plain streaming read of the same buffer.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <omp.h>
#include <unistd.h>
#include <xmmintrin.h>

#include <cmath>
#include <cstring>
#include <map>
#include <random>

#include "base/cpu_level.hpp"
#include "kernels/moments.hpp"
#include "kernels/short_rows.hpp"
#include "learners/learners.hpp"
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
  // Every (n, d) stays in memory (4.4 GB for the default arguments), so that repetitions of
  // different benchmarks can be interleaved (--benchmark_enable_random_interleaving).
  // Gaussian values repeated with a prime period: fast to fill at 10^9 entries, and no row
  // pattern short enough for the branch predictor to learn the signs of w·x.
  static const std::vector<float> table = [] {
    std::vector<float> t(1048573);
    std::mt19937 rng(1);
    std::normal_distribution<float> normal;
    for (float& v : t) v = normal(rng);
    return t;
  }();
  Dataset data(n, d);
  std::size_t k = 0;
  for (float& v : data.X) {
    v = table[k];
    k = k + 1 == table.size() ? 0 : k + 1;
  }
  for (double& v : data.y) {
    v = table[k];
    k = k + 1 == table.size() ? 0 : k + 1;
  }
  return cache.emplace(std::make_pair(n, d), std::move(data)).first->second;
}

// Sums `count` floats 256 bytes at a time in independent accumulators of the widest vector the
// build has (4 of 16 lanes with AVX-512, 8 of 8 lanes otherwise: a 16-lane vector on AVX2 is a
// pair of registers that GCC spills), with a software prefetch 4 KB ahead into L1: enough loads
// in flight to be limited by the memory system, not by the add latency (a single scalar or vector
// accumulator is not), and no gathers (reading through `RowBlock::X` directly made GCC emit them).
// Without the prefetch, or with 4 accumulators of 8 lanes, the x86-64-v3 build's read was 10-25 %
// slower than the native one on the same memory, which made its passes look closer to the limit.
// The second stream into L2 that the passes of rows longer than 16 features take did not make
// this read faster (d = 10 to 100, two threads), so the read keeps one.
float stream_sum(const float* p, std::size_t count) {
#if defined(__AVX512F__)
  constexpr std::size_t kLanes = 16;
#else
  constexpr std::size_t kLanes = 8;
#endif
  constexpr std::size_t kStep = 256 / sizeof(float), kAccumulators = kStep / kLanes;
  constexpr std::size_t kAhead = 4096, kLine = 64;
  using Floats = float __attribute__((vector_size(kLanes * sizeof(float))));
  Floats acc[kAccumulators] = {};
  std::size_t k = 0;
  for (; k + kStep <= count; k += kStep) {
    const char* ahead = reinterpret_cast<const char*>(p + k) + kAhead;
    for (std::size_t line = 0; line < kStep * sizeof(float); line += kLine)
      _mm_prefetch(ahead + line, _MM_HINT_T0);
    for (std::size_t a = 0; a < kAccumulators; ++a) {
      Floats v;
      std::memcpy(&v, p + k + a * kLanes, sizeof v);
      acc[a] += v;
    }
  }
  float sum = 0;
  for (; k < count; ++k) sum += p[k];
  Floats total = acc[0];
  for (std::size_t a = 1; a < kAccumulators; ++a) total += acc[a];
  for (std::size_t l = 0; l < kLanes; ++l) sum += total[l];
  return sum;
}

// The physical limit: read every float of X once through the same engine and blocks, so both
// sides pay the same scheduling costs.
void BM_StreamRead(benchmark::State& state) {
  const std::size_t n = state.range(0), d = state.range(1);
  const Dataset& data = shared_data(n, d);
  const Engine engine(EngineOptions{static_cast<int>(state.range(2))});
  for (auto _ : state) {
    auto s = engine.sum(data.view(), 1, [](const relureg::RowBlock& b, double* acc) {
      acc[0] += stream_sum(b.X, b.rows * b.d);
    });
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(state.iterations() * n * d * sizeof(float));
}

// The same read without the engine: one contiguous slice per OpenMP thread. If this were much
// faster than BM_StreamRead, the engine's blocking would be the bottleneck.
void BM_RawStreamRead(benchmark::State& state) {
  const std::size_t n = state.range(0), d = state.range(1);
  const int threads = static_cast<int>(state.range(2));
  const Dataset& data = shared_data(n, d);
  const float* X = data.X.data();
  const std::size_t count = n * d;
  for (auto _ : state) {
    double total = 0;
#pragma omp parallel num_threads(threads) reduction(+ : total)
    {
      const std::size_t t = omp_get_thread_num(), parts = omp_get_num_threads();
      const std::size_t begin = count * t / parts, end = count * (t + 1) / parts;
      total += stream_sum(X + begin, end - begin);
    }
    benchmark::DoNotOptimize(total);
  }
  state.SetBytesProcessed(state.iterations() * n * d * sizeof(float));
}

// Which kernels a timed pass takes for d ≤ 32: the variant chosen at start-up, the row-major
// kernels (what short rows took before the short-row kernels), or the generic eight-lane
// short-row variant (the only one before the per-instruction-set variants), for a before/after
// in one run; or the AVX2 or AVX-512 variant at every d (which of the two is faster at which d
// decides the start-up choice, short_rows.cpp).
enum class Kernels { chosen, row_major, generic, avx2, avx512 };

// Times `pass(engine, data, w)` over the (n, d) data set with the given threads, at a fixed w,
// and reports the bytes of X read per second.
template <class Pass>
void time_pass(benchmark::State& state, Pass&& pass, Kernels kernels = Kernels::chosen) {
  const std::size_t n = state.range(0), d = state.range(1);
  const Dataset& data = shared_data(n, d);
  const Engine engine(EngineOptions{static_cast<int>(state.range(2))});
  std::vector<double> w(d);
  for (std::size_t j = 0; j < d; ++j) w[j] = std::sin(1.0 + j) / std::sqrt(d);
  relureg::detail::use_short_row_kernels(kernels != Kernels::row_major);
  if (kernels == Kernels::generic)
    relureg::detail::use_short_row_isa(relureg::detail::ShortRowIsa::generic);
  if (kernels == Kernels::avx2)
    relureg::detail::use_short_row_isa(relureg::detail::ShortRowIsa::avx2);
  if (kernels == Kernels::avx512)
    relureg::detail::use_short_row_isa(relureg::detail::ShortRowIsa::avx512);
  for (auto _ : state) {
    auto result = pass(engine, data.view(), w);
    benchmark::DoNotOptimize(result);
  }
  relureg::detail::use_short_row_kernels(true);
  relureg::detail::use_default_short_row_isas();
  state.SetBytesProcessed(state.iterations() * n * d * sizeof(float));
}

// One fused pass with loss, square-loss gradient and surrogate gradient (no learner asks for
// both gradients; the default of relu_stats).
void BM_FusedPass(benchmark::State& state) {
  time_pass(state, [](const Engine& e, const auto& data, const std::vector<double>& w) {
    return relureg::relu_stats(e, data, w, 0.0, false);
  });
}

// The pass gd makes per step: loss, surrogate and the square-loss gradient only.
void BM_GdPass(benchmark::State& state) {
  time_pass(state, [](const Engine& e, const auto& data, const std::vector<double>& w) {
    return relureg::relu_stats(e, data, w, 0.0, false, 1.0, relureg::ReluGradients::square);
  });
}

// The pass glmtron makes per step: loss, surrogate and the surrogate's gradient only.
void BM_GlmtronPass(benchmark::State& state) {
  time_pass(state, [](const Engine& e, const auto& data, const std::vector<double>& w) {
    return relureg::relu_stats(e, data, w, 0.0, false, 1.0, relureg::ReluGradients::surrogate);
  });
}

// The loss alone (evaluation, backtracking checks, scale refits read the data this way).
void BM_LossPass(benchmark::State& state) {
  time_pass(state, [](const Engine& e, const auto& data, const std::vector<double>& w) {
    return relureg::relu_loss(e, data, w, 0.0);
  });
}

// The moments pass (Σ x xᵀ, Σ y x, Σ x, Σ y) that moment, dktz22, gv25 and wzdd23 make:
// kernels/moments.cpp for d ≤ 32, a rank update beyond.
void BM_MomentPass(benchmark::State& state) {
  time_pass(state, [](const Engine& e, const auto& data, const std::vector<double>&) {
    return relureg::detail::data_moments(e, data).mean_y;
  });
}

// The same passes with the row-major kernels and with the generic short-row variant.
relureg::ReluStats gd_pass(const Engine& e, const relureg::DatasetView& data,
                           const std::vector<double>& w) {
  return relureg::relu_stats(e, data, w, 0.0, false, 1.0, relureg::ReluGradients::square);
}
relureg::ReluStats glmtron_pass(const Engine& e, const relureg::DatasetView& data,
                                const std::vector<double>& w) {
  return relureg::relu_stats(e, data, w, 0.0, false, 1.0, relureg::ReluGradients::surrogate);
}
double loss_pass(const Engine& e, const relureg::DatasetView& data, const std::vector<double>& w) {
  return relureg::relu_loss(e, data, w, 0.0);
}
void BM_GdPassRowMajor(benchmark::State& state) {
  time_pass(state, gd_pass, Kernels::row_major);
}
void BM_GlmtronPassRowMajor(benchmark::State& state) {
  time_pass(state, glmtron_pass, Kernels::row_major);
}
void BM_LossPassRowMajor(benchmark::State& state) {
  time_pass(state, loss_pass, Kernels::row_major);
}
void BM_GdPassGeneric(benchmark::State& state) {
  time_pass(state, gd_pass, Kernels::generic);
}
void BM_GlmtronPassGeneric(benchmark::State& state) {
  time_pass(state, glmtron_pass, Kernels::generic);
}
void BM_LossPassGeneric(benchmark::State& state) {
  time_pass(state, loss_pass, Kernels::generic);
}
void BM_GdPassAvx2(benchmark::State& state) {
  time_pass(state, gd_pass, Kernels::avx2);
}
void BM_LossPassAvx2(benchmark::State& state) {
  time_pass(state, loss_pass, Kernels::avx2);
}
void BM_GdPassAvx512(benchmark::State& state) {
  time_pass(state, gd_pass, Kernels::avx512);
}
void BM_LossPassAvx512(benchmark::State& state) {
  time_pass(state, loss_pass, Kernels::avx512);
}

constexpr long kInCacheBytes = 512 << 10;
const long kRowsPerPass = 1000000;
const std::vector<long> kDims = {2, 4, 8, 10, 16, 32, 64, 100, 1000};

// The slowest and the fastest repetition besides the median, for the targets' range over runs.
void with_range(benchmark::internal::Benchmark* b) {
  b->ComputeStatistics("min", [](const std::vector<double>& v) {
     return *std::min_element(v.begin(), v.end());
   })->ComputeStatistics("max", [](const std::vector<double>& v) {
    return *std::max_element(v.begin(), v.end());
  });
}

// (n = 10^6, d, 1 and 2 threads) for every d of kDims that keep(d) accepts, with the range over
// the repetitions.
template <class Keep>
void dims_where(benchmark::internal::Benchmark* b, Keep keep) {
  for (long d : kDims)
    if (keep(static_cast<std::size_t>(d)))
      for (long threads : {1, 2}) b->Args({kRowsPerPass, d, threads});
  b->ArgNames({"n", "d", "threads"})->Unit(benchmark::kMillisecond)->UseRealTime();
  with_range(b);
}

void arguments(benchmark::internal::Benchmark* b) {
  dims_where(b, [](std::size_t) { return true; });
}
// The dimensions that take the short-row kernels.
void short_arguments(benchmark::internal::Benchmark* b) {
  dims_where(b, [](std::size_t d) { return relureg::detail::short_rows(d); });
}
// The dimensions that the generic short-row variant takes (d ≤ 32).
void generic_arguments(benchmark::internal::Benchmark* b) {
  dims_where(b, [](std::size_t d) { return d <= relureg::detail::kShortRowFeatures; });
}
// The dimensions of the moments pass up to d = 100 (its d² work per row makes d = 1000 a matter
// of minutes).
void moment_arguments(benchmark::internal::Benchmark* b) {
  dims_where(b, [](std::size_t d) { return d <= 128; });
}
// The dimensions the AVX2 and AVX-512 variants take (registered in main where the build's target
// and the CPU allow AVX-512, i.e. where the start-up choice is between the two).
void isa_arguments(benchmark::internal::Benchmark* b) {
  dims_where(b, [](std::size_t d) { return d <= relureg::detail::kWideShortRowFeatures; });
}

// 512 KB of X, one thread: the data stay in the core's L2 cache, so the pass runs at the speed
// of its arithmetic. Twice that (two cores) bounds the 2-thread pass whatever the memory does.
void in_cache_arguments(benchmark::internal::Benchmark* b) {
  for (long d : {10, 32, 100, 1000}) b->Args({kInCacheBytes / (4 * d), d, 1});
  b->ArgNames({"n", "d", "threads"})->Unit(benchmark::kMicrosecond)->UseRealTime();
}

BENCHMARK(BM_StreamRead)->Apply(arguments);
BENCHMARK(BM_RawStreamRead)->Apply(arguments);
BENCHMARK(BM_FusedPass)->Apply(arguments)->Apply(in_cache_arguments);
BENCHMARK(BM_GdPass)->Apply(arguments)->Apply(in_cache_arguments);
BENCHMARK(BM_GlmtronPass)->Apply(arguments)->Apply(in_cache_arguments);
BENCHMARK(BM_LossPass)->Apply(arguments);
BENCHMARK(BM_MomentPass)->Apply(moment_arguments);
BENCHMARK(BM_GdPassRowMajor)->Apply(short_arguments);
BENCHMARK(BM_GlmtronPassRowMajor)->Apply(short_arguments);
BENCHMARK(BM_LossPassRowMajor)->Apply(short_arguments);
BENCHMARK(BM_GdPassGeneric)->Apply(generic_arguments);
BENCHMARK(BM_GlmtronPassGeneric)->Apply(generic_arguments);
BENCHMARK(BM_LossPassGeneric)->Apply(generic_arguments);

// Prints the usual table, then for every (n, d, threads) each pass's bandwidth as a fraction of
// the streaming read, the 2-thread speed-ups, and the target (fused ≥ 80 % of the
// streaming read for d ≥ 100 on 2 threads) for the fused passes the learners make (gd's and
// glmtron's, one gradient each) and for the pass with both gradients (which no learner makes).
// Bytes are those of X (float32); the labels add 8 bytes per row on top (20 % at d = 10, 2 % at d =
// 100), not counted.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  // Colours only on a terminal (a custom reporter does not read --benchmark_color).
  RatioReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_Defaults : OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    // With --benchmark_repetitions the medians are used (the single runs and the other
    // aggregates are skipped); otherwise each run.
    for (const Run& run : runs) {
      const bool aggregate = run.run_type == Run::RT_Aggregate;
      if (run.run_type == Run::RT_Iteration && run.repetitions > 1) continue;
      const std::string name = run.run_name.str();
      const auto slash = name.find('/');
      const auto it = run.counters.find("bytes_per_second");
      if (slash == std::string::npos || it == run.counters.end()) continue;
      const std::string args = name.substr(slash), bench = name.substr(0, slash);
      // The statistics of a rate: min and max of the per-repetition rates.
      if (!aggregate || run.aggregate_name == "median") rates_[args][bench] = it->second.value;
      if (!aggregate || run.aggregate_name == "min") lowest_[args][bench] = it->second.value;
      if (!aggregate || run.aggregate_name == "max") highest_[args][bench] = it->second.value;
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    std::ostream& out = GetOutputStream();
    // The short-row variant the passes took (the longest rows'; the shorter rows' where it
    // differs), and those this CPU runs.
    namespace rd = relureg::detail;
    const std::size_t longest = rd::short_row_features();
    out << "short-row kernels: " << short_row_isa_name(rd::short_row_isa(longest))
        << " (d <= " << longest << "; this CPU and build run:";
    for (const auto isa : rd::runnable_short_row_isas()) out << " " << short_row_isa_name(isa);
    out << ")\n";
    const rd::MomentKernels& moments = rd::moment_kernels();
    out << "moments kernels: " << moments.name << " ("
        << (moments.max_features == rd::kAnyFeatures
                ? std::string("any d")
                : "d <= " + std::to_string(moments.max_features))
        << "; tiled beyond d = " << moments.register_features << ")\n";
    out << "short-row prefetch for d > 16: "
        << (rd::short_row_l2_prefetch()
                ? "1 KB ahead into L1 and 8 KB ahead into L2\n"
                : "no stream into L2 (an AMD CPU); into L1 4 KB ahead for gd's and glmtron's "
                  "passes, 1 KB for the others\n");
    if (rd::short_row_isa(10) == rd::ShortRowIsa::avx512 && rd::cpu_is_amd())
      out << "short-row prefetch for d = 9..12 on avx512 columns: 4 KB ahead into L1 and 8 KB "
             "ahead into L2 (an AMD CPU: short_rows_avx512.cpp's column_l2_bytes)\n";
    const std::size_t narrow = rd::kAvx2RowFeatures, columns = rd::kAvx512ColumnPassFeatures,
                      stats_columns = rd::kAvx512ColumnFeatures;
    if (rd::short_row_isa(columns) == rd::ShortRowIsa::avx512 &&
        rd::short_row_isa(narrow) != rd::ShortRowIsa::avx512) {
      out << "short-row kernels for d <= " << columns << ": avx512-columns (every pass)\n";
      out << "short-row kernels for d <= " << stats_columns
          << ": avx512-columns/avx2 (gd's and glmtron's passes on avx512 columns, the others "
          << short_row_isa_name(rd::short_row_isa(stats_columns)) << ")\n";
    }
    const std::size_t amd_avx2 = rd::kAmdAvx2PassFeatures;
    if (rd::short_row_isa(narrow) == rd::short_row_isa(longest) &&
        rd::short_row_isa(amd_avx2) != rd::short_row_isa(longest)) {
      out << "short-row kernels for d <= " << amd_avx2 - 1 << ": avx512-columns (every pass)\n";
      out << "short-row kernels for d = " << amd_avx2 << ": avx512-columns/"
          << short_row_isa_name(rd::short_row_isa(amd_avx2))
          << " (gd's and glmtron's passes on avx512 columns, the others "
          << short_row_isa_name(rd::short_row_isa(amd_avx2))
          << "; every d above: " << short_row_isa_name(rd::short_row_isa(longest)) << ")\n";
    }
    if (rd::short_row_isa(narrow) != rd::short_row_isa(longest))
      out << "short-row kernels for d <= " << narrow << ": "
          << short_row_isa_name(rd::short_row_isa(narrow))
          << " (gd's and glmtron's passes: " << short_row_isa_name(rd::short_row_stats_isa(16))
          << " where a row fills 8-lane "
          << "pieces as 4-lane ones, d = 13..16, 21..24, 29..32)\n";
    for (const auto& [args, by_name] : rates_) {
      const double stream = rate(by_name, "BM_StreamRead");
      if (stream <= 0) continue;
      out << fmt::format("bandwidth {:<42} stream {:6.2f} GB/s", args, stream / 1e9);
      for (const char* name :
           {"BM_RawStreamRead", "BM_FusedPass", "BM_GdPass", "BM_GlmtronPass", "BM_LossPass",
            "BM_MomentPass", "BM_GdPassRowMajor", "BM_GlmtronPassRowMajor", "BM_LossPassRowMajor",
            "BM_GdPassGeneric", "BM_GlmtronPassGeneric", "BM_LossPassGeneric", "BM_GdPassAvx2",
            "BM_LossPassAvx2", "BM_GdPassAvx512", "BM_LossPassAvx512"}) {
        const double r = rate(by_name, name);
        if (r > 0)
          out << fmt::format("  {} {:6.2f} GB/s ({:.2f})", short_name(name), r / 1e9, r / stream);
      }
      out << "\n";
    }
    for (const auto& [args, by_name] : rates_) {
      const auto pos = args.find("/threads:2");
      if (pos == std::string::npos) continue;
      const std::string one = args.substr(0, pos) + "/threads:1" + args.substr(pos + 10);
      const auto single = rates_.find(one);
      if (single == rates_.end()) continue;
      out << fmt::format("2 threads / 1 thread {:<42}", args.substr(0, pos));
      for (const auto& [name, r2] : by_name) {
        const double r1 = rate(single->second, name);
        if (r1 > 0) out << fmt::format("  {} {:.2f}x", short_name(name), r2 / r1);
      }
      out << "\n";
    }
    // The arithmetic's ceiling: twice the in-cache rate of one core, against the 2-thread
    // streaming read of n = 10^6 rows (where both were measured).
    for (const auto& [args, by_name] : rates_) {
      std::size_t n = 0, d = 0;
      if (std::sscanf(args.c_str(), "/n:%zu/d:%zu", &n, &d) != 2 || n == 1000000) continue;
      const auto big = rates_.find(fmt::format("/n:1000000/d:{}/threads:2/real_time", d));
      if (big == rates_.end()) continue;
      const double stream = rate(big->second, "BM_StreamRead");
      if (stream <= 0) continue;
      out << fmt::format("in cache, 1 thread /d:{:<5}", d);
      for (const auto& [name, r] : by_name)
        out << fmt::format("  {} {:6.2f} GB/s (x2 = {:.2f} of the 2-thread stream)",
                           short_name(name), r / 1e9, 2 * r / stream);
      out << "\n";
    }
    // The targets (issue 18): a pass's rate against the streaming read of the same run (its
    // median), with the range of the pass's repetitions against the read's median.
    for (const auto& [args, by_name] : rates_) {
      std::size_t d = 0;
      int threads = 0;
      if (std::sscanf(args.c_str() + args.find("/d:"), "/d:%zu/threads:%d", &d, &threads) != 2)
        continue;
      const double target = target_ratio(d, threads);
      const double stream = rate(by_name, "BM_StreamRead");
      if (target <= 0 || stream <= 0) continue;
      for (const char* name : {"BM_GdPass", "BM_GlmtronPass", "BM_LossPass", "BM_FusedPass"}) {
        const double fused = rate(by_name, name);
        if (fused <= 0 || (d < 1000 && std::string(name) == "BM_FusedPass")) continue;
        const double lowest = rate(lowest_[args], name), highest = rate(highest_[args], name);
        out << fmt::format("target {} >= {:.2f} x stream {:<42} {:.3f} [{:.3f}, {:.3f}]  {}\n",
                           short_name(name), target, args, fused / stream, lowest / stream,
                           highest / stream, fused >= target * stream ? "met" : "MISSED");
      }
    }
  }

 private:
  static double rate(const std::map<std::string, double>& by_name, const std::string& name) {
    const auto it = by_name.find(name);
    return it == by_name.end() ? 0.0 : it->second;
  }
  // The ratio to the streaming read a pass should reach (0: no target at this d and count).
  static double target_ratio(std::size_t d, int threads) {
    if (threads == 2) return d == 10 ? 0.6 : (d == 32 || d == 100 || d == 1000) ? 0.8 : 0.0;
    return d == 10 ? 0.5 : d == 100 ? 0.7 : 0.0;
  }
  static std::string short_name(const std::string& name) {
    if (name == "BM_StreamRead") return "stream";
    if (name == "BM_RawStreamRead") return "raw";
    if (name == "BM_FusedPass") return "fused";
    if (name == "BM_GdPass") return "gd-pass";
    if (name == "BM_GlmtronPass") return "glmtron-pass";
    if (name == "BM_LossPass") return "loss";
    if (name == "BM_MomentPass") return "moment";
    if (name == "BM_GdPassRowMajor") return "gd-before";
    if (name == "BM_GlmtronPassRowMajor") return "glmtron-before";
    if (name == "BM_LossPassRowMajor") return "loss-before";
    if (name == "BM_GdPassGeneric") return "gd-generic";
    if (name == "BM_GlmtronPassGeneric") return "glmtron-generic";
    if (name == "BM_LossPassGeneric") return "loss-generic";
    if (name == "BM_GdPassAvx2") return "gd-avx2";
    if (name == "BM_LossPassAvx2") return "loss-avx2";
    if (name == "BM_GdPassAvx512") return "gd-avx512";
    if (name == "BM_LossPassAvx512") return "loss-avx512";
    return name;
  }
  // Rates by arguments and benchmark: the median of the repetitions, the lowest and the highest
  // (all three the single run's rate without repetitions).
  std::map<std::string, std::map<std::string, double>> rates_, lowest_, highest_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (relureg::detail::default_short_row_isa() == relureg::detail::ShortRowIsa::avx512) {
    benchmark::RegisterBenchmark("BM_GdPassAvx2", BM_GdPassAvx2)->Apply(isa_arguments);
    benchmark::RegisterBenchmark("BM_LossPassAvx2", BM_LossPassAvx2)->Apply(isa_arguments);
    benchmark::RegisterBenchmark("BM_GdPassAvx512", BM_GdPassAvx512)->Apply(isa_arguments);
    benchmark::RegisterBenchmark("BM_LossPassAvx512", BM_LossPassAvx512)->Apply(isa_arguments);
  }
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
