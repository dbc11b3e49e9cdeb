// Family "orthogonal-net": labels from GGJKK20's orthogonal network f_S (regression or p-concept).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "families/families.hpp"
#include "relureg/error.hpp"
#include "relureg/net2_gaussian.hpp"
#include "relureg/orthogonal.hpp"
#include "relureg/rng.hpp"

namespace relureg::families {

struct OrthogonalNetParams {
  std::size_t k = 2;
  std::string activation = "relu";
  std::string labels = "regression";
  double noise = 0.0;
  std::size_t check_samples = 100000;

  RELUREG_FIELDS(
      {{"k", &P::k, "size of the hidden subset S (2^k hidden units)", 1, 20},
       {"activation", &P::activation, "hidden activation: relu needs even k, sigmoid odd k",
        Choices{{"relu", "sigmoid"}}},
       {"labels", &P::labels,
        "regression: y = f_S(x) + noise; pconcept: y = +-1, P[y=1|x] = sigmoid(f_S(x))",
        Choices{{"regression", "pconcept"}}},
       {"noise", &P::noise, "variance of Gaussian label noise (regression)", 0.0, kInfinity},
       {"check_samples", &P::check_samples,
        "Monte-Carlo draws for the ground truth's orthogonality and p-concept checks", 2, 1e9}})
};

namespace {

struct OrthogonalSetup {
  std::size_t k = 0;
  Activation activation = Activation::relu;
  bool pconcept = false;
  double noise = 0;
};

OrthogonalSetup setup_of(const GroundTruth& truth) {
  OrthogonalSetup s;
  s.k = truth_params<OrthogonalNetParams>(truth).k;
  s.activation =
      activation_from_name(truth_params<OrthogonalNetParams>(truth).activation, "ground truth");
  s.pconcept = truth_params<OrthogonalNetParams>(truth).labels == "pconcept";
  s.noise = truth_params<OrthogonalNetParams>(truth).noise;
  return s;
}

double sigmoid(double t) {
  return t >= 0 ? 1 / (1 + std::exp(-t)) : std::exp(t) / (1 + std::exp(t));
}

// Monte-Carlo checks on `samples` Gaussian draws of the coordinates involved: E[f_S f_T] for
// subsets T ≠ S (a random one, nested ones, one sharing all but one coordinate) and, for the
// p-concept labels, the Bayes risk E[1 − tanh²(f/2)] and E[y f_S].
nlohmann::json monte_carlo_checks(const std::vector<std::size_t>& S, std::size_t d,
                                  const OrthogonalSetup& s, double scale, std::size_t samples,
                                  std::uint64_t seed) {
  BlockRandom random(make_rng(seed, 0x6f727468));
  std::vector<std::vector<std::size_t>> others;
  std::vector<std::string> kinds;
  {  // a random k-subset different from S
    std::vector<std::size_t> all(d);
    for (std::size_t i = 0; i < d; ++i) all[i] = i;
    std::vector<std::size_t> T;
    do {
      for (std::size_t i = 0; i < s.k; ++i)
        std::swap(all[i], all[i + static_cast<std::size_t>(random.uniform() * (d - i))]);
      T.assign(all.begin(), all.begin() + s.k);
      std::sort(T.begin(), T.end());
    } while (T == S && d > s.k);
    if (T != S) others.push_back(T), kinds.push_back("random");
  }
  if (s.k + 2 <= d) {  // S plus the two smallest coordinates outside it
    std::vector<std::size_t> T = S;
    for (std::size_t i = 0; i < d && T.size() < s.k + 2; ++i)
      if (std::find(S.begin(), S.end(), i) == S.end()) T.push_back(i);
    std::sort(T.begin(), T.end());
    others.push_back(T), kinds.push_back("superset");
  }
  if (s.k >= 3) others.push_back({S.begin(), S.end() - 2}), kinds.push_back("subset");
  if (s.k < d) {  // S with its last coordinate replaced
    std::vector<std::size_t> T(S.begin(), S.end() - 1);
    for (std::size_t i = 0; i < d; ++i)
      if (std::find(S.begin(), S.end(), i) == S.end()) {
        T.push_back(i);
        break;
      }
    std::sort(T.begin(), T.end());
    others.push_back(T), kinds.push_back("overlap");
  }
  std::vector<double> scales;
  for (const auto& T : others) {
    const double moment = orthogonal::second_moment(T.size(), s.activation);
    scales.push_back(orthogonal::zero_reason(s.activation, T.size()).empty() ? 1 / std::sqrt(moment)
                                                                             : 0.0);
  }
  std::vector<double> x(d), values(d), products(others.size(), 0.0), squares(others.size(), 0.0);
  double bayes = 0, correlation = 0, second = 0;
  for (std::size_t r = 0; r < samples; ++r) {
    for (double& v : x) v = random.normal();
    for (std::size_t i = 0; i < s.k; ++i) values[i] = x[S[i]];
    const double f = scale * orthogonal::feature(values.data(), s.k, s.activation);
    second += f * f;
    for (std::size_t t = 0; t < others.size(); ++t) {
      for (std::size_t i = 0; i < others[t].size(); ++i) values[i] = x[others[t][i]];
      const double product =
          f * scales[t] * orthogonal::feature(values.data(), others[t].size(), s.activation);
      products[t] += product;
      squares[t] += product * product;
    }
    const double mean = std::tanh(f / 2);
    bayes += 1 - mean * mean;
    correlation += mean * f;
  }
  const double m = static_cast<double>(samples);
  nlohmann::json pairs = nlohmann::json::array();
  double max_abs = 0;
  for (std::size_t t = 0; t < others.size(); ++t) {
    const double mean = products[t] / m;
    const double stderr_ = std::sqrt(std::max(0.0, squares[t] / m - mean * mean) / m);
    pairs.push_back(
        {{"T", others[t]}, {"kind", kinds[t]}, {"mean_fS_fT", mean}, {"stderr", stderr_}});
    max_abs = std::max(max_abs, std::abs(products[t] / m));
  }
  nlohmann::json checks = {
      {"statement",
       "E[f_S f_T] = 0 exactly for T != S under x ~ N(0, I): reflecting a coordinate of the "
       "symmetric difference flips the sign of one of f_S, f_T and leaves the other unchanged"},
      {"samples", samples},
      {"second_moment", second / m},
      {"pairs", pairs},
      {"max_abs_mean_fS_fT", max_abs}};
  if (s.pconcept) {
    checks["bayes_loss"] = bayes / m;
    checks["mean_y_fS"] = correlation / m;  // E[y f_S] = E[tanh(f_S/2) f_S]
  }
  return checks;
}

}  // namespace

RowDistribution orthogonal_net_rows(const GroundTruth& truth) {
  const OrthogonalSetup s = setup_of(truth);
  const Net2Model f = teacher_network(truth);
  RowDistribution rows{truth.d, gaussian_coordinate(), {}, {}, 0.0};
  if (!s.pconcept) {
    rows.label_mean = [f](const float* x) { return f.predict_one(x); };
    rows.draw_noise = noise_sampler("gaussian", s.noise);
    rows.noise_variance = s.noise;
    return rows;
  }
  // y ∈ {±1} with P[y = 1 | x] = sigmoid(f(x)): E[y | x] = tanh(f/2), Var(y | x) = 1 − tanh².
  rows.label_mean = [f](const float* x) { return std::tanh(f.predict_one(x) / 2); };
  rows.label_variance = [f](const float* x) {
    const double m = std::tanh(f.predict_one(x) / 2);
    return 1 - m * m;
  };
  rows.draw_label = [f](const float* x, BlockRandom& random) {
    return random.uniform() < sigmoid(f.predict_one(x)) ? 1.0 : -1.0;
  };
  return rows;
}

FamilyEntry orthogonal_net_family() {
  // Exact for regression labels of a ReLU f_S; other cases by Monte Carlo over the rows.
  auto own = [](const Net2Model& model, const GroundTruth& truth) -> std::optional<PopulationLoss> {
    const auto p = truth_params<OrthogonalNetParams>(truth);
    if (p.labels != "regression" || p.activation != "relu") return std::nullopt;
    return teacher_network_loss(model, truth, p.noise);
  };
  return family_entry<OrthogonalNetParams>(
      [](const GenerateRequest& request, const OrthogonalNetParams& p) {
        OrthogonalSetup s;
        s.k = p.k;
        s.activation = activation_from_name(p.activation, "orthogonal-net");
        s.pconcept = p.labels == "pconcept";
        s.noise = p.noise;
        const std::string reason = orthogonal::zero_reason(s.activation, s.k);
        if (!reason.empty()) throw InputError("family 'orthogonal-net': " + reason);
        const std::size_t d = request.d;
        if (s.k > d)
          throw InputError(fmt::format("family 'orthogonal-net': k = {} exceeds d = {}", s.k, d));
        if (s.pconcept && s.noise > 0)
          throw InputError("family 'orthogonal-net': noise applies to labels=regression only");
        // S: the first k entries of a seeded partial Fisher–Yates shuffle, sorted.
        BlockRandom random(make_rng(request.seed, static_cast<std::uint64_t>(Stream::teacher)));
        std::vector<std::size_t> all(d);
        for (std::size_t i = 0; i < d; ++i) all[i] = i;
        for (std::size_t i = 0; i < s.k; ++i)
          std::swap(all[i], all[i + static_cast<std::size_t>(random.uniform() * (d - i))]);
        std::vector<std::size_t> S(all.begin(), all.begin() + s.k);
        std::sort(S.begin(), S.end());
        const double moment = orthogonal::second_moment(s.k, s.activation);
        const double scale = 1 / std::sqrt(moment);
        const Net2Model network = orthogonal::network(d, S, s.activation, scale);

        GroundTruth truth = blank_truth(request, params_json(p));
        const nlohmann::json checks = monte_carlo_checks(
            S, d, s, scale, p.check_samples, stream_seed(request.seed, Stream::evaluation));
        truth.teacher = {{"type", "net2"},
                         {"network", net2_to_json(network)},
                         {"subset", S},
                         {"k", s.k},
                         {"activation", activation_name(s.activation)},
                         {"labels", s.pconcept ? "pconcept" : "regression"},
                         {"second_moment_unnormalised", moment},
                         {"scale", scale},
                         {"trivial_loss", s.pconcept ? 1.0 : 1.0 + s.noise},
                         {"checks", checks}};
        if (!s.pconcept) {
          truth.opt = truth.teacher_loss = s.noise;
          truth.opt_kind = "exact";
          truth.opt_note = fmt::format(
              "y = f_S(x) + noise with f_S a 2^{} unit network: opt = noise variance {}; the best "
              "constant has loss {} (E[f_S] = 0, E[f_S^2] = 1)",
              s.k, s.noise, 1 + s.noise);
        } else {
          const double bayes = checks["bayes_loss"].get<double>();
          const double corr = checks["mean_y_fS"].get<double>();
          truth.opt = bayes;
          truth.teacher_loss = 1 - 2 * corr + 1;  // E[(y − f_S)²] = 1 − 2E[y f_S] + E[f_S²]
          truth.opt_kind = "lower-bound";
          truth.opt_note = fmt::format(
              "p-concept labels: opt is the Bayes risk E[1 - tanh^2(f_S/2)] = {:.6f} (Monte Carlo, "
              "{} draws), which no predictor beats; the best multiple of f_S has loss 1 - E[y "
              "f_S]^2 = {:.6f}; the constant 0 has loss 1",
              bayes, checks["samples"].get<std::size_t>(), 1 - corr * corr);
        }
        return truth;
      },
      model_losses([own](const ReluModel& model, const GroundTruth& truth,
                         const Engine&) { return own(relu_as_net2(model), truth); },
                   [own](const Net2Model& model, const GroundTruth& truth, const Engine&) {
                     return own(model, truth);
                   }),
      orthogonal_net_rows);
}

}  // namespace relureg::families
