// Tuning runs for the halfspace learners' schedules: population 0/1 error on `halfspace` instances.
// Usage: tune_halfspace LEARNER [k=v ...] [--d D] [--n N] [--seeds S] [--etas a,b]
//                        [--flips near,far] [--quiet] [--details]
// Prints one line per (flips, eta, seed) and a summary: mean and worst excess error over opt (in
// units of eta), worst error − (3·eta + 0.01) (the test's bound) and the mean fit time;
// --details prints each fit's details JSON. Engine threads: $THREADS (default: all cores).
#include <fmt/format.h>

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "relureg/family.hpp"
#include "relureg/learner.hpp"
#include "relureg/model_ops.hpp"

int main(int argc, char** argv) {
  using namespace relureg;
  std::string learner;
  std::vector<std::string> params;
  std::size_t d = 20, n = 100000, seeds = 3;
  std::vector<std::string> etas = {"0.02", "0.05", "0.1"}, flips = {"near", "far"};
  bool quiet = false, details = false;
  CLI::App app{
      "Tunes a halfspace learner on the halfspace family: mean and worst excess 0/1 error"};
  app.add_option("learner", learner, "halfspace learner")->required();
  app.add_option("params", params, "learner parameters k=v");
  app.add_option("--d", d, "dimension");
  app.add_option("--n", n, "rows");
  app.add_option("--seeds", seeds, "seeds per cell");
  app.add_option("--etas", etas, "flip rates")->delimiter(',');
  app.add_option("--flips", flips, "where labels flip (near, far)")->delimiter(',');
  app.add_flag("--quiet", quiet, "print the summary line only");
  app.add_flag("--details", details, "print each fit's details");
  CLI11_PARSE(app, argc, argv);
  const Engine engine(
      EngineOptions{std::getenv("THREADS") ? std::atoi(std::getenv("THREADS")) : 0});
  const LearnerEntry& entry = find_learner(learner);
  const ParamValues values = ParamValues::parse(entry.params, params, learner);
  double sum_excess = 0, worst_excess = -1, worst_margin = -1, seconds = 0;
  std::size_t runs = 0;
  for (const std::string& flip : flips)
    for (const std::string& eta : etas)
      for (std::size_t seed = 1; seed <= seeds; ++seed) {
        const Instance inst =
            generate_instance("halfspace", n, d, seed, {"eta=" + eta, "flips=" + flip}, engine);
        const FitResult fit = fit_learner(entry, values, inst.data.view(), {&engine, seed, {}});
        const double error = population_loss(fit.model, inst.truth, engine).value;
        const double e = std::stod(eta);
        sum_excess += (error - inst.truth.opt) / e;
        worst_excess = std::max(worst_excess, (error - inst.truth.opt) / e);
        worst_margin = std::max(worst_margin, error - 3 * e - 0.01);
        seconds += fit.seconds;
        ++runs;
        if (!quiet)
          std::cout << fmt::format(
              "{:<5} eta={:<5} seed={} error={:.5f} opt={:.5f} ratio={:.3f} "
              "passes={} {:.3f}s {}\n",
              flip, eta, seed, error, inst.truth.opt, error / e, fit.passes, fit.seconds,
              fit.stop_reason);
        if (details) std::cout << fit.details.dump() << "\n";
      }
  std::cout << fmt::format(
      "SUMMARY {} d={} n={}: (error-opt)/eta mean {:.4f} worst {:.4f}; "
      "worst error-(3eta+0.01) {:+.4f}; mean time {:.3f}s\n",
      learner, d, n, sum_excess / runs, worst_excess, worst_margin, seconds / runs);
  return 0;
}
