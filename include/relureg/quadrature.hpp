// Adaptive Gauss–Kronrod quadrature on finite and half-infinite intervals.
#pragma once

#include <functional>

namespace relureg::quadrature {

struct Result {
  double value = 0;
  double error = 0;  // estimated absolute error
};

// ∫_a^b f(t) dt, adaptive G7–K15 bisection until the error estimate is below
// max(abs_tol, rel_tol·|value|). `b` may be +infinity (mapped by t = a + s/(1 − s)).
Result integrate(const std::function<double(double)>& f, double a, double b, double abs_tol = 1e-13,
                 double rel_tol = 1e-12, int max_depth = 50);

}  // namespace relureg::quadrature
