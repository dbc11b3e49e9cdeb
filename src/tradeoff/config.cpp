// The grid config: its keys declared once, every key and value checked before any work.
#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <map>
#include <set>

#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/io.hpp"
#include "relureg/learner.hpp"
#include "relureg/resources.hpp"
#include "relureg/tradeoff_size.hpp"
#include "tradeoff/config_reading.hpp"

namespace relureg::tradeoff {
namespace detail {
namespace {
// The sections written back as JSON, one value per family, data set or learner variant.
json families_json(const Config& c) {
  json families = json::object();
  for (const FamilySpec& f : c.families) {
    json entry = f.params;
    entry["noise_param"] = f.noise_param.empty() ? "none" : f.noise_param;
    if (!f.d.empty()) entry["d"] = f.d;
    if (!f.n.empty()) entry["n"] = f.n;
    if (!f.learners.empty()) entry["learners"] = f.learners;
    families[f.name] = entry;
  }
  return families;
}
json dataset_json(const DatasetSpec& s) {
  return json{{"path", s.path}, {"truth", s.truth}, {"label", s.label}};
}
json learner_json(const LearnerSpec& l) {
  json j{{"name", l.name}, {"label", l.label}, {"params", l.params}};
  if (l.bias) j["bias"] = *l.bias;
  return j;
}
}  // namespace

const std::vector<ConfigKey>& config_keys() {
  // A key whose value `read(checker, value, key)` (one of the readers below) turns into one
  // Config member, written back as that member's value.
  auto scalar = [](const char* key, const char* values, const char* doc, auto Config::*member,
                   auto read) {
    return ConfigKey{
        key, values, doc,
        [member, read, name = std::string(key)](const ConfigTree& tree, const json& v, Config& c) {
          c.*member = read(Checker(tree), v, name);
        },
        [member](const Config& c) { return json(c.*member); }};
  };
  const auto levels = [](const Checker& check, const json& v, const std::string& key) {
    return check.levels(v, key);
  };
  const auto boolean = [](const Checker& check, const json& v, const std::string& key) {
    return check.boolean(v, key);
  };
  const auto non_negative = [](const Checker& check, const json& v, const std::string& key) {
    return check.non_negative(v, key);
  };
  const auto sizes = [](const Checker& check, const json& v, const std::string& key) {
    const std::vector<std::uint64_t> values = check.wholes(v, key, 1);
    return std::vector<std::size_t>(values.begin(), values.end());
  };
  // Kept as asked up to INT_MAX (the run clamps it to a few per core, with a note).
  const auto count = [](const Checker& check, const json& v, const std::string& key) {
    return static_cast<int>(std::min<std::uint64_t>(check.whole(v, key, 0), INT_MAX));
  };
  const auto seeds = [](const Checker& check, const json& s, const std::string& key) {
    if (s.is_array()) {
      if (s.size() > kMaxSeeds)
        check.fail(key, fmt::format("at most {} seeds, got a list of {}", kMaxSeeds, s.size()));
      return check.wholes(s, key, 0);
    }
    const std::uint64_t n = check.whole(s, key, 1);
    if (n > kMaxSeeds) check.fail(key, fmt::format("at most {} seeds, got {}", kMaxSeeds, n));
    std::vector<std::uint64_t> all(n);
    for (std::uint64_t i = 0; i < n; ++i) all[i] = i;
    return all;
  };
  // A section written back as a list, one JSON value per entry.
  auto list_of = [](auto Config::*section, auto write) {
    return [section, write](const Config& c) {
      json out = json::array();
      for (const auto& entry : c.*section) out.push_back(write(entry));
      return out;
    };
  };
  // A section (families, datasets, learners): read after the other keys (config_sections.cpp),
  // written back by `write`.
  const auto section = [](const char* key, const char* values, const char* doc, auto write) {
    return ConfigKey{key, values, doc, {}, write};
  };
  static const std::vector<ConfigKey> keys = {
      scalar("seeds", "a count k (seeds 0..k-1) or a list of whole numbers",
             "the seeds of every instance and fit", &Config::seeds, seeds),
      scalar("d", "a whole number >= 1 or a list of them", "dimensions of the generated instances",
             &Config::d, sizes),
      scalar("n", "a whole number >= 1 or a list of them",
             "sample sizes of the generated instances", &Config::n, sizes),
      scalar("noise", "a number >= 0 or a list of them",
             "noise levels (opt levels) set as each family's noise_param; empty: the families as "
             "written",
             &Config::noise, levels),
      scalar("bias", "true or false", "fit a bias b (every cell)", &Config::bias, boolean),
      section("families", "tables [families.NAME] of parameters, or a list of names",
              "the instance families (default: every ReLU family, unless datasets are given)",
              families_json),
      section("datasets", "tables [[datasets]] with path, truth, label",
              "data files with their ground truth, run instead of (or besides) generated instances",
              list_of(&Config::datasets, dataset_json)),
      section("learners",
              "\"all\" or a list of names, \"all\" and tables {name, label, params, bias}",
              "the learner variants (default: every learner of the families' tasks)",
              list_of(&Config::learners, learner_json)),
      scalar("jobs", "a whole number >= 0", "instances in parallel (0 = one per core)",
             &Config::jobs, count),
      scalar("threads", "a whole number >= 0", "engine threads per fit (0 = cores / jobs)",
             &Config::threads, count),
      scalar("time_limit", "a number >= 0",
             "seconds per fit (0 = none); a longer fit is stopped and recorded",
             &Config::time_limit, non_negative),
      scalar("figures", "true or false", "draw the figures after the run", &Config::figures,
             boolean),
  };
  return keys;
}

Config validate(const ConfigTree& tree, const std::filesystem::path& base_dir) {
  const Checker check(tree);
  const json& root = tree.root;
  std::vector<std::string> allowed;
  for (const ConfigKey& key : config_keys()) allowed.push_back(key.name);
  check.only_keys(root, "", allowed);
  Config c;
  for (const ConfigKey& key : config_keys())  // the sections come after, in the order they need
    if (!key.section() && root.contains(key.name)) key.read(tree, root[key.name], c);
  if (root.contains("datasets")) {
    const json& v = root["datasets"];
    if (!v.is_array()) check.fail("datasets", "expected a list of tables [[datasets]]");
    for (std::size_t i = 0; i < v.size(); ++i) {
      c.datasets.push_back(read_dataset(check, v[i], item("datasets", i), base_dir));
      for (std::size_t j = 0; j < i; ++j)
        if (c.datasets[j].path == c.datasets[i].path)
          check.fail(item("datasets", i),
                     "the data file " + c.datasets[i].path + " is listed twice");
    }
  }
  if (root.contains("families")) {
    c.families = read_families(check, root["families"], c.noise);
  } else if (c.datasets.empty()) {
    for (const FamilyEntry& f : family_table())
      if (f.task == Task::relu)
        c.families.push_back(read_family(check, f.name, json::object(), "families", c.noise));
  }
  if (c.families.empty() && c.datasets.empty())
    check.fail("families", "the grid has no families and no datasets");
  // Learners run on the families of their own task; each side needs the other.
  std::map<Task, std::vector<std::string>> families_of;
  for (const FamilySpec& f : c.families) families_of[find_family(f.name).task].push_back(f.name);
  for (const DatasetSpec& d : c.datasets)
    families_of[find_family(read_ground_truth(d.truth).family).task].push_back(d.path);
  std::set<Task> tasks;
  for (const auto& [task, names] : families_of) tasks.insert(task);
  c.learners = root.contains("learners") ? read_learners(check, root["learners"], tasks)
                                         : all_learners(tasks);
  std::set<Task> fitted;
  for (std::size_t i = 0; i < c.learners.size(); ++i) {
    const LearnerEntry& learner = find_learner(c.learners[i].name);
    fitted.insert(instance_task(learner.task));
    if (tasks.count(instance_task(learner.task))) continue;
    std::vector<std::string> others;
    for (const auto& [task, names] : families_of)
      for (const std::string& name : names)
        others.push_back(fmt::format("{} ({})", name, task_name(task)));
    check.fail(root["learners"].is_array() ? item("learners", i) : "learners",
               fmt::format("learner '{}' fits {} models but no family of the grid is of that "
                           "task (families: {}); a learner runs on the families of its task",
                           learner.name, task_name(learner.task), join(others)));
  }
  for (const FamilySpec& f : c.families) {  // a family's own learners: labels of its task
    const Task task = find_family(f.name).task;
    for (std::size_t i = 0; i < f.learners.size(); ++i) {
      const auto it = std::find_if(c.learners.begin(), c.learners.end(),
                                   [&](const LearnerSpec& l) { return l.label == f.learners[i]; });
      const std::string path = item(child(child("families", f.name), "learners"), i);
      if (it == c.learners.end()) {
        std::vector<std::string> labels;
        for (const LearnerSpec& l : c.learners)
          if (instance_task(find_learner(l.name).task) == task) labels.push_back(l.label);
        check.fail(path, fmt::format("no learner of the grid is labelled '{}' (labels of task {}: "
                                     "{})",
                                     f.learners[i], task_name(task), join(labels)));
      }
      if (instance_task(find_learner(it->name).task) != task)
        check.fail(path,
                   fmt::format("learner '{}' fits {} models; family '{}' is of task {}", it->label,
                               task_name(find_learner(it->name).task), f.name, task_name(task)));
    }
  }
  for (const auto& [task, names] : families_of)
    if (!fitted.count(task))
      check.fail(c.families.empty() ? "datasets" : "learners",
                 fmt::format("family '{}' is of task {} and no learner of the grid fits {} "
                             "models (add one of: {})",
                             names.front(), task_name(task), task_name(task), learner_names(task)));
  if (const GridSize size = grid_size(c); size.cells > kMaxGridCells)
    throw InputError(
        fmt::format("{}: the grid has {} cells ({}); at most {}: use fewer seeds, n, "
                    "d, noise levels or learners",
                    tree.origin, size.cells, size.breakdown, kMaxGridCells));
  if (!c.families.empty()) {  // the largest generated instance must fit in memory
    std::size_t largest_n = 0, largest_d = 0;
    for (const FamilySpec& f : c.families) {
      const std::vector<std::size_t>& ns = f.n.empty() ? c.n : f.n;
      const std::vector<std::size_t>& ds = f.d.empty() ? c.d : f.d;
      largest_n = std::max(largest_n, *std::max_element(ns.begin(), ns.end()));
      largest_d = std::max(largest_d, *std::max_element(ds.begin(), ds.end()));
    }
    check_dataset_memory(largest_n, largest_d, tree.origin + ": the largest instance");
  }
  return c;
}

}  // namespace detail

}  // namespace relureg::tradeoff
