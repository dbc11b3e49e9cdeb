// The grid expanded: learner variants, instances (family × noise × d × n × seed), cells and keys.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "relureg/learner.hpp"
#include "relureg/params.hpp"
#include "relureg/tradeoff.hpp"

namespace relureg::tradeoff::detail {

struct LearnerVariant {
  const LearnerEntry* entry = nullptr;
  std::string label;
  ParamValues params;
  nlohmann::json params_json;  // every parameter, defaults included
};

// One instance of the grid, generated from a family or loaded from a dataset, and its seed.
// All its cells (one per learner variant) run one after another on the same data.
struct InstanceSpec {
  std::string family;
  const DatasetSpec* dataset = nullptr;  // loaded instead of generated
  std::optional<double> noise;           // the noise level, when the family has a noise axis
  std::size_t d = 0, n = 0;              // a dataset's n is known once it is read
  std::uint64_t seed = 0;
  std::vector<std::string> assignments;  // the family's parameters, "name=value"
  nlohmann::json family_params;          // every family parameter, defaults included
  double work = 1;                       // cost estimate of one fit (rows × columns), for the ETA
  std::vector<std::size_t> cells;        // its cells, in learner order
};

struct CellSpec {
  std::size_t instance = 0;
  std::size_t learner = 0;
  std::string key;  // identifies the cell and seed in the journal (labels are not part of it)
};

struct Grid {
  std::vector<LearnerVariant> learners;
  std::vector<InstanceSpec> instances;
  std::vector<CellSpec> cells;       // grid order: family, noise, d, n, seed, learner
  std::vector<std::string> columns;  // results.csv columns
};

Grid expand(const Config& config);

// A row with the cell's identity columns and parameters filled, every measure null.
Row identity_row(const Config& config, const Grid& grid, const CellSpec& cell);

// The fixed columns of results.csv, in order (family.* and learner.* parameter columns follow).
const std::vector<std::string>& fixed_columns();

}  // namespace relureg::tradeoff::detail
