// The grid config: its keys declared once, every key and value checked before any work.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/io.hpp"
#include "relureg/learner.hpp"
#include "tradeoff/config_tree.hpp"

namespace relureg::tradeoff {
namespace detail {
namespace {

using nlohmann::json;

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

std::string all_learner_names() {
  std::vector<std::string> names;
  for (const LearnerEntry& e : learner_table()) names.push_back(e.name);
  return join(names);
}

std::string item(const std::string& path, std::size_t i) {
  return fmt::format("{}[{}]", path, i);
}
std::string child(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

// Reads one config tree; every failure names the key, its line and what is allowed.
class Checker {
 public:
  explicit Checker(const ConfigTree& tree) : tree_(tree) {}
  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    tree_.fail(path, what);
  }

  void only_keys(const json& object, const std::string& path,
                 const std::vector<std::string>& allowed) const {
    for (const auto& [key, value] : object.items())
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
        fail(child(path, key), fmt::format("unknown key (allowed: {})", join(allowed)));
  }

  // A whole number >= lower, or a list of them (no repeats).
  std::vector<std::uint64_t> wholes(const json& v, const std::string& path,
                                    std::uint64_t lower) const {
    std::vector<std::uint64_t> out;
    if (!v.is_array()) return {whole(v, path, lower)};
    if (v.empty()) fail(path, "the list is empty");
    for (std::size_t i = 0; i < v.size(); ++i) {
      out.push_back(whole(v[i], item(path, i), lower));
      if (std::count(out.begin(), out.end(), out.back()) > 1)
        fail(item(path, i), fmt::format("{} appears twice", out.back()));
    }
    return out;
  }
  std::uint64_t whole(const json& v, const std::string& path, std::uint64_t lower) const {
    const bool ok = v.is_number_unsigned() || (v.is_number_integer() && v.get<long long>() >= 0);
    if (!ok || v.get<std::uint64_t>() < lower)
      fail(path, fmt::format("expected a whole number >= {}, got {}", lower, v.dump()));
    return v.get<std::uint64_t>();
  }
  // A number >= 0, or a list of them (no repeats).
  std::vector<double> levels(const json& v, const std::string& path) const {
    if (!v.is_array()) return {non_negative(v, path)};
    std::vector<double> out;
    for (std::size_t i = 0; i < v.size(); ++i) {
      out.push_back(non_negative(v[i], item(path, i)));
      if (std::count(out.begin(), out.end(), out.back()) > 1)
        fail(item(path, i), fmt::format("{} appears twice", out.back()));
    }
    return out;
  }
  double non_negative(const json& v, const std::string& path) const {
    if (!v.is_number() || !(v.get<double>() >= 0))
      fail(path, fmt::format("expected a number >= 0, got {}", v.dump()));
    return v.get<double>();
  }
  bool boolean(const json& v, const std::string& path) const {
    if (!v.is_boolean()) fail(path, fmt::format("expected true or false, got {}", v.dump()));
    return v.get<bool>();
  }
  std::string text(const json& v, const std::string& path) const {
    if (!v.is_string() || v.get<std::string>().empty())
      fail(path, fmt::format("expected a non-empty string, got {}", v.dump()));
    return v.get<std::string>();
  }

  // Checks each parameter alone (to name its key); returns them as text. With `lists`, a value
  // may be a list (an axis of the grid): each entry is checked and the first one is returned.
  std::map<std::string, std::string> params(const json& object, const std::string& path,
                                            const ParamTable& table, const std::string& owner,
                                            const std::vector<std::string>& extra_keys,
                                            bool lists = false) const {
    std::map<std::string, std::string> texts;
    for (const auto& [key, value] : object.items()) {
      if (std::find(extra_keys.begin(), extra_keys.end(), key) != extra_keys.end()) continue;
      const std::string key_path = child(path, key);
      std::vector<std::string> known;
      for (const ParamSpec& spec : table) known.push_back(spec.name);
      known.insert(known.end(), extra_keys.begin(), extra_keys.end());
      if (std::find(known.begin(), known.end(), key) == known.end())
        fail(key_path,
             fmt::format("unknown parameter '{}' for {} (allowed: {})", key, owner, join(known)));
      if (value.is_array() && lists) {
        if (value.empty()) fail(key_path, "the list is empty");
        for (std::size_t i = 0; i < value.size(); ++i) {
          scalar_param(value[i], item(key_path, i), key, table, owner);
          for (std::size_t j = 0; j < i; ++j)
            if (scalar_text(value[j]) == scalar_text(value[i]))
              fail(item(key_path, i), fmt::format("{} appears twice", scalar_text(value[i])));
        }
        texts[key] = scalar_text(value[0]);
      } else {
        scalar_param(value, key_path, key, table, owner);
        texts[key] = scalar_text(value);
      }
    }
    return texts;
  }

 private:
  void scalar_param(const json& value, const std::string& path, const std::string& key,
                    const ParamTable& table, const std::string& owner) const {
    if (value.is_object() || value.is_array() || value.is_null())
      fail(path, "expected a number, a word or true/false");
    try {
      ParamValues::from_map(table, {{key, scalar_text(value)}}, owner);
    } catch (const InputError& e) {
      fail(path, e.what());
    }
  }

  const ConfigTree& tree_;
};

bool is_numeric_param(const ParamTable& table, const std::string& name) {
  for (const ParamSpec& spec : table)
    if (spec.name == name) return spec.kind == ParamKind::real || spec.kind == ParamKind::integer;
  return false;
}

FamilySpec read_family(const Checker& check, const std::string& name, const json& body,
                       const std::string& path, const std::vector<double>& noise) {
  const FamilyEntry* entry = nullptr;
  try {
    entry = &find_family(name);
  } catch (const InputError& e) {
    check.fail(path, e.what());
  }
  if (!body.is_object()) check.fail(path, "expected a table of the family's parameters");
  const std::string owner = fmt::format("family '{}'", name);
  std::map<std::string, std::string> fixed =
      check.params(body, path, entry->params, owner, {"noise_param"}, true);
  FamilySpec spec{name, json::object(), ""};
  for (const auto& [key, value] : body.items())
    if (key != "noise_param") spec.params[key] = value;
  if (body.contains("noise_param")) {
    const std::string axis = check.text(body["noise_param"], child(path, "noise_param"));
    if (axis != "none" && !is_numeric_param(entry->params, axis)) {
      std::vector<std::string> numeric;
      for (const ParamSpec& p : entry->params)
        if (is_numeric_param(entry->params, p.name)) numeric.push_back(p.name);
      numeric.push_back("none");
      check.fail(child(path, "noise_param"),
                 fmt::format("'{}' is not a numeric parameter of {} (choose one of: {})", axis,
                             owner, join(numeric)));
    }
    spec.noise_param = axis == "none" ? "" : axis;
  } else if (is_numeric_param(entry->params, "noise")) {
    spec.noise_param = "noise";
  }
  if (spec.noise_param.empty() || noise.empty()) return spec;
  if (fixed.count(spec.noise_param))
    check.fail(child(path, spec.noise_param),
               "the grid's noise levels set this parameter (remove it here, or set "
               "noise_param = \"none\")");
  for (std::size_t i = 0; i < noise.size(); ++i) {
    fixed[spec.noise_param] = scalar_text(json(noise[i]));
    try {
      ParamValues::from_map(entry->params, fixed, owner);
    } catch (const InputError& e) {
      check.fail(item("noise", i), e.what());
    }
  }
  return spec;
}

std::vector<FamilySpec> read_families(const Checker& check, const json& v,
                                      const std::vector<double>& noise) {
  std::vector<FamilySpec> out;
  if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i)
      out.push_back(read_family(check, check.text(v[i], item("families", i)), json::object(),
                                item("families", i), noise));
  } else if (v.is_object()) {
    for (const auto& [name, body] : v.items())
      out.push_back(read_family(check, name, body, child("families", name), noise));
  } else {
    check.fail("families", "expected a table [families.<name>] or a list of family names");
  }
  // In the order of the family table (JSON and TOML tables do not keep their key order).
  auto rank = [](const FamilySpec& f) {
    const auto& table = family_table();
    return std::find_if(table.begin(), table.end(),
                        [&](const FamilyEntry& e) { return e.name == f.name; }) -
           table.begin();
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const FamilySpec& a, const FamilySpec& b) { return rank(a) < rank(b); });
  for (std::size_t i = 1; i < out.size(); ++i)
    if (out[i].name == out[i - 1].name)
      check.fail("families", fmt::format("family '{}' is listed twice", out[i].name));
  return out;
}

DatasetSpec read_dataset(const Checker& check, const json& v, const std::string& path,
                         const std::filesystem::path& base_dir) {
  if (!v.is_object()) check.fail(path, "expected a table with path (and truth, label)");
  check.only_keys(v, path, {"path", "truth", "label"});
  if (!v.contains("path")) check.fail(child(path, "path"), "missing (the data file)");
  auto resolve = [&](const std::string& p) {
    const std::filesystem::path file(p);
    return (file.is_relative() && !base_dir.empty() ? base_dir / file : file).string();
  };
  DatasetSpec spec;
  spec.path = resolve(check.text(v["path"], child(path, "path")));
  const std::filesystem::path data(spec.path);
  spec.truth = v.contains("truth")
                   ? resolve(check.text(v["truth"], child(path, "truth")))
                   : (data.parent_path() / (data.stem().string() + ".truth.json")).string();
  if (v.contains("label")) spec.label = check.text(v["label"], child(path, "label"));
  if (!std::filesystem::exists(data)) check.fail(child(path, "path"), "no such file: " + spec.path);
  try {
    detect_format(data);
    const GroundTruth truth =
        ground_truth_from_json(json::parse(read_text_file(spec.truth)), spec.truth);
    find_family(truth.family);
  } catch (const std::exception& e) {
    check.fail(child(path, v.contains("truth") ? "truth" : "path"), e.what());
  }
  return spec;
}

LearnerSpec read_learner(const Checker& check, const json& v, const std::string& path) {
  LearnerSpec spec;
  std::string name_path = path;
  if (v.is_string()) {
    spec.name = v.get<std::string>();
  } else if (v.is_object()) {
    check.only_keys(v, path, {"name", "label", "params"});
    name_path = child(path, "name");
    if (!v.contains("name")) check.fail(name_path, "missing (the learner)");
    spec.name = check.text(v["name"], name_path);
  } else {
    check.fail(path, "expected a learner name or a table {name, label, params}");
  }
  const LearnerEntry* entry = nullptr;
  try {
    entry = &find_learner(spec.name);
  } catch (const InputError&) {
    check.fail(name_path, fmt::format("unknown learner '{}' (choose one of: all, {})", spec.name,
                                      all_learner_names()));
  }
  std::string suffix;
  if (v.is_object() && v.contains("params")) {
    const json& params = v["params"];
    if (!params.is_object()) check.fail(child(path, "params"), "expected a table of parameters");
    check.params(params, child(path, "params"), entry->params,
                 fmt::format("learner '{}'", spec.name), {});
    spec.params = params;
    for (const auto& [key, value] : params.items())
      suffix += fmt::format("{}{}={}", suffix.empty() ? "" : ",", key, scalar_text(value));
  }
  spec.label = suffix.empty() ? spec.name : fmt::format("{}[{}]", spec.name, suffix);
  if (v.is_object() && v.contains("label"))
    spec.label = check.text(v["label"], child(path, "label"));
  return spec;
}

// "all": every learner of the tasks of the grid's families and datasets.
std::vector<LearnerSpec> all_learners(const std::set<Task>& tasks) {
  std::vector<LearnerSpec> out;
  for (const LearnerEntry& e : learner_table())
    if (tasks.count(e.task)) out.push_back({e.name, e.name, json::object()});
  return out;
}

std::vector<LearnerSpec> read_learners(const Checker& check, const json& v,
                                       const std::set<Task>& tasks) {
  if (v.is_string() && v.get<std::string>() == "all") return all_learners(tasks);
  if (!v.is_array()) check.fail("learners", "expected \"all\" or a list of learners");
  if (v.empty()) check.fail("learners", "the list is empty");
  std::vector<LearnerSpec> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i].is_string() && v[i].get<std::string>() == "all") {
      for (LearnerSpec& spec : all_learners(tasks)) out.push_back(std::move(spec));
    } else {
      out.push_back(read_learner(check, v[i], item("learners", i)));
    }
  }
  std::set<std::string> labels, variants;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const LearnerSpec& l = out[i];
    if (!labels.insert(l.label).second)
      check.fail(item("learners", i),
                 fmt::format("the label '{}' is used twice (give one a different label)", l.label));
    std::map<std::string, std::string> texts;
    for (const auto& [key, value] : l.params.items()) texts[key] = scalar_text(value);
    const std::string resolved =
        ParamValues::from_map(find_learner(l.name).params, texts, l.name).to_json().dump();
    if (!variants.insert(l.name + resolved).second)
      check.fail(item("learners", i),
                 fmt::format("learner '{}' with these parameters is already in the list", l.name));
  }
  return out;
}

}  // namespace

const std::vector<ConfigKey>& config_keys() {
  // The value of `key` read by a Checker method, stored in a Config member.
  auto sizes = [](std::vector<std::size_t> Config::*member, const char* key) {
    return [member, key](const ConfigTree& tree, const json& v, Config& c) {
      const std::vector<std::uint64_t> values = Checker(tree).wholes(v, key, 1);
      (c.*member).assign(values.begin(), values.end());
    };
  };
  auto boolean = [](bool Config::*member, const char* key) {
    return [member, key](const ConfigTree& tree, const json& v, Config& c) {
      c.*member = Checker(tree).boolean(v, key);
    };
  };
  auto count = [](int Config::*member, const char* key) {
    return [member, key](const ConfigTree& tree, const json& v, Config& c) {
      c.*member = static_cast<int>(Checker(tree).whole(v, key, 0));
    };
  };
  auto member = [](auto Config::*m) { return [m](const Config& c) { return json(c.*m); }; };
  static const std::vector<ConfigKey> keys = {
      {"seeds", "a count k (seeds 0..k-1) or a list of whole numbers",
       "the seeds of every instance and fit",
       [](const ConfigTree& tree, const json& s, Config& c) {
         const Checker check(tree);
         if (s.is_array()) {
           c.seeds = check.wholes(s, "seeds", 0);
         } else {
           c.seeds.clear();
           for (std::uint64_t i = 0; i < check.whole(s, "seeds", 1); ++i) c.seeds.push_back(i);
         }
       },
       member(&Config::seeds)},
      {"d", "a whole number >= 1 or a list of them", "dimensions of the generated instances",
       sizes(&Config::d, "d"), member(&Config::d)},
      {"n", "a whole number >= 1 or a list of them", "sample sizes of the generated instances",
       sizes(&Config::n, "n"), member(&Config::n)},
      {"noise", "a number >= 0 or a list of them",
       "noise levels (opt levels) set as each family's noise_param; empty: the families as written",
       [](const ConfigTree& tree, const json& v, Config& c) {
         c.noise = Checker(tree).levels(v, "noise");
       },
       member(&Config::noise)},
      {"bias", "true or false", "fit a bias b (every cell)", boolean(&Config::bias, "bias"),
       member(&Config::bias)},
      {"families",
       "tables [families.NAME] of parameters, or a list of names",
       "the instance families (default: every ReLU family, unless datasets are given)",
       {},
       [](const Config& c) {
         json families = json::object();
         for (const FamilySpec& f : c.families) {
           json entry = f.params;
           entry["noise_param"] = f.noise_param.empty() ? "none" : f.noise_param;
           families[f.name] = entry;
         }
         return families;
       }},
      {"datasets",
       "tables [[datasets]] with path, truth, label",
       "data files with their ground truth, run instead of (or besides) generated instances",
       {},
       [](const Config& c) {
         json datasets = json::array();
         for (const DatasetSpec& s : c.datasets)
           datasets.push_back({{"path", s.path}, {"truth", s.truth}, {"label", s.label}});
         return datasets;
       }},
      {"learners",
       "\"all\" or a list of names, \"all\" and tables {name, label, params}",
       "the learner variants (default: every learner of the families' tasks)",
       {},
       [](const Config& c) {
         json learners = json::array();
         for (const LearnerSpec& l : c.learners)
           learners.push_back({{"name", l.name}, {"label", l.label}, {"params", l.params}});
         return learners;
       }},
      {"jobs", "a whole number >= 0", "instances in parallel (0 = one per core)",
       count(&Config::jobs, "jobs"), member(&Config::jobs)},
      {"threads", "a whole number >= 0", "engine threads per fit (0 = cores / jobs)",
       count(&Config::threads, "threads"), member(&Config::threads)},
      {"time_limit", "a number >= 0",
       "seconds per fit (0 = none); a longer fit is stopped and recorded",
       [](const ConfigTree& tree, const json& v, Config& c) {
         c.time_limit = Checker(tree).non_negative(v, "time_limit");
       },
       member(&Config::time_limit)},
      {"figures", "true or false", "draw the figures after the run",
       boolean(&Config::figures, "figures"), member(&Config::figures)},
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
    fitted.insert(learner.task);
    if (tasks.count(learner.task)) continue;
    std::vector<std::string> others;
    for (const auto& [task, names] : families_of)
      for (const std::string& name : names)
        others.push_back(fmt::format("{} ({})", name, task_name(task)));
    check.fail(root["learners"].is_array() ? item("learners", i) : "learners",
               fmt::format("learner '{}' fits {} models but no family of the grid is of that "
                           "task (families: {}); a learner runs on the families of its task",
                           learner.name, task_name(learner.task), join(others)));
  }
  for (const auto& [task, names] : families_of)
    if (!fitted.count(task))
      check.fail(c.families.empty() ? "datasets" : "learners",
                 fmt::format("family '{}' is of task {} and no learner of the grid fits {} "
                             "models (add one of: {})",
                             names.front(), task_name(task), task_name(task), learner_names(task)));
  return c;
}

}  // namespace detail

}  // namespace relureg::tradeoff
