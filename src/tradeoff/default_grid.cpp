// The built-in grid of `relureg tradeoff`: every ReLU and halfspace family and learner.
#include <map>
#include <string>

#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/learner.hpp"
#include "relureg/tradeoff.hpp"
#include "tradeoff/config_tree.hpp"

namespace relureg::tradeoff {

Config default_config() {
  Config c;
  c.seeds = {0, 1, 2};
  c.d = {3, 20};
  c.n = {1000, 10000, 100000};
  c.noise = {0.001, 0.01, 0.1};
  c.time_limit = 30;
  // The ReLU families, and the halfspace family (scored by 0/1 error); the network families and
  // their learners join a grid through a config (docs/tradeoff.md).
  for (const FamilyEntry& entry : family_table()) {
    if (entry.task != Task::relu && entry.task != Task::halfspace) continue;
    FamilySpec family{entry.name, nlohmann::json::object(), ""};
    for (const ParamSpec& p : entry.params) {
      // Cheaper certificates and Monte-Carlo evaluations than the families' defaults.
      if (p.name == "search_samples") family.params[p.name] = 20000;
      if (p.name == "eval_samples") family.params[p.name] = 200000;
    }
    try {  // the noise levels go to the family's `noise` parameter when they are all allowed
      std::map<std::string, std::string> values;
      for (const auto& [key, value] : family.params.items())
        values[key] = detail::scalar_text(value);
      for (double level : c.noise) {
        values["noise"] = detail::scalar_text(level);
        ParamValues::from_map(entry.params, values, entry.name);
      }
      family.noise_param = "noise";
    } catch (const InputError&) {
      family.noise_param = "";
    }
    c.families.push_back(family);
  }
  for (const LearnerEntry& entry : learner_table()) {
    if (entry.task != Task::relu && entry.task != Task::halfspace) continue;
    LearnerSpec learner{entry.name, entry.name, nlohmann::json::object()};
    // The exhaustive reference at 1024 directions (spacing 0.11 rad on S², polished by descent)
    // instead of 4096 keeps the default grid within its time budget.
    if (entry.name == "exhaustive") learner.params["grid"] = 1024;
    c.learners.push_back(learner);
  }
  // Round trip through the validator: the default obeys the same rules as a config file.
  return parse_config(to_json(c).dump(), "json", "the default grid");
}

}  // namespace relureg::tradeoff
