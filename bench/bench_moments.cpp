// The moments pass's block kernels (Σ x xᵀ, Σ y x, Σ x, Σ y of one block in cache) in each
// instruction-set variant this CPU runs, against Eigen's rank update of the same block; and the
// same for rows given in double (net2-enum's hidden units).
#include <benchmark/benchmark.h>

// One thread, as in the library (relureg_core's EIGEN_DONT_PARALLELIZE).
#define EIGEN_DONT_PARALLELIZE
// GCC 12 reports a false "may be used uninitialized" inside Eigen's AVX-512 kernels (GCC PR
// 105593); the library's files that include Eigen silence it the same way (CMakeLists.txt).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <Eigen/Dense>
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "kernels/moments.hpp"

namespace {

using relureg::RowBlock;
using relureg::detail::MomentKernels;
using RowMajorFloats = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMajorDoubles = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Rows per block: 8 MB of X at d = 1000, 800 KB at d = 100.
constexpr std::size_t kRows = 2048;
const std::vector<long> kDims = {16, 32, 64, 100, 256, 1000};

// kRows rows of d Gaussian features and their labels.
struct Block {
  explicit Block(std::size_t d) : x(kRows * d), y(kRows), d(d) {
    std::mt19937 rng(11);
    std::normal_distribution<float> normal;
    for (float& v : x) v = normal(rng);
    for (double& v : y) v = normal(rng);
  }
  RowBlock rows() const { return RowBlock{x.data(), y.data(), kRows, d, 0, nullptr}; }
  std::vector<float> x;
  std::vector<double> y;
  std::size_t d;
};

void count_rows(benchmark::State& state) {
  const auto rows = static_cast<double>(state.iterations() * kRows);
  state.counters["time_per_row"] =
      benchmark::Counter(rows, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// A variant's chosen kernel (the register kernel for rows of one vector, the tiled one beyond).
void BM_MomentsKernel(benchmark::State& state, const MomentKernels* variant) {
  const auto d = static_cast<std::size_t>(state.range(0));
  const Block block(d);
  std::vector<double> acc(d * d + 2 * d + 1, 0.0);
  for (auto _ : state) {
    variant->block(block.rows(), acc.data());
    benchmark::DoNotOptimize(acc.data());
  }
  count_rows(state);
}

// What learners/moment.cpp's add_block_moments does where no variant takes the rows (a build
// and CPU without AVX): the block widened to double in its own row-major layout, then Eigen's
// rank update of the lower triangle and the three sums; compiled for this build's own target.
void BM_MomentsRankUpdate(benchmark::State& state) {
  const auto d = static_cast<std::size_t>(state.range(0));
  const Block block(d);
  const auto n = static_cast<Eigen::Index>(d), rows = static_cast<Eigen::Index>(kRows);
  std::vector<double> acc(d * d + 2 * d + 1, 0.0);
  for (auto _ : state) {
    const RowMajorDoubles xb =
        Eigen::Map<const RowMajorFloats>(block.x.data(), rows, n).cast<double>();
    const Eigen::Map<const Eigen::VectorXd> yb(block.y.data(), rows);
    Eigen::Map<Eigen::MatrixXd>(acc.data(), n, n)
        .selfadjointView<Eigen::Lower>()
        .rankUpdate(xb.transpose());
    Eigen::Map<Eigen::VectorXd>(acc.data() + d * d, n) += xb.transpose() * yb;
    Eigen::Map<Eigen::VectorXd>(acc.data() + d * d + d, n) += xb.colwise().sum().transpose();
    acc[d * d + 2 * d] += yb.sum();
    benchmark::DoNotOptimize(acc.data());
  }
  count_rows(state);
}

// Rows given in double, copied from a row-major matrix (as net2-enum's fill writes its hidden
// units): a variant's double_rows.
void BM_DoubleRows(benchmark::State& state, const MomentKernels* variant) {
  const auto d = static_cast<std::size_t>(state.range(0));
  const Block block(d);
  std::vector<double> x(block.x.begin(), block.x.end());
  const auto fill = [](void* rows, std::size_t r, double* out) {
    const std::vector<double>& of = *static_cast<const std::vector<double>*>(rows);
    const std::size_t d = of.size() / kRows;
    std::copy_n(of.begin() + static_cast<std::ptrdiff_t>(r * d), d, out);
  };
  std::vector<double> acc(d * d + 2 * d + 1, 0.0);
  for (auto _ : state) {
    variant->double_rows({kRows, d, block.y.data(), nullptr, fill, &x}, acc.data());
    benchmark::DoNotOptimize(acc.data());
  }
  count_rows(state);
}

// What net2-enum did before (up to 2026-12): 256 rows at a time copied into a matrix, Eigen's
// rank update of the lower triangle, the sums row by row.
void BM_DoubleRowsRankUpdate(benchmark::State& state) {
  const auto d = static_cast<std::size_t>(state.range(0));
  const Block block(d);
  const std::vector<double> x(block.x.begin(), block.x.end());
  constexpr std::size_t kChunk = 256;
  const auto n = static_cast<Eigen::Index>(d);
  Eigen::MatrixXd H(kChunk, n), gram(n, n);
  std::vector<double> acc(d * d + 2 * d + 1, 0.0);
  for (auto _ : state) {
    gram.setZero();
    for (std::size_t start = 0; start < kRows; start += kChunk) {
      for (std::size_t r = 0; r < kChunk; ++r) {
        const double* h = x.data() + (start + r) * d;
        const double y = block.y[start + r];
        for (std::size_t g = 0; g < d; ++g) {
          H(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(g)) = h[g];
          acc[d * d + g] += h[g] * y;
          acc[d * d + d + g] += h[g];
        }
        acc[d * d + 2 * d] += y;
      }
      gram.selfadjointView<Eigen::Lower>().rankUpdate(H.transpose());
    }
    for (Eigen::Index j = 0; j < n; ++j)
      for (Eigen::Index i = j; i < n; ++i) acc[static_cast<std::size_t>(i + j * n)] += gram(i, j);
    benchmark::DoNotOptimize(acc.data());
  }
  count_rows(state);
}

// Each benchmark at every d, in microseconds of wall time.
void at_every_d(benchmark::internal::Benchmark* b) {
  for (long d : kDims) b->Arg(d);
  b->ArgName("d")->Unit(benchmark::kMicrosecond)->UseRealTime();
}

}  // namespace

int main(int argc, char** argv) {
  // One benchmark per variant, named by its level ("x86-64-v4", ...), the rank update last.
  for (const MomentKernels* variant : relureg::detail::moment_kernel_variants()) {
    const std::string name(variant->name);
    at_every_d(benchmark::RegisterBenchmark(
        ("BM_MomentsKernel/" + name.substr(0, name.find(' '))).c_str(), BM_MomentsKernel, variant));
  }
  at_every_d(benchmark::RegisterBenchmark("BM_MomentsRankUpdate", BM_MomentsRankUpdate));
  for (const MomentKernels* variant : relureg::detail::moment_kernel_variants()) {
    const std::string name(variant->name);
    at_every_d(benchmark::RegisterBenchmark(
        ("BM_DoubleRows/" + name.substr(0, name.find(' '))).c_str(), BM_DoubleRows, variant));
  }
  at_every_d(benchmark::RegisterBenchmark("BM_DoubleRowsRankUpdate", BM_DoubleRowsRankUpdate));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
