// E[(f − g)²] of two depth-2 ReLU networks under x ~ N(0, I), unit pair by unit pair.
#include "relureg/net2_gaussian.hpp"

#include <algorithm>
#include <span>
#include <stdexcept>
#include <vector>

#include "relureg/gaussian.hpp"

namespace relureg::gaussian {

double net2_distance(const Net2Model& f, const Net2Model& g) {
  if (f.activation != Activation::relu || g.activation != Activation::relu)
    throw std::invalid_argument("net2_distance: only ReLU networks have a closed form");
  if (f.d != g.d) throw std::invalid_argument("net2_distance: networks of different dimensions");
  // f − g = Σ_u α_u ReLU(w_u·x + b_u) + C over the units of both, α = (a_f, −a_g).
  struct Unit {
    std::span<const double> w;
    double b, alpha;
  };
  std::vector<Unit> units;
  for (std::size_t j = 0; j < f.units(); ++j)
    if (f.a[j] != 0) units.push_back({{f.unit(j), f.d}, f.b[j], f.a[j]});
  for (std::size_t j = 0; j < g.units(); ++j)
    if (g.a[j] != 0) units.push_back({{g.unit(j), g.d}, g.b[j], -g.a[j]});
  const double C = f.c - g.c;
  double total = C * C;
  for (std::size_t u = 0; u < units.size(); ++u) {
    const Unit& p = units[u];
    total += 2 * C * p.alpha * relu_mean(p.w, p.b);
    total += p.alpha * p.alpha * relu_second_moment(p.w, p.b);
    for (std::size_t v = u + 1; v < units.size(); ++v) {
      const Unit& q = units[v];
      total += 2 * p.alpha * q.alpha * relu_product(p.w, p.b, q.w, q.b);
    }
  }
  return std::max(total, 0.0);
}

}  // namespace relureg::gaussian
