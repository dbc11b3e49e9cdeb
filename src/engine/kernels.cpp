// Fused one-pass ReLU statistics (loss, both gradients) and the closed-form scale refits.
#include "relureg/kernels.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace relureg {
namespace {

inline void axpy(double a, const float* x, double* acc, std::size_t d) {
#pragma omp simd
  for (std::size_t j = 0; j < d; ++j) acc[j] += a * static_cast<double>(x[j]);
}

}  // namespace

double affine_value(const float* x, const double* w, std::size_t d, double b) {
  double z = 0;
#pragma omp simd reduction(+ : z)
  for (std::size_t j = 0; j < d; ++j) z += w[j] * static_cast<double>(x[j]);
  return z + b;
}

ReluStats relu_stats(const Engine& engine, const DataSource& data, std::span<const double> w,
                     double b, bool with_bias, double relu_grad_at_zero) {
  const std::size_t d = data.cols();
  const std::size_t p = d + (with_bias ? 1 : 0);
  // Layout: [loss, surrogate, active, g_active (p), g_inactive (p), g_zero (p)].
  // g_active = Σ_{z>0} (z - y) x̃, g_inactive = Σ_{z<0} (-y) x̃, g_zero = Σ_{z=0} (-y) x̃.
  const std::size_t width = 3 + 3 * p;
  const double* wp = w.data();
  const std::vector<double> m = engine.mean(data, width, [&](const RowBlock& blk, double* acc) {
    double* g_active = acc + 3;
    double* g_inactive = g_active + p;
    double* g_zero = g_inactive + p;
    double loss = 0, surrogate = 0, active = 0;
    for (std::size_t r = 0; r < blk.rows; ++r) {
      const float* x = blk.X + r * d;
      const double y = blk.y[r];
      const double z = affine_value(x, wp, d, b);
      const double relu = z > 0 ? z : 0.0;
      const double residual = relu - y;
      loss += residual * residual;
      surrogate += 0.5 * relu * relu - y * z;
      double* g = g_inactive;
      if (z > 0) {
        g = g_active;
        active += 1;
      } else if (z == 0) {
        g = g_zero;
      }
      axpy(residual, x, g, d);
      if (with_bias) g[d] += residual;
    }
    acc[0] += loss;
    acc[1] += surrogate;
    acc[2] += active;
  });
  ReluStats stats;
  stats.loss = m[0];
  stats.surrogate = m[1];
  stats.active = m[2];
  stats.grad_square.resize(p);
  stats.grad_surrogate.resize(p);
  const double* g_active = m.data() + 3;
  const double* g_inactive = g_active + p;
  const double* g_zero = g_inactive + p;
  for (std::size_t j = 0; j < p; ++j) {
    stats.grad_square[j] = 2.0 * (g_active[j] + relu_grad_at_zero * g_zero[j]);
    stats.grad_surrogate[j] = g_active[j] + g_inactive[j] + g_zero[j];
  }
  return stats;
}

double relu_loss(const Engine& engine, const DataSource& data, std::span<const double> w,
                 double b) {
  const std::size_t d = data.cols();
  const double* wp = w.data();
  return engine.mean_rows(data, 1, [&](const float* x, double y, double* acc) {
    const double z = affine_value(x, wp, d, b);
    const double residual = (z > 0 ? z : 0.0) - y;
    acc[0] += residual * residual;
  })[0];
}

ScaleFit refit_scale(const Engine& engine, const DataSource& data, std::span<const double> u,
                     double max_scale) {
  const std::size_t d = data.cols();
  const double* up = u.data();
  // Means of y·r, r², y² with r = ReLU(u·x).
  const std::vector<double> m =
      engine.mean_rows(data, 3, [&](const float* x, double y, double* acc) {
        const double z = affine_value(x, up, d, 0.0);
        const double r = z > 0 ? z : 0.0;
        acc[0] += y * r;
        acc[1] += r * r;
        acc[2] += y * y;
      });
  ScaleFit fit;
  fit.scale = m[1] > 0 ? std::clamp(m[0] / m[1], 0.0, max_scale) : 0.0;
  fit.loss = m[2] - 2 * fit.scale * m[0] + fit.scale * fit.scale * m[1];
  return fit;
}

}  // namespace relureg
