// The ReLU model: prediction through the engine, JSON model files, dimension checks.
#include "relureg/model.hpp"

#include <fmt/format.h>

#include <cmath>
#include <optional>

#include "relureg/affine.hpp"
#include "relureg/error.hpp"
#include "relureg/io.hpp"

namespace relureg {

namespace {

// The task whose name is `name` (a JSON string), if any.
std::optional<Task> task_named(const nlohmann::json& name) {
  for (const Task task : {Task::relu, Task::halfspace, Task::net2, Task::binact2})
    if (name == task_name(task)) return task;
  return std::nullopt;
}

}  // namespace

double ReluModel::predict_one(const float* x) const {
  const double z = affine_value(x, w.data(), w.size(), b);
  return z > 0 ? z : 0.0;
}

std::vector<double> ReluModel::predict(const Engine& engine, const DataSource& data) const {
  std::vector<double> out(data.rows());
  engine.map(data, out, [this](const RowBlock& blk, double* o) {
    for (std::size_t r = 0; r < blk.rows; ++r) o[r] = predict_one(blk.X + r * blk.d);
  });
  return out;
}

nlohmann::json to_json(const ModelFile& file) {
  nlohmann::json j;
  j["type"] = task_name(file.task);
  if (file.task == Task::net2) {
    j.update(net2_to_json(file.net2));
  } else if (file.task == Task::binact2) {
    j.update(binact2_to_json(file.binact2));
  } else {
    j["d"] = file.model.w.size();
    j["w"] = file.model.w;
    j["b"] = file.model.b;
    j["bias"] = file.model.bias;
  }
  j["learner"] = file.learner;
  j["params"] = file.params;
  j["metrics"] = file.metrics;
  return j;
}

ModelFile model_file_from_json(const nlohmann::json& j, const std::string& origin) {
  auto fail = [&](const std::string& what) { throw InputError(origin + ": " + what); };
  if (!j.is_object()) fail("model file must be a JSON object");
  ModelFile file;
  if (j.contains("type")) {
    const std::optional<Task> task = task_named(j["type"]);
    if (!task)
      fail(fmt::format(
          "unsupported model type {} (expected \"relu\", \"halfspace\", \"net2\" or \"binact2\")",
          j["type"].dump()));
    file.task = *task;
  }
  if (file.task == Task::net2 || file.task == Task::binact2) {
    if (file.task == Task::net2) file.net2 = net2_from_json(j, origin);
    if (file.task == Task::binact2) file.binact2 = binact2_from_json(j, origin);
    file.learner = j.value("learner", "");
    if (j.contains("params")) file.params = j["params"];
    if (j.contains("metrics")) file.metrics = j["metrics"];
    return file;
  }
  if (!j.contains("w")) fail("missing key 'w'");
  if (!j["w"].is_array() || j["w"].empty()) fail("key 'w' must be a non-empty array of numbers");
  for (const auto& v : j["w"]) {
    if (!v.is_number()) fail("key 'w' must be a non-empty array of numbers");
    file.model.w.push_back(v.get<double>());
    if (!std::isfinite(file.model.w.back())) fail("key 'w' has a non-finite value");
  }
  if (j.contains("b")) {
    if (!j["b"].is_number()) fail("key 'b' must be a number");
    file.model.b = j["b"].get<double>();
  }
  file.model.bias = j.value("bias", file.model.b != 0);
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
  }
  return model_file_from_json(j, path.string());
}

void write_model_file(const std::filesystem::path& path, const ModelFile& file) {
  write_text_atomically(path, to_json(file).dump(2) + "\n");
}

void check_dimension(const ReluModel& model, std::size_t data_dim, const std::string& origin) {
  if (model.w.size() != data_dim)
    throw InputError(fmt::format("{}: model expects {} features, data has {}", origin,
                                 model.w.size(), data_dim));
}

std::string task_name(Task task) {
  switch (task) {
    case Task::relu:
      return "relu";
    case Task::halfspace:
      return "halfspace";
    case Task::net2:
      return "net2";
    case Task::binact2:
      return "binact2";
  }
  return "?";
}

Task task_from_name(const std::string& name) {
  if (const std::optional<Task> task = task_named(name)) return *task;
  throw InputError(
      fmt::format("unknown task '{}' (choose relu, halfspace, net2 or binact2)", name));
}

}  // namespace relureg
