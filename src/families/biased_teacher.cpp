// Family "biased-teacher": y = ReLU(w*.x + b*) + noise with b* = offset·‖w*‖ from 0 down to −3‖w*‖
// and noise relative to the teacher's signal; opt exact for both classes. With adversary=cancel
// the labels also lose Φ(offset)·(w*·x), which cancels E[y x] (the correlational signal).
#include <fmt/format.h>

#include <cmath>

#include "families/families.hpp"
#include "relureg/gaussian.hpp"
#include "relureg/quadrature.hpp"

namespace relureg::families {

struct BiasedTeacherParams : TeacherNormParams {
  double offset = -1.0;
  double noise = 0.1;
  std::string noise_dist = "gaussian";
  std::string adversary = "none";
  double radius = kInfinity;

  RELUREG_FIELDS(inherit_fields<P, TeacherNormParams>(
      {{"offset", &P::offset,
        "the teacher's bias in units of its norm: b* = offset·||w*|| (0 down to -3: the "
        "teacher fires on P(g > -offset) of the inputs, 50 % down to 0.13 %)",
        -10.0, 10.0},
       {"noise", &P::noise,
        "label-noise variance relative to the teacher's signal E[ReLU(w*.x + b*)^2]", 0.0,
        kInfinity},
       {"noise_dist", &P::noise_dist, "distribution of the label noise",
        Choices{{"gaussian", "uniform"}}},
       {"adversary", &P::adversary,
        "none: independent noise only; cancel: labels lose Phi(offset)·(w*.x) as well, so "
        "that E[y x] = 0 (Stein): the correlational signal is gone, opt grows by about "
        "Phi(offset)^2·||w*||^2",
        Choices{{"none", "cancel"}}},
       {"radius", &P::radius, "opt is over ReLUs with ||w|| <= radius (at least norm)", 0.0,
        kInfinity}}))
};

namespace {

// The label noise's variance: `noise` times the teacher's second moment (closed form).
double noise_variance(const GroundTruth& truth) {
  return truth_params<BiasedTeacherParams>(truth).noise *
         gaussian::relu_second_moment(truth.w_star, truth.b_star);
}

// The coefficient c of the cancelling term −c·(w*·x): Φ(b*/‖w*‖), so that E[y x] = 0; 0 without
// an adversary.
double cancel_coefficient(const BiasedTeacherParams& p) {
  return p.adversary == "cancel" ? gaussian::normal_cdf(p.offset) : 0.0;
}

RowDistribution biased_teacher_rows(const GroundTruth& truth) {
  const double variance = noise_variance(truth);
  const BiasedTeacherParams p = truth_params<BiasedTeacherParams>(truth);
  std::function<double(const float*)> label = teacher_label(truth);
  if (const double c = cancel_coefficient(p); c != 0)
    label = [teacher = label, c, w = truth.w_star](const float* x) {
      double s = 0;
      for (std::size_t j = 0; j < w.size(); ++j) s += w[j] * static_cast<double>(x[j]);
      return teacher(x) - c * s;
    };
  return {truth.d, gaussian_coordinate(), label, noise_sampler(p.noise_dist, variance), variance};
}

// Population loss of ReLU(a·s + β·g + b) against the cancelled labels, s = ŵ*·x and g an
// independent N(0, 1) (x ~ N(0, I): any w is a·ŵ* + β·e with e ⊥ ŵ*): E over g in closed form,
// over s by adaptive quadrature split at the teacher's kink; plus the noise variance.
double cancel_loss(double a, double beta, double b, const GroundTruth& truth, double c,
                   double variance) {
  const double norm = std::sqrt(dot(truth.w_star, truth.w_star)), bs = truth.b_star;
  auto integrand = [&](double s) {
    const double m = std::max(0.0, norm * s + bs) - c * norm * s;
    const double mu = a * s + b;
    double e1 = std::max(mu, 0.0), e2 = e1 * e1;
    if (beta > 0) {
      const double r = mu / beta, cdf = gaussian::normal_cdf(r), pdf = gaussian::normal_pdf(r);
      e1 = mu * cdf + beta * pdf;
      e2 = (mu * mu + beta * beta) * cdf + mu * beta * pdf;
    }
    return gaussian::normal_pdf(s) * (e2 - 2 * m * e1 + m * m);
  };
  const double kink = norm > 0 ? -bs / norm : 0.0;
  const double lo = std::min(-12.0, kink - 1), hi = std::max(12.0, kink + 1);
  return quadrature::integrate(integrand, lo, kink, 1e-15, 1e-11).value +
         quadrature::integrate(integrand, kink, hi, 1e-15, 1e-11).value + variance;
}

double cancel_model_loss(const ReluModel& model, const GroundTruth& truth, double c,
                         double variance) {
  const double norm = std::sqrt(dot(truth.w_star, truth.w_star));
  const double a = norm > 0 ? dot(model.w, truth.w_star) / norm : 0.0;
  const double beta = std::sqrt(std::max(0.0, dot(model.w, model.w) - a * a));
  return cancel_loss(a, beta, model.b, truth, c, variance);
}

// opt over ReLUs along w* (with a bias, or b = 0): min over (a, b) of the exact loss by nested
// line searches, and never above the teacher's loss c²‖w*‖² + variance. An upper bound: a
// component orthogonal to w* only adds independent spread to the prediction and was not searched.
ClassOpt cancel_opt(const GroundTruth& truth, double c, double variance, bool bias) {
  const double norm = std::sqrt(dot(truth.w_star, truth.w_star));
  const double reach = std::min(truth.radius, 3 * (norm + std::abs(truth.b_star)) + 1);
  auto best_b = [&](double a) {
    if (!bias) return 0.0;
    return minimize_on_line([&](double b) { return cancel_loss(a, 0, b, truth, c, variance); },
                            -reach, reach, 1e-9, 60);
  };
  const double a =
      minimize_on_line([&](double s) { return cancel_loss(s, 0, best_b(s), truth, c, variance); },
                       -reach, reach, 1e-9, 60);
  const double b = best_b(a);
  ClassOpt o;
  o.opt_kind = "upper-bound";
  o.opt = cancel_loss(a, 0, b, truth, c, variance);
  o.w_opt = truth.w_star;
  for (double& v : o.w_opt) v *= norm > 0 ? a / norm : 0.0;
  o.b_opt = b;
  const double teacher = c * c * norm * norm + variance;
  if (teacher < o.opt && bias) o.opt = teacher, o.w_opt = truth.w_star, o.b_opt = truth.b_star;
  o.opt_note = fmt::format(
      "labels cancelled by {:.6g}·(w*.x): the smallest exact loss (quadrature) of a ReLU along w* "
      "({}), found by nested line searches; the teacher scores {:.9g}; an orthogonal component "
      "was not searched (an upper bound)",
      c, bias ? "scale and bias" : "scale, b = 0", teacher);
  return o;
}

}  // namespace

FamilyEntry biased_teacher_family() {
  return family_entry<BiasedTeacherParams>(
      [](const GenerateRequest& request, const BiasedTeacherParams& p) {
        const PlantedParams planted{{p.norm}, p.offset * p.norm, p.radius};
        GroundTruth truth = planted_truth(request, planted, params_json(p));
        const double signal = gaussian::relu_second_moment(truth.w_star, truth.b_star);
        const double variance = p.noise * signal;
        truth.facts = {{"signal", signal},
                       {"noise_variance", variance},
                       {"active_fraction", gaussian::normal_cdf(p.offset)}};
        if (const double c = cancel_coefficient(p); c != 0) {
          const ClassOpt biased = cancel_opt(truth, c, variance, true);
          truth.opt = biased.opt, truth.opt_kind = biased.opt_kind,
          truth.opt_note = biased.opt_note;
          truth.w_opt = biased.w_opt, truth.b_opt = biased.b_opt;
          truth.teacher_loss = c * c * dot(truth.w_star, truth.w_star) + variance;
          truth.homogeneous = cancel_opt(truth, c, variance, false);
          truth.facts["cancel_coefficient"] = c;
          return truth;
        }
        truth.opt = truth.teacher_loss = variance;
        truth.opt_kind = "exact";
        truth.opt_note = fmt::format(
            "the teacher (b* = {:.6g}) is E[y|x]: opt = noise variance {:.9g} = {} times the "
            "signal E[ReLU(w*.x + b*)^2] = {:.9g} (closed form)",
            truth.b_star, variance, p.noise, signal);
        truth.homogeneous = homogeneous_teacher_opt(truth, variance);
        return truth;
      },
      model_losses([](const ReluModel& model, const GroundTruth& truth, const Engine&) {
        const double c = cancel_coefficient(truth_params<BiasedTeacherParams>(truth));
        if (c != 0)
          return PopulationLoss{cancel_model_loss(model, truth, c, noise_variance(truth)), 0.0,
                                "exact", 0};
        return noisy_teacher_population_loss(model, truth, noise_variance(truth));
      }),
      biased_teacher_rows);
}

}  // namespace relureg::families
