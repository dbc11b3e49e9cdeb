// The gkk19 experiment: population loss against opt for gkk19 (each halfspace learner) and the
// baselines on adversarial and label-noise instances; writes one CSV row per fit.
// Usage: gkk19_experiment [--full] [--out results.csv] [--n N] [--ds 20,100] [--seeds 3]
//                         [--opts 1e-4,1e-3] [--families adversarial,label-noise] [--threads T]
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "../split_list.hpp"
#include "relureg/family.hpp"
#include "relureg/io.hpp"
#include "relureg/learner.hpp"
#include "relureg/model_ops.hpp"
#include "relureg/score.hpp"

namespace {

using relureg::experiments::split_list;

struct LearnerRun {
  std::string label, learner;
  std::vector<std::string> params;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace relureg;
  bool full = false;
  std::string out_path = "gkk19_results.csv";
  std::size_t n = 0, seeds = 0;
  int threads = 0;
  std::vector<std::string> ds, opts, families = {"adversarial", "label-noise"};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error("missing value after " + a);
      return argv[++i];
    };
    if (a == "--full")
      full = true;
    else if (a == "--out")
      out_path = next();
    else if (a == "--n")
      n = std::stoul(next());
    else if (a == "--ds")
      ds = split_list(next());
    else if (a == "--seeds")
      seeds = std::stoul(next());
    else if (a == "--opts")
      opts = split_list(next());
    else if (a == "--families")
      families = split_list(next());
    else if (a == "--threads")
      threads = std::stoi(next());
    else {
      std::cerr << "gkk19_experiment: unknown argument '" << a << "'\n";
      return 2;
    }
  }
  // The default run is the quick one (a few minutes on 2 cores); --full is the grid.
  if (ds.empty())
    ds = full ? std::vector<std::string>{"20", "100"} : std::vector<std::string>{"20"};
  if (opts.empty())
    opts = full ? std::vector<std::string>{"1e-4", "3e-4", "1e-3", "3e-3", "1e-2", "3e-2", "1e-1"}
                : std::vector<std::string>{"1e-4", "1e-3", "1e-2", "1e-1"};
  if (seeds == 0) seeds = 3;
  if (n == 0) n = full ? 200000 : 100000;
  const std::string search_samples = full ? "200000" : "50000";

  const std::vector<LearnerRun> learners = {
      {"gkk19/hs-abl", "gkk19", {"halfspace=hs-abl"}},
      {"gkk19/hs-sigmoid", "gkk19", {"halfspace=hs-sigmoid"}},
      {"gkk19/hs-average", "gkk19", {"halfspace=hs-average"}},
      {"moment", "moment", {}},
      {"glmtron", "glmtron", {}},
      {"gd", "gd", {}},
  };
  const Engine engine(EngineOptions{threads});
  std::ostringstream csv;
  csv << "family,d,n,seed,opt_target,opt,opt_kind,learner,population_loss,train_loss,seconds,"
         "passes,chosen_tau\n";
  for (const std::string& family : families)
    for (const std::string& d : ds)
      for (const std::string& opt : opts)
        for (std::size_t seed = 1; seed <= seeds; ++seed) {
          // "adversarial" is rule shift with noise = opt; "adversarial-slab" is rule slab, whose
          // opt is about eta/2, so eta = 2·opt; "label-noise" has noise = opt.
          std::vector<std::string> params = {"noise=" + opt};
          std::string generator = family;
          if (family == "adversarial-slab") {
            generator = "adversarial";
            params = {"rule=slab", fmt::format("eta={}", 2 * std::stod(opt))};
          }
          if (generator == "adversarial") params.push_back("search_samples=" + search_samples);
          const Instance inst =
              generate_instance(generator, n, std::stoul(d), seed, params, engine);
          for (const LearnerRun& run : learners) {
            const LearnerEntry& entry = find_learner(run.learner);
            const FitResult fit =
                fit_learner(entry, ParamValues::parse(entry.params, run.params, run.learner),
                            inst.data.view(), {&engine, seed, {}});
            // Scored against the opt of the fit's own class (homogeneous ReLUs here).
            const Score scored = score(fit.model, inst.truth, engine);
            const double loss = scored.population.value;
            const std::string tau =
                fit.details.contains("chosen_tau")
                    ? fmt::format("{:.6g}", fit.details["chosen_tau"].get<double>())
                    : "";
            csv << fmt::format("{},{},{},{},{},{:.9g},{},{},{:.9g},{:.9g},{:.4f},{},{}\n", family,
                               d, n, seed, opt, scored.opt, scored.opt_kind, run.label, loss,
                               fit.loss_history.back(), fit.seconds, fit.passes, tau);
            std::cerr << fmt::format(
                "{:<12} d={:<4} opt={:<6} seed={} {:<17} loss={:.4e} "
                "loss/opt={:.3f} {:.2f}s\n",
                family, d, opt, seed, run.label, loss, loss / scored.opt, fit.seconds);
          }
        }
  write_text_atomically(out_path, csv.str());
  std::cerr << "wrote " << out_path << "\n";
  return 0;
}
