// Family "binact-teacher": y = v*ᵀ1{Z w* > 0} (+ noise) on Gaussian patches (Yin et al. 2019).
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "families/families.hpp"
#include "relureg/error.hpp"
#include "relureg/rng.hpp"
#include "relureg/ste.hpp"

namespace relureg::families {

struct BinactTeacherParams {
  std::size_t patches = 4;
  double noise = 0.0;

  RELUREG_FIELDS({{"patches", &P::patches, "patches m (d must be a multiple of m)", 1, 1e6},
                  {"noise", &P::noise, "variance of the Gaussian label noise", 0.0, kInfinity}})
};

namespace {

Binact2Model teacher_binact(const GroundTruth& truth) {
  if (!truth.teacher.is_object() || !truth.teacher.contains("model"))
    throw InputError("ground truth of family 'binact-teacher' lacks the teacher model");
  return binact2_from_json(truth.teacher["model"], "ground truth teacher");
}

}  // namespace

RowDistribution binact_teacher_rows(const GroundTruth& truth) {
  const double noise = truth_params<BinactTeacherParams>(truth).noise;
  return {truth.d, gaussian_coordinate(),
          [teacher = teacher_binact(truth)](const float* x) { return teacher.predict_one(x); },
          noise_sampler("gaussian", noise), noise};
}

FamilyEntry binact_teacher_family() {
  return family_entry<BinactTeacherParams>(
      [](const GenerateRequest& request, const BinactTeacherParams& p) {
        const std::size_t m = p.patches;
        const std::size_t filter = filter_size(request.d, m, "family 'binact-teacher'");
        BlockRandom random(make_rng(request.seed, static_cast<std::uint64_t>(Stream::teacher)));
        Binact2Model teacher{m, filter, std::vector<double>(m), random_unit_vector(filter, random)};
        for (double& v : teacher.v) v = random.normal();
        const ste::SpuriousMinimum spurious = ste::spurious_minimum({teacher.v, teacher.w});
        GroundTruth truth = blank_truth(request, params_json(p));
        const double noise = p.noise;
        truth.opt = truth.teacher_loss = noise;
        truth.opt_kind = "exact";
        truth.opt_note = fmt::format(
            "the teacher is E[y|x] and a binact2 model, so opt over binact2 models = noise {}",
            noise);
        truth.teacher = {
            {"type", "binact2"},
            {"model", binact2_to_json(teacher)},
            {"objective_note",
             "the paper's objective f(v, w) = E[(v.sigma(Zw) - y*)^2]/2 is half the square loss"},
            {"spurious_minimum",
             {{"exists", spurious.exists},
              {"condition", "(1'v*)^2 < ((m + 1)/2)|v*|^2"},
              {"v", spurious.v},
              {"w", spurious.w},
              {"objective", spurious.objective},
              {"square_loss", 2 * spurious.objective + noise}}}};
        return truth;
      },
      model_losses([](const Binact2Model& model, const GroundTruth& truth,
                      const Engine&) -> std::optional<PopulationLoss> {
        const Binact2Model teacher = teacher_binact(truth);
        if (model.patches != teacher.patches || model.filter != teacher.filter)
          return std::nullopt;  // Monte Carlo over the rows
        // Lemma 1: the square loss is twice the paper's objective, plus the noise.
        const double f = ste::objective({teacher.v, teacher.w}, model.v, model.w);
        return PopulationLoss{2 * f + truth_params<BinactTeacherParams>(truth).noise, 0.0, "exact",
                              0};
      }),
      binact_teacher_rows);
}

}  // namespace relureg::families
