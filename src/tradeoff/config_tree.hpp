// A parsed config file as a JSON tree plus the line of every key, for one-line error messages.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "relureg/tradeoff.hpp"

namespace relureg::tradeoff::detail {

struct ConfigTree {
  nlohmann::json root = nlohmann::json::object();
  std::map<std::string, int> lines;  // "families.adversarial.eta" -> line (TOML only)
  std::string origin;                // the file name used in messages

  // InputError "<origin>:<line>: key '<path>': <what>" (the line when it is known).
  [[noreturn]] void fail(const std::string& path, const std::string& what) const;
  // "<origin>:<line>: " (the longest known prefix of `path` gives the line).
  std::string where(const std::string& path) const;
};

// TOML (toml++) to a JSON tree: tables become objects, arrays arrays; ±inf and nan become the
// strings "inf", "-inf", "nan"; dates are rejected. Parse errors name the line and column.
ConfigTree toml_tree(const std::string& text, const std::string& origin);
ConfigTree json_tree(const std::string& text, const std::string& origin);

// Checks every key and value and builds the config; relative dataset paths are taken from
// `base_dir`.
Config validate(const ConfigTree& tree, const std::filesystem::path& base_dir);

// One top-level key of the grid config, declared once (config.cpp): its name, the values it
// takes, a one-line doc, how it is checked and read into a Config (empty for the sections
// families, datasets and learners, which validate reads after the other keys) and how it is
// written back. The allowed-keys message, the TOML and JSON readers (validate), to_json, to_toml
// (--print-config) and the key table of docs/tradeoff.md (config_keys_markdown) derive from it.
struct ConfigKey {
  std::string name;
  std::string values;
  std::string doc;
  std::function<void(const ConfigTree&, const nlohmann::json&, Config&)> read;
  std::function<nlohmann::json(const Config&)> write;
  bool section() const { return !read; }
};
const std::vector<ConfigKey>& config_keys();

// A scalar as a parameter value's text: 3, 0.5, inf, 1 (true), 0 (false), words unchanged.
std::string scalar_text(const nlohmann::json& value);

}  // namespace relureg::tradeoff::detail
