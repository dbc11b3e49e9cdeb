// What every model answers, by visiting the Model variant: its dimension check, predictions,
// training loss, population loss on an instance, and its JSON model file.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "relureg/engine.hpp"
#include "relureg/family.hpp"
#include "relureg/model.hpp"

namespace relureg {

// InputError "<origin>: model expects D features, data has E" when they differ.
void check_dimension(const Model& model, std::size_t data_dim, const std::string& origin);

// One prediction per row (one pass): the model's value, or the ±1 label of a halfspace.
std::vector<double> predict(const Engine& engine, const Model& model, const DataSource& data);

// The loss of a model on labelled data, in its task's measure (task_measure): the mean square
// loss, or for a halfspace the 0/1 error (labels should be ±1: see require_sign_labels).
struct Evaluation {
  double loss = 0;
  std::size_t n = 0;
};
Evaluation evaluate(const Engine& engine, const Model& model, const DataSource& data);

// The population loss of a model on the instance of `truth`: the family's own where it has one
// for this kind of model (FamilyEntry::population_loss: a closed form, or its own Monte-Carlo
// sample size), otherwise Monte Carlo on kMonteCarloSamples fresh rows of the family's row
// distribution (FamilyEntry::rows).
// InputError when the model's dimension differs from the instance's.
PopulationLoss population_loss(const Model& model, const GroundTruth& truth, const Engine& engine);

// The model file's JSON form: "type", the model's keys ("relu" and "halfspace": "d", "w", "b",
// "bias"; "net2": net2_to_json; "binact2": binact2_to_json), "learner", "params", "metrics".
nlohmann::json to_json(const ModelFile& file);
// Throws InputError naming `origin` (a file name) when a key is missing or has the wrong type.
ModelFile model_file_from_json(const nlohmann::json& j, const std::string& origin);
ModelFile read_model_file(const std::filesystem::path& path);
void write_model_file(const std::filesystem::path& path, const ModelFile& file);

}  // namespace relureg
