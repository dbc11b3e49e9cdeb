// Task dispatch over a model file (relu, halfspace, net2, binact2): dimension, predictions,
// evaluation and population loss, so that the CLI and bindings treat every model alike.
#pragma once

#include <string>
#include <vector>

#include "relureg/evaluation.hpp"
#include "relureg/family.hpp"
#include "relureg/learner.hpp"
#include "relureg/model.hpp"

namespace relureg {

// Puts the fitted model of `result` (from a learner of `task`) into `file` and sets its task.
void set_fitted_model(ModelFile& file, const FitResult& result, Task task);

std::size_t model_dim(const ModelFile& file);
// InputError "<origin>: model expects D features, data has E" when they differ.
void check_dimension(const ModelFile& file, std::size_t data_dim, const std::string& origin);
// One prediction per row: the model's value, or the ±1 label sign(w·x + b) of a halfspace.
std::vector<double> predict(const Engine& engine, const ModelFile& file, const DataSource& data);
// The mean square loss on `data`; for a halfspace its 0/1 error (labels should be ±1: see
// require_sign_labels in halfspace.hpp).
Evaluation evaluate(const Engine& engine, const ModelFile& file, const DataSource& data);
// The population loss on the instance of `truth` (for a halfspace, and a halfspace instance, the
// population 0/1 error). Callers check that a halfspace model meets a halfspace instance.
PopulationLoss population_loss(const ModelFile& file, const GroundTruth& truth,
                               const Engine& engine);

}  // namespace relureg
