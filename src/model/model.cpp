// The model kinds: one-row predictions of the ReLU and the halfspace, and the task of a model.
#include "relureg/model.hpp"

#include <fmt/format.h>

#include <optional>

#include "relureg/error.hpp"
#include "relureg/halfspace.hpp"
#include "relureg/kernels.hpp"

namespace relureg {

namespace {

constexpr Task kTasks[] = {Task::relu, Task::halfspace, Task::net2, Task::binact2};

std::optional<Task> task_named(const std::string& name) {
  for (const Task task : kTasks)
    if (name == task_name(task)) return task;
  return std::nullopt;
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
  // The alternatives are declared in the order of Task.
  static_assert(std::variant_size_v<Model> == std::size(kTasks));
  return kTasks[model.index()];
}

std::size_t model_dim(const Model& model) {
  return std::visit([](const auto& m) { return m.dim(); }, model);
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

std::string task_measure(Task task) {
  return task == Task::halfspace ? "0/1 error" : "square loss";
}

}  // namespace relureg
