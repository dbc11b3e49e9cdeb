// The model kinds: one-row predictions of the ReLU and the halfspace, and the task of a model.
#include "relureg/model.hpp"

#include <fmt/format.h>

#include <iterator>

#include "relureg/affine.hpp"
#include "relureg/error.hpp"
#include "relureg/halfspace.hpp"

namespace relureg {

namespace {

// Every task with its name, its measure and the class of models its opt is taken over, in the
// order of the Model alternatives.
struct TaskInfo {
  Task task;
  const char* name;
  const char* measure;
  const char* models;
  Task instances;  // instance_task
};
constexpr TaskInfo kTasks[] = {
    {Task::relu, "relu", "square loss", "ReLUs", Task::relu},
    {Task::halfspace, "halfspace", "0/1 error", "halfspaces", Task::halfspace},
    {Task::net2, "net2", "square loss", "depth-2 networks", Task::net2},
    {Task::binact2, "binact2", "square loss", "binary-activation networks", Task::binact2},
    {Task::sim, "sim", "square loss", "single-index models", Task::sim},
    {Task::piecewise, "piecewise", "square loss", "ReLUs", Task::relu},
};

constexpr bool tasks_in_enum_order() {
  for (std::size_t i = 0; i < std::size(kTasks); ++i)
    if (kTasks[i].task != static_cast<Task>(i)) return false;
  return true;
}
static_assert(tasks_in_enum_order());

const TaskInfo& info(Task task) {
  return kTasks[static_cast<std::size_t>(task)];
}

}  // namespace

double ReluModel::predict_one(const float* x) const {
  const double z = affine_value(x, w.data(), w.size(), b);
  return z > 0 ? z : 0.0;
}

double HalfspaceModel::predict_one(const float* x) const {
  return sign_label(affine_value(x, w.data(), w.size(), b));
}

Task task_of(const Model& model) {
  static_assert(std::variant_size_v<Model> == std::size(kTasks));
  return kTasks[model.index()].task;
}

std::size_t model_dim(const Model& model) {
  return std::visit([](const auto& m) { return m.dim(); }, model);
}

std::string task_name(Task task) {
  return info(task).name;
}

Task task_from_name(const std::string& name) {
  for (const TaskInfo& t : kTasks)
    if (name == t.name) return t.task;
  throw InputError(fmt::format(
      "unknown task '{}' (choose relu, halfspace, net2, binact2, sim or piecewise)", name));
}

std::string task_measure(Task task) {
  return info(task).measure;
}

std::string task_models(Task task) {
  return info(task).models;
}

Task instance_task(Task task) {
  return info(task).instances;
}

}  // namespace relureg
