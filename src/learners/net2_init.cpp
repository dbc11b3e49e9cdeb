// Seeded random initial networks (Gaussian or orthonormal hidden units) for the net2 learners.
#include "net2_init.hpp"

#include <cmath>

namespace relureg::detail {

Net2Model initial_net2(std::size_t d, std::size_t units, bool bias, Activation activation,
                       const std::string& init, std::mt19937_64& rng) {
  Net2Model model = zero_net2(d, units, bias, activation);
  std::normal_distribution<double> normal;
  const double scale = 1 / std::sqrt(static_cast<double>(d));
  for (double& w : model.W) w = scale * normal(rng);
  if (init == "orthogonal") {
    for (std::size_t j = 0; j < units; ++j) {
      double* w = model.W.data() + j * d;
      // Orthogonalise against the previous units of the same group of d.
      for (std::size_t q = j - j % d; q < j; ++q) {
        const double* u = model.unit(q);
        double dot = 0;
        for (std::size_t i = 0; i < d; ++i) dot += w[i] * u[i];
        for (std::size_t i = 0; i < d; ++i) w[i] -= dot * u[i];
      }
      double norm = 0;
      for (std::size_t i = 0; i < d; ++i) norm += w[i] * w[i];
      norm = std::sqrt(norm);
      for (std::size_t i = 0; i < d; ++i) w[i] = norm > 0 ? w[i] / norm : (i == j % d);
    }
  }
  std::bernoulli_distribution coin(0.5);
  for (double& a : model.a) a = (coin(rng) ? 1.0 : -1.0) / static_cast<double>(units);
  return model;
}

}  // namespace relureg::detail
