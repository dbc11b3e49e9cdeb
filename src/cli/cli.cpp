// Command-line parsing (CLI11): subcommands, shared flags, and the single error handler.
#include "cli.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "option_checks.hpp"

#include "relureg/auto_learner.hpp"
#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/learner.hpp"

namespace relureg::cli {
namespace {

// `notes` collects what the checks tell the user (a clamped thread count).
void add_common(CLI::App* app, CommonOptions& c, std::vector<std::string>& notes) {
  app->add_option("--threads", c.threads, "worker threads (0 = all cores; at most 4 per core)")
      ->transform(thread_count("--threads", notes));
  app->add_option("--seed", c.seed, "random seed (0 to 2^64 - 1)")->transform(whole_number());
  app->add_flag("--quiet", c.quiet, "print only the results");
}

void add_params(CLI::App* app, std::vector<std::string>& params, const std::string& owner,
                const std::string& listing) {
  app->add_option(
         "--param", params,
         "set a " + owner + " parameter, name=value (repeatable; see `relureg " + listing + "`)")
      ->allow_extra_args(false);
}

// A subcommand whose first argument is the data file it reads (required).
CLI::App* add_data_command(CLI::App& app, const std::string& name, const std::string& doc,
                           std::string& data,
                           const std::string& data_doc = "data file (.csv or .npy)") {
  CLI::App* command = app.add_subcommand(name, doc);
  command->add_option("data", data, data_doc)->required();
  return command;
}

void add_data_flags(CLI::App* app, ReadOptions& read) {
  app->add_option("--label", read.label_column, "CSV: name of the label column")
      ->capture_default_str();
  app->add_option("--labels", read.labels, "NPY: labels file (default: <stem>.labels.npy)");
}

void add_sq_flags(CLI::App* app, double& tolerance, std::string& oracle) {
  app->add_option("--sq-tolerance", tolerance,
                  "statistical-query mode: every mean the learner asks for is answered within "
                  "this tolerance (0 = exact)")
      ->check(non_negative_number());
  app->add_option("--sq-oracle", oracle,
                  "how SQ answers err: adversarial (towards labels independent of x) or random")
      ->check(CLI::IsMember({"adversarial", "random"}))
      ->capture_default_str();
}

}  // namespace

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"relureg: learn a ReLU max(0, w·x + b) from samples with arbitrary labels"};
  app.name("relureg");
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "help for every subcommand");
  CommonOptions common;
  std::vector<std::string> option_notes;  // printed before the command runs

  GenerateOptions gen;
  CLI::App* generate = app.add_subcommand("generate", "generate an instance and its ground truth");
  generate->add_option("--family", gen.family, "instance family: " + family_names())->required();
  generate->add_option("--n", gen.n, "samples")->capture_default_str()->transform(whole_number(1));
  generate->add_option("--d", gen.d, "features")->capture_default_str()->transform(whole_number(1));
  add_params(generate, gen.params, "family", "families");
  generate
      ->add_option("-o,--output", gen.output,
                   "data file (.csv or .npy), or a folder (no extension) of NPY shards, one "
                   "per process under mpirun; truth goes to <stem>.truth.json")
      ->required();
  add_common(generate, common, option_notes);

  FitOptions fit;
  CLI::App* fit_cmd = add_data_command(app, "fit", "fit a learner to a data file", fit.data);
  fit_cmd
      ->add_option("--learner", fit.learner,
                   "learner: auto (" + auto_rule() + "), " + learner_names(Task::relu) +
                       "; for ±1 labels: " + learner_names(Task::halfspace) +
                       "; depth-2 networks: " + learner_names(Task::net2) +
                       "; binary-activation networks: " + learner_names(Task::binact2) +
                       "; single-index models: " + learner_names(Task::sim) +
                       "; piecewise (improper) ReLU regression: " + learner_names(Task::piecewise))
      ->required();
  fit_cmd->add_option("--task", fit.task,
                      "relu (square loss), halfspace (±1 labels, 0/1 error), net2 or binact2 "
                      "(networks, square loss), sim (single-index models, square loss), piecewise "
                      "(improper ReLU regression, square loss); default: the learner's");
  add_params(fit_cmd, fit.params, "learner", "learners");
  fit_cmd->add_flag("--bias", fit.bias,
                    "fit a bias b (default: no bias, b = 0, the homogeneous ReLU of GKK19; the "
                    "Python ReLURegressor fits one by default)");
  fit_cmd->add_flag("--raw-features", fit.raw_features,
                    "with --bias, fit on the features as they are (default: standardised, gd and "
                    "glmtron by preconditioned steps, the other ReLU learners on a standardised "
                    "copy, so the fit does not depend on the features' means and scales; the "
                    "model is in the data's units either way)");
  add_data_flags(fit_cmd, fit.read);
  fit_cmd->add_option("--weights", fit.weights,
                      "sample weights: a one-column .csv (optional header, one number >= 0 per "
                      "data row) or a 1-D .npy; a weight of 2 counts the row twice, 0 leaves it "
                      "out. Learners that take them: " +
                          weighted_learner_names());
  fit_cmd->add_option("--truth", fit.truth,
                      "ground truth (.truth.json) for the reference oracles that read it "
                      "(hs-adversarial, also as gkk19's halfspace=hs-adversarial); the learners "
                      "of data ignore it");
  fit_cmd->add_option("-o,--output", fit.output, "model file (.json)")->required();
  add_sq_flags(fit_cmd, fit.sq_tolerance, fit.sq_oracle);
  add_common(fit_cmd, common, option_notes);

  EvaluateOptions ev;
  CLI::App* evaluate = app.add_subcommand(
      "evaluate", "square loss of a model (0/1 error of a halfspace model) on a data file");
  evaluate->add_option("--model", ev.model, "model file (.json)")->required();
  evaluate->add_option("data", ev.data, "data file (.csv or .npy)")->required();
  evaluate->add_option("--truth", ev.truth,
                       "ground truth (.truth.json) to add the population loss and opt");
  add_data_flags(evaluate, ev.read);
  add_common(evaluate, common, option_notes);

  PredictOptions pr;
  CLI::App* predict = app.add_subcommand("predict", "write the model's predictions as CSV");
  predict->add_option("--model", pr.model, "model file (.json)")->required();
  predict->add_option("data", pr.data, "data file (.csv or .npy); labels are not needed")
      ->required();
  add_data_flags(predict, pr.read);
  predict->add_option("-o,--output", pr.output, "predictions (.csv)")->required();
  add_common(predict, common, option_notes);

  CLI::App* learners = app.add_subcommand("learners", "list the learners and their parameters");
  CLI::App* families = app.add_subcommand("families", "list the instance families");

  DemoOptions demo;
  CLI::App* demo_cmd =
      app.add_subcommand("demo", "generate an instance, fit every learner, compare with opt");
  demo_cmd->add_option("--family", demo.family, "instance family: " + family_names())
      ->capture_default_str();
  demo_cmd->add_option("--n", demo.n, "samples")->capture_default_str()->transform(whole_number(1));
  demo_cmd->add_option("--d", demo.d, "features")
      ->capture_default_str()
      ->transform(whole_number(1));
  add_params(demo_cmd, demo.params, "family", "families");
  demo_cmd->add_flag("--bias", demo.bias, "fit a bias");
  add_common(demo_cmd, common, option_notes);

  TradeoffOptions trade;
  CLI::App* tradeoff_cmd = app.add_subcommand(
      "tradeoff", "run the time/accuracy grid: families × noise × d × n × learners × seeds");
  tradeoff_cmd->add_option("--config", trade.config,
                           "grid file (.toml or .json, see docs/tradeoff.md); default: built-in");
  tradeoff_cmd->add_option("--out", trade.out, "output folder (rerun to resume)")
      ->capture_default_str();
  tradeoff_cmd->add_option("--jobs", trade.jobs, "cells in parallel (0 = one per core)")
      ->transform(thread_count("--jobs", option_notes));
  tradeoff_cmd->add_option("--threads", common.threads, "threads per fit (0 = cores / jobs)")
      ->transform(thread_count("--threads", option_notes));
  tradeoff_cmd->add_flag("--no-figures", trade.no_figures, "do not draw the figures");
  tradeoff_cmd->add_flag("--print-config", trade.print_config,
                         "print the grid as TOML (a starting point for --config) and exit");
  tradeoff_cmd->add_flag("--print-keys", trade.print_keys,
                         "print the table of the config's keys (Markdown) and exit");
  tradeoff_cmd->add_flag("--quiet", common.quiet, "no progress, only the summary");

  RecoverParityOptions rp;
  CLI::App* recover = add_data_command(
      app, "recover-parity",
      "turn a ReLU learner into a sparse-parity solver (re-randomise one coordinate at a time); "
      "prints JSON",
      rp.data);
  recover->add_option("--learner", rp.recovery.learner, "learner: " + learner_names(Task::relu))
      ->required();
  add_params(recover, rp.recovery.params, "learner", "learners");
  recover
      ->add_option("--budget", rp.recovery.budget_passes,
                   "passes over the data per fit (0 = no limit)")
      ->transform(whole_number());
  recover
      ->add_option("--k", rp.k,
                   "size of S, also the subset size of a learner with a parameter k (default: "
                   "from the ground truth, or the learner's --param k=K)")
      ->transform(whole_number(1));
  recover->add_option("--eta", rp.eta, "label noise rate (default: from the ground truth)")
      ->check(CLI::Range(0.0, 0.5));
  recover->add_option("--holdout", rp.recovery.holdout, "fraction of rows kept to estimate losses")
      ->capture_default_str();
  recover->add_option("--truth", rp.truth, "ground truth (default: <stem>.truth.json if present)");
  add_sq_flags(recover, rp.recovery.sq_tolerance, rp.recovery.sq_oracle);
  add_data_flags(recover, rp.read);
  recover->add_option("-o,--output", rp.output, "also write the JSON result to this file");
  add_common(recover, common, option_notes);

  LiftParityOptions lift;
  CLI::App* lift_cmd = add_data_command(
      app, "lift-parity",
      "GKK19's reduction: lift a Boolean sparse-parity / LPN data set (features -1/1, labels -1/1 "
      "or 0/1) to a Gaussian ReLU-regression instance x = b·|z|, y = (1 + l)/2",
      lift.data, "Boolean data file (.csv or .npy)");
  add_data_flags(lift_cmd, lift.read);
  lift_cmd->add_option("-o,--output", lift.output, "lifted data file (.csv or .npy)")->required();
  CLI::Option* set_option =
      lift_cmd
          ->add_option("--set", lift.set,
                       "the planted set S when known (0-based feature indices, e.g. 0,3): also "
                       "writes <stem>.truth.json with the exact opt, as generate does")
          ->delimiter(',')
          ->transform(whole_number());
  lift_cmd->add_option("--eta", lift.eta, "the label noise rate of the planted parity (with --set)")
      ->check(CLI::Range(0.0, 0.499))
      ->needs(set_option);
  set_option->needs("--eta");
  add_common(lift_cmd, common, option_notes);

  ConvertOptions conv;
  CLI::App* convert =
      add_data_command(app, "convert", "stream a CSV data file into NPY (features and labels)",
                       conv.data, "CSV data file");
  convert->add_option("-o,--output", conv.output, "features file (.npy, float32)")->required();
  convert->add_option("--labels-out", conv.labels_out,
                      "labels file (.npy, float64; default: <stem>.labels.npy)");
  convert->add_option("--label", conv.label, "name of the label column")->capture_default_str();
  convert->add_flag("--quiet", common.quiet, "print nothing");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::ParseError& e) {
    err << "relureg: error: " << e.what() << " (run `relureg --help`)\n";
    return 2;
  }
  for (const std::string& note : option_notes) err << "relureg: note: " << note << "\n";

  try {
    if (generate->parsed()) return cmd_generate(gen, common, out);
    if (fit_cmd->parsed()) return cmd_fit(fit, common, out, err);
    if (evaluate->parsed()) return cmd_evaluate(ev, common, out);
    if (predict->parsed()) return cmd_predict(pr, common, out);
    if (learners->parsed()) return cmd_learners(out);
    if (families->parsed()) return cmd_families(out);
    if (demo_cmd->parsed()) return cmd_demo(demo, common, out, err);
    if (tradeoff_cmd->parsed()) return cmd_tradeoff(trade, common, out, err);

    if (recover->parsed()) return cmd_recover_parity(rp, common, out, err);
    if (convert->parsed()) return cmd_convert(conv, common, out);
    if (lift_cmd->parsed()) return cmd_lift_parity(lift, common, out);
  } catch (const DivergenceError& e) {
    err << "relureg: error: " << e.what() << "\n";
    return 3;
  } catch (const InputError& e) {
    err << "relureg: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    err << "relureg: error: " << e.what() << "\n";
    return 1;
  }
  return 2;
}

}  // namespace relureg::cli
