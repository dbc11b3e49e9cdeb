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

struct ReluModel {
  std::vector<double> w;
  double b = 0;
  bool bias = false;  // whether b was fitted (false: b is fixed at 0)

  std::size_t dim() const { return w.size(); }
  double predict_one(const float* x) const;
  // One prediction per row of `data`, through the engine (one pass).
  std::vector<double> predict(const Engine& engine, const DataSource& data) const;
};

// A model file: the model plus what produced it. JSON keys: "type" ("relu"), "d", "w", "b",
// "bias", "learner", "params" (the learner's parameters), "metrics" (training metrics).
// Other model types have their own keys instead of "w", "b", "bias": "net2" (net2_to_json) and
// "binact2" (binact2_to_json). A file without "type" is a "relu" file.
struct ModelFile {
  ReluModel model;
  std::string learner;
  nlohmann::json params = nlohmann::json::object();
  nlohmann::json metrics = nlohmann::json::object();
  std::string type = "relu";  // "relu", "net2" or "binact2"; `model` is used only for "relu"
  Net2Model net2;             // the "net2" model
  Binact2Model binact2;       // the "binact2" model
};

nlohmann::json to_json(const ModelFile& file);
// Throws InputError naming `origin` (a file name) when a key is missing or has the wrong type.
ModelFile model_file_from_json(const nlohmann::json& j, const std::string& origin);
ModelFile read_model_file(const std::filesystem::path& path);
void write_model_file(const std::filesystem::path& path, const ModelFile& file);

// InputError "<origin>: model expects D features, data has E" when they differ.
void check_dimension(const ReluModel& model, std::size_t data_dim, const std::string& origin);

}  // namespace relureg
