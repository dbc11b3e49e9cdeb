// The depth-2 network: prediction through the engine and the "net2" model keys of a model file.
#include "relureg/net2.hpp"

#include <fmt/format.h>

#include "relureg/affine.hpp"
#include "relureg/error.hpp"

namespace relureg {

std::string activation_name(Activation activation) {
  return activation == Activation::relu ? "relu" : "sigmoid";
}

Activation activation_from_name(const std::string& name, const std::string& origin) {
  if (name == "relu") return Activation::relu;
  if (name == "sigmoid") return Activation::sigmoid;
  throw InputError(
      fmt::format("{}: unknown activation '{}' (expected relu or sigmoid)", origin, name));
}

double Net2Model::predict_one(const float* x) const {
  double out = c;
  for (std::size_t j = 0; j < a.size(); ++j)
    out += a[j] * activate(activation, affine_value(x, unit(j), d, b[j]));
  return out;
}

Net2Model zero_net2(std::size_t d, std::size_t units, bool bias, Activation activation) {
  Net2Model model;
  model.d = d;
  model.W.assign(units * d, 0.0);
  model.b.assign(units, 0.0);
  model.a.assign(units, 0.0);
  model.bias = bias;
  model.activation = activation;
  return model;
}

nlohmann::json net2_to_json(const Net2Model& model) {
  nlohmann::json W = nlohmann::json::array();
  for (std::size_t j = 0; j < model.units(); ++j)
    W.push_back(std::vector<double>(model.unit(j), model.unit(j) + model.d));
  return {
      {"d", model.d}, {"units", model.units()}, {"activation", activation_name(model.activation)},
      {"W", W},       {"b", model.b},           {"a", model.a},
      {"c", model.c}, {"bias", model.bias}};
}

namespace {

// The numbers of a JSON array of exactly `size` entries; InputError "<origin>: <name> must be ...".
std::vector<double> number_array(const nlohmann::json& v, std::size_t size, const std::string& name,
                                 const std::string& origin) {
  const std::string what = fmt::format("{} must be an array of {} numbers", name, size);
  if (!v.is_array() || v.size() != size) throw InputError(origin + ": " + what);
  std::vector<double> out;
  for (const nlohmann::json& x : v) {
    if (!x.is_number()) throw InputError(origin + ": " + what);
    out.push_back(x.get<double>());
    if (!std::isfinite(out.back()))
      throw InputError(fmt::format("{}: {} has a non-finite value", origin, name));
  }
  return out;
}

std::vector<double> numbers(const nlohmann::json& j, const std::string& key, std::size_t size,
                            const std::string& origin) {
  if (!j.contains(key)) throw InputError(fmt::format("{}: missing key '{}'", origin, key));
  return number_array(j[key], size, fmt::format("key '{}'", key), origin);
}

}  // namespace

Net2Model net2_from_json(const nlohmann::json& j, const std::string& origin) {
  auto fail = [&](const std::string& what) { throw InputError(origin + ": " + what); };
  if (!j.contains("d") || !j["d"].is_number_unsigned() || j["d"].get<std::size_t>() == 0)
    fail("key 'd' must be a positive integer");
  if (!j.contains("W") || !j["W"].is_array() || j["W"].empty())
    fail("key 'W' must be a non-empty array of weight arrays");
  Net2Model model;
  model.d = j["d"].get<std::size_t>();
  const std::size_t k = j["W"].size();
  for (std::size_t u = 0; u < k; ++u) {
    const std::vector<double> w =
        number_array(j["W"][u], model.d, fmt::format("key 'W' entry {}", u), origin);
    model.W.insert(model.W.end(), w.begin(), w.end());
  }
  model.a = numbers(j, "a", k, origin);
  model.b = j.contains("b") ? numbers(j, "b", k, origin) : std::vector<double>(k, 0.0);
  if (j.contains("c")) {
    if (!j["c"].is_number()) fail("key 'c' must be a number");
    model.c = j["c"].get<double>();
  }
  model.bias = j.value("bias", false);
  model.activation = activation_from_name(j.value("activation", "relu"), origin);
  return model;
}

}  // namespace relureg
