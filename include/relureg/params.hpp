// Parameters declared once (name, kind, default, bounds, description) and values checked against
// them.
#pragma once

#include <limits>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace relureg {

enum class ParamKind { real, integer, choice, flag };

// One declared parameter. For `choice`, `choices` lists the allowed words and `text_default`
// the default; for the numeric kinds `lower`/`upper` are inclusive bounds.
struct ParamSpec {
  std::string name;
  ParamKind kind = ParamKind::real;
  double default_value = 0;
  double lower = -std::numeric_limits<double>::infinity();
  double upper = std::numeric_limits<double>::infinity();
  std::string description;
  std::vector<std::string> choices = {};
  std::string text_default = {};

  std::string default_text() const;  // the default as the user would type it
  std::string range_text() const;    // "[0, inf)", "one of a|b|c", "0 or 1"
};

using ParamTable = std::vector<ParamSpec>;

// Validated values for one table: every declared parameter has a value (given or default).
class ParamValues {
 public:
  ParamValues() = default;
  // Parses "name=value" strings against `table`. `owner` names the learner or family for
  // messages: "unknown parameter 'x' for learner 'gd' (known: max_passes, tol, step)",
  // "parameter 'tol' for learner 'gd': expected a number, got 'abc'",
  // "parameter 'tol' for learner 'gd': -1 is out of range [0, inf)".
  static ParamValues parse(const ParamTable& table, const std::vector<std::string>& assignments,
                           const std::string& owner);
  static ParamValues from_map(const ParamTable& table,
                              const std::map<std::string, std::string>& values,
                              const std::string& owner);
  static ParamValues defaults(const ParamTable& table);

  double real(const std::string& name) const;
  long long integer(const std::string& name) const;
  const std::string& choice(const std::string& name) const;
  bool flag(const std::string& name) const;
  bool was_given(const std::string& name) const;

  nlohmann::json to_json() const;  // numbers as numbers, choices as strings, flags as booleans

 private:
  struct Value {
    double number = 0;
    std::string text;
    bool given = false;
  };
  std::map<std::string, Value> values_;
  std::map<std::string, ParamKind> kinds_;
  const Value& get(const std::string& name) const;
};

}  // namespace relureg
