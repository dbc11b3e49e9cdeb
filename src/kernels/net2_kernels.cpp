// The fused depth-2 network pass: per row one forward and one backward sweep, block-accumulated.
#include "relureg/net2_kernels.hpp"

#include <cmath>

#include "relureg/kernels.hpp"

namespace relureg {

std::vector<double> net2_parameters(const Net2Model& model) {
  std::vector<double> p(model.W);
  p.insert(p.end(), model.b.begin(), model.b.end());
  p.insert(p.end(), model.a.begin(), model.a.end());
  p.push_back(model.c);
  return p;
}

void set_net2_parameters(Net2Model& model, std::span<const double> p) {
  const std::size_t k = model.units(), kd = k * model.d;
  std::copy(p.begin(), p.begin() + kd, model.W.begin());
  std::copy(p.begin() + kd, p.begin() + kd + k, model.b.begin());
  std::copy(p.begin() + kd + k, p.begin() + kd + 2 * k, model.a.begin());
  model.c = p[kd + 2 * k];
}

Net2Stats net2_stats(const Engine& engine, const DataSource& data, const Net2Model& model) {
  const std::size_t d = model.d, k = model.units(), kd = k * d;
  const std::size_t width = 1 + kd + 2 * k + 1;  // [loss, grad W, grad b, grad a, grad c]
  const std::vector<double> m = engine.mean(data, width, [&](const RowBlock& blk, double* acc) {
    std::vector<double> h(k), delta(k);
    double* gW = acc + 1;
    double* gb = gW + kd;
    double* ga = gb + k;
    double* gc = ga + k;
    for (std::size_t r = 0; r < blk.rows; ++r) {
      const float* x = blk.X + r * d;
      // Forward, in predict_one's order so that the prediction is bit-identical to it.
      double out = model.c;
      for (std::size_t j = 0; j < k; ++j) {
        const double z = affine_value(x, model.unit(j), d, model.b[j]);
        h[j] = activate(model.activation, z);
        delta[j] = activate_derivative(model.activation, z);
        out += model.a[j] * h[j];
      }
      const double weight = blk.w ? blk.w[r] : 1.0;  // a sample weight multiplies the row's terms
      const double residual = out - blk.y[r];
      acc[0] += weight * (residual * residual);
      const double g = 2 * weight * residual;
      *gc += g;
      for (std::size_t j = 0; j < k; ++j) {
        ga[j] += g * h[j];
        const double back = g * model.a[j] * delta[j];
        if (back == 0) continue;
        gb[j] += back;
        double* gw = gW + j * d;
#pragma omp simd
        for (std::size_t i = 0; i < d; ++i) gw[i] += back * static_cast<double>(x[i]);
      }
    }
  });
  Net2Stats stats;
  stats.loss = m[0];
  stats.grad.assign(m.begin() + 1, m.end());
  if (!model.bias) {
    std::fill(stats.grad.begin() + kd, stats.grad.begin() + kd + k, 0.0);
    stats.grad.back() = 0;
  }
  return stats;
}

double net2_loss(const Engine& engine, const DataSource& data, const Net2Model& model) {
  return engine.mean_rows(data, 1, [&](const float* x, double y, double* acc) {
    const double residual = model.predict_one(x) - y;
    acc[0] += residual * residual;
  })[0];
}

bool solve_spd(std::vector<double> A, std::vector<double>& rhs, std::size_t n) {
  // In-place Cholesky A = L Lᵀ, then forward and back substitution.
  for (std::size_t j = 0; j < n; ++j) {
    double diag = A[j * n + j];
    for (std::size_t q = 0; q < j; ++q) diag -= A[j * n + q] * A[j * n + q];
    if (!(diag > 0)) return false;
    const double l = std::sqrt(diag);
    A[j * n + j] = l;
    for (std::size_t i = j + 1; i < n; ++i) {
      double s = A[i * n + j];
      for (std::size_t q = 0; q < j; ++q) s -= A[i * n + q] * A[j * n + q];
      A[i * n + j] = s / l;
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t q = 0; q < i; ++q) rhs[i] -= A[i * n + q] * rhs[q];
    rhs[i] /= A[i * n + i];
  }
  for (std::size_t i = n; i-- > 0;) {
    for (std::size_t q = i + 1; q < n; ++q) rhs[i] -= A[q * n + i] * rhs[q];
    rhs[i] /= A[i * n + i];
  }
  return true;
}

double fit_output_layer(const Engine& engine, const DataSource& data, Net2Model& model,
                        double ridge) {
  const std::size_t d = model.d, k = model.units();
  const std::size_t p = k + (model.bias ? 1 : 0);  // features: h_1..h_k (and 1)
  // Moments: [p × p of h hᵀ, p of h y, y²].
  const std::size_t width = p * p + p + 1;
  const std::vector<double> m = engine.mean(data, width, [&](const RowBlock& blk, double* acc) {
    std::vector<double> h(p, 1.0);
    for (std::size_t r = 0; r < blk.rows; ++r) {
      const float* x = blk.X + r * d;
      for (std::size_t j = 0; j < k; ++j)
        h[j] = activate(model.activation, affine_value(x, model.unit(j), d, model.b[j]));
      const double y = blk.y[r];
      const double weight = blk.w ? blk.w[r] : 1.0;
      for (std::size_t i = 0; i < p; ++i) {
        for (std::size_t j = 0; j <= i; ++j) acc[i * p + j] += weight * (h[i] * h[j]);
        acc[p * p + i] += weight * (h[i] * y);
      }
      acc[p * p + p] += weight * (y * y);
    }
  });
  std::vector<double> A(p * p);
  double trace = 0;
  for (std::size_t i = 0; i < p; ++i) {
    for (std::size_t j = 0; j <= i; ++j) A[i * p + j] = A[j * p + i] = m[i * p + j];
    trace += m[i * p + i];
  }
  for (std::size_t i = 0; i < p; ++i) A[i * p + i] += ridge * trace / p + 1e-300;
  std::vector<double> coef(m.begin() + p * p, m.begin() + p * p + p);
  const std::vector<double> rhs = coef;
  if (!solve_spd(A, coef, p)) return net2_loss(engine, data, model);
  for (std::size_t j = 0; j < k; ++j) model.a[j] = coef[j];
  model.c = model.bias ? coef[k] : 0.0;
  // loss = E[y²] − 2 coefᵀ rhs + coefᵀ M coef (M without the ridge).
  double quad = 0, lin = 0;
  for (std::size_t i = 0; i < p; ++i) {
    lin += coef[i] * rhs[i];
    for (std::size_t j = 0; j < p; ++j)
      quad += coef[i] * coef[j] * m[std::max(i, j) * p + std::min(i, j)];
  }
  return std::max(0.0, m[p * p + p] - 2 * lin + quad);
}

}  // namespace relureg
