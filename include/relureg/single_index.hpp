// The single-index model g(w·x) with a monotone piecewise-linear link g (model "sim").
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace relureg {

// Kalai, Sastry, "The Isotron Algorithm: High-Dimensional Isotonic Regression", COLT 2009: a
// direction w and a non-decreasing link g, here piecewise linear through the points
// (knots[k], values[k]) (knots increasing, values non-decreasing) and constant beyond the first
// and last knot. A ReLU max(0, w·x + b) is the special case knots {−b/‖w‖ − 1, −b/‖w‖, far},
// so its loss is comparable with the opt over ReLUs.
struct SimModel {
  std::vector<double> w;       // the direction (unit norm when fitted by isotron)
  std::vector<double> knots;   // increasing positions of w·x
  std::vector<double> values;  // g at the knots, non-decreasing

  std::size_t dim() const { return w.size(); }
  double link(double t) const;  // g(t): linear interpolation, constant outside the knots
  double predict_one(const float* x) const;
};

// The model keys of a "sim" model file: "d", "w", "knots", "values". InputError naming `origin`
// for a missing key, a non-finite number, knots not increasing or values decreasing.
nlohmann::json sim_to_json(const SimModel& model);
SimModel sim_from_json(const nlohmann::json& j, const std::string& origin);

}  // namespace relureg
