// Family "halfspace": ±1 labels sign(w*·x), x ~ N(0, I), with a fraction eta flipped adversarially
// near the boundary or far from it; opt (the best halfspace's 0/1 error) by quadrature.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numbers>

#include "families/families.hpp"
#include "relureg/error.hpp"
#include "relureg/gaussian.hpp"
#include "relureg/halfspace.hpp"
#include "relureg/kernels.hpp"
#include "relureg/quadrature.hpp"
#include "relureg/rng.hpp"

namespace relureg::families {

struct HalfspaceParams {
  double eta = 0.05;
  std::string flips = "near";

  RELUREG_FIELDS({{"eta", &P::eta, "fraction of labels flipped (0 <= eta < 0.5)", 0.0, 0.4999},
                  {"flips", &P::flips,
                   "near: flip where |w*.x| <= t (the band of mass eta); far: where |w*.x| >= t",
                   Choices{{"near", "far"}}}})
};

namespace {

// ∫_{−∞}^{∞} f, split at the breakpoints inside (−38.5, 38.5) (beyond, the Gaussian weight has
// underflowed); the left half-line is integrated by reflection, t → −t.
double integrate_line(const std::function<double(double)>& f, std::vector<double> breaks) {
  constexpr double kFarTail = 38.5;
  std::erase_if(breaks, [](double b) { return !(std::abs(b) < kFarTail); });
  breaks.push_back(0);
  std::sort(breaks.begin(), breaks.end());
  breaks.erase(std::unique(breaks.begin(), breaks.end()), breaks.end());
  const double inf = std::numeric_limits<double>::infinity();
  double total = quadrature::integrate([&](double t) { return f(-t); }, -breaks.front(), inf).value;
  for (std::size_t i = 0; i + 1 < breaks.size(); ++i)
    total += quadrature::integrate(f, breaks[i], breaks[i + 1]).value;
  return total + quadrature::integrate(f, breaks.back(), inf).value;
}

// The labelled distribution: ℓ = sign(z), z = ŵ*·x, flipped where |z| ≤ t ("near", P = eta) or
// |z| ≥ t ("far", P = eta). The 0/1 error of sign(w·x + b) depends on w only through
// α = w·ŵ* and ρ = ‖w − αŵ*‖: given z, w·x + b ~ N(αz + b, ρ²).
class HalfspaceLaw {
 public:
  explicit HalfspaceLaw(const GroundTruth& truth)
      : flips_(truth_params<HalfspaceParams>(truth).flips),
        eta_(truth_params<HalfspaceParams>(truth).eta),
        w_(truth.w_star) {
    if (flips_ != "near" && flips_ != "far")
      throw InputError(fmt::format("unknown flip rule '{}' (choose near or far)", flips_));
    if (!(eta_ >= 0 && eta_ < 0.5))
      throw InputError(fmt::format("parameter 'eta' must be in [0, 0.5), got {}", eta_));
    threshold_ =
        flips_ == "near" ? upper_normal_quantile((1 - eta_) / 2) : upper_normal_quantile(eta_ / 2);
  }

  double label(const float* x) const {
    const double z = affine_value(x, w_.data(), w_.size(), 0.0);
    const bool flipped =
        eta_ > 0 && (flips_ == "near" ? std::abs(z) <= threshold_ : std::abs(z) >= threshold_);
    return flipped ? -sign_label(z) : sign_label(z);
  }

  double error(const std::vector<double>& w, double b) const {
    const double alpha = dot(w, w_);
    double rho2 = 0;
    for (std::size_t j = 0; j < w.size(); ++j)
      rho2 += (w[j] - alpha * w_[j]) * (w[j] - alpha * w_[j]);
    const double rho = std::sqrt(rho2);
    const double t = threshold_;
    const bool near = flips_ == "near";
    auto wrong = [&](double z) {
      const bool flipped = eta_ > 0 && (near ? std::abs(z) <= t : std::abs(z) >= t);
      const bool positive = (z >= 0) != flipped;
      const double m = alpha * z + b;
      // P(prediction ≠ label | z)
      const double p = rho > 0 ? gaussian::normal_cdf((positive ? -m : m) / rho)
                               : ((m >= 0) != positive ? 1.0 : 0.0);
      return gaussian::normal_pdf(z) * p;
    };
    std::vector<double> breaks = {-t, t};
    if (alpha != 0) breaks.push_back(-b / alpha);
    return std::clamp(integrate_line(wrong, breaks), 0.0, 1.0);
  }

 private:
  std::string flips_;
  double eta_;
  std::vector<double> w_;
  double threshold_ = 0;
};

RowDistribution halfspace_rows(const GroundTruth& truth) {
  auto law = std::make_shared<const HalfspaceLaw>(truth);
  return {truth.d, gaussian_coordinate(), [law](const float* x) { return law->label(x); }, {}, 0.0};
}

// The best homogeneous halfspace: error(cos θ ŵ* + sin θ u) over θ ∈ [0, π] (every w is such a
// point for some unit u ⊥ ŵ*, and by rotation invariance u does not matter): a grid of 721
// angles, then golden-section search in the best grid cell. Returns {θ, error}.
std::pair<double, double> best_angle(const HalfspaceLaw& law, const std::vector<double>& w_hat,
                                     const std::vector<double>& u) {
  auto at = [&](double theta) {
    std::vector<double> w(w_hat.size());
    for (std::size_t j = 0; j < w.size(); ++j)
      w[j] = std::cos(theta) * w_hat[j] + std::sin(theta) * u[j];
    return law.error(w, 0.0);
  };
  constexpr int kGrid = 720;
  const double pi = std::numbers::pi;
  int best = 0;
  double best_error = at(0);
  for (int i = 1; i <= kGrid; ++i) {
    const double e = at(pi * i / kGrid);
    if (e < best_error) best = i, best_error = e;
  }
  double lo = pi * std::max(0, best - 1) / kGrid, hi = pi * std::min(kGrid, best + 1) / kGrid;
  const double ratio = (std::sqrt(5.0) - 1) / 2;
  double a = hi - ratio * (hi - lo), c = lo + ratio * (hi - lo);
  double fa = at(a), fc = at(c);
  for (int it = 0; it < 80 && hi - lo > 1e-12; ++it) {
    if (fa < fc) {
      hi = c, c = a, fc = fa, a = hi - ratio * (hi - lo), fa = at(a);
    } else {
      lo = a, a = c, fa = fc, c = lo + ratio * (hi - lo), fc = at(c);
    }
  }
  const double theta = 0.5 * (lo + hi);
  const double e = at(theta);
  return e < best_error ? std::pair{theta, e} : std::pair{pi * best / kGrid, best_error};
}

std::vector<double> side_direction(const GroundTruth& truth) {
  BlockRandom random(make_rng(truth.seed, static_cast<std::uint64_t>(Stream::side_direction)));
  std::vector<double> u(truth.d, 0.0);
  double norm = 0;
  while (norm < 1e-3) {
    u = random_unit_vector(truth.d, random);
    const double along = dot(u, truth.w_star);
    for (std::size_t j = 0; j < u.size(); ++j) u[j] -= along * truth.w_star[j];
    norm = std::sqrt(dot(u, u));
  }
  for (double& v : u) v /= norm;
  return u;
}

}  // namespace

FamilyEntry halfspace_family() {
  return family_entry<HalfspaceParams>(
      [](const GenerateRequest& request, const HalfspaceParams& p) {
        if (request.d < 2) throw InputError("family 'halfspace' needs d of at least 2");
        GroundTruth truth = blank_truth(request, params_json(p));
        BlockRandom random(make_rng(request.seed, static_cast<std::uint64_t>(Stream::teacher)));
        truth.w_star = random_unit_vector(request.d, random);
        const HalfspaceLaw law(truth);
        truth.teacher_loss = law.error(truth.w_star, 0.0);
        const std::vector<double> u = side_direction(truth);
        const auto [theta, error] = best_angle(law, truth.w_star, u);
        truth.opt = std::min(error, truth.teacher_loss);
        truth.w_opt = truth.w_star;
        if (error < truth.teacher_loss)
          for (std::size_t j = 0; j < request.d; ++j)
            truth.w_opt[j] = std::cos(theta) * truth.w_star[j] + std::sin(theta) * u[j];
        truth.opt_kind = "exact";
        truth.opt_note = fmt::format(
            "0/1 error of homogeneous halfspaces; the teacher's is {:.6g}; the best, at angle "
            "{:.6g} "
            "rad from the teacher, by quadrature over the margin and a grid plus golden-section "
            "search over the angle",
            truth.teacher_loss, error < truth.teacher_loss ? theta : 0.0);
        return truth;
      },
      model_losses([](const HalfspaceModel& model, const GroundTruth& truth, const Engine&) {
        return PopulationLoss{HalfspaceLaw(truth).error(model.w, model.b), 0.0, "exact", 0};
      }),
      halfspace_rows);
}

}  // namespace relureg::families
