// Fits that do not depend on how the features are centred or scaled: column statistics and the
// preconditioned descent step that equals descent on standardised features.
#pragma once

#include <vector>

#include "relureg/engine.hpp"
#include "relureg/learner.hpp"

namespace relureg {

// Per-column mean and scale of the features (population standard deviation; 1 for a constant
// column). `mean` is all zeros when the features are not centred (a fit without a bias).
struct FeatureScaling {
  std::vector<double> mean;
  std::vector<double> scale;
};

// Two passes through the engine (column sums, then squared deviations): bit-identical for any
// thread count.
FeatureScaling feature_scaling(const Engine& engine, const DataSource& data, bool center);

// The step of a descent taken in standardised coordinates v_j = w_j·scale_j,
// c = b + Σ_j w_j·mean_j (where the features (x − mean)/scale have mean 0 and variance 1), mapped
// back to the caller's units: w_j −= step·(g_j − g_b·mean_j)/scale_j², b −= step·g_b + Σ_j
// Δw_j·mean_j. `gradient` has d entries, plus g_b when `bias`. Descent on the original features
// with this step equals descent on standardised features, without a copy of the data.
void standardized_step(const FeatureScaling& scaling, const std::vector<double>& w, double b,
                       const std::vector<double>& gradient, double step, bool bias,
                       std::vector<double>& w_new, double& b_new);

// Runs a learner so that, with context.standardize, its fit does not depend on the features'
// location and scale: gd and glmtron precondition their descent (no copy; see above), the centred
// moment estimator is invariant already, and every other ReLU learner is fitted on a standardised
// float32 copy of the data (n·d floats more memory) whose model is mapped back to the caller's
// units. Without context.standardize, or for other tasks, it is fit_learner.
FitResult fit_learner_standardized(const LearnerEntry& entry, const ParamValues& params,
                                   const DataSource& data, const FitContext& context);

}  // namespace relureg
