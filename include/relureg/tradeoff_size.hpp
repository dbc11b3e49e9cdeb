// The size of a tradeoff grid before it is expanded: cell count and a worst-case time estimate.
#pragma once

#include <cstdint>
#include <string>

#include "relureg/tradeoff.hpp"

namespace relureg::tradeoff {

struct GridSize {
  std::uint64_t cells = 0;      // fits (saturates at UINT64_MAX)
  std::uint64_t instances = 0;  // generated or loaded datasets
  std::string breakdown;  // "6 families × 3 noise levels × 2 d × 3 n × 3 seeds × 5 learners"
};
GridSize grid_size(const Config& config);

// For a large grid (more than 5000 cells, or more than a day of worst-case wall time at
// time_limit on `jobs` jobs), a note with the cell count, the worst-case time and how to cut it;
// empty otherwise.
std::string grid_size_note(const Config& config, int jobs);

}  // namespace relureg::tradeoff
