// Halfspace models in fit, evaluate and predict: task check, ±1 labels, 0/1 error report.
#include <fmt/format.h>

#include "cli.hpp"
#include "relureg/any_model.hpp"
#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/halfspace.hpp"
#include "relureg/io.hpp"

namespace relureg::cli {

void check_task(const LearnerEntry& entry, const std::string& task) {
  if (task.empty()) return;
  const Task wanted = task_from_name(task);
  if (wanted != entry.task)
    throw InputError(fmt::format("learner '{}' fits a {}; --task {} needs one of: {}", entry.name,
                                 task_name(entry.task), task, learner_names(wanted)));
}

void require_halfspace_labels(const Engine& engine, const Dataset& data, const std::string& path) {
  require_sign_labels(engine, data.view(), path);
}

nlohmann::json evaluate_halfspace(const Engine& engine, const ModelFile& file, const Dataset& data,
                                  const std::string& data_path, const std::string& truth_path) {
  require_halfspace_labels(engine, data, data_path);
  nlohmann::json j = {{"error", evaluate(engine, file, data.view()).loss}, {"n", data.n}};
  if (truth_path.empty()) return j;
  const GroundTruth truth =
      ground_truth_from_json(nlohmann::json::parse(read_text_file(truth_path)), truth_path);
  check_dimension(file.model, truth.d, truth_path);
  if (truth.family != "halfspace")
    throw InputError(fmt::format(
        "{}: a '{}' instance measures square loss; the model is a halfspace (use a 'halfspace' "
        "instance)",
        truth_path, truth.family));
  const PopulationLoss pop = population_loss(file, truth, engine);
  j["population_error"] = pop.value;
  j["population_error_method"] = pop.method;
  j["opt"] = truth.opt;
  j["opt_kind"] = truth.opt_kind;
  j["excess"] = pop.value - truth.opt;
  if (truth.opt > 0) j["ratio_to_opt"] = pop.value / truth.opt;
  return j;
}

}  // namespace relureg::cli
