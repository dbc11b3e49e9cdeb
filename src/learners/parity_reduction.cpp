// GKK19's Algorithm 1 as we reconstruct it: any ReLU learner as a k-sparse-parity solver by
// re-randomising one coordinate at a time.
#include "relureg/parity_reduction.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numbers>

#include "relureg/error.hpp"
#include "relureg/fit_monitor.hpp"
#include "relureg/kernels.hpp"
#include "relureg/parity.hpp"
#include "relureg/query_oracle.hpp"
#include "relureg/rng.hpp"

namespace relureg {
namespace {

constexpr std::uint64_t kTrainFlips = 0x7472616900000000ULL;    // streams of the sign flips
constexpr std::uint64_t kHoldoutFlips = 0x686f6c6400000000ULL;  // on training / held-out rows
constexpr double kVerifyStandardErrors = 4;  // a set verifies when its correlation exceeds this

// Whether row `row` has coordinate i's sign re-drawn to the opposite value: a fresh bit b'_i is
// b_i or −b_i with probability ½ each, so "x_i → −x_i with probability ½" is exactly the lift of
// a fresh uniform bit. Hashed from (stream, row), so it is the same for any thread count.
inline bool flip_bit(std::uint64_t stream, std::size_t row) {
  return mix_seed(stream, row) & 1;
}

// Held-out loss of `model` with coordinate `coordinate` re-randomised (none when npos), and its
// standard error, through a plain engine (no oracle: the reduction's own estimates are exact).
std::pair<double, double> holdout_loss(const Engine& engine, const DatasetView& holdout,
                                       const ReluModel& model, std::size_t coordinate,
                                       std::uint64_t stream) {
  const std::size_t d = holdout.cols();
  const double* w = model.w.data();
  const double b = model.b;
  const double w_i = coordinate < d ? w[coordinate] : 0.0;
  const std::vector<double> s = engine.sum(holdout, 2, [&](const RowBlock& blk, double* acc) {
    for (std::size_t r = 0; r < blk.rows; ++r) {
      const float* x = blk.X + r * d;
      double z = affine_value(x, w, d, b);
      if (coordinate < d && flip_bit(stream, blk.first_row + r))
        z -= 2 * w_i * static_cast<double>(x[coordinate]);
      const double residual = (z > 0 ? z : 0.0) - blk.y[r];
      acc[0] += residual * residual;
      acc[1] += residual * residual * residual * residual;
    }
  });
  const double m = static_cast<double>(holdout.rows());
  const double mean = s[0] / m;
  const double variance = std::max(0.0, s[1] / m - mean * mean) * m / std::max(m - 1, 1.0);
  return {mean, std::sqrt(variance / m)};
}

// Held-out E[(2y − 1) χ_T(sign x)] and its standard error.
std::pair<double, double> parity_correlation_on(const Engine& engine, const DatasetView& holdout,
                                                const std::vector<std::size_t>& T) {
  const std::vector<double> s =
      engine.sum_rows(holdout, 2, [&](const float* x, double y, double* acc) {
        double chi = 1;
        for (std::size_t i : T) chi *= x[i] < 0 ? -1.0 : 1.0;
        const double v = (2 * y - 1) * chi;
        acc[0] += v;
        acc[1] += v * v;
      });
  const double m = static_cast<double>(holdout.rows());
  const double mean = s[0] / m;
  return {mean, std::sqrt(std::max(0.0, s[1] / m - mean * mean) / m)};
}

bool declares(const LearnerEntry& entry, const std::string& name) {
  return std::any_of(entry.params.begin(), entry.params.end(),
                     [&](const ParamSpec& p) { return p.name == name; });
}

// The parity's size: options.k (the user's or the ground truth's), or the learner's own
// subset-size parameter `k` when it is given; a learner with such a parameter gets k appended to
// its assignments, so it searches subsets of the parity's size. Neither: an error saying how.
std::optional<std::size_t> subset_size(const LearnerEntry& entry, const RecoveryOptions& options,
                                       std::vector<std::string>& assignments) {
  std::optional<std::size_t> k = options.k;
  if (declares(entry, "k")) {
    const ParamValues given =
        ParamValues::parse(entry.params, assignments, "learner '" + entry.name + "'");
    if (given.was_given("k")) {
      const auto learner_k = given.to_json()["k"].get<std::size_t>();
      if (k && *k != learner_k)
        throw InputError(fmt::format(
            "recover-parity: the parity's size k = {} and learner '{}''s parameter k={} differ "
            "(give k once, with --k)",
            *k, entry.name, learner_k));
      k = learner_k;
    } else if (k) {
      assignments.push_back(fmt::format("k={}", *k));
    }
  }
  if (!k)
    throw InputError(
        "recover-parity: the parity's size k is unknown: give it with --k K, or give the "
        "instance's ground truth (a truth file with facts k and eta) with --truth FILE");
  return k;
}

std::string set_text(const std::vector<std::size_t>& T) {
  return fmt::format("{{{}}}", fmt::join(T, ", "));
}

}  // namespace

nlohmann::json RecoveryResult::to_json() const {
  auto number = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
  nlohmann::json coords = nlohmann::json::array();
  for (const CoordinateLoss& c : coordinates)
    coords.push_back({{"index", c.index},
                      {"loss", number(c.loss)},
                      {"stderr", c.stderr_},
                      {"in_set", c.in_set},
                      {"passes", c.passes},
                      {"seconds", c.seconds},
                      {"stop_reason", c.stop_reason}});
  return {{"found", found},
          {"recovered", recovered},
          {"message", message},
          {"threshold", threshold},
          {"threshold_rule", threshold_rule},
          {"b0", b0},
          {"gap", number(gap)},
          {"full_loss", full_loss},
          {"margin", number(margin)},
          {"separation", number(separation)},
          {"correlation", correlation},
          {"correlation_stderr", correlation_stderr},
          {"coordinates", coords},
          {"readout", readout},
          {"train_rows", train_rows},
          {"holdout_rows", holdout_rows},
          {"seconds", seconds}};
}

RecoveryResult recover_parity(const Dataset& data, const RecoveryOptions& options,
                              const RecoveryProgress& progress) {
  const auto start = std::chrono::steady_clock::now();
  const LearnerEntry& entry = find_learner(options.learner);
  if (entry.task != Task::relu)
    throw InputError(
        fmt::format("recover-parity needs a ReLU learner; '{}' fits a {} (choose one of: {})",
                    entry.name, task_name(entry.task), learner_names(Task::relu)));
  if (data.y.empty()) throw InputError("recover-parity needs labelled data");
  if (!(options.holdout > 0 && options.holdout < 1))
    throw InputError(fmt::format("holdout fraction must be in (0, 1), got {}", options.holdout));
  const std::size_t d = data.d;
  const std::size_t holdout_rows =
      static_cast<std::size_t>(std::floor(options.holdout * static_cast<double>(data.n)));
  const std::size_t train_rows = data.n - holdout_rows;
  if (holdout_rows < 10 || train_rows < 10)
    throw InputError(
        fmt::format("recover-parity: {} rows are too few to keep {} for the loss estimates", data.n,
                    holdout_rows));
  // The learner's parameters, with the pass budget as its max_passes when it has one.
  std::vector<std::string> assignments = options.params;
  const std::optional<std::size_t> k = subset_size(entry, options, assignments);
  if (*k == 0 || *k > d)
    throw InputError(fmt::format("recover-parity: k = {} must be in [1, d = {}]", *k, d));
  if (options.budget_passes > 0) {
    const bool given =
        std::any_of(assignments.begin(), assignments.end(),
                    [](const std::string& a) { return a.rfind("max_passes=", 0) == 0; });
    if (declares(entry, "max_passes") && !given)
      assignments.push_back(fmt::format("max_passes={}", options.budget_passes));
  }
  const ParamValues params =
      ParamValues::parse(entry.params, assignments, "learner '" + entry.name + "'");

  // A working copy of the training rows whose coordinates are re-randomised one at a time.
  Dataset work(train_rows, d);
  std::copy(data.X.begin(), data.X.begin() + static_cast<std::ptrdiff_t>(train_rows * d),
            work.X.begin());
  std::copy(data.y.begin(), data.y.begin() + static_cast<std::ptrdiff_t>(train_rows),
            work.y.begin());
  const DatasetView holdout = data.view().slice(train_rows, data.n);
  const Engine exact(EngineOptions{options.threads});
  Engine learner_engine(EngineOptions{options.threads});
  if (options.sq_tolerance > 0)
    learner_engine.set_query_oracle(make_query_oracle(options.sq_oracle, options.sq_tolerance,
                                                      work.y, options.seed, options.threads));

  const std::size_t fits = d + 1;
  auto run_fit = [&](std::size_t fit_index) {
    FitContext context{&learner_engine, options.seed,
                       combine({progress ? progress(fit_index, fits) : ProgressCallback{},
                                stop_at_passes(options.budget_passes)})};
    return fit_learner(entry, params, work.view(), context);
  };

  RecoveryResult result;
  result.k = *k;
  result.train_rows = train_rows;
  result.holdout_rows = holdout_rows;
  // The held-out no-information loss b0 = E[y²] − (E y)²/π: when y is independent of
  // x ~ N(0, I), ReLU(a u·x) loses a²/2 − 2a E[y]/√(2π) + E[y²], least at a = 2E[y]/√(2π).
  const std::vector<double> label_moments =
      exact.mean_rows(holdout, 2, [](const float*, double y, double* acc) {
        acc[0] += y;
        acc[1] += y * y;
      });
  result.b0 = label_moments[1] - label_moments[0] * label_moments[0] / std::numbers::pi;

  const FitResult full = run_fit(0);
  result.full_loss = holdout_loss(exact, holdout, full.relu(), d, 0).first;
  result.gap = std::numeric_limits<double>::quiet_NaN();
  if (options.eta) {
    result.gap = parity::parity_gap(*k, *options.eta).gap;
    result.threshold = result.b0 - result.gap / 2;
    result.threshold_rule = "b0 - gap/2";
  } else {
    result.threshold = (result.b0 + result.full_loss) / 2;
    result.threshold_rule = "midpoint";
  }

  for (std::size_t i = 0; i < d; ++i) {
    const std::uint64_t train_stream = mix_seed(options.seed, kTrainFlips + i);
    float* X = work.X.data();
    auto flip_column = [&] {
      for (std::size_t r = 0; r < train_rows; ++r)
        if (flip_bit(train_stream, r)) X[r * d + i] = -X[r * d + i];
    };
    flip_column();
    const FitResult fit = run_fit(i + 1);
    flip_column();  // restores the column
    const auto [loss, stderr_] =
        holdout_loss(exact, holdout, fit.relu(), i, mix_seed(options.seed, kHoldoutFlips + i));
    CoordinateLoss c{i,          loss,        stderr_,        !(loss <= result.threshold),
                     fit.passes, fit.seconds, fit.stop_reason};
    if (c.in_set) result.recovered.push_back(i);
    result.coordinates.push_back(c);
  }

  double margin = std::numeric_limits<double>::infinity();
  double lowest_in = margin, highest_out = -margin;
  for (const CoordinateLoss& c : result.coordinates) {
    margin = std::min(margin, std::abs(c.loss - result.threshold));
    if (c.in_set)
      lowest_in = std::min(lowest_in, c.loss);
    else
      highest_out = std::max(highest_out, c.loss);
  }
  result.margin = margin;
  result.separation = std::isfinite(lowest_in) && std::isfinite(highest_out)
                          ? lowest_in - highest_out
                          : std::numeric_limits<double>::quiet_NaN();
  std::tie(result.correlation, result.correlation_stderr) =
      parity_correlation_on(exact, holdout, result.recovered);
  const bool size_ok = result.recovered.size() == *k;
  const bool verified = !result.recovered.empty() && result.recovered.size() < d &&
                        result.correlation > kVerifyStandardErrors * result.correlation_stderr;
  result.found = size_ok && verified;
  if (result.found) {
    result.message =
        fmt::format("found S = {} (held-out parity correlation {:.4f} +- {:.4f})",
                    set_text(result.recovered), result.correlation, result.correlation_stderr);
  } else {
    std::string why;
    if (result.recovered.empty())
      why = "no coordinate's loss rose above the threshold";
    else if (result.recovered.size() == d)
      why = fmt::format(
          "every coordinate's loss is above the threshold {:.6g} (the learner "
          "found no ReLU better than the no-information loss)",
          result.threshold);
    else if (!size_ok)
      why =
          fmt::format("{} coordinates look relevant, expected k = {}", result.recovered.size(), *k);
    else
      why = fmt::format("the parity of {} does not correlate with the labels ({:.4f} +- {:.4f})",
                        set_text(result.recovered), result.correlation, result.correlation_stderr);
    result.message = "not found: " + why;
  }

  // Direct read-out: the k largest |w_i| of the full fit, verified like the recovered set.
  std::vector<std::size_t> order(d);
  for (std::size_t i = 0; i < d; ++i) order[i] = i;
  // Ties keep index order: std::sort with the index as tiebreak, the order std::stable_sort would
  // give (whose temporary buffer clang 14's AddressSanitizer misreports with libstdc++ 12).
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const double wa = std::abs(full.relu().w[a]), wb = std::abs(full.relu().w[b]);
    return wa != wb ? wa > wb : a < b;
  });
  const std::size_t take = *k;
  std::vector<std::size_t> readout_set(order.begin(), order.begin() + std::min(take, d));
  std::sort(readout_set.begin(), readout_set.end());
  const auto [readout_corr, readout_se] = parity_correlation_on(exact, holdout, readout_set);
  const double kth = std::abs(full.relu().w[order[std::min(take, d) - 1]]);
  const double next = take < d ? std::abs(full.relu().w[order[take]]) : 0.0;
  const bool readout_verified = readout_corr > kVerifyStandardErrors * readout_se;
  result.readout = {{"set", readout_set},
                    {"weight_ratio", next > 0 ? nlohmann::json(kth / next) : nlohmann::json()},
                    {"correlation", readout_corr},
                    {"correlation_stderr", readout_se},
                    {"reliable", readout_verified},
                    {"full_fit_passes", full.passes},
                    {"full_fit_seconds", full.seconds}};
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace relureg
