// Family "non-gaussian": the noisy teacher with i.i.d. standardised non-Gaussian coordinates.
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "families/families.hpp"
#include "relureg/error.hpp"

namespace relureg::families {

struct NonGaussianParams : PlantedParams {
  double noise = 0.05;
  std::string marginal = "uniform";
  double dof = 5.0;
  std::size_t eval_samples = 1000000;

  RELUREG_FIELDS(inherit_fields<P, PlantedParams>(
      {{"noise", &P::noise, "variance of the Gaussian label noise", 0.0, kInfinity},
       {"marginal", &P::marginal, "distribution of each feature (mean 0, var 1)",
        Choices{{"uniform", "laplace", "student-t"}}},
       {"dof", &P::dof, "degrees of freedom of student-t (> 2)", 2.0, kInfinity},
       {"eval_samples", &P::eval_samples, "fresh samples for the Monte-Carlo population loss",
        1000.0, 1e10}}))
};

namespace {

// One coordinate with mean 0 and variance 1 from the named marginal.
std::function<double(BlockRandom&)> standardised_coordinate(const std::string& marginal,
                                                            double dof) {
  if (marginal == "uniform") {  // uniform on [−√3, √3]
    const double half_width = std::sqrt(3.0);
    return [half_width](BlockRandom& r) { return half_width * (2 * r.uniform() - 1); };
  }
  if (marginal == "laplace") {  // scale 1/√2, by inversion of the CDF
    const double scale = 1 / std::sqrt(2.0);
    return [scale](BlockRandom& r) {
      const double v = r.uniform() - 0.5;
      const double magnitude = -scale * std::log(1 - 2 * std::abs(v));
      return v < 0 ? -magnitude : magnitude;
    };
  }
  if (marginal == "student-t") {  // g / sqrt(χ²_ν / ν), times sqrt((ν − 2)/ν) for variance 1
    if (!(dof > 2))
      throw InputError(fmt::format("parameter 'dof' must be greater than 2, got {}", dof));
    const double standardise = std::sqrt((dof - 2) / dof);
    return [dof, standardise](BlockRandom& r) {
      const double g = r.normal();
      const double chi_square = 2 * r.gamma(dof / 2);
      return standardise * g / std::sqrt(chi_square / dof);
    };
  }
  throw InputError(fmt::format("unknown marginal '{}'", marginal));
}

}  // namespace

RowDistribution non_gaussian_rows(const GroundTruth& truth) {
  const double noise = truth_params<NonGaussianParams>(truth).noise;
  return {truth.d,
          standardised_coordinate(truth_params<NonGaussianParams>(truth).marginal,
                                  truth_params<NonGaussianParams>(truth).dof),
          teacher_label(truth), noise_sampler("gaussian", noise), noise};
}

FamilyEntry non_gaussian_family() {
  return family_entry<NonGaussianParams>(
      [](const GenerateRequest& request, const NonGaussianParams& p) {
        GroundTruth truth = noisy_teacher_truth(request, p, p.noise, params_json(p));
        non_gaussian_rows(truth);  // validates marginal and dof before anything is drawn
        truth.homogeneous = ClassOpt{p.noise,
                                     "exact",
                                     0.0,
                                     "the teacher has no bias, so it is also the best homogeneous "
                                     "ReLU: opt = noise variance",
                                     truth.w_star,
                                     0.0};
        if (p.bias != 0)
          truth.homogeneous = ClassOpt{p.noise,
                                       "lower-bound",
                                       0.0,
                                       "the noise variance: no predictor does better (the best "
                                       "homogeneous ReLU under these features is not computed)",
                                       {},
                                       0.0};
        return truth;
      },
      model_losses([](const ReluModel& model, const GroundTruth& truth, const Engine& engine) {
        check_model_dimension(model, truth);
        const auto samples = truth_params<NonGaussianParams>(truth).eval_samples;
        return monte_carlo_loss(non_gaussian_rows(truth), model, samples,
                                stream_seed(truth.seed, Stream::evaluation), engine.threads());
      }),
      non_gaussian_rows);
}

}  // namespace relureg::families
