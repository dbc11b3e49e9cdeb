// Typed parameter structs: the tables derived from their field declarations, parsing into the
// struct, parse errors, and the JSON round trip, for a test struct and for every learner and
// family.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "relureg/dataset.hpp"
#include "relureg/engine.hpp"
#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/learner.hpp"
#include "relureg/params.hpp"

namespace relureg {
namespace {

struct BaseParams {
  double scale = 2.5;
  static Fields<BaseParams> fields() {
    return {{"scale", &BaseParams::scale, "a shared scale", 0.0, kInfinity}};
  }
};

struct ToyParams : BaseParams {
  std::size_t count = 3;
  double tol = 1e-6;
  bool warm = true;
  std::string mode = "fast";

  static Fields<ToyParams> fields() {
    return inherit_fields<ToyParams, BaseParams>(
        {{"count", &ToyParams::count, "how many", 1, 10},
         tol_field(&ToyParams::tol),
         {"warm", &ToyParams::warm, "start warm"},
         {"mode", &ToyParams::mode, "how to run", Choices{{"fast", "exact"}}}});
  }
};

std::string parse_error(const std::vector<std::string>& assignments) {
  try {
    ParamValues::parse(param_table<ToyParams>(), assignments, "learner 'toy'");
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(TypedParams, TheTableIsDerivedFromTheFieldDeclarations) {
  const ParamTable table = param_table<ToyParams>();
  ASSERT_EQ(table.size(), 5u);
  EXPECT_EQ(table[0].name, "scale");  // the base struct's fields come first
  EXPECT_EQ(table[0].kind, ParamKind::real);
  EXPECT_EQ(table[0].default_value, 2.5);
  EXPECT_EQ(table[0].range_text(), "[0, inf)");
  EXPECT_EQ(table[1].name, "count");
  EXPECT_EQ(table[1].kind, ParamKind::integer);
  EXPECT_EQ(table[1].default_text(), "3");
  EXPECT_EQ(table[1].range_text(), "[1, 10]");
  EXPECT_EQ(table[2].name, "tol");  // the shared declaration: name, doc, bounds
  EXPECT_EQ(table[2].default_text(), "1e-06");
  EXPECT_EQ(table[2].range_text(), "[0, 1]");
  EXPECT_EQ(table[2].description,
            "stop when the relative change of the training loss falls below this (0 = never)");
  EXPECT_EQ(table[3].kind, ParamKind::flag);
  EXPECT_EQ(table[3].default_text(), "1");
  EXPECT_EQ(table[3].range_text(), "0 or 1");
  EXPECT_EQ(table[4].kind, ParamKind::choice);
  EXPECT_EQ(table[4].default_text(), "fast");
  EXPECT_EQ(table[4].range_text(), "one of fast|exact");
  EXPECT_EQ(table[4].description, "how to run");
}

TEST(TypedParams, AssignmentsParseIntoTheStruct) {
  const ToyParams defaults = ParamValues::defaults(param_table<ToyParams>()).as<ToyParams>();
  EXPECT_EQ(defaults.scale, 2.5);
  EXPECT_EQ(defaults.count, 3u);
  EXPECT_EQ(defaults.tol, 1e-6);
  EXPECT_TRUE(defaults.warm);
  EXPECT_EQ(defaults.mode, "fast");
  const ToyParams p = ParamValues::parse(param_table<ToyParams>(),
                                         {"scale=inf", "count=7", "warm=off", "mode=exact"}, "toy")
                          .as<ToyParams>();
  EXPECT_EQ(p.scale, kInfinity);
  EXPECT_EQ(p.count, 7u);
  EXPECT_EQ(p.tol, 1e-6);
  EXPECT_FALSE(p.warm);
  EXPECT_EQ(p.mode, "exact");
}

TEST(TypedParams, ParseErrorsNameTheParameterAndTheOwner) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"speed=1"},
       "unknown parameter 'speed' for learner 'toy' (known: scale, count, tol, warm, mode)"},
      {{"tol=abc"}, "parameter 'tol' for learner 'toy': expected a number, got 'abc'"},
      {{"tol=-1"}, "parameter 'tol' for learner 'toy': -1 is out of range [0, 1]"},
      {{"count=2.5"}, "parameter 'count' for learner 'toy': expected a whole number, got '2.5'"},
      {{"count=11"}, "parameter 'count' for learner 'toy': 11 is out of range [1, 10]"},
      {{"warm=yes"}, "parameter 'warm' for learner 'toy': expected 0 or 1, got 'yes'"},
      {{"mode=slow"}, "parameter 'mode' for learner 'toy': 'slow' is not one of fast|exact"},
      {{"count"}, "parameter 'count' for learner 'toy': expected name=value"},
  };
  for (const auto& [assignments, message] : cases) EXPECT_EQ(parse_error(assignments), message);
}

// Scalars of a "params" JSON object as the text a user would type (what config readers pass).
std::map<std::string, std::string> texts_of(const nlohmann::json& params) {
  std::map<std::string, std::string> texts;
  for (const auto& [key, value] : params.items()) {
    if (value.is_string())
      texts[key] = value.get<std::string>();
    else if (value.is_boolean())
      texts[key] = value.get<bool>() ? "1" : "0";
    else
      texts[key] = value.dump();
  }
  return texts;
}

TEST(TypedParams, StructToJsonAndBackIsTheSameStruct) {
  ToyParams p;
  p.scale = kInfinity;
  p.count = 9;
  p.tol = 0.125;
  p.warm = false;
  p.mode = "exact";
  const nlohmann::json j = params_json(p);
  EXPECT_EQ(j.dump(), R"({"count":9,"mode":"exact","scale":"inf","tol":0.125,"warm":false})");
  const ToyParams back =
      ParamValues::from_map(param_table<ToyParams>(), texts_of(j), "toy").as<ToyParams>();
  EXPECT_EQ(back.scale, p.scale);
  EXPECT_EQ(back.count, p.count);
  EXPECT_EQ(back.tol, p.tol);
  EXPECT_EQ(back.warm, p.warm);
  EXPECT_EQ(back.mode, p.mode);
  EXPECT_EQ(params_json(back), j);
}

// Every declared default lies within its own bounds (or among its words) and survives the
// JSON round trip that model files and ground truths go through.
void check_table(const ParamTable& table, const std::string& owner) {
  for (const ParamSpec& spec : table) {
    SCOPED_TRACE(owner + " " + spec.name);
    EXPECT_FALSE(spec.description.empty());
    if (spec.kind == ParamKind::choice) {
      EXPECT_GE(spec.choices.size(), 2u);
      EXPECT_NE(std::find(spec.choices.begin(), spec.choices.end(), spec.text_default),
                spec.choices.end());
    } else {
      EXPECT_TRUE(spec.choices.empty());
      EXPECT_LE(spec.lower, spec.default_value);
      EXPECT_LE(spec.default_value, spec.upper);
    }
  }
  const nlohmann::json defaults = ParamValues::defaults(table).to_json();
  EXPECT_EQ(ParamValues::from_map(table, texts_of(defaults), owner).to_json(), defaults);
}

TEST(TypedParams, EveryLearnerAndFamilyTableIsConsistent) {
  for (const LearnerEntry& e : learner_table()) check_table(e.params, e.name);
  for (const FamilyEntry& f : family_table()) check_table(f.params, f.name);
}

TEST(TypedParams, SharedParametersAreDeclaredOnce) {
  // Every learner that has max_passes, tol, step or radius shows the shared doc and bounds; only
  // the default (and step's doc) is the learner's own.
  std::map<std::string, ParamSpec> first;
  for (const LearnerEntry& e : learner_table())
    for (const ParamSpec& spec : e.params) {
      if (spec.name != "max_passes" && spec.name != "tol" && spec.name != "radius" &&
          spec.name != "step")
        continue;
      SCOPED_TRACE(e.name + " " + spec.name);
      const auto [it, fresh] = first.emplace(spec.name, spec);
      if (fresh) continue;
      if (spec.name != "step" || e.task != Task::halfspace) {
        EXPECT_EQ(spec.range_text(), it->second.range_text());
      }
      if (spec.name != "step") {
        EXPECT_EQ(spec.description, it->second.description);
      }
    }
  EXPECT_EQ(first.size(), 4u);
}

struct BiasedParams {
  double tol = 0.5;
  bool bias = false;
  static Fields<BiasedParams> fields() {
    return {tol_field(&BiasedParams::tol), bias_field(&BiasedParams::bias)};
  }
};

TEST(TypedParams, BiasIsAFieldSetByTheFrontEndsFlagNotByNameValue) {
  const ParamTable table = param_table<BiasedParams>();
  ASSERT_EQ(table.size(), 1u);  // --bias / bias= set it, not "bias=1"
  ParamValues values = ParamValues::defaults(table);
  EXPECT_FALSE(values.as<BiasedParams>().bias);
  values.set_fit_bias(true);
  EXPECT_TRUE(values.as<BiasedParams>().bias);
  EXPECT_EQ(values.to_json().dump(), R"({"tol":0.5})");
  BiasedParams p;
  p.bias = true;
  EXPECT_TRUE(ParamValues::of(p).fit_bias());
  try {
    ParamValues::parse(table, {"bias=1"}, "learner 'b'");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "unknown parameter 'bias' for learner 'b' (known: tol)");
  }
}

TEST(TypedParams, EveryReluAndNetworkLearnerFitsABiasAndTheOthersRefuseIt) {
  for (const LearnerEntry& e : learner_table())
    EXPECT_EQ(e.fits_bias, instance_task(e.task) == Task::relu || e.task == Task::net2) << e.name;
  const Engine engine(EngineOptions{1});
  Dataset data(8, 4);
  for (std::size_t i = 0; i < data.X.size(); ++i) data.X[i] = static_cast<float>(i % 5) - 2;
  for (std::size_t i = 0; i < data.n; ++i) data.y[i] = i % 2 ? 1 : -1;
  auto error_of = [&](const std::string& learner) {
    const LearnerEntry& entry = find_learner(learner);
    ParamValues values = ParamValues::defaults(entry.params);
    values.set_fit_bias(true);
    try {
      fit_learner(entry, values, data.view(), {&engine, 1, {}});
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error_of("ste-cgd"), "ste-cgd: fits no bias; --bias is not supported");
  EXPECT_EQ(error_of("hs-average"),
            "hs-average: learns homogeneous halfspaces sign(w·x) only; --bias is not supported");
}

}  // namespace
}  // namespace relureg
