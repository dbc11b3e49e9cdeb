// Exact least-squares refit of (a, b) for max(0, a·u·x + b) along a fixed direction u.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "relureg/kernels.hpp"

namespace relureg {
namespace {

struct Suffix {  // sums over the rows whose projection is ≥ the split point
  double count = 0, z = 0, zz = 0, y = 0, yz = 0, yy = 0;
};

// Under a statistical-query oracle a learner may only ask for means, so the exact sort-based
// refit (which reads the raw projections) is replaced by a grid of kinks t scored through
// means: ReLU(a(z − t)) has a closed-form best a for each t. A moments query fixes the grid
// (t ∈ mean ± 4 sd of z, 129 points), two queries refine it around the best t (spacing /16 each),
// and a last query reports the loss: 5 queries in all.
ScaleBiasFit refit_scale_bias_by_queries(const Engine& engine, const DataSource& data,
                                         std::span<const double> u, double max_scale) {
  const std::size_t d = data.cols();
  const double* up = u.data();
  const std::vector<double> moments =
      engine.mean_rows(data, 4, [&](const float* x, double y, double* acc) {
        const double z = affine_value(x, up, d, 0.0);
        acc[0] += z;
        acc[1] += z * z;
        acc[2] += y;
        acc[3] += y * y;
      });
  const double mean_y = moments[2], mean_yy = moments[3];
  const double sd = std::sqrt(std::max(moments[1] - moments[0] * moments[0], 1e-300));
  ScaleBiasFit best;  // a = 0: the constant max(0, b) with b = max(0, E[y])
  best.bias = std::max(0.0, mean_y);
  best.loss = mean_yy - 2 * best.bias * mean_y + best.bias * best.bias;
  constexpr std::size_t kPoints = 129;
  double center = moments[0], half_width = 4 * sd;
  for (int round = 0; round < 3; ++round) {
    std::vector<double> kinks(kPoints);
    for (std::size_t j = 0; j < kPoints; ++j)
      kinks[j] = center + half_width * (2.0 * static_cast<double>(j) / (kPoints - 1) - 1);
    const std::vector<double> m =
        engine.mean_rows(data, 2 * kPoints, [&](const float* x, double y, double* acc) {
          const double z = affine_value(x, up, d, 0.0);
          for (std::size_t j = 0; j < kPoints; ++j) {
            const double r = z > kinks[j] ? z - kinks[j] : 0.0;
            acc[2 * j] += y * r;
            acc[2 * j + 1] += r * r;
          }
        });
    for (std::size_t j = 0; j < kPoints; ++j) {
      const double yr = m[2 * j], rr = m[2 * j + 1];
      if (!(rr > 0)) continue;
      const double a = std::clamp(yr / rr, 0.0, max_scale);
      const double loss = mean_yy - 2 * a * yr + a * a * rr;
      if (a > 0 && loss < best.loss) {
        best = {a, -a * kinks[j], loss};
        center = kinks[j];
      }
    }
    half_width /= 16;
  }
  std::vector<double> w(u.begin(), u.end());
  for (double& v : w) v *= best.scale;
  best.loss = relu_loss(engine, data, w, best.bias);
  return best;
}

}  // namespace

// The ReLU max(0, a z + b) with a > 0 is affine on {z > t}, t = −b/a, and 0 elsewhere. After
// sorting the projections z, every kink t between two neighbours gives an ordinary 1-D least
// squares on a suffix, solvable in O(1) from suffix sums; a kink exactly at a data point gives a
// closed-form a. The minimum over all feasible candidates (and a = 0) is the global optimum.
ScaleBiasFit refit_scale_bias(const Engine& engine, const DataSource& data,
                              std::span<const double> u, double max_scale) {
  if (engine.query_oracle()) return refit_scale_bias_by_queries(engine, data, u, max_scale);
  const std::size_t n = data.rows();
  const std::size_t d = data.cols();
  std::vector<double> z(n), y(n);
  engine.map(data, z, [&](const RowBlock& blk, double* out) {
    for (std::size_t r = 0; r < blk.rows; ++r) {
      const float* x = blk.X + r * d;
      double s = 0;
      for (std::size_t j = 0; j < d; ++j) s += u[j] * static_cast<double>(x[j]);
      out[r] = s;
    }
  });
  engine.map(data, y, [&](const RowBlock& blk, double* out) {
    for (std::size_t r = 0; r < blk.rows; ++r) out[r] = blk.y[r];
  });
  // Sample weights (1 when unweighted); rows of weight 0 are left out, as if removed.
  std::vector<double> weight(n, 1.0);
  std::vector<std::size_t> order;
  if (data.weighted()) {
    engine.map(data, weight, [&](const RowBlock& blk, double* out) {
      for (std::size_t r = 0; r < blk.rows; ++r) out[r] = blk.w ? blk.w[r] : 1.0;
    });
    for (std::size_t i = 0; i < n; ++i)
      if (weight[i] > 0) order.push_back(i);
  } else {
    order.resize(n);
    std::iota(order.begin(), order.end(), 0);
  }
  const std::size_t kept = order.size();
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return z[a] < z[b]; });

  // suffix[k] = sums over sorted rows k..n-1.
  // suffix[k] = weighted sums over sorted rows k..kept-1.
  std::vector<Suffix> suffix(kept + 1);
  for (std::size_t k = kept; k-- > 0;) {
    const double zi = z[order[k]], yi = y[order[k]], wi = weight[order[k]];
    suffix[k] = suffix[k + 1];
    suffix[k].count += wi;
    suffix[k].z += wi * zi;
    suffix[k].zz += wi * (zi * zi);
    suffix[k].y += wi * yi;
    suffix[k].yz += wi * (yi * zi);
    suffix[k].yy += wi * (yi * yi);
  }
  const double total_yy = suffix[0].yy, total = suffix[0].count;
  ScaleBiasFit best;
  best.scale = 0;
  best.bias = std::max(0.0, suffix[0].y / total);
  best.loss = (total_yy - 2 * best.bias * suffix[0].y + best.bias * best.bias * total) / total;

  // Loss when the active set is suffix k and the ReLU there is a z + b.
  auto consider = [&](std::size_t k, double a, double b) {
    if (!(a > 0) || !std::isfinite(a) || !std::isfinite(b)) return;
    const Suffix& s = suffix[k];
    const double active =
        a * a * s.zz + 2 * a * b * s.z + b * b * s.count - 2 * a * s.yz - 2 * b * s.y + s.yy;
    const double loss = (active + (total_yy - s.yy)) / total;
    if (loss < best.loss) best = {a, b, loss};
  };
  for (std::size_t k = 0; k + 1 < kept; ++k) {
    const Suffix& s = suffix[k];
    const double lo = k > 0 ? z[order[k - 1]] : -std::numeric_limits<double>::infinity();
    const double hi = z[order[k]];
    // Unconstrained least squares on the suffix; feasible when its kink lies in [lo, hi].
    const double mz = s.z / s.count, my = s.y / s.count;
    const double var = s.zz / s.count - mz * mz;
    if (var > 0) {
      const double a = (s.yz / s.count - mz * my) / var;
      const double b = my - a * mz;
      if (a > 0 && a <= max_scale && -b / a >= lo && -b / a <= hi) consider(k, a, b);
    }
    // Kink at the data point just below the suffix (or below all data): closed-form scale.
    const double t = k > 0 ? lo : hi - 1.0;
    const double szt = s.zz - 2 * t * s.z + t * t * s.count;  // Σ (z − t)^2 over the suffix
    if (szt > 0) {
      const double a = std::min((s.yz - t * s.y) / szt, max_scale);
      consider(k, a, -a * t);
    }
  }
  // The suffix sums lose digits to cancellation; report the loss of the chosen fit exactly.
  std::vector<double> w(u.begin(), u.end());
  for (double& v : w) v *= best.scale;
  best.loss = relu_loss(engine, data, w, best.bias);
  return best;
}

}  // namespace relureg
