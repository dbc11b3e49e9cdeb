// Statistical-query oracles: random and null-distribution (adversarial) answers within ±τ.
#include "relureg/query_oracle.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "relureg/error.hpp"
#include "relureg/rng.hpp"

namespace relureg {
namespace {

constexpr std::uint64_t kPermutationStream = 0x5155;  // "SQ"

// Uniform on (0, 1) from 53 random bits (the same mapping on every standard library).
double uniform(std::mt19937_64& rng) {
  return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53;
}

// The rows of `source` with the oracle's permuted labels in place of their own.
class NullLabelSource final : public DataSource {
 public:
  NullLabelSource(const DataSource& source, const std::vector<double>& labels)
      : source_(source), labels_(labels) {}
  std::size_t rows() const override { return source_.rows(); }
  std::size_t cols() const override { return source_.cols(); }
  RowBlock block(std::size_t begin, std::size_t count) const override {
    RowBlock b = source_.block(begin, count);
    b.y = labels_.data() + begin;
    return b;
  }
  bool weighted() const override { return source_.weighted(); }

 private:
  const DataSource& source_;
  const std::vector<double>& labels_;
};

}  // namespace

StatisticalQueryOracle::StatisticalQueryOracle(double tolerance) : tolerance_(tolerance) {
  if (!(tolerance >= 0) || !std::isfinite(tolerance))
    throw InputError(fmt::format("SQ tolerance must be a finite number >= 0, got {}", tolerance));
}

RandomQueryOracle::RandomQueryOracle(double tolerance, std::uint64_t seed)
    : StatisticalQueryOracle(tolerance), seed_(seed) {}

void RandomQueryOracle::answer(std::span<double> means) const {
  std::mt19937_64 rng = make_rng(seed_, next_query(means.size()));
  for (double& m : means) m += tolerance() * (2 * uniform(rng) - 1);
}

NullAnswerOracle::NullAnswerOracle(double tolerance, std::span<const double> labels,
                                   std::uint64_t seed, int threads)
    : StatisticalQueryOracle(tolerance),
      seed_(seed),
      null_engine_(std::make_unique<Engine>(EngineOptions{threads})) {
  if (labels.empty()) throw InputError("the adversarial SQ oracle needs labelled data");
}

void NullAnswerOracle::answer(std::span<double>) const {
  throw std::logic_error("NullAnswerOracle answers through answer_query (it needs the query)");
}

const std::vector<std::uint32_t>& NullAnswerOracle::permutation(std::size_t rows) const {
  const std::lock_guard<std::mutex> lock(mutex_);
  auto it = permutations_.find(rows);
  if (it != permutations_.end()) return it->second;
  std::vector<std::uint32_t> order(rows);
  for (std::size_t i = 0; i < rows; ++i) order[i] = static_cast<std::uint32_t>(i);
  std::mt19937_64 rng = make_rng(seed_, kPermutationStream);
  for (std::size_t i = rows; i-- > 1;) {  // Fisher–Yates
    const auto j = static_cast<std::size_t>(uniform(rng) * static_cast<double>(i + 1));
    std::swap(order[i], order[std::min(j, i)]);
  }
  return permutations_.emplace(rows, std::move(order)).first->second;
}

void NullAnswerOracle::answer_query(const DataSource& source, std::size_t width,
                                    const BlockKernel& kernel, std::span<double> means) const {
  next_query(means.size());
  // The null distribution of this query's rows: their own labels (a slice's, or relabelled
  // ones such as gkk19's thresholds), in a seeded order that depends only on the row count.
  const std::size_t n = source.rows();
  std::vector<double> labels(n);
  std::atomic<bool> labelled{true};
  null_engine_->map(source, labels, [&labelled](const RowBlock& blk, double* out) {
    if (blk.y == nullptr) {
      labelled = false;
      return;
    }
    std::copy(blk.y, blk.y + blk.rows, out);
  });
  if (!labelled) throw InputError("the adversarial SQ oracle needs labelled data");
  const std::vector<std::uint32_t>& order = permutation(n);
  std::vector<double> null_labels(n);
  for (std::size_t i = 0; i < n; ++i) null_labels[i] = labels[order[i]];
  const NullLabelSource null_source(source, null_labels);
  const std::vector<double> null_sums = null_engine_->sum(null_source, width, kernel);
  const double tau = tolerance();
  for (std::size_t j = 0; j < means.size(); ++j) {
    const double shift = null_sums[j] / static_cast<double>(n) - means[j];
    if (std::isfinite(shift)) means[j] += std::clamp(shift, -tau, tau);
  }
}

std::shared_ptr<StatisticalQueryOracle> make_query_oracle(const std::string& kind, double tolerance,
                                                          std::span<const double> labels,
                                                          std::uint64_t seed, int threads) {
  if (kind == "adversarial")
    return std::make_shared<NullAnswerOracle>(tolerance, labels, seed, threads);
  if (kind == "random") return std::make_shared<RandomQueryOracle>(tolerance, seed);
  throw InputError(
      fmt::format("unknown SQ oracle '{}' (choose one of: adversarial, random)", kind));
}

}  // namespace relureg
