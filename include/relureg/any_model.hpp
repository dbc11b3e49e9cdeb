// Model-type dispatch over a model file ("relu", "net2", "binact2"): dimension, predictions,
// evaluation and population loss, so that the CLI and bindings treat every type alike.
#pragma once

#include <string>
#include <vector>

#include "relureg/evaluation.hpp"
#include "relureg/family.hpp"
#include "relureg/learner.hpp"
#include "relureg/model.hpp"

namespace relureg {

// The model type a learner of `task` produces: "relu" (also for halfspace), "net2", "binact2".
std::string model_type_for(Task task);
// Puts the fitted model of `result` (from a learner of `task`) into `file`, setting its type.
void set_fitted_model(ModelFile& file, const FitResult& result, Task task);

std::size_t model_dim(const ModelFile& file);
// InputError "<origin>: model expects D features, data has E" when they differ.
void check_dimension(const ModelFile& file, std::size_t data_dim, const std::string& origin);
std::vector<double> predict(const Engine& engine, const ModelFile& file, const DataSource& data);
Evaluation evaluate(const Engine& engine, const ModelFile& file, const DataSource& data);
PopulationLoss population_loss(const ModelFile& file, const GroundTruth& truth,
                               const Engine& engine);

}  // namespace relureg
