// Family "biased-teacher": y = ReLU(w*.x + b*) + noise with b* = offset·‖w*‖ from 0 down to −3‖w*‖
// and noise relative to the teacher's signal; opt exact for both classes.
#include <fmt/format.h>

#include <cmath>

#include "families/families.hpp"
#include "relureg/gaussian.hpp"

namespace relureg::families {

struct BiasedTeacherParams {
  double norm = 1.0;
  double offset = -1.0;
  double noise = 0.1;
  std::string noise_dist = "gaussian";
  double radius = kInfinity;

  static Fields<BiasedTeacherParams> fields() {
    using P = BiasedTeacherParams;
    return {{"norm", &P::norm, "norm ||w*|| of the teacher (> 0)", 0.0, kInfinity},
            {"offset", &P::offset,
             "the teacher's bias in units of its norm: b* = offset·||w*|| (0 down to -3: the "
             "teacher fires on P(g > -offset) of the inputs, 50 % down to 0.13 %)",
             -10.0, 10.0},
            {"noise", &P::noise,
             "label-noise variance relative to the teacher's signal E[ReLU(w*.x + b*)^2]", 0.0,
             kInfinity},
            {"noise_dist", &P::noise_dist, "distribution of the label noise",
             Choices{{"gaussian", "uniform"}}},
            {"radius", &P::radius, "opt is over ReLUs with ||w|| <= radius (at least norm)", 0.0,
             kInfinity}};
  }
};

namespace {

// The label noise's variance: `noise` times the teacher's second moment (closed form).
double noise_variance(const GroundTruth& truth) {
  return truth_params<BiasedTeacherParams>(truth).noise *
         gaussian::relu_second_moment(truth.w_star, truth.b_star);
}

RowDistribution biased_teacher_rows(const GroundTruth& truth) {
  const double variance = noise_variance(truth);
  return {truth.d, gaussian_coordinate(), teacher_label(truth),
          noise_sampler(truth_params<BiasedTeacherParams>(truth).noise_dist, variance), variance};
}

}  // namespace

FamilyEntry biased_teacher_family() {
  return family_entry<BiasedTeacherParams>(
      [](const GenerateRequest& request, const BiasedTeacherParams& p) {
        const PlantedParams planted{p.norm, p.offset * p.norm, p.radius};
        GroundTruth truth = planted_truth(request, planted, params_json(p));
        const double signal = gaussian::relu_second_moment(truth.w_star, truth.b_star);
        const double variance = p.noise * signal;
        truth.opt = truth.teacher_loss = variance;
        truth.opt_kind = "exact";
        truth.opt_note = fmt::format(
            "the teacher (b* = {:.6g}) is E[y|x]: opt = noise variance {:.9g} = {} times the "
            "signal E[ReLU(w*.x + b*)^2] = {:.9g} (closed form)",
            truth.b_star, variance, p.noise, signal);
        truth.homogeneous = homogeneous_teacher_opt(truth, variance);
        truth.facts = {{"signal", signal},
                       {"noise_variance", variance},
                       {"active_fraction", gaussian::normal_cdf(p.offset)}};
        return truth;
      },
      model_losses([](const ReluModel& model, const GroundTruth& truth, const Engine&) {
        return noisy_teacher_population_loss(model, truth, noise_variance(truth));
      }),
      biased_teacher_rows);
}

}  // namespace relureg::families
