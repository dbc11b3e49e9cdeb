// Family "link-teacher": y = g(w*·x) + noise with a monotone non-ReLU link g, x ~ N(0, I) — the
// single-index instances (task sim) of isotron and l-isotron; opt = noise.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "families/families.hpp"
#include "relureg/rng.hpp"

namespace relureg::families {

struct LinkTeacherParams {
  std::string link = "softplus";
  double norm = 1.0;
  double noise = 0.01;

  RELUREG_FIELDS(
      {{"link", &P::link,
        "the link g: softplus log(1 + e^t), clipped min(max(t, 0), 1), tanh, or cubic t^3",
        Choices{{"softplus", "clipped", "tanh", "cubic"}}},
       {"norm", &P::norm, "norm ||w*|| of the teacher's direction (> 0)", 1e-9, 1e6},
       {"noise", &P::noise, "variance of the Gaussian label noise", 0.0, kInfinity}})
};

namespace {

double apply_link(const std::string& link, double t) {
  if (link == "softplus") return t > 30 ? t : std::log1p(std::exp(t));
  if (link == "clipped") return std::clamp(t, 0.0, 1.0);
  if (link == "tanh") return std::tanh(t);
  return t * t * t;
}

RowDistribution link_teacher_rows(const GroundTruth& truth) {
  const LinkTeacherParams p = truth_params<LinkTeacherParams>(truth);
  const std::vector<double> direction = truth.teacher.at("w").get<std::vector<double>>();
  return {truth.d, gaussian_coordinate(),
          [w = direction, link = p.link](const float* x) {
            double t = 0;
            for (std::size_t j = 0; j < w.size(); ++j) t += w[j] * static_cast<double>(x[j]);
            return apply_link(link, t);
          },
          noise_sampler("gaussian", p.noise), p.noise};
}

}  // namespace

FamilyEntry link_teacher_family() {
  return family_entry<LinkTeacherParams>(
      [](const GenerateRequest& request, const LinkTeacherParams& p) {
        GroundTruth truth = blank_truth(request, params_json(p));
        BlockRandom random(make_rng(request.seed, static_cast<std::uint64_t>(Stream::teacher)));
        std::vector<double> w = random_unit_vector(request.d, random);
        for (double& v : w) v *= p.norm;
        truth.opt = truth.teacher_loss = p.noise;
        truth.opt_kind = "exact";
        truth.opt_note = fmt::format(
            "the teacher g(w*.x) with the monotone link '{}' is E[y|x] and a single-index model, "
            "so opt over single-index models = noise {}",
            p.link, p.noise);
        // w_star stays 0 (a ReLU field); the teacher's direction is in `teacher`.
        truth.teacher = {{"type", "sim"}, {"link", p.link}, {"w", w}};
        return truth;
      },
      model_losses(), link_teacher_rows);
}

}  // namespace relureg::families
