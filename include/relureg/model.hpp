// The models a learner returns, as one type (a std::variant), the task each answers, and the model
// file (the model plus what produced it).
#pragma once

#include <cstddef>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "relureg/binact2.hpp"
#include "relureg/net2.hpp"
#include "relureg/piecewise.hpp"
#include "relureg/single_index.hpp"

namespace relureg {

// What a model answers: the ReLU value max(0, w·x + b) (square loss), the ±1 label
// sign(w·x + b) of a halfspace (0/1 error), or a depth-2 network: Σ_j a_j·σ(w_j·x + b_j)
// (net2.hpp) or vᵀ1{Zw > 0} (binact2.hpp), or a single-index model g(w·x) with a monotone
// piecewise-linear link (single_index.hpp), or the piecewise predictor of the DGKKS20 scheme
// (piecewise.hpp) (square loss). Learners and families declare the task they are about; a
// model's task is the alternative it holds (task_of).
enum class Task { relu, halfspace, net2, binact2, sim, piecewise };

// max(0, w·x + b).
struct ReluModel {
  std::vector<double> w;
  double b = 0;
  bool bias = false;  // whether b was fitted (false: b is fixed at 0)

  std::size_t dim() const { return w.size(); }
  double predict_one(const float* x) const;
};

// sign(w·x + b) with sign(0) = +1, over ±1 labels.
struct HalfspaceModel {
  std::vector<double> w;
  double b = 0;
  bool bias = false;  // whether b was fitted

  std::size_t dim() const { return w.size(); }
  double predict_one(const float* x) const;
};

// One model of any kind. The alternatives are in the order of Task.
using Model =
    std::variant<ReluModel, HalfspaceModel, Net2Model, Binact2Model, SimModel, PiecewiseModel>;

Task task_of(const Model& model);
std::size_t model_dim(const Model& model);

// A model file: the model plus what produced it. JSON keys: "type" (task_name; a file without it
// is a ReLU), then the model's own keys (see model_ops.hpp), then "learner", "params" (the
// learner's parameters), "metrics" (training metrics).
struct ModelFile {
  Model model;
  std::string learner;
  nlohmann::json params = nlohmann::json::object();
  nlohmann::json metrics = nlohmann::json::object();

  Task task() const { return task_of(model); }
};

// "relu", "halfspace", "net2", "binact2", "sim" or "piecewise", and back (InputError "unknown
// task 'x' (choose relu, halfspace, net2, binact2, sim or piecewise)").
std::string task_name(Task task);
Task task_from_name(const std::string& name);
// What a task's models are scored by: "square loss" or "0/1 error".
std::string task_measure(Task task);
// The class of models a task's opt is taken over: "ReLUs", "halfspaces", "depth-2 networks",
// "binary-activation networks", "single-index models", "ReLUs" (piecewise).
std::string task_models(Task task);
// The task of the instances a task's learners run on and are scored against: the task itself,
// except piecewise, an improper predictor for ReLU regression, which runs on relu instances and
// is scored against the opt over ReLUs (with a bias).
Task instance_task(Task task);

}  // namespace relureg
