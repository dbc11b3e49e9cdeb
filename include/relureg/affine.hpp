// The one affine value w·x + b of a float row and double weights, shared by models and kernels.
#pragma once

#include <cstddef>

namespace relureg {

// w·x + b for float features and double weights, accumulated in double. Every pass (fits,
// losses, predictions, generated labels) computes z with this one function, so a planted
// teacher's loss on its own data is exactly 0.
double affine_value(const float* x, const double* w, std::size_t d, double b);

}  // namespace relureg
