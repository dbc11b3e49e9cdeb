// Every operation on a model, by visiting the Model variant: dimension, predictions, training and
// population loss, and the model file's JSON form.
#include "relureg/model_ops.hpp"

#include <fmt/format.h>

#include <cmath>
#include <type_traits>

#include "families/sampling.hpp"
#include "relureg/error.hpp"
#include "relureg/halfspace.hpp"
#include "relureg/io.hpp"
#include "relureg/kernels.hpp"
#include "relureg/net2_kernels.hpp"
#include "relureg/overloaded.hpp"

namespace relureg {

namespace {

// The ReLU and the halfspace share their keys: "d", "w", "b", "bias".
template <class Linear>
nlohmann::json linear_to_json(const Linear& model) {
  return {{"d", model.w.size()}, {"w", model.w}, {"b", model.b}, {"bias", model.bias}};
}

template <class Linear>
Linear linear_from_json(const nlohmann::json& j, const std::string& origin) {
  auto fail = [&](const std::string& what) { throw InputError(origin + ": " + what); };
  Linear model;
  if (!j.contains("w")) fail("missing key 'w'");
  if (!j["w"].is_array() || j["w"].empty()) fail("key 'w' must be a non-empty array of numbers");
  for (const auto& v : j["w"]) {
    if (!v.is_number()) fail("key 'w' must be a non-empty array of numbers");
    model.w.push_back(v.get<double>());
    if (!std::isfinite(model.w.back())) fail("key 'w' has a non-finite value");
  }
  if (j.contains("b")) {
    if (!j["b"].is_number()) fail("key 'b' must be a number");
    model.b = j["b"].get<double>();
  }
  model.bias = j.value("bias", model.b != 0);
  return model;
}

Model model_from_json(Task task, const nlohmann::json& j, const std::string& origin) {
  switch (task) {
    case Task::halfspace:
      return linear_from_json<HalfspaceModel>(j, origin);
    case Task::net2:
      return net2_from_json(j, origin);
    case Task::binact2:
      return binact2_from_json(j, origin);
    case Task::sim:
      return sim_from_json(j, origin);
    case Task::piecewise:
      return piecewise_from_json(j, origin);
    case Task::relu:
      break;
  }
  return linear_from_json<ReluModel>(j, origin);
}

}  // namespace

void check_dimension(const Model& model, std::size_t data_dim, const std::string& origin) {
  if (model_dim(model) != data_dim)
    throw InputError(fmt::format("{}: model expects {} features, data has {}", origin,
                                 model_dim(model), data_dim));
}

std::vector<double> predict(const Engine& engine, const Model& model, const DataSource& data) {
  std::vector<double> out(data.rows());
  std::visit(
      [&](const auto& m) {
        if constexpr (std::is_same_v<std::decay_t<decltype(m)>, ReluModel>) {
          relu_predict(engine, data, m.w, m.b, out);
          return;
        }
        engine.map(data, out, [&m](const RowBlock& blk, double* o) {
          for (std::size_t r = 0; r < blk.rows; ++r) o[r] = m.predict_one(blk.X + r * blk.d);
        });
      },
      model);
  return out;
}

Evaluation evaluate(const Engine& engine, const Model& model, const DataSource& data) {
  const double loss = std::visit(
      Overloaded{[&](const ReluModel& m) { return relu_loss(engine, data, m.w, m.b); },
                 [&](const HalfspaceModel& m) { return zero_one_error(engine, data, m.w, m.b); },
                 [&](const Net2Model& m) { return net2_loss(engine, data, m); },
                 [&](const auto& m) {  // the other kinds: from the one-row prediction
                   return engine.mean_rows(data, 1, [&m](const float* x, double y, double* acc) {
                     const double r = m.predict_one(x) - y;
                     acc[0] += r * r;
                   })[0];
                 }},
      model);
  return {loss, data.rows()};
}

PopulationLoss population_loss(const Model& model, const GroundTruth& truth, const Engine& engine) {
  const FamilyEntry& family = find_family(truth.family);
  if (model_dim(model) != truth.d)
    throw InputError(fmt::format("model has {} features but the instance has d = {}",
                                 model_dim(model), truth.d));
  if (family.population_loss)
    if (std::optional<PopulationLoss> own = family.population_loss(model, truth, engine))
      return *own;
  return std::visit(
      [&](const auto& m) {
        return families::monte_carlo_loss(
            family.rows(truth), [&m](const float* x) { return m.predict_one(x); },
            kMonteCarloSamples, families::stream_seed(truth.seed, families::Stream::evaluation),
            engine.threads());
      },
      model);
}

nlohmann::json to_json(const ModelFile& file) {
  nlohmann::json j;
  j["type"] = task_name(file.task());
  j.update(std::visit(Overloaded{[](const ReluModel& m) { return linear_to_json(m); },
                                 [](const HalfspaceModel& m) { return linear_to_json(m); },
                                 [](const Net2Model& m) { return net2_to_json(m); },
                                 [](const Binact2Model& m) { return binact2_to_json(m); },
                                 [](const SimModel& m) { return sim_to_json(m); },
                                 [](const PiecewiseModel& m) { return piecewise_to_json(m); }},
                      file.model));
  j["learner"] = file.learner;
  j["params"] = file.params;
  j["metrics"] = file.metrics;
  return j;
}

ModelFile model_file_from_json(const nlohmann::json& j, const std::string& origin) {
  if (!j.is_object()) throw InputError(origin + ": model file must be a JSON object");
  if (j.contains("learner") && !j["learner"].is_string())
    throw InputError(origin + ": key 'learner' must be a string");
  if (j.contains("bias") && !j["bias"].is_boolean())
    throw InputError(origin + ": key 'bias' must be true or false");
  Task task = Task::relu;  // a file without "type" is a ReLU
  if (j.contains("type")) {
    try {
      task = task_from_name(j["type"].is_string() ? j["type"].get<std::string>() : "");
    } catch (const InputError&) {
      throw InputError(
          fmt::format("{}: unsupported model type {} (expected \"relu\", \"halfspace\", \"net2\", "
                      "\"binact2\", \"sim\" or \"piecewise\")",
                      origin, j["type"].dump()));
    }
  }
  ModelFile file;
  file.model = model_from_json(task, j, origin);
  file.learner = j.value("learner", "");
  if (j.contains("params")) file.params = j["params"];
  if (j.contains("metrics")) file.metrics = j["metrics"];
  return file;
}

ModelFile read_model_file(const std::filesystem::path& path) {
  const std::string text = read_text_file(path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(fmt::format("{}: not valid JSON (byte {})", path.string(), e.byte));
  } catch (const nlohmann::json::exception& e) {  // a number beyond double's range
    throw InputError(fmt::format("{}: not valid JSON ({})", path.string(), json_error_text(e)));
  }
  try {
    return model_file_from_json(j, path.string());
  } catch (const nlohmann::json::exception& e) {  // a value of another type than expected
    throw InputError(fmt::format("{}: {}", path.string(), json_error_text(e)));
  }
}

void write_model_file(const std::filesystem::path& path, const ModelFile& file) {
  write_text_atomically(path, to_json(file).dump(2) + "\n");
}

}  // namespace relureg
