// Engine throughput: the fused ReLU pass against a plain streaming read of the same buffer.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <omp.h>
#include <unistd.h>
#include <xmmintrin.h>

#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <random>
#include <utility>

#include "base/cpu_level.hpp"
#include "kernels/moments.hpp"
#include "kernels/short_rows.hpp"
#include "learners/learners.hpp"
#include "ratio_reporter.hpp"
#include "relureg/column_copy.hpp"
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
// `rows`: the chosen kernels over the rows themselves, without the column copy a fit reads.
enum class Kernels { chosen, rows, row_major, generic, avx2, avx512 };

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
  // As a fit reads the rows (fit_learner): through their column copy where it pays, once it is
  // made (at each block's column_copy_after_reads(d)-th read), before the clock starts
  // (BM_GdPassMakingCopy times the pass that makes it).
  const relureg::DatasetView view = data.view();
  std::optional<relureg::ColumnCopySource> copy;
  if (kernels == Kernels::chosen && relureg::column_copy_pays(view)) copy.emplace(view);
  const relureg::DataSource& source = copy ? static_cast<const relureg::DataSource&>(*copy) : view;
  for (std::size_t k = 0; copy && k < relureg::column_copy_after_reads(d); ++k)
    benchmark::DoNotOptimize(pass(engine, source, w));
  for (auto _ : state) {
    auto result = pass(engine, source, w);
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

// The pass gd makes per step: loss and the square-loss gradient only, z's dot product in float32
// where a kernel takes it (RowDot::float32_allowed: gd's early passes, until a step lowers the
// loss by less than 1e-5 of it or the loss falls below 1e-6 of the starting one, descent.cpp).
void BM_GdPass(benchmark::State& state) {
  time_pass(state, [](const Engine& e, const auto& data, const std::vector<double>& w) {
    return relureg::relu_stats(e, data, w, 0.0, false, 1.0, relureg::ReluGradients::square,
                               relureg::RowDot::float32_allowed);
  });
}

// The pass glmtron makes per step: loss, surrogate and the surrogate's gradient only, z as gd's.
void BM_GlmtronPass(benchmark::State& state) {
  time_pass(state, [](const Engine& e, const auto& data, const std::vector<double>& w) {
    return relureg::relu_stats(e, data, w, 0.0, false, 1.0, relureg::ReluGradients::surrogate,
                               relureg::RowDot::float32_allowed);
  });
}

// gd's pass with z in double (RowDot::exact: its last passes near an exact fit), where the
// float z is taken.
void BM_GdPassDoubleZ(benchmark::State& state) {
  time_pass(state, [](const Engine& e, const auto& data, const std::vector<double>& w) {
    return relureg::relu_stats(e, data, w, 0.0, false, 1.0, relureg::ReluGradients::square);
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
relureg::ReluStats gd_pass(const Engine& e, const relureg::DataSource& data,
                           const std::vector<double>& w) {
  return relureg::relu_stats(e, data, w, 0.0, false, 1.0, relureg::ReluGradients::square,
                             relureg::RowDot::float32_allowed);
}
relureg::ReluStats glmtron_pass(const Engine& e, const relureg::DataSource& data,
                                const std::vector<double>& w) {
  return relureg::relu_stats(e, data, w, 0.0, false, 1.0, relureg::ReluGradients::surrogate,
                             relureg::RowDot::float32_allowed);
}
double loss_pass(const Engine& e, const relureg::DataSource& data, const std::vector<double>& w) {
  return relureg::relu_loss(e, data, w, 0.0);
}
// Where a fit reads its rows through their column copy (relureg/column_copy.hpp), the same
// passes over the rows themselves (each group of rows transposed in every pass), and gd's first
// pass of a fit, which makes the copy as it goes (allocated and freed in each repetition).
void BM_GdPassRows(benchmark::State& state) {
  time_pass(state, gd_pass, Kernels::rows);
}
void BM_GlmtronPassRows(benchmark::State& state) {
  time_pass(state, glmtron_pass, Kernels::rows);
}
void BM_LossPassRows(benchmark::State& state) {
  time_pass(state, loss_pass, Kernels::rows);
}
void BM_GdPassMakingCopy(benchmark::State& state) {
  const std::size_t n = state.range(0), d = state.range(1);
  const relureg::DatasetView view = shared_data(n, d).view();
  const Engine engine(EngineOptions{static_cast<int>(state.range(2))});
  std::vector<double> w(d);
  for (std::size_t j = 0; j < d; ++j) w[j] = std::sin(1.0 + j) / std::sqrt(d);
  for (auto _ : state) {
    const relureg::ColumnCopySource copy(view, 1);
    benchmark::DoNotOptimize(gd_pass(engine, copy, w));
  }
  state.SetBytesProcessed(state.iterations() * n * d * sizeof(float));
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
void BM_GlmtronPassAvx2(benchmark::State& state) {
  time_pass(state, glmtron_pass, Kernels::avx2);
}
void BM_LossPassAvx2(benchmark::State& state) {
  time_pass(state, loss_pass, Kernels::avx2);
}
void BM_GdPassAvx512(benchmark::State& state) {
  time_pass(state, gd_pass, Kernels::avx512);
}
void BM_GlmtronPassAvx512(benchmark::State& state) {
  time_pass(state, glmtron_pass, Kernels::avx512);
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
// The dimensions where a fit reads its rows through their column copy.
void copy_arguments(benchmark::internal::Benchmark* b) {
  dims_where(b, [](std::size_t d) { return relureg::detail::short_rows_read_columns(d); });
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

// The dimensions where gd's pass may take the float z (rows of 17 to 128 features).
void float_z_arguments(benchmark::internal::Benchmark* b) {
  dims_where(b, [](std::size_t d) {
    return d > relureg::detail::kFloatZAboveFeatures && relureg::detail::short_rows(d);
  });
}

// 512 KB of X, one thread: the data stay in the core's L2 cache, so the pass runs at the speed
// of its arithmetic. Twice that (two cores) bounds the 2-thread pass whatever the memory does.
void in_cache_arguments(benchmark::internal::Benchmark* b) {
  for (long d : {10, 16, 32, 64, 100, 1000}) b->Args({kInCacheBytes / (4 * d), d, 1});
  b->ArgNames({"n", "d", "threads"})->Unit(benchmark::kMicrosecond)->UseRealTime();
}

// The same for the AVX2 and AVX-512 variants at the d of kDims that both take as short rows.
void isa_in_cache_arguments(benchmark::internal::Benchmark* b) {
  for (long d : {16, 32, 64, 100}) b->Args({kInCacheBytes / (4 * d), d, 1});
  b->ArgNames({"n", "d", "threads"})->Unit(benchmark::kMicrosecond)->UseRealTime();
}

// The same in cache at d = 10, where a fit reads its rows through their column copy: the passes
// over the rows without it (a fit's first 31) at the speed of their arithmetic.
void in_cache_copy_arguments(benchmark::internal::Benchmark* b) {
  if (relureg::detail::short_rows_read_columns(10)) b->Args({kInCacheBytes / (4 * 10), 10, 1});
  b->ArgNames({"n", "d", "threads"})->Unit(benchmark::kMicrosecond)->UseRealTime();
}

BENCHMARK(BM_StreamRead)->Apply(arguments);
BENCHMARK(BM_RawStreamRead)->Apply(arguments);
BENCHMARK(BM_FusedPass)->Apply(arguments)->Apply(in_cache_arguments);
BENCHMARK(BM_GdPass)->Apply(arguments)->Apply(in_cache_arguments);
BENCHMARK(BM_GlmtronPass)->Apply(arguments)->Apply(in_cache_arguments);
BENCHMARK(BM_GdPassDoubleZ)->Apply(float_z_arguments)->Apply(in_cache_arguments);
BENCHMARK(BM_LossPass)->Apply(arguments)->Apply(in_cache_arguments);
BENCHMARK(BM_MomentPass)->Apply(moment_arguments);
BENCHMARK(BM_GdPassRows)->Apply(copy_arguments)->Apply(in_cache_copy_arguments);
BENCHMARK(BM_GlmtronPassRows)->Apply(copy_arguments)->Apply(in_cache_copy_arguments);
BENCHMARK(BM_LossPassRows)->Apply(copy_arguments)->Apply(in_cache_copy_arguments);
BENCHMARK(BM_GdPassMakingCopy)->Apply(copy_arguments);
BENCHMARK(BM_GdPassRowMajor)->Apply(short_arguments);
BENCHMARK(BM_GlmtronPassRowMajor)->Apply(short_arguments);
BENCHMARK(BM_LossPassRowMajor)->Apply(short_arguments);
BENCHMARK(BM_GdPassGeneric)->Apply(generic_arguments);
BENCHMARK(BM_GlmtronPassGeneric)->Apply(generic_arguments);
BENCHMARK(BM_LossPassGeneric)->Apply(generic_arguments);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (relureg::detail::default_short_row_isa() == relureg::detail::ShortRowIsa::avx512) {
    const std::pair<const char*, void (*)(benchmark::State&)> variants[] = {
        {"BM_GdPassAvx2", BM_GdPassAvx2},
        {"BM_GlmtronPassAvx2", BM_GlmtronPassAvx2},
        {"BM_LossPassAvx2", BM_LossPassAvx2},
        {"BM_GdPassAvx512", BM_GdPassAvx512},
        {"BM_GlmtronPassAvx512", BM_GlmtronPassAvx512},
        {"BM_LossPassAvx512", BM_LossPassAvx512}};
    for (const auto& [name, pass] : variants)
      benchmark::RegisterBenchmark(name, pass)->Apply(isa_arguments)->Apply(isa_in_cache_arguments);
  }
  bench_engine::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
