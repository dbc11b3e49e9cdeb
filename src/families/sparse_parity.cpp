// Family "sparse-parity": a noisy k-sparse parity lifted to Gaussian inputs (GKK19's hard
// instances); opt, the trivial loss b0 and the gap Δ_k exactly, by 1-D quadrature.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "families/families.hpp"
#include "relureg/error.hpp"
#include "relureg/gaussian.hpp"
#include "relureg/parity.hpp"
#include "relureg/parity_lift.hpp"
#include "relureg/rng.hpp"

namespace relureg::families {

struct SparseParityParams {
  std::size_t k = 2;
  double eta = 0.1;
  bool pad = true;

  RELUREG_FIELDS(
      {{"k", &P::k, "size of the hidden set S (the parity's degree)", 1, 64},
       {"eta", &P::eta, "probability that a label is flipped", 0, 0.499},
       {"pad", &P::pad,
        "for odd k, append a fresh bit to x and to the parity (k+1 is even: a ReLU correlates "
        "with no odd parity of degree >= 3)"}})
};

namespace {

// The planted set S (sorted, with the padding coordinate last when padded), from the ground truth.
std::vector<std::size_t> planted_set(const GroundTruth& truth) {
  if (!truth.facts.contains("S") || !truth.facts["S"].is_array())
    throw InputError("ground truth of family 'sparse-parity' lacks facts.S");
  std::vector<std::size_t> S;
  for (const nlohmann::json& i : truth.facts["S"]) {
    if (!i.is_number_unsigned() || i.get<std::size_t>() >= truth.d)
      throw InputError("ground truth of family 'sparse-parity': facts.S must list indices below d");
    S.push_back(i.get<std::size_t>());
  }
  return S;
}

// E[(ReLU(w·x + b) − y)²] = E[f²] − 2E[f y] + E[y²] with E[y²] = E[y] = ½ and
// E[f y] = ½E[f] + ½(1 − 2η) E[f χ_S], the last by parity::relu_parity_correlation.
PopulationLoss parity_population_loss(const ReluModel& model, const GroundTruth& truth) {
  check_model_dimension(model, truth);
  const std::vector<std::size_t> S = planted_set(truth);
  const double eta = truth_params<SparseParityParams>(truth).eta;
  const double b = model.b;
  const double mean = gaussian::relu_mean(model.w, b);
  const double second = gaussian::relu_second_moment(model.w, b);
  const double correlation = parity::relu_parity_correlation(model.w, b, S);
  const double loss = second - mean - (1 - 2 * eta) * correlation + 0.5;
  return {std::max(loss, 0.0), 0.0, "exact", 0};
}

// The ground truth of the lifted parity on S (sorted; the padding coordinate last when padded)
// over d = variables (+ 1 when padded) coordinates.
GroundTruth parity_truth(const std::vector<std::size_t>& S, std::size_t variables, std::size_t k,
                         bool padded, double eta, std::uint64_t seed, nlohmann::json params) {
  const std::size_t d = variables + (padded ? 1 : 0);
  const parity::ParityGap gap = parity::parity_gap(S.size(), eta);
  const std::vector<double> signs = parity::best_signs(S.size());
  std::vector<double> direction(d, 0.0);
  for (std::size_t j = 0; j < S.size(); ++j)
    direction[S[j]] = signs[j] / std::sqrt(static_cast<double>(S.size()));
  GroundTruth truth;
  truth.family = "sparse-parity";
  truth.d = d;
  truth.seed = seed;
  truth.w_star = direction;
  for (double& v : truth.w_star) v *= gap.best_scale;
  truth.b_star = 0;
  truth.teacher_loss = gap.opt;
  truth.radius = 1;
  truth.homogeneous = ClassOpt{
      gap.opt,
      "exact",
      1e-12,
      fmt::format("over ReLUs max(0, w.x) with ||w|| <= 1 (GKK19's class, no bias): the best "
                  "direction is 1_S/sqrt(k) with signs, scale 1/sqrt(2 pi) + (1 - 2 eta)|c_k| = "
                  "{:.6g}; opt = 1/2 - scale^2/2 (papers.md 1.4 step 6; c_k by quadrature to "
                  "relative 1e-12; the direction's optimality checked numerically)",
                  gap.best_scale),
      truth.w_star,
      0.0};
  truth.params = std::move(params);
  truth.facts = {{"S", S},
                 {"k", S.size()},
                 {"k_requested", k},
                 {"variables", variables},
                 {"padded", padded},
                 {"pad_coordinate", padded ? nlohmann::json(variables) : nlohmann::json(nullptr)},
                 {"eta", eta},
                 {"c_k", gap.c_k},
                 {"best_direction", direction},
                 {"best_scale", gap.best_scale},
                 {"opt", gap.opt},
                 {"b0", gap.b0},
                 {"gap", gap.gap},
                 {"labels", "y = (1 + l)/2, l = prod_{i in S} sign(x_i), flipped w.p. eta"}};
  // With a bias the constant 1/2 = E[y] already has loss Var y = 1/4 < opt: an upper
  // bound on the opt of ReLUs with bias (a better biased ReLU is not searched for).
  truth.opt = 0.25;
  truth.opt_kind = "upper-bound";
  truth.opt_note =
      "over ReLUs max(0, w.x + b) with ||w|| <= 1: the constant 1/2 = E[y] (w = 0, b = 1/2) "
      "has loss Var y = 1/4 (exact); no better ReLU with bias is searched for";
  truth.w_opt.assign(d, 0.0);
  truth.b_opt = 0.5;
  return truth;
}

}  // namespace

// Klivans–Kothari's Gaussian lift (papers.md §1.4 steps 1–3): b uniform in {±1}^d, x_j = b_j |z_j|
// with z_j ~ N(0, 1) (so x ~ N(0, I) and b = sign x, read back from the stored float's sign bit),
// ℓ = χ_S(b) flipped with probability eta, y = (1 + ℓ)/2.
RowDistribution sparse_parity_rows(const GroundTruth& truth) {
  const double eta = truth_params<SparseParityParams>(truth).eta;
  RowDistribution rows;
  rows.d = truth.d;
  rows.draw_coordinate = [](BlockRandom& random) {
    const double bit = random.uniform() < 0.5 ? -1.0 : 1.0;
    return bit * std::abs(random.normal());
  };
  rows.draw_label = [S = planted_set(truth), eta](const float* x, BlockRandom& random) {
    double parity = 1;
    for (std::size_t i : S) parity *= std::signbit(x[i]) ? -1.0 : 1.0;
    const double label = random.uniform() < eta ? -parity : parity;
    return (1 + label) / 2;
  };
  // Var(y | x) = η(1 − η) for y ∈ {0, 1} flipped with probability η.
  rows.label_mean = [S = planted_set(truth), eta](const float* x) {
    double parity = 1;
    for (std::size_t i : S) parity *= std::signbit(x[i]) ? -1.0 : 1.0;
    return (1 + (1 - 2 * eta) * parity) / 2;
  };
  rows.label_variance = [eta](const float*) { return eta * (1 - eta); };
  return rows;
}

FamilyEntry sparse_parity_family() {
  return family_entry<SparseParityParams>(
      [](const GenerateRequest& request, const SparseParityParams& p) {
        const std::size_t variables = request.d;
        const std::size_t k = p.k;
        if (k > variables)
          throw InputError(
              fmt::format("family 'sparse-parity': k = {} exceeds the number of variables d = {}",
                          k, variables));
        const bool padded = p.pad && k % 2 == 1;

        // S: a uniformly random k-subset of the variables (partial Fisher–Yates), sorted.
        BlockRandom random(make_rng(request.seed, static_cast<std::uint64_t>(Stream::teacher)));
        std::vector<std::size_t> order(variables);
        std::iota(order.begin(), order.end(), 0);
        for (std::size_t i = 0; i < k; ++i) {
          const std::size_t j = i + static_cast<std::size_t>(random.uniform() * (variables - i));
          std::swap(order[i], order[std::min(j, variables - 1)]);
        }
        std::vector<std::size_t> S(order.begin(), order.begin() + k);
        std::sort(S.begin(), S.end());
        if (padded) S.push_back(variables);

        return parity_truth(S, variables, k, padded, p.eta, request.seed, params_json(p));
      },
      model_losses([](const ReluModel& model, const GroundTruth& truth, const Engine&) {
        return parity_population_loss(model, truth);
      }),
      sparse_parity_rows);
}

}  // namespace relureg::families

namespace relureg {

GroundTruth lifted_parity_truth(std::vector<std::size_t> S, std::size_t d, double eta,
                                std::uint64_t seed) {
  std::sort(S.begin(), S.end());
  if (S.empty() || std::adjacent_find(S.begin(), S.end()) != S.end() || S.back() >= d)
    throw InputError(fmt::format("the parity's set S must list distinct indices below d = {}", d));
  if (!(eta >= 0 && eta <= 0.499))
    throw InputError(fmt::format("the parity's noise rate eta = {} is outside [0, 0.499]", eta));
  families::SparseParityParams p;
  p.k = S.size();
  p.eta = eta;
  p.pad = false;
  return families::parity_truth(S, d, S.size(), false, eta, seed, params_json(p));
}

}  // namespace relureg
