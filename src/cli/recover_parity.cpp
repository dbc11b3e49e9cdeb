// `relureg recover-parity`: a ReLU learner turned into a sparse-parity solver; prints JSON.
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "cli.hpp"
#include "progress.hpp"
#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/io.hpp"
#include "relureg/parity_reduction.hpp"

namespace relureg::cli {
namespace {

// One line for the whole reduction: which fit is running, the overall fraction done (fits done
// plus the running fit's passes over its budget) and the overall ETA. Drawn after a second, on
// a terminal only.
class ReductionProgress {
 public:
  ReductionProgress(std::ostream& err, bool enabled, std::string learner)
      : err_(err),
        enabled_(enabled),
        learner_(std::move(learner)),
        start_(std::chrono::steady_clock::now()) {}
  ~ReductionProgress() { finish(); }

  RecoveryProgress hook() {
    if (!enabled_) return {};
    return [this](std::size_t fit, std::size_t fits) -> ProgressCallback {
      draw(fit, fits, 0.0);
      return [this, fit, fits](const FitProgress& p) {
        const double within =
            p.max_iterations > 0 ? std::min(1.0, double(p.passes) / double(p.max_iterations)) : 0;
        draw(fit, fits, within);
        return true;
      };
    };
  }

  void finish() {
    if (drawn_) err_ << "\r" << std::string(100, ' ') << "\r" << std::flush;
    drawn_ = false;
  }

 private:
  void draw(std::size_t fit, std::size_t fits, double within) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (elapsed < 1.0 || elapsed - last_ < 0.1) return;
    last_ = elapsed;
    const double fraction = (static_cast<double>(fit) + within) / static_cast<double>(fits);
    const int width = 30, filled = static_cast<int>(std::round(fraction * width));
    const std::string eta =
        fraction > 0 ? fmt::format("{:.0f}s", elapsed * (1 - fraction) / fraction) : "?";
    const std::string what = fit == 0 ? "full data" : fmt::format("coordinate {}", fit - 1);
    err_ << fmt::format("\r{} fit {}/{} ({}) [{}{}] {:3.0f}% elapsed {:.0f}s eta {}   ", learner_,
                        fit + 1, fits, what, std::string(filled, '#'),
                        std::string(width - filled, '.'), 100 * fraction, elapsed, eta)
         << std::flush;
    drawn_ = true;
  }

  std::ostream& err_;
  bool enabled_;
  std::string learner_;
  std::chrono::steady_clock::time_point start_;
  double last_ = 0;
  bool drawn_ = false;
};

}  // namespace

int cmd_recover_parity(const RecoverParityOptions& o, const CommonOptions& c, std::ostream& out,
                       std::ostream& err) {
  find_learner(o.recovery.learner);  // fail on a bad name before reading data
  if (!o.output.empty() && std::filesystem::path(o.output).extension() != ".json")
    throw InputError(o.output + ": the result file must end in .json");
  const Dataset data = read_dataset(o.data, o.read);

  RecoveryOptions options = o.recovery;
  options.seed = c.seed;
  options.threads = c.threads;
  // k, eta and S from the ground truth when there is one (the flags win).
  const std::string truth_path = o.truth.empty() ? truth_path_for(o.data) : o.truth;
  nlohmann::json truth_block;
  if (!o.truth.empty() || std::filesystem::exists(truth_path)) {
    const GroundTruth truth =
        ground_truth_from_json(nlohmann::json::parse(read_text_file(truth_path)), truth_path);
    if (truth.facts.contains("S") && truth.facts.contains("k") && truth.facts.contains("eta")) {
      options.k = truth.facts["k"].get<std::size_t>();
      options.eta = truth.facts["eta"].get<double>();
      truth_block = {{"file", truth_path}, {"S", truth.facts["S"]}};
    }
  }
  if (o.k > 0) options.k = o.k;
  if (o.eta >= 0) options.eta = o.eta;

  ReductionProgress bar(err, !c.quiet && stderr_is_terminal(), o.recovery.learner);
  const RecoveryResult result = recover_parity(data, options, bar.hook());
  bar.finish();

  nlohmann::json j = result.to_json();
  j["learner"] = o.recovery.learner;
  j["params"] = o.recovery.params;
  j["budget_passes"] =
      o.recovery.budget_passes > 0 ? nlohmann::json(o.recovery.budget_passes) : nlohmann::json();
  j["k"] = options.k ? nlohmann::json(*options.k) : nlohmann::json();
  j["eta"] = options.eta ? nlohmann::json(*options.eta) : nlohmann::json();
  j["sq_tolerance"] = o.recovery.sq_tolerance;
  if (o.recovery.sq_tolerance > 0) j["sq_oracle"] = o.recovery.sq_oracle;
  j["seed"] = c.seed;
  if (!truth_block.is_null()) {
    truth_block["correct"] = truth_block["S"] == nlohmann::json(result.recovered) && result.found;
    j["truth"] = truth_block;
  }
  if (!o.output.empty()) write_text_atomically(o.output, j.dump(2) + "\n");
  out << j.dump() << "\n";
  if (!c.quiet) err << "recover-parity: " << result.message << "\n";
  return 0;
}

}  // namespace relureg::cli
