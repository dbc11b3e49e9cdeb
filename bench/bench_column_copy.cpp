// Whole fits at d = 10 with and without the column copy of short rows (relureg/column_copy.hpp).
#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "relureg/column_copy.hpp"
#include "relureg/family.hpp"
#include "relureg/learner.hpp"

namespace {

const relureg::Instance& instance(const std::string& family, std::size_t n, std::size_t d) {
  static std::map<std::string, relureg::Instance> cache;
  const std::string key = family + "/" + std::to_string(n) + "/" + std::to_string(d);
  auto it = cache.find(key);
  if (it == cache.end()) {
    const relureg::Engine engine(relureg::EngineOptions{0});
    it = cache.emplace(key, relureg::generate_instance(family, n, d, 1, {}, engine)).first;
  }
  return it->second;
}

// One fit of `learner` with the parameters `assignments` (n = 10^6, d = 10), reading the rows
// through their column copy (`copy`: 1, as fit_learner does) or as they are (0). Reports the fit's
// passes and its time per pass; the fits are the same bit for bit (tests/cpp/test_column_copy.cpp).
void BM_Fit(benchmark::State& state, const std::string& family, const std::string& learner,
            const std::vector<std::string>& assignments) {
  const relureg::Instance& data = instance(family, 1000000, 10);
  const relureg::Engine engine(relureg::EngineOptions{static_cast<int>(state.range(1))});
  const relureg::LearnerEntry& entry = relureg::find_learner(learner);
  const relureg::ParamValues params =
      relureg::ParamValues::parse(entry.params, assignments, learner);
  relureg::use_column_copies(state.range(0) != 0);
  std::size_t passes = 0;
  for (auto _ : state) {
    const relureg::FitResult fit =
        relureg::fit_learner(entry, params, data.data.view(), {&engine, 7, {}});
    passes = fit.passes;
    benchmark::DoNotOptimize(fit.loss_history.data());
  }
  relureg::use_column_copies(true);
  state.counters["passes"] = static_cast<double>(passes);
  state.counters["per_pass"] =
      benchmark::Counter(static_cast<double>(passes * state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void arguments(benchmark::internal::Benchmark* b) {
  for (long threads : {1, 2})
    for (long copy : {0, 1}) b->Args({copy, threads});
  b->ArgNames({"copy", "threads"})->Unit(benchmark::kMillisecond)->UseRealTime();
}

// Default fits of 4, 24 and 59 passes, and one of 200 (tol = 0).
BENCHMARK_CAPTURE(BM_Fit, label_noise_gd, std::string("label-noise"), std::string("gd"),
                  std::vector<std::string>{})
    ->Apply(arguments);
// Fits that stop 4 passes after the copy is made, at the 16th read (the AVX2 kernels) and the 32nd
// (the AVX-512 ones): where it costs the most.
BENCHMARK_CAPTURE(BM_Fit, label_noise_gd_20, std::string("label-noise"), std::string("gd"),
                  std::vector<std::string>{"tol=0", "max_passes=20"})
    ->Apply(arguments);
BENCHMARK_CAPTURE(BM_Fit, label_noise_gd_36, std::string("label-noise"), std::string("gd"),
                  std::vector<std::string>{"tol=0", "max_passes=36"})
    ->Apply(arguments);
BENCHMARK_CAPTURE(BM_Fit, adversarial_glmtron, std::string("adversarial"), std::string("glmtron"),
                  std::vector<std::string>{})
    ->Apply(arguments);
BENCHMARK_CAPTURE(BM_Fit, realizable_glmtron, std::string("realizable"), std::string("glmtron"),
                  std::vector<std::string>{})
    ->Apply(arguments);
BENCHMARK_CAPTURE(BM_Fit, realizable_glmtron_200, std::string("realizable"), std::string("glmtron"),
                  std::vector<std::string>{"tol=0", "max_passes=200"})
    ->Apply(arguments);

}  // namespace

BENCHMARK_MAIN();
