// The piecewise model of the DGKKS20 scheme: regions, the band's polynomial basis, model-file keys.
#include "relureg/piecewise.hpp"

#include <fmt/format.h>

#include <cmath>

#include "relureg/affine.hpp"
#include "relureg/error.hpp"

namespace relureg {

double piecewise_basis_size(std::size_t d, std::size_t k) {
  double c = 1;  // C(d + k, k), exact in double while it is below 2^53
  for (std::size_t j = 1; j <= k; ++j) c = c * static_cast<double>(d + j) / static_cast<double>(j);
  return std::round(c);
}

std::vector<std::uint8_t> piecewise_exponents(std::size_t d, std::size_t k) {
  std::vector<std::uint8_t> out;
  std::vector<std::uint8_t> e(d, 0);
  // For each total degree, the vectors in lexicographic order (first coordinate largest first).
  for (std::size_t degree = 0; degree <= k; ++degree) {
    // Recursive fill of e with sum `degree`, written iteratively with an explicit stack.
    auto emit = [&](auto&& self, std::size_t pos, std::size_t left) -> void {
      if (pos + 1 == d) {
        e[pos] = static_cast<std::uint8_t>(left);
        out.insert(out.end(), e.begin(), e.end());
        return;
      }
      for (std::size_t v = left + 1; v-- > 0;) {
        e[pos] = static_cast<std::uint8_t>(v);
        self(self, pos + 1, left - v);
      }
    };
    if (d == 0) break;
    emit(emit, 0, degree);
  }
  return out;
}

std::vector<double> orthonormal_frame(const std::vector<double>& w) {
  const std::size_t d = w.size();
  std::vector<std::vector<double>> basis;
  double norm = 0;
  for (double v : w) norm += v * v;
  norm = std::sqrt(norm);
  std::vector<double> u(d, 0.0);
  if (norm > 0)
    for (std::size_t j = 0; j < d; ++j) u[j] = w[j] / norm;
  else if (d > 0)
    u[0] = 1;
  basis.push_back(u);
  std::vector<double> frame;
  for (std::size_t axis = 0; axis < d && basis.size() < d; ++axis) {
    std::vector<double> v(d, 0.0);
    v[axis] = 1;
    for (int sweep = 0; sweep < 2; ++sweep)  // twice: Gram–Schmidt with re-orthogonalisation
      for (const auto& q : basis) {
        double dot = 0;
        for (std::size_t j = 0; j < d; ++j) dot += q[j] * v[j];
        for (std::size_t j = 0; j < d; ++j) v[j] -= dot * q[j];
      }
    double len = 0;
    for (double x : v) len += x * x;
    len = std::sqrt(len);
    if (len < 1e-6) continue;  // the axis lies (almost) in the span already
    for (double& x : v) x /= len;
    basis.push_back(v);
    frame.insert(frame.end(), v.begin(), v.end());
  }
  return frame;
}

void PiecewiseModel::set_degree(std::size_t k) {
  degree = k;
  exponents = piecewise_exponents(w.size(), k);
}

int PiecewiseModel::region(const float* x, double& z) const {
  z = affine_value(x, w.data(), w.size(), b);
  if (z < -band) return -1;
  if (z > band) return 1;
  return 0;
}

void PiecewiseModel::basis(const float* x, double z, double* out, double* scratch) const {
  const std::size_t d = w.size(), k1 = degree + 1;
  // scratch[j·(k + 1) + n]: the n-th orthonormal 1-D polynomial of coordinate j.
  for (std::size_t j = 0; j < d; ++j) {
    double* p = scratch + j * k1;
    const double u =
        j == 0 ? (band > 0 ? z / band : 0.0) : affine_value(x, frame.data() + (j - 1) * d, d, 0.0);
    double prev = 1, cur = u;
    p[0] = 1;
    if (degree >= 1) p[1] = j == 0 ? std::sqrt(3.0) * u : u;
    for (std::size_t n = 1; n < degree; ++n) {
      // Legendre: (n+1)P_{n+1} = (2n+1)u P_n − n P_{n−1}; Hermite: He_{n+1} = u He_n − n He_{n−1}.
      const double next =
          j == 0 ? ((2.0 * n + 1) * u * cur - n * prev) / (n + 1.0) : u * cur - n * prev;
      prev = cur, cur = next;
      p[n + 1] = next;
    }
    // Normalise: Legendre by √(2n + 1) (P_1 above already), Hermite by 1/√n!.
    double factorial = 1;
    for (std::size_t n = 2; n <= degree; ++n) {
      factorial *= static_cast<double>(n);
      p[n] *= j == 0 ? std::sqrt(2.0 * n + 1) : 1 / std::sqrt(factorial);
    }
  }
  const std::size_t size = exponents.size() / (d == 0 ? 1 : d);
  for (std::size_t i = 0; i < size; ++i) {
    const std::uint8_t* e = exponents.data() + i * d;
    double v = 1;
    for (std::size_t j = 0; j < d; ++j)
      if (e[j] != 0) v *= scratch[j * k1 + e[j]];
    out[i] = v;
  }
}

double PiecewiseModel::predict_one(const float* x) const {
  double z = 0;
  const int where = region(x, z);
  if (where < 0) return 0.0;
  if (where > 0) return affine_value(x, w_pos.data(), w_pos.size(), b_pos);
  std::vector<double> values(coef.size()), scratch(w.size() * (degree + 1));
  basis(x, z, values.data(), scratch.data());
  double sum = 0;
  for (std::size_t i = 0; i < coef.size(); ++i) sum += coef[i] * values[i];
  return sum;
}

nlohmann::json piecewise_to_json(const PiecewiseModel& m) {
  const std::size_t d = m.w.size();
  nlohmann::json frame = nlohmann::json::array();
  for (std::size_t r = 0; d > 0 && r + 1 < d; ++r)
    frame.push_back(std::vector<double>(m.frame.begin() + r * d, m.frame.begin() + (r + 1) * d));
  return {{"d", d},           {"w", m.w},        {"b", m.b},           {"bias", m.bias},
          {"band", m.band},   {"frame", frame},  {"degree", m.degree}, {"coef", m.coef},
          {"w_pos", m.w_pos}, {"b_pos", m.b_pos}};
}

PiecewiseModel piecewise_from_json(const nlohmann::json& j, const std::string& origin) {
  auto fail = [&](const std::string& what) { throw InputError(origin + ": " + what); };
  auto vector = [&](const nlohmann::json& v, const std::string& key) {
    const std::string what = fmt::format("key '{}' must be an array of numbers", key);
    if (!v.is_array()) fail(what);
    std::vector<double> out;
    for (const nlohmann::json& x : v) {
      if (!x.is_number()) fail(what);
      out.push_back(x.get<double>());
      if (!std::isfinite(out.back())) fail(fmt::format("key '{}' has a non-finite value", key));
    }
    return out;
  };
  auto number = [&](const char* key) {
    if (!j.contains(key) || !j[key].is_number())
      fail(fmt::format("key '{}' must be a number", key));
    const double v = j[key].get<double>();
    if (!std::isfinite(v)) fail(fmt::format("key '{}' has a non-finite value", key));
    return v;
  };
  for (const char* key : {"w", "frame", "coef", "w_pos"})
    if (!j.contains(key)) fail(fmt::format("missing key '{}'", key));
  PiecewiseModel m;
  m.w = vector(j["w"], "w");
  if (m.w.empty()) fail("key 'w' must be a non-empty array of numbers");
  const std::size_t d = m.w.size();
  m.b = j.contains("b") ? number("b") : 0.0;
  m.bias = j.value("bias", m.b != 0);
  m.band = number("band");
  if (m.band < 0) fail("key 'band' must be >= 0");
  if (!j["frame"].is_array() || j["frame"].size() + 1 != d)
    fail(fmt::format("key 'frame' must hold d - 1 = {} rows", d - 1));
  for (const nlohmann::json& row : j["frame"]) {
    const std::vector<double> r = vector(row, "frame");
    if (r.size() != d) fail(fmt::format("every row of key 'frame' must have d = {} numbers", d));
    m.frame.insert(m.frame.end(), r.begin(), r.end());
  }
  const double degree = number("degree");
  if (degree < 0 || degree > 64 || degree != std::floor(degree))
    fail("key 'degree' must be an integer in [0, 64]");
  m.coef = vector(j["coef"], "coef");
  if (static_cast<double>(m.coef.size()) != piecewise_basis_size(d, std::size_t(degree)))
    fail(fmt::format("key 'coef' must hold C(d + degree, degree) = {} numbers (got {})",
                     piecewise_basis_size(d, std::size_t(degree)), m.coef.size()));
  m.set_degree(static_cast<std::size_t>(degree));
  m.w_pos = vector(j["w_pos"], "w_pos");
  if (m.w_pos.size() != d) fail(fmt::format("key 'w_pos' must have d = {} numbers", d));
  m.b_pos = number("b_pos");
  return m;
}

}  // namespace relureg
