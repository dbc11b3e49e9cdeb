// The one score of a model against a ground truth, and its JSON form.
#include "relureg/score.hpp"

#include <fmt/format.h>

#include "relureg/error.hpp"
#include "relureg/learner.hpp"
#include "relureg/model_ops.hpp"

namespace relureg {

Score score(const Model& model, const GroundTruth& truth, const Engine& engine) {
  const Task family_task = find_family(truth.family).task;
  const bool zero_one_family = family_task == Task::halfspace;
  const bool halfspace_model = task_of(model) == Task::halfspace;
  if (halfspace_model && !zero_one_family)
    throw InputError(fmt::format(
        "a '{}' instance measures square loss; the model is a halfspace (use a 'halfspace' "
        "instance)",
        truth.family));
  if (!halfspace_model && zero_one_family)
    throw InputError(fmt::format(
        "a '{}' instance measures 0/1 error; the model is a {} model (use a halfspace learner: {})",
        truth.family, task_name(task_of(model)), learner_names(Task::halfspace)));
  Score s;
  s.measure = task_measure(family_task);
  s.population = population_loss(model, truth, engine);
  // A ReLU is scored against the opt of its own class: homogeneous unless it fitted a bias.
  const auto* relu = std::get_if<ReluModel>(&model);
  const bool bias = relu == nullptr || relu->bias;
  const ClassOpt opt = class_opt(truth, bias);
  s.opt = opt.opt;
  s.opt_kind = opt.opt_kind;
  s.opt_class = class_opt_name(truth, bias);
  s.excess = s.population.value - opt.opt;
  if (opt.opt > 0) s.ratio = s.population.value / opt.opt;
  return s;
}

nlohmann::json to_json(const Score& s) {
  nlohmann::json j = {{"measure", s.measure},
                      {"population_loss", s.population.value},
                      {"population_loss_method", s.population.method},
                      {"population_loss_stderr", s.population.stderr_},
                      {"opt", s.opt},
                      {"opt_kind", s.opt_kind},
                      {"opt_class", s.opt_class},
                      {"excess", s.excess}};
  if (s.ratio) j["ratio_to_opt"] = *s.ratio;
  return j;
}

}  // namespace relureg
