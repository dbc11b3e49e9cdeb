// Search for ReLUs beating the teacher: projected gradient descent from the teacher and from Chow.
#include <cmath>

#include "families/families.hpp"

namespace relureg::families {
namespace {

// Stop once an accepted step lowers the loss by less than this fraction.
constexpr double kRelativeTolerance = 1e-12;

struct LossAndGradient {
  double loss = 0;
  std::vector<double> gradient;  // d entries for w, then ∂/∂b
};

// Mean square loss of ReLU(w·x + b) and its gradient 2 mean (ReLU(z) − y) 1{z > 0} (x, 1).
LossAndGradient loss_and_gradient(const Engine& engine, const DataSource& sample,
                                  const std::vector<double>& w, double b) {
  const std::size_t d = w.size();
  const std::vector<double> means =
      engine.mean_rows(sample, d + 2, [&](const float* x, double y, double* acc) {
        double z = b;
        for (std::size_t j = 0; j < d; ++j) z += w[j] * static_cast<double>(x[j]);
        const double residual = (z > 0 ? z : 0.0) - y;
        acc[0] += residual * residual;
        if (z > 0) {
          for (std::size_t j = 0; j < d; ++j) acc[1 + j] += 2 * residual * x[j];
          acc[d + 1] += 2 * residual;
        }
      });
  return {means[0], std::vector<double>(means.begin() + 1, means.end())};
}

void project_to_ball(std::vector<double>& w, double radius) {
  const double norm = std::sqrt(dot(w, w));
  if (norm > radius)
    for (double& v : w) v *= radius / norm;
}

SearchCandidate descend(const Engine& engine, const DataSource& sample, std::string start,
                        std::vector<double> w, double b, bool bias, double radius, int iterations) {
  if (!bias) b = 0;
  const std::size_t d = w.size();
  project_to_ball(w, radius);
  LossAndGradient current = loss_and_gradient(engine, sample, w, b);
  double step = 1.0;
  for (int it = 0; it < iterations && step > 1e-12; ++it) {
    std::vector<double> trial_w(d);
    for (std::size_t j = 0; j < d; ++j) trial_w[j] = w[j] - step * current.gradient[j];
    project_to_ball(trial_w, radius);
    const double trial_b = bias ? b - step * current.gradient[d] : 0.0;
    LossAndGradient trial = loss_and_gradient(engine, sample, trial_w, trial_b);
    if (!(trial.loss <= current.loss)) {  // backtrack: halve and retry from the same point
      step /= 2;
      continue;
    }
    const bool converged = current.loss - trial.loss <= kRelativeTolerance * current.loss;
    w = std::move(trial_w);
    b = trial_b;
    current = std::move(trial);
    if (converged) break;
  }
  return {std::move(start), ReluModel{std::move(w), b, bias}, current.loss};
}

}  // namespace

std::vector<SearchCandidate> search_relus(const Engine& engine, const DataSource& sample,
                                          const GroundTruth& truth, bool bias, int iterations) {
  const std::size_t d = truth.d;
  // Chow estimate 2Ê[yx]: equals w* when b* = 0 and opt = 0 (Stein's identity, sota.md D1).
  std::vector<double> chow =
      engine.mean_rows(sample, d, [d](const float* x, double y, double* acc) {
        for (std::size_t j = 0; j < d; ++j) acc[j] += y * x[j];
      });
  for (double& v : chow) v *= 2;
  std::vector<SearchCandidate> found;
  found.push_back(descend(engine, sample, "teacher", truth.w_star, truth.b_star, bias, truth.radius,
                          iterations));
  found.push_back(descend(engine, sample, "chow", chow, 0.0, bias, truth.radius, iterations));
  return found;
}

}  // namespace relureg::families
