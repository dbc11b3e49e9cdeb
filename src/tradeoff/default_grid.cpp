// The built-in grid of `relureg tradeoff`: every ReLU and halfspace family and learner, with
// the instances chosen so that the learners separate (docs/tradeoff.md, "The built-in grid").
#include <algorithm>
#include <map>
#include <string>

#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/learner.hpp"
#include "relureg/tradeoff.hpp"
#include "tradeoff/config_tree.hpp"

namespace relureg::tradeoff {
namespace {

using nlohmann::json;

// Whether `learner` accepts `name=value` (a choice added by a later learner, e.g. gkk19's
// halfspace=hs-adversarial).
bool accepts(const std::string& learner, const std::string& name, const std::string& value) {
  try {
    ParamValues::from_map(find_learner(learner).params, {{name, value}}, learner);
    return true;
  } catch (const InputError&) {
    return false;
  }
}

// Whether every noise level is a valid value of the family's `noise` parameter.
bool takes_noise_levels(const FamilyEntry& entry, const FamilySpec& family,
                        const std::vector<double>& levels) {
  try {
    std::map<std::string, std::string> values;
    for (const auto& [key, value] : family.params.items())
      values[key] = detail::scalar_text(value.is_array() ? value[0] : value);
    for (double level : levels) {
      values["noise"] = detail::scalar_text(level);
      ParamValues::from_map(entry.params, values, entry.name);
    }
    return true;
  } catch (const InputError&) {
    return false;
  }
}

}  // namespace

Config default_config() {
  Config c;
  c.seeds = {0, 1, 2, 3, 4};
  c.d = {20};
  c.n = {1000, 10000, 100000};
  c.noise = {0.001, 0.01, 0.1};
  c.time_limit = 30;

  // Every ReLU and halfspace learner at its defaults, plus the variants the instances need.
  // The two references run only where they can: `exhaustive` (d <= 3) on the adversarial
  // family at d = 3, `exhaustive-subsets` (searching 4-subsets) on the sparse parities.
  const bool adversarial_box = accepts("gkk19", "halfspace", "hs-adversarial");
  std::vector<std::string> general;  // ReLU labels that run on every ReLU family
  for (const LearnerEntry& entry : learner_table()) {
    if (entry.task != Task::relu && entry.task != Task::halfspace) continue;
    LearnerSpec learner{entry.name, entry.name, json::object(), std::nullopt};
    // 1024 directions (spacing 0.11 rad on S², polished by descent) instead of 4096.
    if (entry.name == "exhaustive") learner.params["grid"] = 1024;
    if (entry.name == "exhaustive-subsets") learner.params["k"] = 4;
    if (entry.task == Task::relu && entry.name != "exhaustive" &&
        entry.name != "exhaustive-subsets")
      general.push_back(learner.label);
    c.learners.push_back(learner);
    // With a fitted bias, for the biased teacher (scored against the opt of ReLUs with bias).
    if (entry.name == "moment" || entry.name == "gd" || entry.name == "glmtron") {
      LearnerSpec with_bias{entry.name, entry.name + "+bias", json::object(), true};
      c.learners.push_back(with_bias);
    }
    // GKK19's reduction over the worst black box its analysis allows (the opt^{2/3} law).
    if (entry.name == "gkk19" && adversarial_box)
      c.learners.push_back(
          {"gkk19", "gkk19[hs-adversarial]", {{"halfspace", "hs-adversarial"}}, std::nullopt});
  }

  for (const FamilyEntry& entry : family_table()) {
    if (entry.task != Task::relu && entry.task != Task::halfspace) continue;
    FamilySpec family{entry.name, json::object(), "", {}, {}, {}};
    for (const ParamSpec& p : entry.params) {
      // Cheaper certificates and Monte-Carlo evaluations than the families' defaults.
      if (p.name == "search_samples") family.params[p.name] = 20000;
      if (p.name == "eval_samples") family.params[p.name] = 200000;
    }
    if (entry.task == Task::relu) family.learners = general;
    if (entry.name == "adversarial") {
      family.d = {3, 20};  // d = 3: the exhaustive opt + ε reference runs
      family.learners.push_back("exhaustive");
    } else if (entry.name == "sparse-parity") {
      // The wall: a 4-parity over d variables. exhaustive-subsets scores C(d, 4) candidates and
      // reaches opt; the polynomial learners stay at opt + Δ_4 (E[yx] = 0, and gradient descent
      // would need m ≳ d³/c_4² samples).
      family.params["k"] = 4;
      family.d = {12, 16, 20, 24};
      family.n = {30000, 100000};
      family.learners = {"moment", "gd", "glmtron", "gkk19", "exhaustive-subsets"};
    } else if (entry.name == "biased-teacher") {
      // b* = 0 down to -3‖w*‖ at label noise 0.1 of the signal; the gradient learners with a
      // bias lose more as the bias falls (docs/biased-teacher.md).
      family.params["offset"] = json::array({0, -1, -2, -3});
      family.params["noise"] = 0.1;
      family.n = {100000};
      for (const char* label : {"moment+bias", "gd+bias", "glmtron+bias"})
        family.learners.push_back(label);
    } else if (entry.name == "two-point-noise") {
      // opt from 1e-6 to 1e-2 (its own axis): gkk19's loss against opt, the opt^{2/3} line.
      family.params["noise"] = json::array({1e-6, 1e-5, 1e-4, 1e-3, 1e-2});
      family.d = {10};
      family.n = {100000};
      family.learners = {"gd", "moment", "gkk19"};
      if (adversarial_box) family.learners.push_back("gkk19[hs-adversarial]");
    } else if (entry.name == "side-signal") {
      family.n = {10000, 100000};  // as written: the separation is the family's (no noise axis)
    }
    const bool as_written = family.params.contains("noise") || entry.name == "side-signal";
    family.noise_param =
        !as_written && takes_noise_levels(entry, family, c.noise) ? std::string("noise") : "";
    c.families.push_back(family);
  }
  // Round trip through the validator: the default obeys the same rules as a config file.
  return parse_config(to_json(c).dump(), "json", "the default grid");
}

}  // namespace relureg::tradeoff
