// Config files as text: TOML and JSON to a JSON tree with line numbers, and the config back out.
#include <fmt/format.h>

#include <toml++/toml.h>
#include <cmath>

#include "relureg/error.hpp"
#include "relureg/io.hpp"
#include "tradeoff/config_tree.hpp"

namespace relureg::tradeoff {
namespace detail {
namespace {

std::string float_text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{}", v);
}

nlohmann::json convert(const toml::node& node, const std::string& path, ConfigTree& tree) {
  tree.lines.emplace(path, static_cast<int>(node.source().begin.line));
  switch (node.type()) {
    case toml::node_type::table: {
      nlohmann::json object = nlohmann::json::object();
      for (auto&& [key, value] : *node.as_table()) {
        const std::string name(key.str());
        object[name] = convert(value, path.empty() ? name : path + "." + name, tree);
      }
      return object;
    }
    case toml::node_type::array: {
      nlohmann::json array = nlohmann::json::array();
      std::size_t i = 0;
      for (const toml::node& value : *node.as_array())
        array.push_back(convert(value, fmt::format("{}[{}]", path, i++), tree));
      return array;
    }
    case toml::node_type::string:
      return node.as_string()->get();
    case toml::node_type::integer:
      return node.as_integer()->get();
    case toml::node_type::floating_point: {
      const double v = node.as_floating_point()->get();
      return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(float_text(v));
    }
    case toml::node_type::boolean:
      return node.as_boolean()->get();
    default:
      tree.fail(path, "dates and times are not allowed here");
  }
}

}  // namespace

std::string ConfigTree::where(const std::string& path) const {
  std::string prefix = path;
  while (!prefix.empty()) {
    const auto it = lines.find(prefix);
    if (it != lines.end()) return fmt::format("{}:{}: ", origin, it->second);
    const auto cut = prefix.find_last_of(".[");
    prefix = cut == std::string::npos ? "" : prefix.substr(0, cut);
  }
  return origin + ": ";
}

void ConfigTree::fail(const std::string& path, const std::string& what) const {
  throw InputError(where(path) + fmt::format("key '{}': {}", path, what));
}

ConfigTree toml_tree(const std::string& text, const std::string& origin) {
  ConfigTree tree;
  tree.origin = origin;
  toml::table table;
  try {
    table = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    throw InputError(fmt::format("{}:{}:{}: {}", origin, e.source().begin.line,
                                 e.source().begin.column, e.description()));
  }
  tree.root = convert(table, "", tree);
  tree.lines.erase("");
  return tree;
}

ConfigTree json_tree(const std::string& text, const std::string& origin) {
  ConfigTree tree;
  tree.origin = origin;
  try {
    tree.root = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(fmt::format("{}: not valid JSON: {}", origin, e.what()));
  } catch (const nlohmann::json::exception& e) {  // a number beyond double's range
    throw InputError(fmt::format("{}: not valid JSON: {}", origin, json_error_text(e)));
  }
  if (!tree.root.is_object()) throw InputError(origin + ": the config must be a JSON object");
  return tree;
}

std::string scalar_text(const nlohmann::json& value) {
  if (value.is_boolean()) return value.get<bool>() ? "1" : "0";
  if (value.is_number_integer()) return std::to_string(value.get<long long>());
  if (value.is_number_unsigned()) return std::to_string(value.get<unsigned long long>());
  if (value.is_number_float()) return float_text(value.get<double>());
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

}  // namespace detail

Config parse_config(const std::string& text, const std::string& format, const std::string& origin,
                    const std::filesystem::path& base_dir) {
  if (format == "toml") return detail::validate(detail::toml_tree(text, origin), base_dir);
  if (format == "json") return detail::validate(detail::json_tree(text, origin), base_dir);
  throw InputError(
      fmt::format("{}: unknown config format '{}' (choose one of: toml, json)", origin, format));
}

Config read_config(const std::filesystem::path& path) {
  const std::string extension = path.extension().string();
  std::string format;
  if (extension == ".toml") format = "toml";
  if (extension == ".json") format = "json";
  if (format.empty())
    throw InputError(path.string() + ": a config file must end in .toml or .json");
  return parse_config(read_text_file(path), format, path.string(), path.parent_path());
}

nlohmann::json to_json(const Config& c) {
  nlohmann::json j;
  for (const detail::ConfigKey& key : detail::config_keys()) j[key.name] = key.write(c);
  return j;
}

namespace {

// A bare key when it is one ([A-Za-z0-9_-]+), a quoted key otherwise.
std::string toml_key(const std::string& key) {
  const bool bare = !key.empty() && key.find_first_not_of(
                                        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
                                        "nopqrstuvwxyz0123456789_-") == std::string::npos;
  return bare ? key : nlohmann::json(key).dump();
}

std::string toml_value(const nlohmann::json& v) {
  if (v.is_string()) return v.dump();  // JSON string escapes are valid TOML basic strings
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_float()) {
    const std::string text = fmt::format("{}", v.get<double>());
    return text.find_first_of(".en") == std::string::npos ? text + ".0" : text;
  }
  if (v.is_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + toml_value(v[i]);
    return out + "]";
  }
  if (v.is_object()) {
    std::string out = "{";
    bool first = true;
    for (const auto& [key, value] : v.items()) {
      out += fmt::format("{}{} = {}", first ? " " : ", ", toml_key(key), toml_value(value));
      first = false;
    }
    return out + (first ? "}" : " }");
  }
  return v.dump();
}

}  // namespace

std::string config_keys_markdown() {
  const nlohmann::json defaults = to_json(Config{});
  std::string out = "| key | value | default | meaning |\n|---|---|---|---|\n";
  for (const detail::ConfigKey& key : detail::config_keys())
    out += fmt::format("| `{}` | {} | {} | {} |\n", key.name, key.values,
                       key.section() ? std::string("see below")
                                     : fmt::format("`{}`", toml_value(defaults[key.name])),
                       key.doc);
  return out;
}

std::string to_toml(const Config& c) {
  const nlohmann::json j = to_json(c);
  std::string out = "# relureg tradeoff grid; every key is described in docs/tradeoff.md\n";
  for (const detail::ConfigKey& key : detail::config_keys())
    if (!key.section()) out += fmt::format("{} = {}\n", key.name, toml_value(j[key.name]));
  for (const FamilySpec& f : c.families) {
    out += fmt::format("\n[families.{}]\n", toml_key(f.name));
    for (const auto& [key, value] : f.params.items())
      out += fmt::format("{} = {}\n", toml_key(key), toml_value(value));
    out += fmt::format("noise_param = \"{}\"\n", f.noise_param.empty() ? "none" : f.noise_param);
    for (const char* key : {"d", "n", "learners"})
      if (j["families"][f.name].contains(key))
        out += fmt::format("{} = {}\n", key, toml_value(j["families"][f.name][key]));
  }
  for (const nlohmann::json& s : j["datasets"]) {
    out += "\n[[datasets]]\n";
    for (const char* key : {"path", "truth", "label"})
      out += fmt::format("{} = {}\n", key, toml_value(s[key]));
  }
  for (const nlohmann::json& l : j["learners"]) {
    out += "\n[[learners]]\n";
    out += fmt::format("name = {}\nlabel = {}\nparams = {}\n", toml_value(l["name"]),
                       toml_value(l["label"]), toml_value(l["params"]));
    if (l.contains("bias")) out += fmt::format("bias = {}\n", toml_value(l["bias"]));
  }
  return out;
}

}  // namespace relureg::tradeoff
