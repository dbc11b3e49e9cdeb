// Table entries of the built-in learners (one file each); read by learner_table() only.
#pragma once

#include "relureg/learner.hpp"

namespace relureg::detail {

LearnerEntry moment_entry();
LearnerEntry gd_entry();
LearnerEntry glmtron_entry();
LearnerEntry exhaustive_entry();
LearnerEntry exhaustive_subsets_entry();
LearnerEntry gkk19_entry();
LearnerEntry hs_average_entry();
LearnerEntry hs_abl_entry();
LearnerEntry hs_sigmoid_entry();
LearnerEntry net2_gd_entry();
LearnerEntry net2_enum_entry();
LearnerEntry orthogonal_subsets_entry();
LearnerEntry ste_cgd_entry();

// The Chow estimate 2 Σ̂⁻¹ Ê[y x], or with `center` 2 Cov̂(x)⁻¹ Cov̂(x, y); one pass.
std::vector<double> chow_estimate(const Engine& engine, const DataSource& data, bool center,
                                  double ridge);

}  // namespace relureg::detail
