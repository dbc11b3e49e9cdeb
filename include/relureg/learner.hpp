// The learner interface, the fit result, and the one table naming every learner.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "relureg/engine.hpp"
#include "relureg/model.hpp"
#include "relureg/params.hpp"

namespace relureg {

// Reported after every pass that completes an iteration. Return false to stop the fit.
struct FitProgress {
  std::size_t iteration = 0;
  std::size_t max_iterations = 0;  // 0 when unknown
  std::size_t passes = 0;
  double loss = 0;       // current training square loss (NaN when not computed this iteration)
  double fraction = -1;  // share of the work done, when known (otherwise passes/max_iterations)
};
using ProgressCallback = std::function<bool(const FitProgress&)>;

struct GroundTruth;  // relureg/family.hpp

// What a fit may use besides its parameters. `seed` drives every random choice of the learner.
// Whether a bias is fitted is a model choice, carried by the learner's parameters (see bias_field).
struct FitContext {
  const Engine* engine = nullptr;
  std::uint64_t seed = 0;
  ProgressCallback progress;  // may be empty
  // A warm start: the iterative ReLU learners (gd, glmtron) start from this model instead of
  // their own initial point; the other learners ignore it. Null: a cold start.
  const ReluModel* initial = nullptr;
  // Descend as if the features were standardised (centred too when fitting a bias), so that the
  // fit does not depend on the features' location and scale (relureg/standardize.hpp). Used by
  // gd and glmtron; the other learners ignore it. The model stays in the caller's units.
  bool standardize = false;
  // The instance's ground truth, when the caller has one (the laboratory's generated instances,
  // `relureg fit --truth`); null otherwise. Only reference oracles read it (hs-adversarial, which
  // stands in for a worst-case black box and fails with a one-line error without it); a learner
  // of data never does. gkk19 passes it on to its halfspace learner.
  const GroundTruth* truth = nullptr;
};

struct FitResult {
  Model model;  // a ReluModel unless the learner's task is another (LearnerEntry::task)
  std::vector<double> loss_history;  // training square loss (halfspaces: 0/1 error) per iteration
  std::size_t passes = 0;            // passes over the data, counted by the engine
  double seconds = 0;                // wall time of the fit
  std::string stop_reason;           // "converged", "max_passes", "closed_form", "callback", ...
  nlohmann::json details = nlohmann::json::object();  // learner-specific (e.g. candidates)

  // The model as the kind M the learner fits (std::bad_variant_access for another kind).
  template <class M>
  const M& as() const {
    return std::get<M>(model);
  }
  ReluModel& relu() { return std::get<ReluModel>(model); }
  const ReluModel& relu() const { return std::get<ReluModel>(model); }
};

// What a learner expects a fit to cost, computed (and briefly measured) before it starts.
struct WorkEstimate {
  double seconds = 0;
  std::string summary;  // one line: the size of the search and how the time was estimated
};

class Learner {
 public:
  virtual ~Learner() = default;
  // Fits on labelled data. Divergence throws DivergenceError; bad data throws InputError.
  // Implementations fill model, loss_history, stop_reason, details; `fit_learner` below adds
  // passes and seconds.
  virtual FitResult fit(const DataSource& data, const FitContext& context) = 0;
  // The expected cost of `fit` for exponential-time learners; nullopt for the others.
  virtual std::optional<WorkEstimate> estimate(const DataSource&, const FitContext&) {
    return std::nullopt;
  }
};

// A learner configured by its typed parameter struct P, the one make_learner builds it from:
// derived learners read their parameters as p_ and inherit the constructor.
template <class P>
class ParamLearner : public Learner {
 public:
  explicit ParamLearner(const P& params) : p_(params) {}

 protected:
  const P p_;
};

struct LearnerEntry {
  std::string name;
  std::string description;  // one line
  std::string reference;    // the paper the algorithm comes from
  Task task = Task::relu;
  ParamTable params;
  std::function<std::unique_ptr<Learner>(const ParamValues&)> make;
  bool fits_bias = false;  // the parameter struct has a bias_field (set by --bias / bias=)
  // Reads sample weights (a WeightedSource): every pass weighs each row, so that a weight of 2
  // acts as the row duplicated and 0 as the row removed. fit_learner rejects weighted data for
  // the other learners with "learner 'x' does not take sample weights".
  bool takes_weights = false;
};

// Whether a learner takes sample weights (LearnerEntry::takes_weights).
enum class SampleWeights { rejected, taken };

// The one explicit table of learners: the CLI help, Python and error messages all read it.
const std::vector<LearnerEntry>& learner_table();
// InputError "unknown learner 'x' (choose one of: moment, gd, glmtron, exhaustive)".
const LearnerEntry& find_learner(const std::string& name);
std::string learner_names(Task task);  // "moment, gd, glmtron, exhaustive"
std::string weighted_learner_names();  // the learners that take sample weights, in table order

// Runs a learner: builds it from the table, times it and counts its passes. InputError when a
// bias is asked for (params.fit_bias()) and the learner fits none.
FitResult fit_learner(const LearnerEntry& entry, const ParamValues& params, const DataSource& data,
                      const FitContext& context);

// The learner's estimate of a fit's cost, if it gives one (see Learner::estimate).
std::optional<WorkEstimate> estimate_learner(const LearnerEntry& entry, const ParamValues& params,
                                             const DataSource& data, const FitContext& context);

// Builds a learner L from its typed parameters P (what a LearnerEntry's `make` does).
template <class L, class P>
std::function<std::unique_ptr<Learner>(const ParamValues&)> make_learner() {
  return [](const ParamValues& values) { return std::make_unique<L>(values.as<P>()); };
}

// The table entry of learner L with parameter struct P: the table, `make` and `fits_bias` all
// derived from P's field declarations. Name, task, description and reference come from the
// learner's line in the table (src/learners/learner_table.def).
template <class L, class P>
LearnerEntry learner_entry(SampleWeights weights = SampleWeights::rejected) {
  LearnerEntry entry;
  entry.params = param_table<P>();
  entry.make = make_learner<L, P>();
  for (const Field<P>& f : fields_of<P>())
    entry.fits_bias = entry.fits_bias || (!f.listed && f.name == "bias");
  entry.takes_weights = weights == SampleWeights::taken;
  return entry;
}

// Whether a bias is fitted, declared once: a learner that can fit one has a `bool bias = false`
// field declared with bias_field. It is set by the CLI's --bias, Python's bias= and the grid's
// `bias` key (ParamValues::set_fit_bias), not by "bias=1".
template <class P>
Field<P> bias_field(bool P::*member) {
  Field<P> f{"bias", member, "fit a bias b (default: b = 0, as in GKK19)"};
  f.listed = false;
  return f;
}

// Parameters shared by the learners, declared once here; each learner's default is the
// initialiser of its own struct's field.
template <class P>
Field<P> max_passes_field(std::size_t P::*member) {
  return {"max_passes", member, "stop after this many passes over the data", 1, 1e9};
}
template <class P>
Field<P> tol_field(double P::*member) {
  return {"tol", member,
          "stop when the relative change of the training loss falls below this (0 = never)", 0, 1};
}
template <class P>
Field<P> step_field(double P::*member, std::string doc) {
  return {"step", member, std::move(doc), 1e-12, 1e6};
}
template <class P>
Field<P> radius_field(double P::*member) {
  return {"radius", member, "norm bound W: the fit stays in ‖w‖ <= W (inf = unconstrained)", 1e-12,
          std::numeric_limits<double>::infinity()};
}

}  // namespace relureg
