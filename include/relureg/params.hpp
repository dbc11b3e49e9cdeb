// Parameters declared once: typed parameter structs whose fields carry name, bounds and doc (the
// default is the field's initialiser), the listing rows derived from them, and checked values.
#pragma once

#include <cstddef>
#include <functional>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace relureg {

enum class ParamKind { real, integer, choice, flag };

// The default and bound "inf" of parameter structs (e.g. an unconstrained radius).
inline constexpr double kInfinity = std::numeric_limits<double>::infinity();

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

// The allowed words of a text parameter.
struct Choices {
  std::vector<std::string> words;
};

// A field's value as ParamValues holds it: the number (real, integer, flag 0/1) or the word.
struct FieldValue {
  double number = 0;
  std::string text;
};

// One field of a parameter struct P, declared once: its name, the member it binds, a one-line
// doc and its bounds (numbers) or allowed words (text). The default is the member's initialiser
// in P, read from a value-initialised P. The member's type gives the kind: double → real,
// std::size_t → integer, bool → flag, std::string → choice. A misspelt member is a compile error.
template <class P>
struct Field {
  std::string name;
  ParamKind kind = ParamKind::real;
  std::string doc;
  double lower = -std::numeric_limits<double>::infinity();
  double upper = std::numeric_limits<double>::infinity();
  std::vector<std::string> choices = {};
  // false for a field set by the front ends' own flag rather than "name=value" (the `bias` of
  // the learners: the CLI's --bias, Python's bias=, the grid's `bias` key); it is then not in
  // the table, the messages or the JSON.
  bool listed = true;
  std::function<FieldValue(const P&)> read;          // the member's value
  std::function<void(P&, const FieldValue&)> write;  // sets the member

  Field(std::string name, double P::*m, std::string doc, double lower, double upper)
      : Field(std::move(name), ParamKind::real, std::move(doc), lower, upper, {}, m) {}
  Field(std::string name, std::size_t P::*m, std::string doc, double lower, double upper)
      : Field(std::move(name), ParamKind::integer, std::move(doc), lower, upper, {}, m) {}
  Field(std::string name, bool P::*m, std::string doc)
      : Field(std::move(name), ParamKind::flag, std::move(doc), 0, 1, {}, m) {}
  Field(std::string name, std::string P::*m, std::string doc, Choices allowed)
      : Field(std::move(name), ParamKind::choice, std::move(doc), 0, 0, std::move(allowed.words),
              m) {}
  // The same field seen from a struct D derived from P (see inherit_fields).
  template <class D>
  Field<D> in() const {
    Field<D> f(name, kind, doc, lower, upper, choices, nullptr);
    f.listed = listed;
    f.read = [r = read](const D& d) { return r(static_cast<const P&>(d)); };
    f.write = [w = write](D& d, const FieldValue& v) { w(static_cast<P&>(d), v); };
    return f;
  }

  // The listing row: default from P's initialiser.
  ParamSpec spec() const {
    const FieldValue value = read(P{});
    ParamSpec s;
    s.name = name;
    s.kind = kind;
    s.description = doc;
    s.lower = lower;
    s.upper = upper;
    s.choices = choices;
    if (kind == ParamKind::choice)
      s.text_default = value.text;
    else
      s.default_value = value.number;
    return s;
  }

  template <class T>
  Field(std::string name, ParamKind kind, std::string doc, double lower, double upper,
        std::vector<std::string> choices, T P::*m)
      : name(std::move(name)),
        kind(kind),
        doc(std::move(doc)),
        lower(lower),
        upper(upper),
        choices(std::move(choices)) {
    read = [m](const P& p) {
      FieldValue v;
      if constexpr (std::is_same_v<T, std::string>)
        v.text = p.*m;
      else
        v.number = static_cast<double>(p.*m);
      return v;
    };
    write = [m](P& p, const FieldValue& v) {
      if constexpr (std::is_same_v<T, std::string>)
        p.*m = v.text;
      else if constexpr (std::is_same_v<T, bool>)
        p.*m = v.number != 0;
      else
        p.*m = static_cast<T>(v.number);
    };
  }
  Field(std::string name, ParamKind kind, std::string doc, double lower, double upper,
        std::vector<std::string> choices, std::nullptr_t)
      : name(std::move(name)),
        kind(kind),
        doc(std::move(doc)),
        lower(lower),
        upper(upper),
        choices(std::move(choices)) {}
};

template <class P>
using Fields = std::vector<Field<P>>;

// Declares a parameter struct's field list, `fields()`, inside the struct:
//   struct StepParams {
//     double step = 1;  // the member's initialiser is the default
//     RELUREG_FIELDS({{"step", &P::step, "step size", 0, 1}})
//   };
// The list is any expression of type Fields<P> (a braced list, or inherit_fields<P, Base>(...));
// inside it P names the struct. Read it with fields_of<P>().
#define RELUREG_FIELDS(...)                                          \
  auto fields() const {                                              \
    using P [[maybe_unused]] = std::remove_cvref_t<decltype(*this)>; \
    ::relureg::Fields<P> list = __VA_ARGS__;                         \
    return list;                                                     \
  }

// The fields of a parameter struct P, in declaration order.
template <class P>
Fields<P> fields_of() {
  return P{}.fields();
}

// The listing rows of a parameter struct, in declaration order.
template <class P>
ParamTable param_table() {
  ParamTable table;
  for (const Field<P>& f : fields_of<P>())
    if (f.listed) table.push_back(f.spec());
  return table;
}

// The fields of the base structs Bases (each declared once there), in order, followed by P's own.
template <class P, class... Bases>
Fields<P> inherit_fields(const Fields<P>& own) {
  Fields<P> all;
  const auto add_base = [&all]<class B>(std::type_identity<B>) {
    for (const Field<B>& f : fields_of<B>()) all.push_back(f.template in<P>());
  };
  (add_base(std::type_identity<Bases>{}), ...);
  all.insert(all.end(), own.begin(), own.end());
  return all;
}

// `fields` with the doc of the field `name` replaced: a derived struct giving an inherited field
// its own meaning (the unit of a step, say). std::logic_error when there is no such field.
template <class P>
Fields<P> with_doc(Fields<P> fields, const std::string& name, std::string doc) {
  for (Field<P>& f : fields)
    if (f.name == name) {
      f.doc = std::move(doc);
      return fields;
    }
  throw std::logic_error("with_doc: no field '" + name + "'");
}

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
  // The values of a typed parameter struct (all marked as given).
  template <class P>
  static ParamValues of(const P& params);

  bool was_given(const std::string& name) const;

  // Whether a bias is to be fitted: sets the unlisted `bias` field of the struct (see Field).
  void set_fit_bias(bool fit_bias) { fit_bias_ = fit_bias; }
  bool fit_bias() const { return fit_bias_; }

  // The checked values as the typed struct P whose param_table<P>() they were parsed against.
  template <class P>
  P as() const;

  nlohmann::json to_json() const;  // numbers as numbers, choices as strings, flags as booleans

 private:
  struct Value {
    double number = 0;
    std::string text;
    bool given = false;
  };
  std::map<std::string, Value> values_;
  std::map<std::string, ParamKind> kinds_;
  bool fit_bias_ = false;
  const Value& get(const std::string& name) const;
};

template <class P>
P ParamValues::as() const {
  P p{};
  for (const Field<P>& f : fields_of<P>()) {
    if (!f.listed) {
      if (f.kind == ParamKind::flag && f.name == "bias")
        f.write(p, FieldValue{fit_bias_ ? 1.0 : 0.0, ""});
      continue;
    }
    const Value& v = get(f.name);
    f.write(p, FieldValue{v.number, v.text});
  }
  return p;
}

template <class P>
ParamValues ParamValues::of(const P& params) {
  ParamValues result;
  for (const Field<P>& f : fields_of<P>()) {
    const FieldValue value = f.read(params);
    if (!f.listed) {
      if (f.name == "bias") result.fit_bias_ = value.number != 0;
      continue;
    }
    result.values_[f.name] = Value{value.number, value.text, true};
    result.kinds_[f.name] = f.kind;
  }
  return result;
}

// The JSON form of a typed parameter struct, as written in model files' and truths' "params".
template <class P>
nlohmann::json params_json(const P& params) {
  return ParamValues::of(params).to_json();
}

}  // namespace relureg
