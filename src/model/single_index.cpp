// The single-index model: the link's interpolation, one-row predictions and its model-file keys.
#include "relureg/single_index.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "relureg/affine.hpp"
#include "relureg/error.hpp"

namespace relureg {

double SimModel::link(double t) const {
  if (knots.empty()) return 0.0;
  if (t <= knots.front()) return values.front();
  if (t >= knots.back()) return values.back();
  const std::size_t k =
      static_cast<std::size_t>(std::upper_bound(knots.begin(), knots.end(), t) - knots.begin());
  const double left = knots[k - 1], right = knots[k];
  const double share = (t - left) / (right - left);
  return values[k - 1] + share * (values[k] - values[k - 1]);
}

double SimModel::predict_one(const float* x) const {
  return link(affine_value(x, w.data(), w.size(), 0.0));
}

nlohmann::json sim_to_json(const SimModel& model) {
  return {{"d", model.w.size()}, {"w", model.w}, {"knots", model.knots}, {"values", model.values}};
}

SimModel sim_from_json(const nlohmann::json& j, const std::string& origin) {
  auto fail = [&](const std::string& what) { throw InputError(origin + ": " + what); };
  auto read = [&](const char* key) {
    const std::string what = fmt::format("key '{}' must be a non-empty array of numbers", key);
    if (!j.contains(key) || !j[key].is_array() || j[key].empty()) fail(what);
    std::vector<double> out;
    for (const nlohmann::json& x : j[key]) {
      if (!x.is_number()) fail(what);
      out.push_back(x.get<double>());
      if (!std::isfinite(out.back())) fail(fmt::format("key '{}' has a non-finite value", key));
    }
    return out;
  };
  SimModel model;
  model.w = read("w");
  model.knots = read("knots");
  model.values = read("values");
  if (model.knots.size() != model.values.size())
    fail(fmt::format("keys 'knots' and 'values' must have the same length (got {} and {})",
                     model.knots.size(), model.values.size()));
  for (std::size_t k = 1; k < model.knots.size(); ++k) {
    if (!(model.knots[k] > model.knots[k - 1])) fail("key 'knots' must be increasing");
    if (model.values[k] < model.values[k - 1]) fail("key 'values' must be non-decreasing");
  }
  return model;
}

}  // namespace relureg
