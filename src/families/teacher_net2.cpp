// Family "teacher-net2": y = f*(x) + noise for a random depth-2 ReLU teacher f*; opt = noise.
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "families/families.hpp"
#include "relureg/error.hpp"
#include "relureg/net2_gaussian.hpp"
#include "relureg/rng.hpp"

namespace relureg::families {

struct TeacherNet2Params {
  std::size_t units = 2;
  double noise = 0.05;
  std::string output = "ones";
  double hidden_bias = 0.0;

  RELUREG_FIELDS({{"units", &P::units, "hidden units k of the teacher", 1, 1e4},
                  {"noise", &P::noise, "variance of the Gaussian label noise", 0.0, kInfinity},
                  {"output", &P::output, "output weights a_j: all ones, random signs, or N(0, 1)",
                   Choices{{"ones", "signs", "gaussian"}}},
                  {"hidden_bias", &P::hidden_bias,
                   "hidden biases b_j ~ N(0, hidden_bias^2) (0 = none)", 0.0, kInfinity}})
};
Net2Model teacher_network(const GroundTruth& truth) {
  if (!truth.teacher.is_object() || !truth.teacher.contains("network"))
    throw InputError(
        fmt::format("ground truth of family '{}' lacks the teacher network", truth.family));
  return net2_from_json(truth.teacher["network"], "ground truth teacher");
}

Net2Model relu_as_net2(const ReluModel& model) {
  Net2Model one = zero_net2(model.w.size(), 1, true, Activation::relu);
  one.W = model.w;
  one.b = {model.b};
  one.a = {1.0};
  return one;
}

RowDistribution teacher_net2_rows(const GroundTruth& truth) {
  const double noise = truth_params<TeacherNet2Params>(truth).noise;
  return {truth.d, gaussian_coordinate(),
          [teacher = teacher_network(truth)](const float* x) { return teacher.predict_one(x); },
          noise_sampler("gaussian", noise), noise};
}

std::optional<PopulationLoss> teacher_network_loss(const Net2Model& model, const GroundTruth& truth,
                                                   double noise) {
  if (model.activation != Activation::relu) return std::nullopt;
  return PopulationLoss{gaussian::net2_distance(model, teacher_network(truth)) + noise, 0.0,
                        "exact", 0};
}

FamilyEntry teacher_net2_family() {
  return family_entry<TeacherNet2Params>(
      [](const GenerateRequest& request, const TeacherNet2Params& p) {
        const std::size_t k = p.units, d = request.d;
        const double bias_scale = p.hidden_bias;
        const std::string output = p.output;
        BlockRandom random(make_rng(request.seed, static_cast<std::uint64_t>(Stream::teacher)));
        Net2Model teacher = zero_net2(d, k, bias_scale > 0, Activation::relu);
        for (std::size_t j = 0; j < k; ++j) {
          const std::vector<double> w = random_unit_vector(d, random);
          std::copy(w.begin(), w.end(), teacher.W.begin() + j * d);
          teacher.b[j] = bias_scale * random.normal();
          teacher.a[j] = output == "ones"    ? 1.0
                         : output == "signs" ? (random.uniform() < 0.5 ? -1.0 : 1.0)
                                             : random.normal();
        }
        GroundTruth truth = blank_truth(request, params_json(p));
        const double noise = p.noise;
        truth.opt = noise;
        truth.teacher_loss = noise;
        truth.opt_kind = "exact";
        truth.opt_note = fmt::format(
            "opt over depth-2 networks with {} units: the teacher is E[y|x], so opt = noise "
            "variance "
            "{}",
            k, noise);
        truth.teacher = {{"type", "net2"}, {"network", net2_to_json(teacher)}};
        return truth;
      },
      model_losses(
          [](const ReluModel& model, const GroundTruth& truth, const Engine&) {
            return teacher_network_loss(relu_as_net2(model), truth,
                                        truth_params<TeacherNet2Params>(truth).noise);
          },
          [](const Net2Model& model, const GroundTruth& truth, const Engine&) {
            return teacher_network_loss(model, truth, truth_params<TeacherNet2Params>(truth).noise);
          }),
      teacher_net2_rows);
}

}  // namespace relureg::families
