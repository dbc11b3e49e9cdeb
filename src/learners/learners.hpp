// Table entries of the built-in learners (one file each); read by learner_table() only.
#pragma once

#include "relureg/learner.hpp"

namespace relureg::detail {

// x_entry() for every line RELUREG_LEARNER(x, ...) of the table.
#define RELUREG_LEARNER(id, ...) LearnerEntry id##_entry();
#include "learner_table.def"
#undef RELUREG_LEARNER

// The Chow estimate 2 Σ̂⁻¹ Ê[y x], or with `center` 2 Cov̂(x)⁻¹ Cov̂(x, y); one pass.
std::vector<double> chow_estimate(const Engine& engine, const DataSource& data, bool center,
                                  double ridge);

}  // namespace relureg::detail
