// The one table of instance families, lookup, generation and the ground truth's JSON form.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "families/families.hpp"
#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/io.hpp"
#include "relureg/resources.hpp"

namespace relureg {

namespace {

// A family's entry with its line of the table.
FamilyEntry described(FamilyEntry entry, std::string name, Task task, std::string description) {
  entry.name = std::move(name);
  entry.task = task;
  entry.description = std::move(description);
  return entry;
}

}  // namespace

const std::vector<FamilyEntry>& family_table() {
  static const std::vector<FamilyEntry> table = {
#define RELUREG_FAMILY(id, name, task, description) \
  described(families::id##_family(), name, Task::task, description),
#include "families/family_table.def"
#undef RELUREG_FAMILY
  };
  return table;
}

std::string family_names() {
  std::string names;
  for (const FamilyEntry& entry : family_table()) names += (names.empty() ? "" : ", ") + entry.name;
  return names;
}

const FamilyEntry& find_family(const std::string& name) {
  for (const FamilyEntry& entry : family_table())
    if (entry.name == name) return entry;
  throw InputError(fmt::format("unknown family '{}' (choose one of: {})", name, family_names()));
}

Instance generate_instance(const std::string& family, std::size_t n, std::size_t d,
                           std::uint64_t seed, const std::vector<std::string>& assignments,
                           const Engine& engine, RowBlocks blocks) {
  const FamilyEntry& entry = find_family(family);
  if (n == 0) throw InputError("n must be at least 1");
  if (d == 0) throw InputError("d must be at least 1");
  const std::size_t end_block = std::min(blocks.end, block_count(n));
  const std::size_t first_row = block_start_row(n, std::min(blocks.first, end_block));
  check_dataset_memory(block_start_row(n, end_block) - first_row, d,
                       fmt::format("family '{}'", family));
  const ParamValues values =
      ParamValues::parse(entry.params, assignments, fmt::format("family '{}'", family));
  return entry.generate(GenerateRequest{entry.name, n, d, seed, engine, blocks}, values);
}

ClassOpt class_opt(const GroundTruth& truth, bool bias) {
  if (!bias && truth.homogeneous) return *truth.homogeneous;
  return {truth.opt, truth.opt_kind, truth.opt_error, truth.opt_note, truth.w_opt, truth.b_opt};
}

std::string class_opt_name(const GroundTruth& truth, bool bias) {
  if (!truth.homogeneous) return task_models(find_family(truth.family).task);
  return bias ? "ReLUs with bias" : "homogeneous ReLUs";
}

namespace {

// One class's opt as the truth file stores it: at the top level for the family's class, under
// "homogeneous" for ReLUs without a bias (where b_opt is 0 and not written).
void put_class_opt(nlohmann::json& j, const ClassOpt& c, bool with_bias) {
  j["opt"] = c.opt;
  j["opt_kind"] = c.opt_kind;
  j["opt_error"] = c.opt_error;
  j["opt_note"] = c.opt_note;
  j["w_opt"] = c.w_opt;
  if (with_bias) j["b_opt"] = c.b_opt;
}

}  // namespace

nlohmann::json to_json(const GroundTruth& truth) {
  nlohmann::json j;
  j["family"] = truth.family;
  j["d"] = truth.d;
  j["seed"] = truth.seed;
  j["w_star"] = truth.w_star;
  j["b_star"] = truth.b_star;
  put_class_opt(j, class_opt(truth, true), true);
  j["teacher_loss"] = truth.teacher_loss;
  j["radius"] = std::isinf(truth.radius) ? nlohmann::json(nullptr) : nlohmann::json(truth.radius);
  j["params"] = truth.params;
  if (truth.homogeneous) put_class_opt(j["homogeneous"], *truth.homogeneous, false);
  if (!truth.facts.empty()) j["facts"] = truth.facts;
  if (!truth.teacher.is_null()) j["teacher"] = truth.teacher;
  return j;
}

namespace {

// Typed access to a ground-truth JSON object; every failure names the origin and the key.
class TruthReader {
 public:
  TruthReader(const nlohmann::json& j, const std::string& origin) : j_(j), origin_(origin) {
    if (!j.is_object()) fail("ground truth must be a JSON object");
  }
  [[noreturn]] void fail(const std::string& what) const { throw InputError(origin_ + ": " + what); }

  const nlohmann::json& at(const std::string& key) const {
    if (!j_.contains(key)) fail(fmt::format("missing key '{}'", key));
    return j_[key];
  }
  double number(const std::string& key) const {
    const nlohmann::json& v = at(key);
    if (!v.is_number()) fail(fmt::format("key '{}' must be a number", key));
    return v.get<double>();
  }
  std::uint64_t whole(const std::string& key) const {
    const nlohmann::json& v = at(key);
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<long long>() >= 0))
      fail(fmt::format("key '{}' must be a non-negative integer", key));
    return v.get<std::uint64_t>();
  }
  std::string text(const std::string& key) const {
    const nlohmann::json& v = at(key);
    if (!v.is_string()) fail(fmt::format("key '{}' must be a string", key));
    return v.get<std::string>();
  }
  std::vector<double> vector(const std::string& key, std::size_t size) const {
    const nlohmann::json& v = at(key);
    if (!v.is_array() || v.size() != size)
      fail(fmt::format("key '{}' must be an array of {} numbers", key, size));
    std::vector<double> out;
    for (const nlohmann::json& x : v) {
      if (!x.is_number()) fail(fmt::format("key '{}' must be an array of {} numbers", key, size));
      out.push_back(x.get<double>());
    }
    return out;
  }

 private:
  const nlohmann::json& j_;
  const std::string& origin_;
};

}  // namespace

GroundTruth ground_truth_from_json(const nlohmann::json& j, const std::string& origin) {
  const TruthReader read(j, origin);
  GroundTruth truth;
  truth.family = read.text("family");
  truth.d = read.whole("d");
  truth.seed = read.whole("seed");
  truth.w_star = read.vector("w_star", truth.d);
  truth.b_star = read.number("b_star");
  truth.opt = read.number("opt");
  truth.opt_kind = read.text("opt_kind");
  if (j.contains("opt_error")) truth.opt_error = read.number("opt_error");
  if (j.contains("opt_note")) truth.opt_note = read.text("opt_note");
  truth.w_opt = read.vector("w_opt", truth.d);
  truth.b_opt = read.number("b_opt");
  truth.teacher_loss = read.number("teacher_loss");
  const nlohmann::json& radius = read.at("radius");
  if (radius.is_null())
    truth.radius = std::numeric_limits<double>::infinity();
  else
    truth.radius = read.number("radius");
  if (j.contains("params")) {
    if (!j["params"].is_object()) read.fail("key 'params' must be an object");
    truth.params = j["params"];
  }
  if (j.contains("homogeneous")) {
    const std::string inner_origin = origin + ": key 'homogeneous'";
    const TruthReader inner(read.at("homogeneous"), inner_origin);
    ClassOpt h;
    h.opt = inner.number("opt");
    h.opt_kind = inner.text("opt_kind");
    h.opt_error = inner.number("opt_error");
    h.opt_note = inner.text("opt_note");
    const nlohmann::json& w = inner.at("w_opt");  // [] for a lower bound (no model attains it)
    if (!(w.is_array() && w.empty())) h.w_opt = inner.vector("w_opt", truth.d);
    truth.homogeneous = std::move(h);
  }
  if (j.contains("facts")) {
    if (!j["facts"].is_object()) read.fail("key 'facts' must be an object");
    truth.facts = j["facts"];
  }
  if (j.contains("teacher")) {
    if (!j["teacher"].is_object()) read.fail("key 'teacher' must be an object");
    truth.teacher = j["teacher"];
  }
  return truth;
}

GroundTruth read_ground_truth(const std::string& path) {
  const std::string text = read_text_file(path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(fmt::format("{}: not valid JSON (byte {})", path, e.byte));
  } catch (const nlohmann::json::exception& e) {  // a number beyond double's range
    throw InputError(fmt::format("{}: not valid JSON ({})", path, json_error_text(e)));
  }
  try {
    return ground_truth_from_json(j, path);
  } catch (const nlohmann::json::exception& e) {  // a value of another type than expected
    throw InputError(fmt::format("{}: {}", path, json_error_text(e)));
  }
}

}  // namespace relureg
