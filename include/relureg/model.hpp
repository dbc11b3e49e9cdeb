// The ReLU model max(0, w·x + b) and its JSON file.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "relureg/binact2.hpp"
#include "relureg/engine.hpp"
#include "relureg/net2.hpp"

namespace relureg {

// What a model predicts: the ReLU value max(0, w·x + b), or the ±1 label sign(w·x + b) of a
// halfspace (both are stored as a ReluModel: the weights, the bias and whether it was fitted),
// or a depth-2 network: Σ_j a_j·σ(w_j·x + b_j) (net2.hpp) or vᵀ1{Zw > 0} (binact2.hpp).
enum class Task { relu, halfspace, net2, binact2 };

struct ReluModel {
  std::vector<double> w;
  double b = 0;
  bool bias = false;  // whether b was fitted (false: b is fixed at 0)

  std::size_t dim() const { return w.size(); }
  double predict_one(const float* x) const;
  // One prediction per row of `data`, through the engine (one pass).
  std::vector<double> predict(const Engine& engine, const DataSource& data) const;
};

// A model file: the model plus what produced it. JSON keys: "type" (task_name(task); a file
// without it is a ReLU), then for "relu" and "halfspace" "d", "w", "b", "bias"; for "net2" and
// "binact2" their own keys (net2_to_json, binact2_to_json); then "learner", "params" (the
// learner's parameters), "metrics" (training metrics).
struct ModelFile {
  ReluModel model;  // the model when task is relu or halfspace
  Task task = Task::relu;
  std::string learner;
  nlohmann::json params = nlohmann::json::object();
  nlohmann::json metrics = nlohmann::json::object();
  Net2Model net2;        // the model when task is net2 (`model` is unused then)
  Binact2Model binact2;  // the model when task is binact2 (`model` is unused then)
};

nlohmann::json to_json(const ModelFile& file);
// Throws InputError naming `origin` (a file name) when a key is missing or has the wrong type.
ModelFile model_file_from_json(const nlohmann::json& j, const std::string& origin);
ModelFile read_model_file(const std::filesystem::path& path);
void write_model_file(const std::filesystem::path& path, const ModelFile& file);

// InputError "<origin>: model expects D features, data has E" when they differ.
void check_dimension(const ReluModel& model, std::size_t data_dim, const std::string& origin);

// "relu", "halfspace", "net2" or "binact2", and back (InputError "unknown task 'x' (choose relu,
// halfspace, net2 or binact2)").
std::string task_name(Task task);
Task task_from_name(const std::string& name);

}  // namespace relureg
