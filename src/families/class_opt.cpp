// The opt over homogeneous ReLUs of a Gaussian planted teacher, by quadrature and a 1-D search.
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "families/families.hpp"
#include "relureg/gaussian.hpp"

namespace relureg::families {
namespace {

// Golden-section minimisation of f on [lo, hi] until the bracket is below `tolerance`.
double golden_minimum(const std::function<double(double)>& f, double lo, double hi,
                      double tolerance) {
  const double ratio = (std::sqrt(5.0) - 1) / 2;
  double a = hi - ratio * (hi - lo), b = lo + ratio * (hi - lo);
  double fa = f(a), fb = f(b);
  while (hi - lo > tolerance) {
    if (fa <= fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - ratio * (hi - lo);
      fa = f(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + ratio * (hi - lo);
      fb = f(b);
    }
  }
  return (lo + hi) / 2;
}

}  // namespace

double minimize_on_line(const std::function<double(double)>& f, double lo, double hi,
                        double tolerance, int points) {
  double best = lo, best_value = f(lo);
  for (int i = 1; i <= points; ++i) {
    const double a = lo + (hi - lo) * i / points;
    const double v = f(a);
    if (v < best_value) best = a, best_value = v;
  }
  const double step = (hi - lo) / points;
  return golden_minimum(f, std::max(lo, best - step), std::min(hi, best + step), tolerance);
}

ClassOpt homogeneous_teacher_opt(const GroundTruth& truth, double noise) {
  ClassOpt h;
  if (truth.b_star == 0) {
    h.opt = noise;
    h.opt_note = fmt::format(
        "the teacher has no bias, so it is also the best homogeneous ReLU: opt = noise variance {}",
        noise);
    h.w_opt = truth.w_star;
    return h;
  }
  // The labels' mean ReLU(w*.x + b*) depends on x only through t = w^*.x, so the best
  // homogeneous ReLU lies along w^* (checked against a search over all directions in the
  // tests): opt = noise + min over a of E[(ReLU(a t) - ReLU(|w*| t + b*))^2].
  const double norm = std::sqrt(dot(truth.w_star, truth.w_star));
  std::vector<double> unit = truth.w_star;
  for (double& v : unit) v /= norm;
  const double reach = std::min(truth.radius, 3 * (norm + std::abs(truth.b_star)) + 1);
  auto distance = [&](double a) {
    std::vector<double> w = unit;
    for (double& v : w) v *= a;
    return gaussian::relu_distance(w, 0.0, truth.w_star, truth.b_star);
  };
  const double scale = minimize_on_line(distance, -reach, reach, 1e-10);
  h.w_opt = unit;
  for (double& v : h.w_opt) v *= scale;
  h.opt = noise + distance(scale);
  // Quadrature at relative tolerance 1e-12 on terms of size |w*|^2 + b*^2; the scale to 1e-10
  // moves the loss by O(1e-20).
  h.opt_error = 1e-10 * (1 + norm * norm + truth.b_star * truth.b_star);
  h.opt_note = fmt::format(
      "noise {} plus the smallest distance from a homogeneous ReLU to the teacher: along w*, "
      "scale {:.9g} (quadrature at relative tolerance 1e-12, golden-section search over the "
      "scale in [{:.6g}, {:.6g}])",
      noise, scale, -reach, reach);
  return h;
}

}  // namespace relureg::families
