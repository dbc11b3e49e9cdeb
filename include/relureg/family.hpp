// Instance families: generators that return data together with its ground truth.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "relureg/dataset.hpp"
#include "relureg/engine.hpp"
#include "relureg/model.hpp"
#include "relureg/params.hpp"

namespace relureg {

namespace families {
struct RowDistribution;  // sampling: the law of one family's rows
}  // namespace families
using families::RowDistribution;

// The opt of one class of models and how it is known. `opt_kind` is "exact" (a closed form, or
// quadrature and a low-dimensional minimisation whose error is at most `opt_error`),
// "upper-bound" (the loss of an explicit model, `w_opt`/`b_opt`, certified as `opt_note` says) or
// "lower-bound" (`opt_note` says why no model does better).
struct ClassOpt {
  double opt = 0;
  std::string opt_kind = "exact";
  double opt_error = 0;  // "exact": bound on |opt - true opt| (0 for a closed form)
  std::string opt_note;
  std::vector<double> w_opt;  // the model attaining (exact) or certifying (upper bound) opt
  double b_opt = 0;
};

// The ground truth of a generated instance. `opt` is the smallest population loss over the
// family's class of models (within `radius`): for the ReLU families, ReLUs with a bias
// max(0, w.x + b); `homogeneous` holds the opt over ReLUs without one, max(0, w.x), which is
// what a learner fits unless asked for a bias (score() scores each fit against its own class).
// `opt_kind`/`opt_error`/`opt_note`/`w_opt`/`b_opt` are as in ClassOpt.
struct GroundTruth {
  std::string family;
  std::size_t d = 0;
  std::uint64_t seed = 0;
  std::vector<double> w_star;  // the teacher
  double b_star = 0;
  double opt = 0;
  std::string opt_kind = "exact";
  double opt_error = 0;
  std::string opt_note;
  std::vector<double> w_opt;  // the best ReLU known (equals the teacher unless a search beat it)
  double b_opt = 0;
  // ReLU families: the opt over homogeneous ReLUs (b = 0); written as "homogeneous" (keys opt,
  // opt_kind, opt_error, opt_note, w_opt). Empty for families of other model classes.
  std::optional<ClassOpt> homogeneous;
  double teacher_loss = 0;  // population loss of the teacher
  double radius = 0;        // norm bound of the class opt is taken over (inf = unbounded)
  nlohmann::json params = nlohmann::json::object();  // the family's parameters
  // Further facts a family derives (e.g. sparse-parity's set S, b0 and gap); written as "facts"
  // when not empty.
  nlohmann::json facts = nlohmann::json::object();
  // Families whose teacher is not one ReLU (teacher-net2, orthogonal-net, binact-teacher): the
  // teacher model and what else the family knows (subset, variance, ...); null otherwise. Their
  // w_star and w_opt are zero vectors, and opt is taken over the teacher's model class.
  nlohmann::json teacher;
};

// The opt a ReLU is scored against: the homogeneous record when `bias` is false and the truth
// has one, the family's opt otherwise.
ClassOpt class_opt(const GroundTruth& truth, bool bias);
// "homogeneous ReLUs" or "ReLUs with bias" for a ReLU family; task_models of the family's task
// otherwise.
std::string class_opt_name(const GroundTruth& truth, bool bias);

nlohmann::json to_json(const GroundTruth& truth);
GroundTruth ground_truth_from_json(const nlohmann::json& j, const std::string& origin);
// Reads a `.truth.json` file; InputError naming the file when it is missing or malformed.
GroundTruth read_ground_truth(const std::string& path);

struct Instance {
  Dataset data;
  GroundTruth truth;
};

// Population square loss of a model on the instance's distribution, and how it was obtained:
// "exact" (closed form; stderr 0) or "monte-carlo" (a fresh sample of `samples` rows).
struct PopulationLoss {
  double value = 0;
  double stderr_ = 0;
  std::string method;
  std::size_t samples = 0;
};

// The blocks (kBlockRows rows each) of an instance's n rows that a generator draws: all of them
// by default, or blocks [first, end) only (one process's shard). Block k's rows come from their
// own random stream, so a part holds exactly those rows of the whole instance.
struct RowBlocks {
  std::size_t first = 0;
  std::size_t end = std::numeric_limits<std::size_t>::max();
};

// What a family's generator is asked for: the family's name, the instance's size and seed, and
// the engine to compute with (generate_instance checks n >= 1 and d >= 1 first).
struct GenerateRequest {
  std::string family;
  std::size_t n = 0;
  std::size_t d = 0;
  std::uint64_t seed = 0;
  const Engine& engine;
  RowBlocks blocks = {};  // the rows to draw (all by default)
};

struct FamilyEntry {
  std::string name;
  std::string description;  // one line
  Task task = Task::relu;   // the models its opt is about: ReLUs, halfspaces (0/1 error), networks
  ParamTable params;        // family-specific parameters (n, d and seed are arguments of generate)
  std::function<Instance(const GenerateRequest&, const ParamValues&)> generate;
  // The family's own population loss of a model, for the kinds of model it has one for (a closed
  // form, or Monte Carlo at its own sample size); nullopt for the others, whose loss
  // model_ops.hpp's population_loss takes by Monte Carlo over `rows`. See families::model_losses.
  std::function<std::optional<PopulationLoss>(const Model&, const GroundTruth&, const Engine&)>
      population_loss;
  // The law of the instance's rows, rebuilt from its ground truth (seed, teacher, params), so
  // that fresh samples for Monte-Carlo checks come from exactly the instance's distribution.
  std::function<RowDistribution(const GroundTruth&)> rows;
};

// The one explicit table of instance families.
const std::vector<FamilyEntry>& family_table();
// InputError "unknown family 'x' (choose one of: realizable, label-noise, ...)".
const FamilyEntry& find_family(const std::string& name);
std::string family_names();

// Convenience: look up, validate and generate (only the rows of `blocks`, when given).
Instance generate_instance(const std::string& family, std::size_t n, std::size_t d,
                           std::uint64_t seed, const std::vector<std::string>& assignments,
                           const Engine& engine, RowBlocks blocks = {});
// Monte-Carlo population losses use this many fresh rows.
inline constexpr std::size_t kMonteCarloSamples = 1000000;

}  // namespace relureg
