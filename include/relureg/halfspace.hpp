// Halfspaces sign(w·x + b) over ±1 labels: predictions, 0/1 error and label checks via the engine.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "relureg/engine.hpp"

namespace relureg {

// sign with sign(0) = +1 (the convention of DKZ20 / DKTZ20).
inline double sign_label(double z) {
  return z >= 0 ? 1.0 : -1.0;
}

// Fraction of rows with sign(w·x + b) ≠ y (one pass, width 1). Labels are taken as given: a row
// whose label is neither −1 nor +1 always counts as an error.
double zero_one_error(const Engine& engine, const DataSource& data, std::span<const double> w,
                      double b);

// Throws InputError "<owner>: labels must be -1 or +1 for a halfspace, row R has label V (K rows
// are not ±1)" when a label is not exactly ±1; R is the 1-based data row. One pass (two on error).
void require_sign_labels(const Engine& engine, const DataSource& data, const std::string& owner);

// Mean of ℓ·x over the rows (the averaging vector, Chow vector of the labels); one pass.
std::vector<double> label_weighted_mean(const Engine& engine, const DataSource& data);

}  // namespace relureg
