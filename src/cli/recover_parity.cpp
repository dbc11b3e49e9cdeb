// `relureg recover-parity`: a ReLU learner turned into a sparse-parity solver; prints JSON.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "cli.hpp"
#include "option_checks.hpp"
#include "progress.hpp"
#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/io.hpp"
#include "relureg/parity_reduction.hpp"

namespace relureg::cli {
namespace {

// One line for the whole reduction: which fit is running, the overall fraction done (fits done
// plus the running fit's passes over its budget) and the overall ETA, on the CLI's progress line.
class ReductionProgress {
 public:
  ReductionProgress(std::ostream& err, bool enabled, std::string learner)
      : line_(err, enabled), learner_(std::move(learner)) {}

  RecoveryProgress hook() {
    if (!line_.enabled()) return {};
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

  void finish() { line_.finish(); }

 private:
  void draw(std::size_t fit, std::size_t fits, double within) {
    const std::string what = fit == 0 ? "full data" : fmt::format("coordinate {}", fit - 1);
    line_.draw(fmt::format("{} fit {}/{} ({})", learner_, fit + 1, fits, what),
               (static_cast<double>(fit) + within) / static_cast<double>(fits));
  }

  ProgressLine line_;
  std::string learner_;
};

}  // namespace

int cmd_recover_parity(const RecoverParityOptions& o, const CommonOptions& c, std::ostream& out,
                       std::ostream& err) {
  find_learner(o.recovery.learner);  // fail on a bad name before reading data
  if (!o.output.empty() && std::filesystem::path(o.output).extension() != ".json")
    throw InputError(o.output + ": the result file must end in .json");
  if (!o.output.empty()) check_output_path(o.output, {o.data, o.read.labels.string(), o.truth});

  RecoveryOptions options = o.recovery;
  options.seed = c.seed;
  options.threads = c.threads;
  // k, eta and S from the ground truth when there is one (the flags win).
  const std::string truth_path = o.truth.empty() ? truth_path_for(o.data) : o.truth;
  nlohmann::json truth_block;
  if (!o.truth.empty() || std::filesystem::exists(truth_path)) {
    const GroundTruth truth = read_ground_truth(truth_path);
    if (truth.facts.contains("S") && truth.facts.contains("k") && truth.facts.contains("eta")) {
      options.k = truth.facts["k"].get<std::size_t>();
      options.eta = truth.facts["eta"].get<double>();
      truth_block = {{"file", truth_path}, {"S", truth.facts["S"]}};
    }
  }
  if (o.k > 0) options.k = o.k;
  if (o.eta >= 0) options.eta = o.eta;
  const Dataset data = read_dataset(o.data, o.read);

  ReductionProgress bar(err, !c.quiet && stderr_is_terminal(), o.recovery.learner);
  const RecoveryResult result = recover_parity(data, options, bar.hook());
  bar.finish();

  nlohmann::json j = result.to_json();
  j["learner"] = o.recovery.learner;
  j["params"] = o.recovery.params;
  j["budget_passes"] =
      o.recovery.budget_passes > 0 ? nlohmann::json(o.recovery.budget_passes) : nlohmann::json();
  j["k"] = result.k;
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
