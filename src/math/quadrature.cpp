// Adaptive Gauss–Kronrod G7/K15 quadrature (QUADPACK QAG-style global bisection).
#include "relureg/quadrature.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>
#include <stdexcept>
#include <vector>

namespace relureg::quadrature {
namespace {

// Kronrod 15-point nodes on [-1, 1] (non-negative half, descending) and weights; the 7-point
// Gauss rule uses the odd-indexed nodes. Values from QUADPACK's qk15 (Piessens et al. 1983).
constexpr double kKronrodNodes[8] = {
    0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
    0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
    0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
    0.207784955007898467600689403773245, 0.000000000000000000000000000000000};
constexpr double kKronrodWeights[8] = {
    0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
    0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
    0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
    0.204432940075298892414161999234649, 0.209482141084727828012999174891714};
constexpr double kGaussWeights[4] = {
    0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
    0.381830050505118944950369775488975, 0.417959183673469387755102040816327};

struct Piece {
  double lo = 0, hi = 0;
  double value = 0, error = 0;
  int depth = 0;
  bool operator<(const Piece& other) const { return error < other.error; }  // max-heap on error
};

// One K15 panel with QUADPACK's error estimate: the G7–K15 difference, scaled so that smooth
// integrands get a realistic (not pessimistic) error, floored at the rounding level.
Piece kronrod_panel(const std::function<double(double)>& f, double lo, double hi, int depth) {
  const double center = 0.5 * (lo + hi);
  const double half = 0.5 * (hi - lo);
  const double f_center = f(center);
  double kronrod = f_center * kKronrodWeights[7];
  double gauss = f_center * kGaussWeights[3];
  double abs_sum = std::abs(kronrod);
  double f_left[7], f_right[7];
  for (int i = 0; i < 7; ++i) {
    const double dx = half * kKronrodNodes[i];
    f_left[i] = f(center - dx);
    f_right[i] = f(center + dx);
    const double pair = f_left[i] + f_right[i];
    kronrod += kKronrodWeights[i] * pair;
    abs_sum += kKronrodWeights[i] * (std::abs(f_left[i]) + std::abs(f_right[i]));
    if (i % 2 == 1) gauss += kGaussWeights[i / 2] * pair;
  }
  const double mean = kronrod * 0.5;
  double asc = kKronrodWeights[7] * std::abs(f_center - mean);
  for (int i = 0; i < 7; ++i)
    asc += kKronrodWeights[i] * (std::abs(f_left[i] - mean) + std::abs(f_right[i] - mean));
  const double eps = std::numeric_limits<double>::epsilon();
  double error = std::abs((kronrod - gauss) * half);
  const double resasc = asc * std::abs(half);
  const double resabs = abs_sum * std::abs(half);
  if (resasc != 0 && error != 0)
    error = resasc * std::min(1.0, std::pow(200 * error / resasc, 1.5));
  if (resabs > std::numeric_limits<double>::min() / (50 * eps))
    error = std::max(50 * eps * resabs, error);
  return {lo, hi, kronrod * half, error, depth};
}

// Global adaptive bisection on a finite interval: always split the piece with the largest error.
Result integrate_finite(const std::function<double(double)>& f, double a, double b, double abs_tol,
                        double rel_tol, int max_depth) {
  constexpr std::size_t kMaxPieces = 20000;
  std::priority_queue<Piece> open;  // pieces that may still be split
  std::vector<Piece> done;          // pieces at the depth limit
  Piece first = kronrod_panel(f, a, b, 0);
  double value = first.value, error = first.error;
  open.push(first);
  while (!open.empty() && error > std::max(abs_tol, rel_tol * std::abs(value)) &&
         open.size() + done.size() < kMaxPieces) {
    const Piece worst = open.top();
    open.pop();
    if (worst.depth >= max_depth) {
      done.push_back(worst);
      continue;
    }
    const double mid = 0.5 * (worst.lo + worst.hi);
    const Piece left = kronrod_panel(f, worst.lo, mid, worst.depth + 1);
    const Piece right = kronrod_panel(f, mid, worst.hi, worst.depth + 1);
    value += left.value + right.value - worst.value;
    error += left.error + right.error - worst.error;
    open.push(left);
    open.push(right);
  }
  // Re-add the pieces from scratch: the running sums above accumulate rounding.
  Result result;
  for (const Piece& p : done) result.value += p.value, result.error += p.error;
  for (; !open.empty(); open.pop())
    result.value += open.top().value, result.error += open.top().error;
  return result;
}

}  // namespace

Result integrate(const std::function<double(double)>& f, double a, double b, double abs_tol,
                 double rel_tol, int max_depth) {
  if (std::isnan(a) || std::isnan(b)) throw std::invalid_argument("integrate: NaN limit");
  if (a == b) return {};
  if (a > b) {
    Result r = integrate(f, b, a, abs_tol, rel_tol, max_depth);
    r.value = -r.value;
    return r;
  }
  const double inf = std::numeric_limits<double>::infinity();
  if (a == -inf && b == inf) {  // split at 0: ∫_{-∞}^0 f(t) dt = ∫_0^∞ f(−t) dt
    const Result right = integrate(f, 0.0, inf, abs_tol / 2, rel_tol, max_depth);
    const Result left =
        integrate([&f](double t) { return f(-t); }, 0.0, inf, abs_tol / 2, rel_tol, max_depth);
    return {left.value + right.value, left.error + right.error};
  }
  if (a == -inf)  // ∫_{-∞}^b f(t) dt = ∫_{−b}^∞ f(−t) dt
    return integrate([&f](double t) { return f(-t); }, -b, inf, abs_tol, rel_tol, max_depth);
  if (b == inf) {  // t = a + s/(1 − s), dt = ds/(1 − s)², s ∈ [0, 1)
    auto mapped = [&f, a](double s) {
      const double one_minus = 1.0 - s;
      return f(a + s / one_minus) / (one_minus * one_minus);
    };
    return integrate_finite(mapped, 0.0, 1.0, abs_tol, rel_tol, max_depth);
  }
  return integrate_finite(f, a, b, abs_tol, rel_tol, max_depth);
}

}  // namespace relureg::quadrature
