// The binary-activation network of Yin et al. 2019: prediction and its model-file keys.
#include "relureg/binact2.hpp"

#include <fmt/format.h>

#include <cmath>

#include "relureg/affine.hpp"
#include "relureg/error.hpp"

namespace relureg {

double Binact2Model::predict_one(const float* x) const {
  double out = 0;
  for (std::size_t i = 0; i < patches; ++i)
    if (affine_value(x + i * filter, w.data(), filter, 0.0) > 0) out += v[i];
  return out;
}

std::size_t filter_size(std::size_t d, std::size_t patches, const std::string& owner) {
  if (patches == 0) throw InputError(owner + ": the number of patches must be at least 1");
  if (d % patches != 0)
    throw InputError(fmt::format(
        "{}: d = {} features do not split into {} patches (d must be a multiple of patches)", owner,
        d, patches));
  return d / patches;
}

nlohmann::json binact2_to_json(const Binact2Model& model) {
  return {{"patches", model.patches}, {"filter", model.filter}, {"v", model.v}, {"w", model.w}};
}

Binact2Model binact2_from_json(const nlohmann::json& j, const std::string& origin) {
  auto fail = [&](const std::string& what) { throw InputError(origin + ": " + what); };
  Binact2Model model;
  for (const char* key : {"patches", "filter"}) {
    if (!j.contains(key) || !j[key].is_number_unsigned() || j[key].get<std::size_t>() == 0)
      fail(fmt::format("key '{}' must be a positive integer", key));
  }
  model.patches = j["patches"].get<std::size_t>();
  model.filter = j["filter"].get<std::size_t>();
  auto read = [&](const char* key, std::size_t size) {
    const std::string what = fmt::format("key '{}' must be an array of {} numbers", key, size);
    if (!j.contains(key) || !j[key].is_array() || j[key].size() != size) fail(what);
    std::vector<double> out;
    for (const nlohmann::json& x : j[key]) {
      if (!x.is_number() || !std::isfinite(x.get<double>())) fail(what);
      out.push_back(x.get<double>());
    }
    return out;
  };
  model.v = read("v", model.patches);
  model.w = read("w", model.filter);
  return model;
}

}  // namespace relureg
