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
  std::mt19937_64 rng = make_rng(seed_, next_query());
  for (double& m : means) m += tolerance() * (2 * uniform(rng) - 1);
}

NullAnswerOracle::NullAnswerOracle(double tolerance, std::span<const double> labels,
                                   std::uint64_t seed, int threads)
    : StatisticalQueryOracle(tolerance),
      null_labels_(labels.begin(), labels.end()),
      null_engine_(std::make_unique<Engine>(EngineOptions{threads})) {
  if (labels.empty()) throw InputError("the adversarial SQ oracle needs labelled data");
  std::mt19937_64 rng = make_rng(seed, kPermutationStream);
  for (std::size_t i = null_labels_.size(); i-- > 1;) {  // Fisher–Yates
    const auto j = static_cast<std::size_t>(uniform(rng) * static_cast<double>(i + 1));
    std::swap(null_labels_[i], null_labels_[std::min(j, i)]);
  }
}

void NullAnswerOracle::answer(std::span<double>) const {
  throw std::logic_error("NullAnswerOracle answers through answer_query (it needs the query)");
}

void NullAnswerOracle::answer_query(const DataSource& source, std::size_t width,
                                    const BlockKernel& kernel, std::span<double> means) const {
  next_query();
  if (source.rows() != null_labels_.size())
    throw InputError(fmt::format(
        "adversarial SQ oracle: the query's data has {} rows, the oracle was built for {} (a "
        "learner that queries a subset of the rows, such as gkk19's hold-out split, needs "
        "--sq-oracle random)",
        source.rows(), null_labels_.size()));
  const NullLabelSource null_source(source, null_labels_);
  const std::vector<double> null_sums = null_engine_->sum(null_source, width, kernel);
  const double n = static_cast<double>(source.rows());
  const double tau = tolerance();
  for (std::size_t j = 0; j < means.size(); ++j) {
    const double shift = null_sums[j] / n - means[j];
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
