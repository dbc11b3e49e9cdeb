// The data commands: generate, fit, evaluate, predict.
#include <fmt/format.h>

#include <filesystem>

#include "cli.hpp"
#include "progress.hpp"
#include "relureg/any_model.hpp"
#include "relureg/error.hpp"
#include "relureg/evaluation.hpp"
#include "relureg/family.hpp"
#include "relureg/io.hpp"
#include "relureg/learner.hpp"

namespace relureg::cli {
namespace {

Engine make_engine(const CommonOptions& c) {
  return Engine(EngineOptions{c.threads});
}

Dataset read_input(const std::string& path, const std::string& label, const std::string& labels,
                   bool require_labels) {
  ReadOptions options;
  options.label_column = label;
  options.labels = labels;
  options.require_labels = require_labels;
  return read_dataset(path, options);
}

}  // namespace

std::string truth_path_for(const std::string& data_path) {
  std::filesystem::path p(data_path);
  return (p.parent_path() / (p.stem().string() + ".truth.json")).string();
}

int cmd_generate(const GenerateOptions& o, const CommonOptions& c, std::ostream& out) {
  detect_format(o.output);  // fail on a bad extension before any work
  const Engine engine = make_engine(c);
  const Instance instance = generate_instance(o.family, o.n, o.d, c.seed, o.params, engine);
  const std::string truth_path = truth_path_for(o.output);
  // Both files appear or neither: the truth is written to a temporary name first.
  write_atomically(truth_path, [&](const std::filesystem::path& tmp_truth) {
    write_text_atomically(tmp_truth, to_json(instance.truth).dump(2) + "\n");
    write_dataset(o.output, instance.data);
  });
  if (!c.quiet)
    out << fmt::format("wrote {} ({} rows, {} features) and {} (opt = {:.6g}, {})\n", o.output,
                       instance.data.n, instance.data.d, truth_path, instance.truth.opt,
                       instance.truth.opt_kind);
  return 0;
}

int cmd_fit(const FitOptions& o, const CommonOptions& c, std::ostream& out, std::ostream& err) {
  const LearnerEntry& entry = find_learner(o.learner);
  const ParamValues params =
      ParamValues::parse(entry.params, o.params, "learner '" + entry.name + "'");
  if (std::filesystem::path(o.output).extension() != ".json")
    throw InputError(o.output + ": the model file must end in .json");
  const Dataset data = read_input(o.data, o.label, o.labels, true);
  const Engine engine = make_engine(c);
  FitContext context{&engine, o.bias, c.seed, {}};
  if (const auto estimate = estimate_learner(entry, params, data.view(), context);
      estimate && !c.quiet)
    err << estimate->summary << "\n";
  ProgressBar bar(err, !c.quiet && stderr_is_terminal(), entry.name);
  context.progress = bar.callback();
  const FitResult result = fit_learner(entry, params, data.view(), context);
  bar.finish();

  ModelFile file;
  set_fitted_model(file, result, entry.task);
  file.learner = entry.name;
  file.params = params.to_json();
  file.metrics = {{"train_loss", result.loss_history.empty() ? 0.0 : result.loss_history.back()},
                  {"passes", result.passes},
                  {"seconds", result.seconds},
                  {"stop_reason", result.stop_reason},
                  {"n", data.n},
                  {"seed", c.seed},
                  {"loss_history", result.loss_history},
                  {"details", result.details}};
  write_model_file(o.output, file);
  if (!c.quiet)
    out << fmt::format("{}: train loss {:.6g}, {} passes, {:.3f} s, stop: {}; wrote {}\n",
                       entry.name, file.metrics["train_loss"].get<double>(), result.passes,
                       result.seconds, result.stop_reason, o.output);
  return 0;
}

int cmd_evaluate(const EvaluateOptions& o, const CommonOptions& c, std::ostream& out) {
  const ModelFile file = read_model_file(o.model);
  const Dataset data = read_input(o.data, o.label, o.labels, true);
  check_dimension(file, data.d, o.data);
  const Engine engine = make_engine(c);
  const Evaluation ev = evaluate(engine, file, data.view());
  nlohmann::json j = {{"loss", ev.loss}, {"n", ev.n}};
  if (!o.truth.empty()) {
    const GroundTruth truth = read_ground_truth(o.truth);
    check_dimension(file, truth.d, o.truth);
    const PopulationLoss pop = population_loss(file, truth, engine);
    j["population_loss"] = pop.value;
    j["population_loss_method"] = pop.method;
    if (pop.method != "exact") j["population_loss_stderr"] = pop.stderr_;
    j["opt"] = truth.opt;
    j["opt_kind"] = truth.opt_kind;
    j["excess"] = pop.value - truth.opt;
    if (truth.opt > 0) j["ratio_to_opt"] = pop.value / truth.opt;
  }
  out << j.dump() << "\n";
  return 0;
}

int cmd_predict(const PredictOptions& o, const CommonOptions& c, std::ostream& out) {
  const ModelFile file = read_model_file(o.model);
  const Dataset data = read_input(o.data, o.label, o.labels, false);
  check_dimension(file, data.d, o.data);
  const Engine engine = make_engine(c);
  write_column_csv(o.output, "prediction", predict(engine, file, data.view()));
  if (!c.quiet) out << fmt::format("wrote {} ({} predictions)\n", o.output, data.n);
  return 0;
}

}  // namespace relureg::cli
