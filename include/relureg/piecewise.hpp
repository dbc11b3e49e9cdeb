// The piecewise predictor of the DGKKS20 approximation scheme (model "piecewise"): 0 below a band
// around a hyperplane, a low-degree polynomial inside it, a linear function above it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace relureg {

// Diakonikolas, Goel, Karmalkar, Klivans, Soltanolkotabi, "Approximation Schemes for ReLU
// Regression", COLT 2020, Algorithm 2: with z = w·x + b and the band half-width t ≥ 0,
//   h(x) = 0 for z < −t,  P(x) for |z| ≤ t,  w_pos·x + b_pos for z > t.
// P has total degree ≤ `degree` in x, written in the coordinates u_0 = z/t (Legendre
// polynomials, orthonormal on [−1, 1]) and u_j = frame_j·x, j = 1..d−1 (Hermite polynomials
// He_n/√n!, orthonormal under N(0, 1)): coef[i] multiplies the product of the 1-D polynomials of
// the i-th exponent vector of piecewise_exponents(d, degree). Any polynomial of degree ≤ k in x
// is such a sum when the frame completes w to a basis; this basis keeps the band's least squares
// well conditioned. With t = 0 the band is empty and h is the ReLU max(0, w_pos·x + b_pos) when
// (w_pos, b_pos) = (w, b) (how the scheme's constant-factor start is stored).
struct PiecewiseModel {
  std::vector<double> w;      // the split direction
  double b = 0;               // z = w·x + b
  bool bias = false;          // whether the split's b was fitted
  double band = 0;            // t: the band is |z| <= t
  std::vector<double> frame;  // (d−1) × d, row-major: the directions u_1..u_{d−1}
  std::size_t degree = 0;
  std::vector<double> coef;  // one per exponent vector (piecewise_basis_size(d, degree))
  // piecewise_exponents(d, degree), kept with the model (set by set_degree; not in the file).
  std::vector<std::uint8_t> exponents;
  std::vector<double> w_pos;
  double b_pos = 0;

  std::size_t dim() const { return w.size(); }
  void set_degree(std::size_t k);  // degree = k and its exponent vectors
  double predict_one(const float* x) const;
  // The region of a row: −1 below the band, 0 inside it, +1 above it; `z` receives w·x + b.
  int region(const float* x, double& z) const;
  // The basis values at a row inside the band (out: basis size values; scratch: d·(degree+1)).
  void basis(const float* x, double z, double* out, double* scratch) const;
};

// The number of exponent vectors of length d with total degree ≤ k: C(d + k, k) (inf-safe: a
// double, since the scheme's degree 1/η³ makes it astronomically large for small η).
double piecewise_basis_size(std::size_t d, std::size_t k);
// Those exponent vectors, graded (degree 0 first, then 1, ...), lexicographic within a degree,
// flattened (size × d): the first piecewise_basis_size(d, j) of them have degree ≤ j.
std::vector<std::uint8_t> piecewise_exponents(std::size_t d, std::size_t k);
// An orthonormal completion of w's direction: d − 1 unit rows orthogonal to w and to each other
// (Gram–Schmidt of the coordinate axes against w), row-major.
std::vector<double> orthonormal_frame(const std::vector<double>& w);

// The model keys of a "piecewise" model file: "d", "w", "b", "bias", "band", "frame", "degree",
// "coef", "w_pos", "b_pos". InputError naming `origin` for a missing key, a non-finite number or
// a length that does not match d and degree.
nlohmann::json piecewise_to_json(const PiecewiseModel& model);
PiecewiseModel piecewise_from_json(const nlohmann::json& j, const std::string& origin);

}  // namespace relureg
