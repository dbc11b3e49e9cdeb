// Dispatch on a model file's task for dimension checks, predictions, losses and population losses.
#include "relureg/any_model.hpp"

#include <fmt/format.h>

#include "relureg/error.hpp"
#include "relureg/halfspace.hpp"
#include "relureg/net2_kernels.hpp"

namespace relureg {

void set_fitted_model(ModelFile& file, const FitResult& result, Task task) {
  file.task = task;
  if (task == Task::net2)
    file.net2 = result.net2;
  else if (task == Task::binact2)
    file.binact2 = result.binact2;
  else
    file.model = result.model;
}

std::size_t model_dim(const ModelFile& file) {
  if (file.task == Task::net2) return file.net2.dim();
  if (file.task == Task::binact2) return file.binact2.dim();
  return file.model.dim();
}

void check_dimension(const ModelFile& file, std::size_t data_dim, const std::string& origin) {
  if (model_dim(file) != data_dim)
    throw InputError(fmt::format("{}: model expects {} features, data has {}", origin,
                                 model_dim(file), data_dim));
}

std::vector<double> predict(const Engine& engine, const ModelFile& file, const DataSource& data) {
  switch (file.task) {
    case Task::net2:
      return file.net2.predict(engine, data);
    case Task::binact2:
      return file.binact2.predict(engine, data);
    case Task::halfspace:
      return predict_signs(engine, file.model, data);
    case Task::relu:
      break;
  }
  return file.model.predict(engine, data);
}

Evaluation evaluate(const Engine& engine, const ModelFile& file, const DataSource& data) {
  switch (file.task) {
    case Task::net2:
      return {net2_loss(engine, data, file.net2), data.rows()};
    case Task::binact2: {
      const Binact2Model& model = file.binact2;
      const double loss = engine.mean_rows(data, 1, [&](const float* x, double y, double* acc) {
        const double r = model.predict_one(x) - y;
        acc[0] += r * r;
      })[0];
      return {loss, data.rows()};
    }
    case Task::halfspace:
      return {zero_one_error(engine, data, file.model.w, file.model.b), data.rows()};
    case Task::relu:
      break;
  }
  return evaluate(engine, file.model, data);
}

PopulationLoss population_loss(const ModelFile& file, const GroundTruth& truth,
                               const Engine& engine) {
  if (file.task == Task::net2) return population_loss(file.net2, truth, engine);
  if (file.task == Task::binact2) return population_loss(file.binact2, truth, engine);
  return population_loss(file.model, truth, engine);  // relu, or halfspace on its own family
}

}  // namespace relureg
