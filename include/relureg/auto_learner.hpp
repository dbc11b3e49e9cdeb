// The learner name "auto": fit gd and glmtron, keep the better, with a fallback for a dead fit.
#pragma once

#include <string>
#include <vector>

#include "relureg/learner.hpp"

namespace relureg {

// What `--learner` (CLI) and `learner=` (Python) take for the rule of fit_auto.
inline constexpr const char* kAutoLearner = "auto";

// The rule in one line, as `relureg learners`, `relureg fit --help` and Python's docstring say it.
std::string auto_rule();

struct AutoFit {
  const LearnerEntry* entry = nullptr;  // the learner kept
  ParamValues params;                   // its checked parameters
  FitResult result;  // its fit; result.details["auto"] lists every candidate fitted
};

// The rule: fit glmtron, then gd, each with the "name=value" parameters it accepts (a name that
// neither accepts is an InputError for learner 'auto'); keep the lower final training loss (the
// first on a tie). When the fit kept is dead (no row with w·x + b > 0), also fit gd with
// init=moment and keep it if its loss is lower. So the training loss is never above the better
// of gd and glmtron. Fits go through fit_learner_standardized (context.standardize applies);
// `passes` and `seconds` of the result cover every candidate.
AutoFit fit_auto(const std::vector<std::string>& assignments, bool bias, const DataSource& data,
                 const FitContext& context);

}  // namespace relureg
