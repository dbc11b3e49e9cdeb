// The one explicit table of learners and the timed fit runner.
#include <fmt/format.h>

#include <chrono>
#include <optional>

#include "halfspace_common.hpp"
#include "learners.hpp"
#include "relureg/column_copy.hpp"
#include "relureg/error.hpp"

namespace relureg {

namespace {

void check_bias(const LearnerEntry& entry, const ParamValues& params) {
  if (!params.fit_bias() || entry.fits_bias) return;
  if (entry.task == Task::halfspace)
    throw InputError(entry.name +
                     ": learns homogeneous halfspaces sign(w·x) only; --bias is not supported");
  throw InputError(entry.name + ": fits no bias; --bias is not supported");
}

// A learner's entry with its line of the table.
LearnerEntry described(LearnerEntry entry, std::string name, Task task, std::string description,
                       std::string reference) {
  entry.name = std::move(name);
  entry.task = task;
  entry.description = std::move(description);
  entry.reference = std::move(reference);
  return entry;
}

void check_weights(const LearnerEntry& entry, const DataSource& data) {
  if (data.weighted() && !entry.takes_weights)
    throw InputError(fmt::format("learner '{}' does not take sample weights (learners that do: {})",
                                 entry.name, weighted_learner_names()));
}

}  // namespace

std::string weighted_learner_names() {
  std::string names;
  for (const LearnerEntry& e : learner_table())
    if (e.takes_weights) names += (names.empty() ? "" : ", ") + e.name;
  return names;
}

const std::vector<LearnerEntry>& learner_table() {
  static const std::vector<LearnerEntry> table = {
#define RELUREG_LEARNER(id, name, task, description, reference) \
  described(detail::id##_entry(), name, Task::task, description, reference),
#include "learner_table.def"
#undef RELUREG_LEARNER
  };
  return table;
}

std::string learner_names(Task task) {
  std::string names;
  for (const LearnerEntry& e : learner_table())
    if (e.task == task) names += (names.empty() ? "" : ", ") + e.name;
  return names;
}

const LearnerEntry& find_learner(const std::string& name) {
  for (const LearnerEntry& e : learner_table())
    if (e.name == name) return e;
  std::string all;
  for (const LearnerEntry& e : learner_table()) all += (all.empty() ? "" : ", ") + e.name;
  throw InputError(fmt::format("unknown learner '{}' (choose one of: {})", name, all));
}

FitResult fit_learner(const LearnerEntry& entry, const ParamValues& params, const DataSource& data,
                      const FitContext& context) {
  if (data.rows() == 0) throw InputError(entry.name + ": no data rows");
  check_bias(entry, params);
  check_weights(entry, data);
  const auto start = std::chrono::steady_clock::now();
  const std::size_t first_pass = context.engine->passes();
  if (entry.task == Task::halfspace) detail::check_halfspace_input(data, context, entry.name);
  // Short rows: from a block's 32nd read on (16th with the AVX2 kernels), the passes read its
  // column copy (column_copy_after_reads, relureg/column_copy.hpp).
  std::optional<ColumnCopySource> columns;
  if (column_copy_pays(data)) columns.emplace(data);
  FitResult result = entry.make(params)->fit(columns ? *columns : data, context);
  result.passes = context.engine->passes() - first_pass;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

std::optional<WorkEstimate> estimate_learner(const LearnerEntry& entry, const ParamValues& params,
                                             const DataSource& data, const FitContext& context) {
  if (data.rows() == 0) throw InputError(entry.name + ": no data rows");
  check_bias(entry, params);
  check_weights(entry, data);
  return entry.make(params)->estimate(data, context);
}

}  // namespace relureg
