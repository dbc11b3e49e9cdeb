// Closed forms for x ~ N(0, I): population losses of ReLUs, the arc-cosine kernel, Chow vectors.
#pragma once

#include <span>

namespace relureg::gaussian {

double normal_pdf(double t);
double normal_cdf(double t);

// E[ReLU(u·x) ReLU(v·x)] = ‖u‖‖v‖ (sin θ + (π − θ) cos θ) / (2π) (arc-cosine kernel, degree 1).
double relu_kernel(std::span<const double> u, std::span<const double> v);

// E[ReLU(u·x + a) ReLU(v·x + c)] for any biases, by accurate 1-D quadrature (exact when a = c = 0).
double relu_product(std::span<const double> u, double a, std::span<const double> v, double c);

// E[ReLU(u·x + a)] and E[ReLU(u·x + a)^2] in closed form.
double relu_mean(std::span<const double> u, double a);
double relu_second_moment(std::span<const double> u, double a);

// E[(ReLU(w·x + b) − ReLU(w*·x + b*))^2]: add the noise variance σ² for a noisy teacher.
double relu_distance(std::span<const double> w, double b, std::span<const double> w_star,
                     double b_star);

// Angle between u and v in [0, π] (0 when either is zero).
double angle(std::span<const double> u, std::span<const double> v);

}  // namespace relureg::gaussian
