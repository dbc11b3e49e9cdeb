// Tasks in fit and evaluate: the --task check and the ±1 labels a halfspace needs.
#include <fmt/format.h>

#include "cli.hpp"
#include "relureg/error.hpp"
#include "relureg/halfspace.hpp"

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

}  // namespace relureg::cli
