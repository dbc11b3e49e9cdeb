// The grid config's sections: families, datasets and learners, each checked against its table.
#include <fmt/format.h>

#include <map>
#include <set>

#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/io.hpp"
#include "relureg/learner.hpp"
#include "tradeoff/config_reading.hpp"

namespace relureg::tradeoff::detail {
namespace {

std::string all_learner_names() {
  std::vector<std::string> names;
  for (const LearnerEntry& e : learner_table()) names.push_back(e.name);
  return join(names);
}

bool is_numeric_param(const ParamTable& table, const std::string& name) {
  for (const ParamSpec& spec : table)
    if (spec.name == name) return spec.kind == ParamKind::real || spec.kind == ParamKind::integer;
  return false;
}

LearnerSpec read_learner(const Checker& check, const json& v, const std::string& path) {
  LearnerSpec spec;
  std::string name_path = path;
  if (v.is_string()) {
    spec.name = v.get<std::string>();
  } else if (v.is_object()) {
    check.only_keys(v, path, {"name", "label", "params", "bias"});
    name_path = child(path, "name");
    if (!v.contains("name")) check.fail(name_path, "missing (the learner)");
    spec.name = check.text(v["name"], name_path);
  } else {
    check.fail(path, "expected a learner name or a table {name, label, params, bias}");
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
  if (v.is_object() && v.contains("bias")) {
    spec.bias = check.boolean(v["bias"], child(path, "bias"));
    suffix += fmt::format("{}bias={}", suffix.empty() ? "" : ",", *spec.bias);
  }
  spec.label = suffix.empty() ? spec.name : fmt::format("{}[{}]", spec.name, suffix);
  if (v.is_object() && v.contains("label"))
    spec.label = check.text(v["label"], child(path, "label"));
  return spec;
}

}  // namespace

// The keys of a family's table that are not its parameters.
const std::vector<std::string> kFamilyKeys = {"noise_param", "d", "n", "learners"};

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
      check.params(body, path, entry->params, owner, kFamilyKeys, true);
  FamilySpec spec{name, json::object(), "", {}, {}, {}};
  for (const auto& [key, value] : body.items())
    if (std::find(kFamilyKeys.begin(), kFamilyKeys.end(), key) == kFamilyKeys.end())
      spec.params[key] = value;
  for (auto [key, axis] : {std::pair{"d", &spec.d}, std::pair{"n", &spec.n}})
    if (body.contains(key))
      for (std::uint64_t v : check.wholes(body[key], child(path, key), 1))
        axis->push_back(static_cast<std::size_t>(v));
  if (body.contains("learners")) {
    const json& list = body["learners"];
    if (!list.is_array() || list.empty())
      check.fail(child(path, "learners"), "expected a list of learner labels");
    for (std::size_t i = 0; i < list.size(); ++i)
      spec.learners.push_back(check.text(list[i], item(child(path, "learners"), i)));
  }
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
  // Ties keep list order: std::sort on (rank, position), the order std::stable_sort would give
  // (whose temporary buffer clang 14's AddressSanitizer misreports with libstdc++ 12).
  std::vector<std::pair<std::ptrdiff_t, std::size_t>> keys;
  for (std::size_t i = 0; i < out.size(); ++i) keys.emplace_back(rank(out[i]), i);
  std::sort(keys.begin(), keys.end());
  std::vector<FamilySpec> sorted;
  for (const auto& key : keys) sorted.push_back(std::move(out[key.second]));
  out = std::move(sorted);
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

// "all": every learner of the tasks of the grid's families and datasets.
std::vector<LearnerSpec> all_learners(const std::set<Task>& tasks) {
  std::vector<LearnerSpec> out;
  for (const LearnerEntry& e : learner_table())
    if (tasks.count(e.task)) out.push_back({e.name, e.name, json::object(), std::nullopt});
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
    const std::string fitted = l.bias ? (*l.bias ? " bias" : " no bias") : "";
    if (!variants.insert(l.name + resolved + fitted).second)
      check.fail(item("learners", i),
                 fmt::format("learner '{}' with these parameters is already in the list", l.name));
  }
  return out;
}

}  // namespace relureg::tradeoff::detail
