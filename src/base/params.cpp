// Parsing and validating "name=value" parameters against a declared parameter table.
#include "relureg/params.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "relureg/error.hpp"

namespace relureg {
namespace {

std::string number_text(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{}", v);
}

const ParamSpec* find_spec(const ParamTable& table, const std::string& name) {
  for (const ParamSpec& spec : table)
    if (spec.name == name) return &spec;
  return nullptr;
}

std::string known_names(const ParamTable& table) {
  if (table.empty()) return "none";
  std::string names;
  for (const ParamSpec& spec : table) names += (names.empty() ? "" : ", ") + spec.name;
  return names;
}

bool parse_number(const std::string& text, double& out) {
  if (text == "inf" || text == "+inf") {
    out = std::numeric_limits<double>::infinity();
    return true;
  }
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && !std::isnan(out);
}

}  // namespace

std::string ParamSpec::default_text() const {
  switch (kind) {
    case ParamKind::choice:
      return text_default;
    case ParamKind::flag:
      return default_value != 0 ? "1" : "0";
    default:
      return number_text(default_value);
  }
}

std::string ParamSpec::range_text() const {
  switch (kind) {
    case ParamKind::choice: {
      std::string s = "one of ";
      for (std::size_t i = 0; i < choices.size(); ++i) s += (i ? "|" : "") + choices[i];
      return s;
    }
    case ParamKind::flag:
      return "0 or 1";
    default:
      return fmt::format("[{}, {}{}", number_text(lower), number_text(upper),
                         std::isinf(upper) ? ")" : "]");
  }
}

ParamValues ParamValues::defaults(const ParamTable& table) {
  return from_map(table, {}, "");
}

ParamValues ParamValues::parse(const ParamTable& table, const std::vector<std::string>& assignments,
                               const std::string& owner) {
  std::map<std::string, std::string> values;
  for (const std::string& a : assignments) {
    const auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0)
      throw InputError(fmt::format("parameter '{}' for {}: expected name=value", a, owner));
    values[a.substr(0, eq)] = a.substr(eq + 1);
  }
  return from_map(table, values, owner);
}

ParamValues ParamValues::from_map(const ParamTable& table,
                                  const std::map<std::string, std::string>& values,
                                  const std::string& owner) {
  for (const auto& [name, text] : values)
    if (!find_spec(table, name))
      throw InputError(fmt::format("unknown parameter '{}' for {} (known: {})", name, owner,
                                   known_names(table)));
  ParamValues result;
  for (const ParamSpec& spec : table) {
    Value value;
    value.number = spec.default_value;
    value.text = spec.kind == ParamKind::choice ? spec.text_default : spec.default_text();
    const auto it = values.find(spec.name);
    if (it != values.end()) {
      const std::string& text = it->second;
      value.given = true;
      value.text = text;
      const std::string where = fmt::format("parameter '{}' for {}", spec.name, owner);
      if (spec.kind == ParamKind::choice) {
        bool ok = false;
        for (const std::string& c : spec.choices) ok = ok || c == text;
        if (!ok)
          throw InputError(fmt::format("{}: '{}' is not {}", where, text, spec.range_text()));
      } else if (spec.kind == ParamKind::flag) {
        if (text == "1" || text == "true" || text == "on") {
          value.number = 1;
        } else if (text == "0" || text == "false" || text == "off") {
          value.number = 0;
        } else {
          throw InputError(fmt::format("{}: expected 0 or 1, got '{}'", where, text));
        }
      } else {
        if (!parse_number(text, value.number))
          throw InputError(fmt::format("{}: expected a number, got '{}'", where, text));
        if (spec.kind == ParamKind::integer && value.number != std::floor(value.number))
          throw InputError(fmt::format("{}: expected a whole number, got '{}'", where, text));
        if (value.number < spec.lower || value.number > spec.upper)
          throw InputError(
              fmt::format("{}: {} is out of range {}", where, text, spec.range_text()));
      }
    }
    result.values_[spec.name] = value;
    result.kinds_[spec.name] = spec.kind;
  }
  return result;
}

const ParamValues::Value& ParamValues::get(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end())
    throw std::logic_error("ParamValues: parameter '" + name + "' is not declared");
  return it->second;
}

bool ParamValues::was_given(const std::string& name) const {
  return get(name).given;
}

nlohmann::json ParamValues::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, value] : values_) {
    switch (kinds_.at(name)) {
      case ParamKind::choice:
        j[name] = value.text;
        break;
      case ParamKind::flag:
        j[name] = value.number != 0;
        break;
      case ParamKind::integer:
        j[name] = static_cast<long long>(value.number);
        break;
      case ParamKind::real:
        if (std::isinf(value.number))
          j[name] = value.number > 0 ? "inf" : "-inf";
        else
          j[name] = value.number;
        break;
    }
  }
  return j;
}

}  // namespace relureg
