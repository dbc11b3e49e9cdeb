// Family "non-gaussian": the noisy teacher with i.i.d. standardised non-Gaussian coordinates.
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "families/families.hpp"
#include "relureg/error.hpp"

namespace relureg::families {
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
  const double noise = truth_real(truth, "noise");
  return {truth.d,
          standardised_coordinate(truth_choice(truth, "marginal"), truth_real(truth, "dof")),
          teacher_label(truth), noise_sampler("gaussian", noise), noise};
}

FamilyEntry non_gaussian_family() {
  const double inf = std::numeric_limits<double>::infinity();
  FamilyEntry entry;
  entry.name = "non-gaussian";
  entry.description =
      "noisy teacher with i.i.d. standardised uniform/laplace/student-t features; opt = noise";
  entry.params = with_common_params({
      {"noise", ParamKind::real, 0.05, 0.0, inf, "variance of the Gaussian label noise"},
      {"marginal",
       ParamKind::choice,
       0,
       -inf,
       inf,
       "distribution of each feature (mean 0, var 1)",
       {"uniform", "laplace", "student-t"},
       "uniform"},
      {"dof", ParamKind::real, 5.0, 2.0, inf, "degrees of freedom of student-t (> 2)"},
      {"eval_samples", ParamKind::integer, 1e6, 1000.0, 1e10,
       "fresh samples for the Monte-Carlo population loss"},
  });
  entry.generate = [](std::size_t n, std::size_t d, std::uint64_t seed, const ParamValues& values,
                      const Engine& engine) {
    GroundTruth truth = noisy_teacher_truth("non-gaussian", n, d, seed, values);
    const RowDistribution rows = non_gaussian_rows(truth);  // validates marginal and dof
    Dataset data = draw_dataset(rows, n, stream_seed(seed, Stream::data), engine.threads());
    return Instance{std::move(data), std::move(truth)};
  };
  entry.population_loss =
      model_losses([](const ReluModel& model, const GroundTruth& truth, const Engine& engine) {
        check_model_dimension(model, truth);
        const auto samples = static_cast<std::size_t>(truth_real(truth, "eval_samples"));
        return monte_carlo_loss(non_gaussian_rows(truth), model, samples,
                                stream_seed(truth.seed, Stream::evaluation), engine.threads());
      });
  entry.rows = non_gaussian_rows;
  return entry;
}

}  // namespace relureg::families
