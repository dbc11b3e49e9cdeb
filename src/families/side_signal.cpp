// Family "side-signal": labels ReLU(w*.x) plus a signal along u ⊥ w* where the teacher is silent;
// it turns E[yx] away from w* without moving the best ReLU (moment and GLMtron near 1.9·opt).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numbers>

#include "families/families.hpp"
#include "relureg/gaussian.hpp"
#include "relureg/quadrature.hpp"
#include "relureg/rng.hpp"

namespace relureg::families {

struct SideSignalParams : TeacherNormParams {
  double beta = 0.1;
  double noise = 0.0;

  RELUREG_FIELDS(inherit_fields<P, TeacherNormParams>(
      {{"beta", &P::beta,
        "strength of the side signal beta·||w*||·(u.x) on {w*.x < 0} (E[yx] turns by "
        "atan(beta) towards u)",
        0.0, 0.5},
       {"noise", &P::noise, "variance of independent Gaussian label noise added on top", 0.0,
        kInfinity}}))
};

namespace {

// The law of the labels y = ReLU(N t) + beta·N·s·1{t < 0} + ξ, with t = ŵ*.x, s = u.x, N = ‖w*‖
// and u a unit vector orthogonal to w* drawn from the seed's side-direction stream, and its
// exact population losses. For a ReLU f = ReLU(w.x + b), write w = α ŵ* + γ u + (the rest) and
// ρ = (‖w‖² − α²)^{1/2}. Since f·ReLU(N t) and f·s·1{t < 0} never meet,
//   E[(f − y)²] = E[f²] − 2E[f ReLU(N t)] − 2βN·E[f s 1{t < 0}] + E[y²],
// and Stein's identity in s gives E[f s | t] = γ Φ((α t + b)/ρ), so the side term is
// γ·∫_{−∞}^0 φ(t) Φ((α t + b)/ρ) dt, one 1-D quadrature; the other terms are closed forms.
class SideSignalLaw {
 public:
  explicit SideSignalLaw(const GroundTruth& truth)
      : p_(truth_params<SideSignalParams>(truth)), w_star_(truth.w_star) {
    if (truth.d < 2) throw InputError("family 'side-signal' needs d of at least 2");
    norm_ = std::sqrt(dot(w_star_, w_star_));
    w_hat_ = w_star_;
    for (double& v : w_hat_) v /= norm_;
    u_ = side_direction(w_hat_, truth.seed);
  }

  const std::vector<double>& side() const { return u_; }
  const std::vector<double>& unit_teacher() const { return w_hat_; }
  double norm() const { return norm_; }
  double beta() const { return p_.beta; }

  // E[y²] = N²/2 + β²N²/2 + noise.
  double label_second_moment() const {
    return norm_ * norm_ * (1 + p_.beta * p_.beta) / 2 + p_.noise;
  }
  // The teacher's loss: the side signal's variance β²N²/2 plus the noise.
  double teacher_loss() const { return p_.beta * p_.beta * norm_ * norm_ / 2 + p_.noise; }

  double label_mean(const float* x) const {
    double t = 0, s = 0;
    for (std::size_t j = 0; j < w_hat_.size(); ++j) {
      t += w_hat_[j] * static_cast<double>(x[j]);
      s += u_[j] * static_cast<double>(x[j]);
    }
    return t > 0 ? norm_ * t : p_.beta * norm_ * s;
  }

  // E[ReLU(w.x + b)·y] from the coordinates α = w.ŵ*, γ = w.u, ρ = (‖w‖² − α²)^{1/2}.
  double cross(double alpha, double gamma, double rho, double b) const {
    const std::vector<double> w2 = {alpha, rho}, teacher2 = {norm_, 0.0};
    double side = 0;
    if (gamma != 0 && rho > 0) {
      side = gamma * quadrature::integrate(
                         [&](double t) {
                           return gaussian::normal_pdf(t) *
                                  gaussian::normal_cdf((alpha * t + b) / rho);
                         },
                         -std::numeric_limits<double>::infinity(), 0.0)
                         .value;
    }
    return gaussian::relu_product(w2, b, teacher2, 0.0) + p_.beta * norm_ * side;
  }

  double population_loss(const std::vector<double>& w, double b) const {
    const double alpha = dot(w, w_hat_), gamma = dot(w, u_);
    const double rho = std::sqrt(std::max(0.0, dot(w, w) - alpha * alpha));
    return std::max(0.0, gaussian::relu_second_moment(w, b) - 2 * cross(alpha, gamma, rho, b) +
                             label_second_moment());
  }

  // The best loss over ReLUs R·ReLU(v.x + c) with unit v = cos(φ) ŵ* + sin(φ) u and R >= 0:
  // E[y²] − max(0, E[ReLU(v.x + c) y])² / E[ReLU(v.x + c)²].
  double best_scale_loss(double phi, double c, double* scale = nullptr) const {
    const std::vector<double> v2 = {std::cos(phi), std::sin(phi)};
    const double m = gaussian::relu_second_moment(v2, c);
    const double b = std::max(0.0, cross(v2[0], v2[1], v2[1], c));
    if (scale) *scale = m > 0 ? b / m : 0.0;
    return m > 0 ? label_second_moment() - b * b / m : label_second_moment();
  }

  // w = R (cos φ ŵ* + sin φ u) in the instance's coordinates.
  std::vector<double> embed(double phi, double scale) const {
    std::vector<double> w(w_hat_.size());
    for (std::size_t j = 0; j < w.size(); ++j)
      w[j] = scale * (std::cos(phi) * w_hat_[j] + std::sin(phi) * u_[j]);
    return w;
  }

 private:
  SideSignalParams p_;
  std::vector<double> w_star_, w_hat_, u_;
  double norm_ = 1;
};

RowDistribution side_signal_rows(const GroundTruth& truth) {
  auto law = std::make_shared<const SideSignalLaw>(truth);
  const double noise = truth_params<SideSignalParams>(truth).noise;
  return {truth.d, gaussian_coordinate(), [law](const float* x) { return law->label_mean(x); },
          noise > 0 ? noise_sampler("gaussian", noise) : std::function<double(BlockRandom&)>{},
          noise};
}

// The opt of one class by the reduction to the plane of ŵ* and u: for fixed α, ‖w‖ and b the
// loss falls linearly in γ (the side term's integral is positive), so the best w lies in that
// plane with γ >= 0: w = R (cos φ ŵ* + sin φ u), φ in [0, π], and R is refitted in closed form.
// Homogeneous: a grid of 721 angles, then golden section on φ. With bias (b = R·c): a grid of
// 181 angles × 81 values of c in [−4, 4], then alternating golden sections on φ and c, and the
// constant predictor E[y]. The teacher (φ = 0, c = 0) is a candidate; if nothing beats it by more
// than the tolerance, opt is its closed-form loss.
ClassOpt side_signal_opt(const SideSignalLaw& law, const GroundTruth& truth, bool bias) {
  constexpr double kPi = std::numbers::pi;
  const double tolerance = 1e-10 * law.label_second_moment();
  double best_phi = 0, best_c = 0;
  double best = law.best_scale_loss(0, 0);
  auto consider = [&](double phi, double c) {
    const double v = law.best_scale_loss(phi, c);
    if (v < best) best = v, best_phi = phi, best_c = c;
  };
  const int angles = bias ? 180 : 720, offsets = bias ? 80 : 0;
  for (int i = 0; i <= angles; ++i)
    for (int k = 0; k <= offsets; ++k)
      consider(kPi * i / angles, bias ? -4.0 + 8.0 * k / offsets : 0.0);
  double phi_step = kPi / angles, c_step = bias ? 0.1 : 0.0;
  for (int round = 0; round < (bias ? 6 : 1); ++round) {
    best_phi = minimize_on_line([&](double phi) { return law.best_scale_loss(phi, best_c); },
                                std::max(0.0, best_phi - phi_step),
                                std::min(kPi, best_phi + phi_step), 1e-12, 20);
    if (bias)
      best_c = minimize_on_line([&](double c) { return law.best_scale_loss(best_phi, c); },
                                best_c - c_step, best_c + c_step, 1e-12, 20);
    best = law.best_scale_loss(best_phi, best_c);
    phi_step /= 4, c_step /= 4;
  }
  ClassOpt out;
  if (bias) {  // the constant E[y] = |w*| φ(0) (the side signal has mean 0), loss Var(y)
    const double mean = law.norm() / std::sqrt(2 * kPi);
    if (law.label_second_moment() - mean * mean < best) {
      out.opt = law.label_second_moment() - mean * mean;
      out.opt_error = tolerance;
      out.w_opt.assign(truth.d, 0.0);
      out.b_opt = mean;
      out.opt_note = "the constant E[y] beats every ReLU of the plane of w* and u";
      return out;
    }
  }
  const double teacher = law.teacher_loss();
  const char* grid = bias ? "181 angles x 81 offsets c in [-4, 4], then alternating golden "
                            "sections on the angle and c, and the constant E[y]"
                          : "721 angles, then a golden section on the angle";
  if (best >= teacher - tolerance) {
    out.opt = teacher;
    out.opt_error = tolerance;
    out.w_opt = truth.w_star;
    out.opt_note = fmt::format(
        "the teacher ReLU(w*.x) is the best ReLU{}: opt = beta^2 |w*|^2 / 2 + noise = {:.9g} "
        "(closed form). The exact loss (one 1-D quadrature at relative tolerance 1e-12) "
        "minimised over the plane of w* and u, where the best ReLU lies ({}), finds nothing "
        "lower (best {:.12g}); opt_error = 1e-10·E[y^2] covers the quadrature and the search",
        bias ? " with bias" : "", teacher, grid, best);
    return out;
  }
  double scale = 0;
  best = law.best_scale_loss(best_phi, best_c, &scale);
  out.opt = best;
  out.opt_error = tolerance;
  out.w_opt = law.embed(best_phi, scale);
  out.b_opt = scale * best_c;
  out.opt_note = fmt::format(
      "the exact loss (one 1-D quadrature at relative tolerance 1e-12) minimised over the plane "
      "of w* and u, where the best ReLU lies ({}): angle {:.9g} from w*, scale {:.9g}, bias "
      "{:.9g}, below the teacher's {:.9g}",
      grid, best_phi, scale, out.b_opt, teacher);
  return out;
}

}  // namespace

FamilyEntry side_signal_family() {
  return family_entry<SideSignalParams>(
      [](const GenerateRequest& request, const SideSignalParams& p) {
        const PlantedParams planted{{p.norm}, 0.0, kInfinity};
        GroundTruth truth = planted_truth(request, planted, params_json(p));
        const SideSignalLaw law(truth);  // checks d
        truth.teacher_loss = law.teacher_loss();
        const ClassOpt with_bias = side_signal_opt(law, truth, true);
        truth.opt = with_bias.opt;
        truth.opt_kind = "exact";
        truth.opt_error = with_bias.opt_error;
        truth.opt_note = with_bias.opt_note;
        truth.w_opt = with_bias.w_opt;
        truth.b_opt = with_bias.b_opt;
        truth.homogeneous = side_signal_opt(law, truth, false);
        truth.facts = {{"side_direction", law.side()},
                       {"moment_direction_angle", std::atan(p.beta)},
                       {"labels", "y = ReLU(w*.x) + beta|w*|(u.x) 1{w*.x < 0} + noise"}};
        return truth;
      },
      model_losses([](const ReluModel& model, const GroundTruth& truth, const Engine&) {
        check_model_dimension(model, truth);
        return PopulationLoss{SideSignalLaw(truth).population_loss(model.w, model.b), 0.0, "exact",
                              0};
      }),
      side_signal_rows);
}

}  // namespace relureg::families
