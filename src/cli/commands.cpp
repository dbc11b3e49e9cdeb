// The data commands fit, evaluate and predict (generate: generate_command.cpp).
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <vector>

#include "cli.hpp"
#include "fit_data.hpp"
#include "option_checks.hpp"
#include "progress.hpp"
#include "relureg/auto_learner.hpp"
#include "relureg/distributed.hpp"
#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/fit_monitor.hpp"
#include "relureg/halfspace.hpp"
#include "relureg/io.hpp"
#include "relureg/learner.hpp"
#include "relureg/model_ops.hpp"
#include "relureg/query_oracle.hpp"
#include "relureg/score.hpp"
#include "relureg/sources.hpp"
#include "relureg/standardize.hpp"

namespace relureg::cli {
namespace {

Engine make_engine(const CommonOptions& c) {
  return Engine(EngineOptions{c.threads});
}

// A model file and the data it is applied to, with matching dimensions.
struct ModelAndData {
  ModelFile file;
  Dataset data;
};
ModelAndData read_model_and_data(const std::string& model, const std::string& data,
                                 ReadOptions read, bool require_labels) {
  read.require_labels = require_labels;
  ModelAndData both{read_model_file(model), read_dataset(data, read)};
  check_dimension(both.file.model, both.data.d, data);
  return both;
}

}  // namespace

int cmd_fit(const FitOptions& o, const CommonOptions& c, std::ostream& out, std::ostream& err) {
  // "auto" (fit_auto) fits gd and glmtron: checked as gd, which takes the same tasks and weights.
  const bool automatic = o.learner == kAutoLearner;
  const LearnerEntry& entry = find_learner(automatic ? "gd" : o.learner);
  if (automatic && !o.task.empty() && o.task != task_name(Task::relu))
    throw InputError(fmt::format("learner 'auto' fits a relu; --task {} needs one of: {}", o.task,
                                 learner_names(task_from_name(o.task))));
  check_task(entry, o.task);
  ParamValues params;
  if (!automatic)
    params = ParamValues::parse(entry.params, o.params, "learner '" + entry.name + "'");
  params.set_fit_bias(o.bias);
  if (std::filesystem::path(o.output).extension() != ".json")
    throw InputError(o.output + ": the model file must end in .json");
  check_output_path(o.output, {o.data, o.read.labels.string(), o.weights, o.truth});
  // NPY data is mapped in place (each MPI rank maps its own rows); CSV is read into memory.
  const FitData input(o.data, o.read, entry.task == Task::halfspace || o.sq_tolerance > 0);
  // Sample weights: every pass of the learner weighs the rows (learners that take them).
  std::vector<double> weights;
  std::optional<WeightedSource> weighted;
  if (!o.weights.empty()) {
    if (!entry.takes_weights)
      throw InputError(
          fmt::format("--weights: learner '{}' does not take sample weights "
                      "(learners that do: {})",
                      entry.name, weighted_learner_names()));
    weights = read_weights(o.weights, input.source().rows(), o.data);
    weighted.emplace(input.source(), weights, o.weights);
  }
  const DataSource& source = weighted ? static_cast<const DataSource&>(*weighted) : input.source();
  Engine engine = make_engine(c);
  engine.set_collective(input.collective());
  if (entry.task == Task::halfspace) require_halfspace_labels(engine, input.memory(), o.data);
  FitContext context{&engine, c.seed, {}};
  context.standardize = o.bias && !o.raw_features;  // as the Python ReLURegressor
  std::optional<GroundTruth> truth;  // read by the reference oracles only (hs-adversarial)
  if (!o.truth.empty()) {
    truth = read_ground_truth(o.truth);
    context.truth = &*truth;
  }
  // Exponential-time learners say what the fit will cost before it starts (before any oracle, so
  // that their time probes are not counted as statistical queries).
  if (const auto estimate =
          automatic ? std::nullopt : estimate_learner(entry, params, source, context);
      estimate && !c.quiet)
    err << estimate->summary << "\n";
  std::shared_ptr<StatisticalQueryOracle> oracle;
  if (o.sq_tolerance > 0) {
    oracle = make_query_oracle(o.sq_oracle, o.sq_tolerance, input.memory().y, c.seed, c.threads);
    engine.set_query_oracle(oracle);
  }
  ProgressBar bar(err, !c.quiet && stderr_is_terminal(), entry.name);
  FitTimeline timeline;
  context.progress = combine({bar.callback(), record_timeline(&timeline)});
  FitResult result;
  const LearnerEntry* fitted = &entry;
  if (automatic) {
    AutoFit choice = fit_auto(o.params, o.bias, source, context);
    result = std::move(choice.result);
    fitted = choice.entry;
    params = std::move(choice.params);
  } else {
    result = fit_learner_standardized(entry, params, source, context);
  }
  bar.finish();

  ModelFile file;
  file.model = result.model;
  file.learner = fitted->name;
  file.params = params.to_json();
  const bool halfspace = entry.task == Task::halfspace;  // its history is the 0/1 error
  const std::string train_key = halfspace ? "train_error" : "train_loss";
  file.metrics = {{train_key, result.loss_history.empty() ? 0.0 : result.loss_history.back()},
                  {"passes", result.passes},
                  {"seconds", result.seconds},
                  {"stop_reason", result.stop_reason},
                  {"n", input.source().rows()},
                  {"weights", o.weights.empty() ? nlohmann::json() : nlohmann::json(o.weights)},
                  {"seed", c.seed},
                  {"loss_history", result.loss_history},
                  {"timeline", {{"passes", timeline.passes}, {"seconds", timeline.seconds}}},
                  {"details", result.details}};
  if (oracle) {  // the learner saw perturbed means; report the exact training loss too
    file.metrics["sq"] = {{"tolerance", oracle->tolerance()},
                          {"oracle", oracle->kind()},
                          {"queries", oracle->queries()},
                          {"values", oracle->values()}};
    file.metrics[train_key + "_exact"] = evaluate(make_engine(c), file.model, source).loss;
  }
  if (process_rank() == 0) write_model_file(o.output, file);  // rank 0 alone writes
  if (!c.quiet)
    out << fmt::format("{}: train {} {:.6g}, {} passes, {:.3f} s, stop: {}; wrote {}\n",
                       automatic ? "auto (" + fitted->name + ")" : fitted->name,
                       halfspace ? "0/1 error" : "loss", file.metrics[train_key].get<double>(),
                       result.passes, result.seconds, result.stop_reason, o.output);
  return 0;
}

int cmd_evaluate(const EvaluateOptions& o, const CommonOptions& c, std::ostream& out) {
  const auto [file, data] = read_model_and_data(o.model, o.data, o.read, true);
  const Engine engine = make_engine(c);
  // A halfspace's loss is its 0/1 error, over ±1 labels.
  if (file.task() == Task::halfspace) require_halfspace_labels(engine, data, o.data);
  const Evaluation ev = evaluate(engine, file.model, data.view());
  nlohmann::json j = {{"measure", task_measure(file.task())}, {"loss", ev.loss}, {"n", ev.n}};
  if (!o.truth.empty()) {
    const GroundTruth truth = read_ground_truth(o.truth);
    check_dimension(file.model, truth.d, o.truth);
    try {
      j.update(to_json(score(file.model, truth, engine)));
    } catch (const InputError& e) {
      throw InputError(o.truth + ": " + e.what());
    }
  }
  out << j.dump() << "\n";
  return 0;
}

int cmd_predict(const PredictOptions& o, const CommonOptions& c, std::ostream& out) {
  check_output_path(o.output, {o.model, o.data, o.read.labels.string()});
  const auto [file, data] = read_model_and_data(o.model, o.data, o.read, false);
  const Engine engine = make_engine(c);
  write_column_csv(o.output, file.task() == Task::halfspace ? "label" : "prediction",
                   predict(engine, file.model, data.view()));
  if (!c.quiet) out << fmt::format("wrote {} ({} predictions)\n", o.output, data.n);
  return 0;
}

}  // namespace relureg::cli
