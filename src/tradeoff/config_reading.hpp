// The grid config's reading machinery shared by config.cpp (the keys) and config_sections.cpp
// (the sections families, datasets and learners): the Checker that names key and line in every
// failure, and the section readers.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "relureg/learner.hpp"
#include "relureg/params.hpp"
#include "relureg/tradeoff.hpp"
#include "tradeoff/config_tree.hpp"

namespace relureg::tradeoff::detail {

using nlohmann::json;

inline std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

inline std::string item(const std::string& path, std::size_t i) {
  return fmt::format("{}[{}]", path, i);
}
inline std::string child(const std::string& path, const std::string& key) {
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
    std::set<std::uint64_t> seen;  // not a scan per entry: a long seed list stays linear-time
    for (std::size_t i = 0; i < v.size(); ++i) {
      out.push_back(whole(v[i], item(path, i), lower));
      if (!seen.insert(out.back()).second)
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

// [families.NAME] tables (or a list of names), each checked against the family's parameters.
std::vector<FamilySpec> read_families(const Checker& check, const json& v,
                                      const std::vector<double>& noise);
// One family with its parameter table `body` at `path`.
FamilySpec read_family(const Checker& check, const std::string& name, const json& body,
                       const std::string& path, const std::vector<double>& noise);
// One [[datasets]] table; a relative path is taken from base_dir.
DatasetSpec read_dataset(const Checker& check, const json& v, const std::string& path,
                         const std::filesystem::path& base_dir);
// "all": every learner of the given tasks.
std::vector<LearnerSpec> all_learners(const std::set<Task>& tasks);
// "all" or a list of names, "all" and {name, label, params} tables; labels and variants unique.
std::vector<LearnerSpec> read_learners(const Checker& check, const json& v,
                                       const std::set<Task>& tasks);

}  // namespace relureg::tradeoff::detail
