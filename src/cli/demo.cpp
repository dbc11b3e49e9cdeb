// `relureg demo`: one generated instance, every ReLU learner, a table of loss against opt and time.
#include <fmt/format.h>

#include "cli.hpp"
#include "progress.hpp"
#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/learner.hpp"
#include "relureg/score.hpp"

namespace relureg::cli {

int cmd_demo(const DemoOptions& o, const CommonOptions& c, std::ostream& out, std::ostream& err) {
  const Engine engine(EngineOptions{c.threads});
  const Instance instance = generate_instance(o.family, o.n, o.d, c.seed, o.params, engine);
  const GroundTruth& truth = instance.truth;
  const ClassOpt opt = class_opt(truth, o.bias);
  out << fmt::format("instance: {} n={} d={} seed={} opt={:.6g} ({}, {}){}\n", o.family, o.n, o.d,
                     c.seed, opt.opt, opt.opt_kind, class_opt_name(truth, o.bias),
                     o.bias ? " bias fitted" : "");
  // The columns carry the names of the laboratory's results.csv.
  out << fmt::format("{:<11} {:>11} {:>15} {:>11} {:>12} {:>7} {:>11}  {}\n", "learner",
                     "train_loss", "population_loss", "excess", "ratio_to_opt", "passes",
                     "fit_seconds", "stop_reason");
  for (const LearnerEntry& entry : learner_table()) {
    if (entry.task != Task::relu) continue;
    if (entry.name == "exhaustive" && o.d > 3) {
      out << fmt::format("{:<11} skipped: d = {} > 3 (try `relureg demo --d 2`)\n", entry.name,
                         o.d);
      continue;
    }
    if (entry.name == "exhaustive-subsets" && o.family != "sparse-parity") {
      out << fmt::format(
          "{:<11} skipped: it searches k-sparse directions (try `relureg demo "
          "--family sparse-parity`)\n",
          entry.name);
      continue;
    }
    ProgressBar bar(err, !c.quiet && stderr_is_terminal(), entry.name);
    FitContext context{&engine, c.seed, bar.callback()};
    ParamValues params = ParamValues::defaults(entry.params);
    params.set_fit_bias(o.bias);
    FitResult fit;
    try {
      fit = fit_learner(entry, params, instance.data.view(), context);
    } catch (const DivergenceError& e) {
      out << fmt::format("{:<11} diverged: {}\n", entry.name, e.what());
      continue;
    }
    bar.finish();
    const Score s = score(fit.model, truth, engine);
    const std::string ratio = s.ratio ? fmt::format("{:.4f}", *s.ratio) : "-";
    out << fmt::format("{:<11} {:>11.4e} {:>15.4e} {:>11.3e} {:>12} {:>7} {:>11.3f}  {}\n",
                       entry.name, fit.loss_history.back(), s.population.value, s.excess, ratio,
                       fit.passes, fit.seconds, fit.stop_reason);
  }
  return 0;
}

}  // namespace relureg::cli
