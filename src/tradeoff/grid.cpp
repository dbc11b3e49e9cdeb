// Expands a config into instances and cells with stable keys, and the columns of results.csv.
#include "tradeoff/grid.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "relureg/family.hpp"
#include "relureg/io.hpp"
#include "tradeoff/config_tree.hpp"

namespace relureg::tradeoff {
namespace detail {
namespace {

std::map<std::string, std::string> texts_of(const nlohmann::json& params) {
  std::map<std::string, std::string> texts;
  for (const auto& [key, value] : params.items()) texts[key] = scalar_text(value);
  return texts;
}

void add_column(std::vector<std::string>& columns, const std::string& name) {
  if (std::find(columns.begin(), columns.end(), name) == columns.end()) columns.push_back(name);
}

// One cell per learner of the instance's task (a learner runs only on families of its task).
// A family with its own learner list runs only those (by label).
void add_cells(Grid& grid, const Config& /*config*/, InstanceSpec instance,
               const std::vector<std::string>& only = {}) {
  const std::size_t index = grid.instances.size();
  const Task task = find_family(instance.family).task;
  for (std::size_t l = 0; l < grid.learners.size(); ++l) {
    const LearnerVariant& learner = grid.learners[l];
    if (learner.entry->task != task) continue;
    if (!only.empty() && std::find(only.begin(), only.end(), learner.label) == only.end()) continue;
    nlohmann::json key = {{"seed", instance.seed},
                          {"bias", learner.params.fit_bias()},
                          {"learner", learner.entry->name},
                          {"learner_params", learner.params_json}};
    if (instance.dataset) {
      key["dataset"] = instance.dataset->path;
    } else {
      key["family"] = instance.family;
      key["family_params"] = instance.family_params;
      key["d"] = instance.d;
      key["n"] = instance.n;
    }
    instance.cells.push_back(grid.cells.size());
    grid.cells.push_back({index, l, key.dump()});
  }
  grid.instances.push_back(std::move(instance));
}

}  // namespace

const std::vector<std::string>& fixed_columns() {
  // clang-format off
  static const std::vector<std::string> columns = {
      // the cell and seed
      "family", "dataset", "noise", "d", "n", "seed", "bias", "learner", "learner_name",
      // the outcome
      "status", "reason", "measure", "opt", "opt_kind", "opt_class", "train_loss", "population_loss",
      "population_loss_method", "population_loss_stderr", "excess", "ratio_to_opt", "passes",
      "iterations", "stop_reason", "instance_mb",
      // measurements (measured_columns())
      "fit_seconds", "generate_seconds", "evaluate_seconds", "peak_heap_mb"};
  // clang-format on
  return columns;
}

Grid expand(const Config& config) {
  Grid grid;
  grid.columns = fixed_columns();
  std::vector<std::string> family_columns, learner_columns;
  for (const LearnerSpec& spec : config.learners) {
    LearnerVariant v;
    v.entry = &find_learner(spec.name);
    v.label = spec.label;
    v.params = ParamValues::from_map(v.entry->params, texts_of(spec.params),
                                     fmt::format("learner '{}'", spec.name));
    // The variant's own `bias`, else the grid's `bias` key (the row's "bias" column).
    v.params.set_fit_bias(spec.bias.value_or(config.bias));
    v.params_json = v.params.to_json();
    for (const ParamSpec& p : v.entry->params) add_column(learner_columns, "learner." + p.name);
    grid.learners.push_back(std::move(v));
  }
  for (const FamilySpec& family : config.families) {
    const FamilyEntry& entry = find_family(family.name);
    for (const ParamSpec& p : entry.params) add_column(family_columns, "family." + p.name);
    // Every combination of the list-valued parameters (an axis each), in key order.
    std::vector<std::map<std::string, std::string>> combinations(1);
    for (const auto& [key, value] : family.params.items()) {
      std::vector<std::map<std::string, std::string>> next;
      for (const auto& base : combinations)
        for (const nlohmann::json& v : value.is_array() ? value : nlohmann::json::array({value})) {
          next.push_back(base);
          next.back()[key] = scalar_text(v);
        }
      combinations = std::move(next);
    }
    std::vector<std::optional<double>> levels;
    if (family.noise_param.empty() || config.noise.empty()) levels.push_back(std::nullopt);
    for (double level : config.noise)
      if (!family.noise_param.empty()) levels.push_back(level);
    for (const auto& fixed : combinations)
      for (const std::optional<double>& level : levels)
        for (std::size_t d : family.d.empty() ? config.d : family.d)
          for (std::size_t n : family.n.empty() ? config.n : family.n)
            for (std::uint64_t seed : config.seeds) {
              InstanceSpec instance;
              instance.family = family.name;
              instance.noise = level;
              instance.d = d;
              instance.n = n;
              instance.seed = seed;
              std::map<std::string, std::string> texts = fixed;
              if (level) texts[family.noise_param] = scalar_text(*level);
              for (const auto& [key, text] : texts)
                instance.assignments.push_back(key + "=" + text);
              instance.family_params =
                  ParamValues::from_map(entry.params, texts,
                                        fmt::format("family '{}'", family.name))
                      .to_json();
              instance.work = static_cast<double>(n) * static_cast<double>(d + 1);
              add_cells(grid, config, std::move(instance), family.learners);
            }
  }
  for (const DatasetSpec& dataset : config.datasets) {
    const GroundTruth truth =
        ground_truth_from_json(nlohmann::json::parse(read_text_file(dataset.truth)), dataset.truth);
    for (const auto& [key, value] : truth.params.items())
      add_column(family_columns, "family." + key);
    for (std::uint64_t seed : config.seeds) {
      InstanceSpec instance;
      instance.family = truth.family;
      instance.dataset = &dataset;
      instance.d = truth.d;
      instance.seed = seed;
      instance.family_params = truth.params;
      instance.work = static_cast<double>(std::filesystem::file_size(dataset.path)) / 4;
      add_cells(grid, config, std::move(instance));
    }
  }
  grid.columns.insert(grid.columns.end(), family_columns.begin(), family_columns.end());
  grid.columns.insert(grid.columns.end(), learner_columns.begin(), learner_columns.end());
  return grid;
}

Row identity_row(const Config& /*config: the bias is the variant's*/, const Grid& grid,
                 const CellSpec& cell) {
  const InstanceSpec& instance = grid.instances[cell.instance];
  const LearnerVariant& learner = grid.learners[cell.learner];
  Row row = nlohmann::json::object();
  for (const std::string& column : fixed_columns()) row[column] = nullptr;  // others: empty
  row["family"] = instance.family;
  if (instance.dataset) row["dataset"] = instance.dataset->path;
  if (instance.noise) row["noise"] = *instance.noise;
  row["d"] = instance.d;
  if (!instance.dataset) row["n"] = instance.n;
  row["seed"] = instance.seed;
  row["bias"] = learner.params.fit_bias();
  row["learner"] = learner.label;
  row["learner_name"] = learner.entry->name;
  for (const auto& [key, value] : instance.family_params.items()) row["family." + key] = value;
  for (const auto& [key, value] : learner.params_json.items()) row["learner." + key] = value;
  return row;
}

}  // namespace detail

const std::vector<std::string>& measured_columns() {
  static const std::vector<std::string> columns = {"fit_seconds", "generate_seconds",
                                                   "evaluate_seconds", "peak_heap_mb"};
  return columns;
}

}  // namespace relureg::tradeoff
