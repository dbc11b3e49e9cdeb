// Exhaustive search over k-subsets: the best ReLU along 1_T/√k (with signs) for every k-subset T.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/subset_scan.hpp"
#include "learners.hpp"
#include "relureg/error.hpp"
#include "relureg/fit_monitor.hpp"
#include "relureg/kernels.hpp"
#include "shared_params.hpp"

namespace relureg::detail {
namespace {

constexpr std::size_t kTopSubsets = 5;  // best subsets reported in the details

double binomial(std::size_t n, std::size_t k) {
  double c = 1;
  for (std::size_t i = 0; i < k; ++i)
    c = c * static_cast<double>(n - i) / static_cast<double>(i + 1);
  return std::round(c);
}

// Advances `subset` (sorted, values < n) to the next k-subset in lexicographic order.
bool next_subset(std::vector<std::uint32_t>& subset, std::size_t n) {
  const std::size_t k = subset.size();
  std::size_t i = k;
  while (i > 0 && subset[i - 1] == n - k + i - 1) --i;
  if (i == 0) return false;
  ++subset[i - 1];
  for (std::size_t j = i; j < k; ++j) subset[j] = subset[j - 1] + 1;
  return true;
}

struct Scored {
  std::vector<std::uint32_t> subset;
  std::vector<double> signs;
  double scale = 0;
  double loss = std::numeric_limits<double>::infinity();
};

struct ExhaustiveSubsetsParams : ReluFitParams {
  std::size_t k = 2;
  std::string signs = "parity";
  std::size_t batch = 4096;

  RELUREG_FIELDS(inherit_fields<P, ReluFitParams>(
      {{"k", &P::k, "size of the subsets searched", 1, 20},
       {"signs", &P::signs, "sign patterns per subset: parity (the two sign products) or all (2^k)",
        Choices{{"parity", "all"}}},
       {"batch", &P::batch, "subsets scored per pass over the data", 1, 1e6}}))
};

// The brute-force k-sparse-parity solver in ReLU form (GKK19's upper bound side: C(d, k)
// candidates, so time d^{Θ(k)}, matching the n^{Ω(k)} hardness). For a parity on T the best
// direction supported on T is 1_T/√k with signs whose product is the sign of c_k (papers.md
// §1.4 steps 5–6), so signs=parity tries the two sign products (all +1, and the last −1);
// signs=all tries all 2^k patterns (for labels that are not parities). The best scale of
// ReLU(a u·x) is clip(E[y r]/E[r²], 0, radius) with r = ReLU(u·x), so one engine mean per
// batch of subsets scores them all; the candidate of least training loss wins.
class ExhaustiveSubsetsLearner final : public ParamLearner<ExhaustiveSubsetsParams> {
 public:
  explicit ExhaustiveSubsetsLearner(const ExhaustiveSubsetsParams& p)
      : ParamLearner(p), all_signs_(p.signs == "all") {}

  FitResult fit(const DataSource& data, const FitContext& context) override {
    const std::size_t d = data.cols();
    if (p_.k > d)
      throw InputError(fmt::format("exhaustive-subsets: k = {} exceeds d = {}", p_.k, d));
    const std::size_t patterns = all_signs_ ? std::size_t{1} << p_.k : 2;
    const double subsets = binomial(d, p_.k);
    if (subsets * static_cast<double>(patterns) > 1e13)
      throw InputError(fmt::format(
          "exhaustive-subsets: C({}, {}) x {} sign patterns = {:.3g} candidates is too many", d,
          p_.k, patterns, subsets * static_cast<double>(patterns)));
    const std::size_t batches =
        static_cast<std::size_t>(std::ceil(subsets / static_cast<double>(p_.batch)));
    const Engine& engine = *context.engine;

    FitResult result;
    FitMonitor monitor(context, {"exhaustive-subsets", batches}, result);
    monitor.stop("exhaustive");
    std::vector<Scored> top;  // the best candidate of each of the best subsets, best first
    std::vector<std::uint32_t> subset(p_.k);
    for (std::size_t i = 0; i < p_.k; ++i) subset[i] = static_cast<std::uint32_t>(i);
    bool more = true;
    std::size_t batch_index = 0;
    while (more) {
      std::vector<std::uint32_t> batch;  // subsets of this pass, k indices each
      while (more && batch.size() < p_.batch * p_.k) {
        batch.insert(batch.end(), subset.begin(), subset.end());
        more = next_subset(subset, d);
      }
      score_batch(engine, data, batch, patterns, top);
      ++batch_index;
      if (!monitor.report(batch_index, top.front().loss)) break;
    }
    const Scored& best = top.front();
    result.relu().w.assign(d, 0.0);
    const double unit = 1 / std::sqrt(static_cast<double>(p_.k));
    for (std::size_t i = 0; i < p_.k; ++i) result.relu().w[best.subset[i]] = best.signs[i] * unit;
    if (p_.bias) {
      const ScaleBiasFit fit = refit_scale_bias(engine, data, result.relu().w, p_.radius);
      for (double& v : result.relu().w) v *= fit.scale;
      result.relu().b = fit.bias;
      monitor.record(fit.loss);
    } else {
      for (double& v : result.relu().w) v *= best.scale;
    }
    result.relu().bias = p_.bias;
    nlohmann::json listed = nlohmann::json::array();
    for (const Scored& s : top)
      listed.push_back({{"subset", s.subset}, {"signs", s.signs}, {"loss", s.loss}});
    result.details = {
        {"k", p_.k},
        {"subsets", subsets},
        {"subsets_scored", std::min(subsets, double(batch_index * p_.batch))},
        {"sign_patterns", patterns},
        {"best_subset", best.subset},
        {"best_loss", best.loss},
        {"runner_up_margin", top.size() > 1 ? nlohmann::json(top[1].loss - best.loss) : nullptr},
        {"top", listed}};
    return result;
  }

 private:
  bool all_signs_;

  // The sign pattern p of a subset: signs=parity → p = 0 all +1, p = 1 the last −1;
  // signs=all → bit i of p set means coordinate i of the subset is −1.
  double sign_of(std::size_t pattern, std::size_t i) const {
    if (!all_signs_) return pattern == 1 && i + 1 == p_.k ? -1.0 : 1.0;
    return (pattern >> i) & 1 ? -1.0 : 1.0;
  }

  // One pass: for every subset of `batch` and sign pattern, Σ y r and Σ r² with r = ReLU(u·x);
  // plus Σ y². Updates `top` with the best candidate of each subset.
  void score_batch(const Engine& engine, const DataSource& data,
                   const std::vector<std::uint32_t>& batch, std::size_t patterns,
                   std::vector<Scored>& top) const {
    const std::size_t k = p_.k;
    const std::size_t count = batch.size() / k;
    const std::size_t width = 2 * count * patterns + 1;
    const std::vector<double> m = engine.mean(data, width, [&](const RowBlock& blk, double* acc) {
      double yy = 0;
      for (std::size_t r = 0; r < blk.rows; ++r) yy += blk.y[r] * blk.y[r];
      acc[width - 1] += yy;
      if (all_signs_)
        subset_sign_sums(blk, batch.data(), count, k, acc);
      else
        subset_parity_sums(blk, batch.data(), count, k, acc);
    });
    const double mean_yy = m[width - 1];
    for (std::size_t s = 0; s < count; ++s) {
      Scored best_here;
      for (std::size_t p = 0; p < patterns; ++p) {
        const double yr = m[2 * (s * patterns + p)], rr = m[2 * (s * patterns + p) + 1];
        const double a = rr > 0 ? std::clamp(yr / rr, 0.0, p_.radius) : 0.0;
        const double loss = mean_yy - 2 * a * yr + a * a * rr;
        if (loss < best_here.loss) {
          best_here.loss = loss;
          best_here.scale = a;
          best_here.signs.resize(k);
          for (std::size_t i = 0; i < k; ++i) best_here.signs[i] = sign_of(p, i);
        }
      }
      if (top.size() == kTopSubsets && !(best_here.loss < top.back().loss)) continue;
      best_here.subset.assign(batch.begin() + s * k, batch.begin() + (s + 1) * k);
      const auto at =
          std::upper_bound(top.begin(), top.end(), best_here.loss,
                           [](double loss, const Scored& other) { return loss < other.loss; });
      top.insert(at, std::move(best_here));
      if (top.size() > kTopSubsets) top.pop_back();
    }
  }
};

}  // namespace

LearnerEntry exhaustive_subsets_entry() {
  return learner_entry<ExhaustiveSubsetsLearner, ExhaustiveSubsetsParams>();
}

}  // namespace relureg::detail
