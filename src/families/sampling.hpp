// Shared machinery of the instance families: random streams, row distributions, block sampling.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "relureg/dataset.hpp"
#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/model.hpp"
#include "relureg/overloaded.hpp"
#include "relureg/parallel.hpp"
#include "relureg/params.hpp"

namespace relureg::families {

// The independent random streams of one instance seed.
enum class Stream : std::uint64_t {
  teacher = 1,         // the teacher's direction
  side_direction = 2,  // the adversarial families' direction u ⊥ w*
  data = 3,            // the instance's rows
  search = 4,          // the fresh sample the opt search runs on
  evaluation = 5,      // Monte-Carlo population losses
};
std::uint64_t stream_seed(std::uint64_t seed, Stream stream);

// The random source of one block: a 64-bit Mersenne Twister plus the spare normal deviate of
// Marsaglia's polar method. Implemented here (not <random> distributions) so that the numbers
// are the same with every standard library.
class BlockRandom {
 public:
  explicit BlockRandom(std::mt19937_64 engine) : engine_(engine) {}
  double uniform();            // uniform on (0, 1), 53 random bits
  double normal();             // N(0, 1)
  double gamma(double shape);  // Gamma(shape, 1), Marsaglia–Tsang 2000

 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0;
};

// x such that P(g > x) = tail for g ~ N(0, 1) (bisection on erfc; accurate in both tails).
double upper_normal_quantile(double tail);

// A uniformly random unit vector of dimension d.
std::vector<double> random_unit_vector(std::size_t d, BlockRandom& random);
// A uniformly random unit vector orthogonal to the unit vector `unit` (Gram–Schmidt), drawn from
// the instance's own Stream::side_direction stream of `seed` (d ≥ 2).
std::vector<double> side_direction(const std::vector<double>& unit, std::uint64_t seed);

// A distribution of rows (x, y): i.i.d. coordinates, a label mean E[y | x] computed from the
// float32-rounded features, and optional additive noise of known variance, independent of x.
struct RowDistribution {
  std::size_t d = 0;
  std::function<double(BlockRandom&)> draw_coordinate;
  std::function<double(const float* x)> label_mean;
  std::function<double(BlockRandom&)> draw_noise;  // empty: no noise
  double noise_variance = 0;
  // Labels whose noise depends on x (e.g. y ∈ {±1} with P[y = 1 | x] = sigmoid(f(x))): when set,
  // the label is draw_label(x, random) instead of label_mean + noise, and Var(y | x) is
  // label_variance(x) (used by Monte Carlo instead of noise_variance).
  std::function<double(const float* x, BlockRandom&)> draw_label = {};
  std::function<double(const float* x)> label_variance = {};
};

// n rows of `rows` in blocks of kBlockRows, block k drawn from make_rng(seed, k), blocks in
// parallel on `threads` (for_blocks). With `blocks`, only the rows of those blocks (the same
// values as in the whole sample).
Dataset draw_dataset(const RowDistribution& rows, std::size_t n, std::uint64_t seed, int threads,
                     RowBlocks blocks = {});

// E[(ReLU(w·x + b) − y)²] = E[(ReLU(w·x + b) − E[y|x])²] + noise variance, the first term by
// Monte Carlo on `samples` fresh rows drawn block by block (never all stored), block sums added
// in block order so that the value does not depend on the thread count.
PopulationLoss monte_carlo_loss(const RowDistribution& rows, const ReluModel& model,
                                std::size_t samples, std::uint64_t seed, int threads);
// The same for any predictor f(x).
PopulationLoss monte_carlo_loss(const RowDistribution& rows,
                                const std::function<double(const float*)>& predict,
                                std::size_t samples, std::uint64_t seed, int threads);

// Standard normal coordinates and the noisy-teacher label y = ReLU(w*·x + b*) + ξ.
std::function<double(BlockRandom&)> gaussian_coordinate();
std::function<double(const float*)> teacher_label(const GroundTruth& truth);
// ξ with variance `variance`: "gaussian" or "uniform" (on [−√(3σ²), √(3σ²)]).
std::function<double(BlockRandom&)> noise_sampler(const std::string& kind, double variance);

// The teacher's norm, shared by every family with a single planted ReLU teacher.
struct TeacherNormParams {
  double norm = 1.0;

  RELUREG_FIELDS({{"norm", &P::norm, "norm ||w*|| of the teacher (> 0)", 0.0, kInfinity}})
};

// The parameters every planted-ReLU family has, declared once; a family's own parameter struct
// derives from it and lists inherit_fields<P, PlantedParams>({...its own fields...}).
struct PlantedParams : TeacherNormParams {
  double bias = 0.0;
  double radius = kInfinity;

  RELUREG_FIELDS(inherit_fields<P, TeacherNormParams>(
      {{"bias", &P::bias, "bias b* of the teacher", -kInfinity, kInfinity},
       {"radius", &P::radius, "opt is over ReLUs with ||w|| <= radius (at least norm)", 0.0,
        kInfinity}}))
};

// A family's entry: its parameter struct P (listing, parsing and messages come from
// fields_of<P>()), `truth_of(request, p)` making the ground truth (teacher, opt and how it is
// known), its own population losses (model_losses(...)) and the law of its rows. The instance's
// rows are drawn from rows(truth) on the data stream of its seed. Name, task and description
// come from the family's line in the table (family_table.def).
template <class P, class TruthOf, class Losses>
FamilyEntry family_entry(TruthOf truth_of, Losses losses,
                         std::function<RowDistribution(const GroundTruth&)> rows) {
  FamilyEntry entry;
  entry.params = param_table<P>();
  entry.generate = [truth_of, rows](const GenerateRequest& request, const ParamValues& values) {
    GroundTruth truth = truth_of(request, values.as<P>());
    Dataset data = draw_dataset(rows(truth), request.n, stream_seed(request.seed, Stream::data),
                                request.engine.threads(), request.blocks);
    return Instance{std::move(data), std::move(truth)};
  };
  entry.population_loss = std::move(losses);
  entry.rows = std::move(rows);
  return entry;
}

// Validates d and the common parameters, draws the teacher and fills the ground truth's
// family, d, seed, w_star, b_star, radius and params (`params`: the family's parameters as
// JSON; opt fields are left to the family).
GroundTruth planted_truth(const GenerateRequest& request, const PlantedParams& common,
                          nlohmann::json params);
// A ground truth of the request's family, d and seed with the ReLU fields neutral
// (w_star = w_opt = 0, b 0, radius inf) and the given params; the family fills in the rest.
GroundTruth blank_truth(const GenerateRequest& request, nlohmann::json params);
// planted_truth for a teacher plus independent noise of variance `noise`: the teacher is
// E[y|x] and lies within the radius, so opt = noise exactly.
GroundTruth noisy_teacher_truth(const GenerateRequest& request, const PlantedParams& common,
                                double noise, nlohmann::json params);

// A family parameter stored in a ground truth's "params" as the text a user would type
// (numbers, "inf", words, 1/0 for booleans); InputError "ground truth of family 'f' lacks
// parameter 'x'" when it is missing.
std::string truth_text(const GroundTruth& truth, const std::string& name);

// The family's parameters stored in a ground truth, as its typed struct P (every parameter must
// be there; values are checked as when generating).
template <class P>
P truth_params(const GroundTruth& truth) {
  std::map<std::string, std::string> texts;
  for (const Field<P>& f : fields_of<P>())
    if (f.listed) texts[f.name] = truth_text(truth, f.name);
  return ParamValues::from_map(param_table<P>(), texts,
                               "ground truth of family '" + truth.family + "'")
      .template as<P>();
}

// InputError when the model's dimension differs from the instance's.
void check_model_dimension(const ReluModel& model, const GroundTruth& truth);

// A family's population-loss slot (FamilyEntry::population_loss) from one function per kind of
// model it has its own loss for, each taking (const M&, const GroundTruth&, const Engine&) for one
// alternative M of Model; the other kinds get nullopt (Monte Carlo over the family's rows).
template <class... Fn>
auto model_losses(Fn... fn) {
  return [=](const Model& model, const GroundTruth& truth,
             const Engine& engine) -> std::optional<PopulationLoss> {
    const Overloaded losses{fn..., [](const auto&, const GroundTruth&, const Engine&) {
                              return std::optional<PopulationLoss>();
                            }};
    return std::visit(
        [&](const auto& m) { return std::optional<PopulationLoss>(losses(m, truth, engine)); },
        model);
  };
}

// The ReLU of the teacher and of the best known fit, as models.
ReluModel teacher_model(const GroundTruth& truth);

double dot(std::span<const double> u, std::span<const double> v);

}  // namespace relureg::families
