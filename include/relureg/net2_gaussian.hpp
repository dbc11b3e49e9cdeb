// Exact Gaussian second moments of differences of depth-2 ReLU networks (papers.md §7).
#pragma once

#include "relureg/net2.hpp"

namespace relureg::gaussian {

// E[(f(x) − g(x))²] for x ~ N(0, I) and two ReLU networks on the same features: a quadratic form
// in the units' output weights whose entries are E[ReLU(u·x + a)ReLU(v·x + c)] (the arc-cosine
// kernel, or relu_product's 1-D quadrature with biases) and E[ReLU(u·x + a)]. Throws
// std::invalid_argument unless both networks use ReLU units on the same d.
double net2_distance(const Net2Model& f, const Net2Model& g);

}  // namespace relureg::gaussian
