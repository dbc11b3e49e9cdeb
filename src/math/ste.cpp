// Closed forms of Yin et al. 2019 (Lemmas 1, 2, 4, 7; clipped ReLU derived), the coarse-gradient
// pass over data, and population coarse gradient descent.
#include "relureg/ste.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <numbers>

#include "relureg/error.hpp"
#include "relureg/gaussian.hpp"
#include "relureg/kernels.hpp"
#include "relureg/quadrature.hpp"

namespace relureg::ste {
namespace {

constexpr double kPi = std::numbers::pi;
const double kSqrt2Pi = std::sqrt(2 * kPi);

double dot(std::span<const double> a, std::span<const double> b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

double sum(std::span<const double> a) {
  double s = 0;
  for (double x : a) s += x;
  return s;
}

void check(const Teacher& t, std::span<const double> v, std::span<const double> w) {
  if (v.size() != t.v_star.size() || w.size() != t.w_star.size())
    throw std::invalid_argument("ste: v or w has the wrong size");
}

}  // namespace

std::string ste_name(Ste ste) {
  switch (ste) {
    case Ste::identity:
      return "identity";
    case Ste::relu:
      return "relu";
    case Ste::clipped_relu:
      return "clipped-relu";
  }
  return "?";
}

Ste ste_from_name(const std::string& name) {
  if (name == "identity") return Ste::identity;
  if (name == "relu") return Ste::relu;
  if (name == "clipped-relu") return Ste::clipped_relu;
  throw InputError(
      fmt::format("unknown STE '{}' (choose one of: identity, relu, clipped-relu)", name));
}

double objective(const Teacher& t, std::span<const double> v, std::span<const double> w) {
  check(t, v, w);
  const double sv = sum(v), ss = sum(t.v_star);
  const double star = dot(t.v_star, t.v_star) + ss * ss;
  if (dot(w, w) == 0) return star / 8;
  const double theta = gaussian::angle(w, t.w_star);
  return (dot(v, v) + sv * sv - 2 * ((1 - 2 * theta / kPi) * dot(v, t.v_star) + sv * ss) + star) /
         8;
}

Gradient true_gradient(const Teacher& t, std::span<const double> v, std::span<const double> w) {
  check(t, v, w);
  const std::size_t m = v.size(), n = w.size();
  const double theta = gaussian::angle(w, t.w_star);
  const double sv = sum(v), ss = sum(t.v_star);
  Gradient g{std::vector<double>(m), std::vector<double>(n, 0.0)};
  for (std::size_t i = 0; i < m; ++i)
    g.v[i] = 0.25 * (v[i] + sv) - 0.25 * ((1 - 2 * theta / kPi) * t.v_star[i] + ss);
  const double norm = std::sqrt(dot(w, w));
  if (norm == 0) return g;
  std::vector<double> perp(n);  // (I − ŵŵᵀ)w*
  const double proj = dot(w, t.w_star) / norm;
  for (std::size_t j = 0; j < n; ++j) perp[j] = t.w_star[j] - proj * w[j] / norm;
  const double perp_norm = std::sqrt(dot(perp, perp));
  if (perp_norm <= 1e-14) return g;  // θ = 0 or π
  const double factor = -dot(v, t.v_star) / (2 * kPi * norm * perp_norm);
  for (std::size_t j = 0; j < n; ++j) g.w[j] = factor * perp[j];
  return g;
}

std::vector<double> expected_coarse_gradient(const Teacher& t, std::span<const double> v,
                                             std::span<const double> w, Ste ste) {
  check(t, v, w);
  const std::size_t n = w.size();
  const double norm = std::sqrt(dot(w, w));
  if (norm == 0) throw std::invalid_argument("ste: the coarse gradient needs w != 0");
  std::vector<double> wh(n);
  for (std::size_t j = 0; j < n; ++j) wh[j] = w[j] / norm;
  const double vv = dot(v, v), vs = dot(v, t.v_star), sv = sum(v), ss = sum(t.v_star);
  std::vector<double> g(n);
  switch (ste) {
    case Ste::identity:  // Lemma 7: (‖v‖² ŵ − vᵀv* w*)/√(2π)
      for (std::size_t j = 0; j < n; ++j) g[j] = (vv * wh[j] - vs * t.w_star[j]) / kSqrt2Pi;
      break;
    case Ste::relu: {  // Lemma 4
      const double h = vv + sv * sv - sv * ss + vs;
      for (std::size_t j = 0; j < n; ++j)
        g[j] = (h * wh[j] - vs * (wh[j] + t.w_star[j])) / (2 * kSqrt2Pi);
      break;
    }
    case Ste::clipped_relu: {  // papers.md §6.2 [D], with B e⊥ = (Φ(c/sin θ) − ½)(w* − cos θ
                               // ŵ)/√(2π)
      const double c = 1 / norm;
      const double theta = gaussian::angle(w, t.w_star);
      const double cos_t = std::cos(theta), sin_t = std::sin(theta);
      const double K = (1 - std::exp(-c * c / 2)) / kSqrt2Pi;
      // A = ∫₀^c t φ(t) Φ(t cot θ) dt; Φ(t cot θ) → 1{cos θ > 0} (½ if cos θ = 0) when sin θ → 0.
      double A = 0;
      if (sin_t > 1e-12) {
        A = quadrature::integrate(
                [&](double s) {
                  return s * gaussian::normal_pdf(s) * gaussian::normal_cdf(s * cos_t / sin_t);
                },
                0, c)
                .value;
      } else {
        A = (cos_t > 0 ? 1.0 : 0.0) * (gaussian::normal_pdf(0) - gaussian::normal_pdf(c));
      }
      const double tail = sin_t > 0 ? gaussian::normal_cdf(c / sin_t) - 0.5 : 0.5;
      const double bracket = vv + 0.5 * (sv * sv - vv) - 0.5 * (sv * ss - vs);
      for (std::size_t j = 0; j < n; ++j) {
        const double e_perp = tail * (t.w_star[j] - cos_t * wh[j]) / kSqrt2Pi;
        g[j] = K * bracket * wh[j] - vs * (A * wh[j] + e_perp);
      }
      break;
    }
  }
  return g;
}

SpuriousMinimum spurious_minimum(const Teacher& t) {
  const std::size_t m = t.v_star.size();
  const double ss = sum(t.v_star), q = dot(t.v_star, t.v_star);
  SpuriousMinimum s;
  s.exists = ss * ss < 0.5 * static_cast<double>(m + 1) * q;
  // (I + 11ᵀ)⁻¹ = I − 11ᵀ/(m + 1), so v = (2/(m + 1))(1ᵀv*) 1 − v*.
  s.v.resize(m);
  for (std::size_t i = 0; i < m; ++i) s.v[i] = 2 * ss / static_cast<double>(m + 1) - t.v_star[i];
  s.w.resize(t.w_star.size());
  for (std::size_t j = 0; j < s.w.size(); ++j) s.w[j] = -t.w_star[j];
  s.objective = objective(t, s.v, s.w);
  return s;
}

CoarseStats coarse_stats(const Engine& engine, const DataSource& data, const Binact2Model& model,
                         Ste ste) {
  const std::size_t m = model.patches, n = model.filter;
  if (data.cols() != m * n)
    throw InputError(
        fmt::format("binact2 model expects {} features, data has {}", m * n, data.cols()));
  const std::vector<double> mean =
      engine.mean(data, 1 + m + n, [&](const RowBlock& blk, double* acc) {
        std::vector<double> z(m);
        for (std::size_t r = 0; r < blk.rows; ++r) {
          const float* x = blk.X + r * blk.d;
          double out = 0;
          for (std::size_t i = 0; i < m; ++i) {
            z[i] = affine_value(x + i * n, model.w.data(), n, 0.0);
            if (z[i] > 0) out += model.v[i];
          }
          // A sample weight multiplies the row's terms (null: every row weighs 1).
          const double weight = blk.w ? blk.w[r] : 1.0;
          const double residual = weight * (out - blk.y[r]);
          acc[0] += residual * (out - blk.y[r]);
          for (std::size_t i = 0; i < m; ++i) {
            if (z[i] > 0) acc[1 + i] += residual;
            const bool pass = ste == Ste::identity ? true
                              : ste == Ste::relu   ? z[i] > 0
                                                   : z[i] > 0 && z[i] < 1;
            if (!pass) continue;
            const double coef = residual * model.v[i];
            const float* patch = x + i * n;
            for (std::size_t j = 0; j < n; ++j)
              acc[1 + m + j] += coef * static_cast<double>(patch[j]);
          }
        }
      });
  CoarseStats s;
  s.loss = mean[0];
  s.grad_v.assign(mean.begin() + 1, mean.begin() + 1 + m);
  s.grad_w.assign(mean.begin() + 1 + m, mean.end());
  return s;
}

CgdTrace population_cgd(const Teacher& teacher, std::vector<double> v, std::vector<double> w,
                        Ste ste, double step, std::size_t iterations) {
  CgdTrace trace;
  for (std::size_t t = 0;; ++t) {
    const Gradient truth = true_gradient(teacher, v, w);
    const std::vector<double> coarse = expected_coarse_gradient(teacher, v, w, ste);
    trace.objective.push_back(objective(teacher, v, w));
    trace.theta.push_back(gaussian::angle(w, teacher.w_star));
    trace.w_norm.push_back(std::sqrt(dot(w, w)));
    const double denom = std::sqrt(dot(coarse, coarse) * dot(truth.w, truth.w));
    trace.cosine_w.push_back(denom > 0 ? dot(coarse, truth.w) / denom
                                       : std::numeric_limits<double>::quiet_NaN());
    if (t == iterations) break;
    for (std::size_t i = 0; i < v.size(); ++i) v[i] -= step * truth.v[i];
    for (std::size_t j = 0; j < w.size(); ++j) w[j] -= step * coarse[j];
    if (!std::isfinite(trace.objective.back()) || dot(w, w) == 0)
      throw DivergenceError(fmt::format("ste-cgd (population) broke down at iteration {}", t));
  }
  trace.v = std::move(v);
  trace.w = std::move(w);
  return trace;
}

}  // namespace relureg::ste
