// The rule behind the learner name "auto", shared by the CLI and Python.
#include "relureg/auto_learner.hpp"

#include <fmt/format.h>

#include <chrono>
#include <set>

#include "relureg/affine.hpp"
#include "relureg/error.hpp"
#include "relureg/standardize.hpp"

namespace relureg {
namespace {

// The candidates, in order, and the fallback fitted when the kept fit is dead.
const std::vector<std::string> kCandidates = {"glmtron", "gd"};
const std::string kFallback = "gd";
const std::string kFallbackParam = "init=moment";

std::string name_of(const std::string& assignment) {
  return assignment.substr(0, assignment.find('='));
}

bool accepts(const LearnerEntry& entry, const std::string& name) {
  for (const ParamSpec& spec : entry.params)
    if (spec.name == name) return true;
  return false;
}

// The share of rows where max(0, w·x + b) is active (one pass; weighted rows by their weight).
double active_fraction(const Engine& engine, const DataSource& data, const ReluModel& model) {
  const std::size_t d = data.cols();
  return engine.mean_rows(data, 1, [&](const float* x, double, double* acc) {
    acc[0] += affine_value(x, model.w.data(), d, model.b) > 0 ? 1.0 : 0.0;
  })[0];
}

}  // namespace

std::string auto_rule() {
  return "fit glmtron and gd (each with the --param values it accepts) and keep the lower "
         "training loss; if that fit is dead (no active row) also fit gd with init=moment and "
         "keep it if lower";
}

AutoFit fit_auto(const std::vector<std::string>& assignments, bool bias, const DataSource& data,
                 const FitContext& context) {
  std::set<std::string> known;
  for (const std::string& learner : kCandidates)
    for (const ParamSpec& spec : find_learner(learner).params) known.insert(spec.name);
  for (const std::string& assignment : assignments)
    if (!known.contains(name_of(assignment))) {
      std::string list;
      for (const std::string& name : known) list += (list.empty() ? "" : ", ") + name;
      throw InputError(fmt::format("unknown parameter '{}' for learner 'auto' (known: {})",
                                   name_of(assignment), list));
    }
  const auto start = std::chrono::steady_clock::now();
  const std::size_t first_pass = context.engine->passes();
  nlohmann::json candidates = nlohmann::json::array();
  AutoFit best;
  double best_loss = 0, best_active = 0;
  auto fit_candidate = [&](const std::string& learner, std::vector<std::string> extra) {
    const LearnerEntry& entry = find_learner(learner);
    std::vector<std::string> own;
    for (const std::string& assignment : assignments)
      if (accepts(entry, name_of(assignment))) own.push_back(assignment);
    own.insert(own.end(), extra.begin(), extra.end());
    ParamValues params = ParamValues::parse(entry.params, own, "learner '" + learner + "'");
    params.set_fit_bias(bias);
    FitResult result = fit_learner_standardized(entry, params, data, context);
    const double loss = result.loss_history.empty() ? 0.0 : result.loss_history.back();
    const double active = active_fraction(*context.engine, data, result.relu());
    candidates.push_back({{"learner", learner},
                          {"params", params.to_json()},
                          {"train_loss", loss},
                          {"active_fraction", active},
                          {"passes", result.passes}});
    if (best.entry == nullptr || loss < best_loss) {
      best = {&entry, std::move(params), std::move(result)};
      best_loss = loss;
      best_active = active;
    }
  };
  for (const std::string& learner : kCandidates) fit_candidate(learner, {});
  if (best_active == 0) fit_candidate(kFallback, {kFallbackParam});
  best.result.details["auto"] = {{"chosen", best.entry->name}, {"candidates", candidates}};
  best.result.passes = context.engine->passes() - first_pass;
  best.result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return best;
}

}  // namespace relureg
