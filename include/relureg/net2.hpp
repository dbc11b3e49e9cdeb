// The depth-2 network f(x) = Σ_j a_j σ(w_j·x + b_j) + c (model type "net2") and its JSON form.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace relureg {

enum class Activation { relu, sigmoid };

std::string activation_name(Activation activation);  // "relu" or "sigmoid"
// InputError "<origin>: unknown activation 'x' (expected relu or sigmoid)".
Activation activation_from_name(const std::string& name, const std::string& origin);

// σ(z) and σ'(z); ReLU'(0) is taken as 0.
inline double activate(Activation activation, double z) {
  if (activation == Activation::relu) return z > 0 ? z : 0.0;
  return z >= 0 ? 1 / (1 + std::exp(-z)) : std::exp(z) / (1 + std::exp(z));
}
inline double activate_derivative(Activation activation, double z) {
  if (activation == Activation::relu) return z > 0 ? 1.0 : 0.0;
  const double s = activate(activation, z);
  return s * (1 - s);
}

// One hidden layer of k units on d features and a linear output (Goel, Klivans, Manurangsi,
// Reichman 2021 study its training; GGJKK20's orthogonal family is one). Every evaluation —
// labels of a planted teacher, fits, losses, predictions — goes through `predict_one`'s
// arithmetic, so a planted teacher's loss on its own noiseless data is exactly 0.
struct Net2Model {
  std::size_t d = 0;
  std::vector<double> W;  // k × d row-major: unit j's weights are W[j d, (j + 1) d)
  std::vector<double> b;  // k hidden biases
  std::vector<double> a;  // k output weights
  double c = 0;           // output bias
  bool bias = false;      // whether b and c were fitted (false: both fixed at 0)
  Activation activation = Activation::relu;

  std::size_t units() const { return a.size(); }
  std::size_t dim() const { return d; }
  const double* unit(std::size_t j) const { return W.data() + j * d; }
  double predict_one(const float* x) const;
};

// A network of `units` units on `d` features, all weights zero.
Net2Model zero_net2(std::size_t d, std::size_t units, bool bias, Activation activation);

// The model keys of a "net2" model file: "d", "units", "activation", "W" (array of k arrays of d
// numbers), "b", "a", "c", "bias". Reading throws InputError naming `origin` and the key.
nlohmann::json net2_to_json(const Net2Model& model);
Net2Model net2_from_json(const nlohmann::json& j, const std::string& origin);

}  // namespace relureg
