// Experiment 3: depth-2 ReLU teachers — net2-gd (first-order, restarts) against net2-enum (the
// proper enumeration learner of GKMR21 §5.2): population excess loss against time.
// Run: build/exp_networks_depth2 (writes docs/networks/depth2.md).
#include <cmath>

#include "common.hpp"
#include "relureg/family.hpp"
#include "relureg/model_ops.hpp"

using namespace relureg;

int main(int argc, char** argv) {
  // One thread by default: the table compares the wall time of single fits, and short
  // multi-threaded passes are slowed by any other load on the machine.
  const auto o = experiments::parse_options(argc, argv, "docs/networks/depth2.md", 1);
  const Engine engine(EngineOptions{o.threads});
  const std::size_t rows = o.quick ? 2000 : 10000;
  struct Teacher {
    std::size_t d, k;
    std::string output;
  };
  const std::vector<Teacher> teachers =
      o.quick
          ? std::vector<Teacher>{{2, 2, "ones"}}
          : std::vector<Teacher>{{2, 2, "ones"}, {3, 2, "signs"}, {3, 3, "signs"}, {8, 2, "ones"}};
  std::ostringstream md;
  md << "# Depth-2 ReLU teachers: gradient descent against enumeration\n\n"
     << fmt::format(
            "`build/exp_networks_depth2` ({} threads). Family `teacher-net2`: unit hidden "
            "weights, no biases, label noise variance 0.01 (opt = 0.01), {} training rows, seed "
            "3. Each row is one fit; 'excess' is the exact population loss (arc-cosine kernel "
            "sums) minus opt, 'train' the training loss. `net2-gd`: Adam, step 0.01, the given "
            "full-batch passes per restart. `net2-enum`: the eps-net of directions is the "
            "normalised surface of the cube [-1, 1]^m with 'grid' points per edge, every "
            "k-tuple of directions scored by its least-squares output layer from one moment "
            "pass; m = d (no projection) unless 'dim' is given, in which case the data are "
            "first projected to a random m-dimensional subspace.\n\n",
            o.threads, rows);
  for (const Teacher& t : teachers) {
    const Instance instance = generate_instance(
        "teacher-net2", rows, t.d, 3,
        {"units=" + std::to_string(t.k), "noise=0.01", "output=" + t.output}, engine);
    const double opt = instance.truth.opt;
    md << fmt::format("## d = {}, k = {} units, output weights '{}'\n\n", t.d, t.k, t.output)
       << "| learner | setting | seconds | train | excess |\n|---|---|---|---|---|\n";
    auto row = [&](const std::string& learner, const std::string& setting, const FitResult& fit) {
      const double pop = population_loss(fit.as<Net2Model>(), instance.truth, engine).value;
      md << fmt::format("| {} | {} | {:.2f} | {:.5f} | {:.2e} |\n", learner, setting, fit.seconds,
                        fit.loss_history.back(), pop - opt);
    };
    const std::vector<int> pass_counts =
        o.quick ? std::vector<int>{10} : std::vector<int>{10, 30, 100, 300, 1000};
    for (int restarts : {1, 3}) {
      if (o.quick && restarts == 3) break;
      for (int passes : pass_counts) {
        const FitResult fit = experiments::run_learner(
            "net2-gd",
            {"units=" + std::to_string(t.k), "max_passes=" + std::to_string(passes),
             "restarts=" + std::to_string(restarts), "tol=0"},
            instance.data.view(), engine, 1);
        row("net2-gd", fmt::format("{} passes x {} restarts", passes, restarts), fit);
      }
    }
    std::vector<std::pair<int, int>> grids;  // (grid, dim)
    if (o.quick) {
      grids = {{5, 2}};
    } else if (t.d == 2) {
      grids = {{5, 2}, {9, 2}, {17, 2}, {33, 2}, {65, 2}};
    } else if (t.d == 3) {
      grids = t.k == 2 ? std::vector<std::pair<int, int>>{{5, 3}, {7, 3}, {9, 3}, {13, 3}}
                       : std::vector<std::pair<int, int>>{{5, 3}, {7, 3}};
    } else {
      grids = {{7, 2}, {9, 3}};  // projections of d = 8 to m = 2, 3
    }
    for (auto [grid, dim] : grids) {
      const FitResult fit =
          experiments::run_learner("net2-enum",
                                   {"units=" + std::to_string(t.k), "grid=" + std::to_string(grid),
                                    "dim=" + std::to_string(dim)},
                                   instance.data.view(), engine, 1);
      row("net2-enum",
          fmt::format("grid {}, m = {}: {} directions, {:.3g} tuples", grid, dim,
                      fit.details["directions"].get<std::size_t>(),
                      fit.details["tuples"].get<double>()),
          fit);
    }
    md << "\n";
    std::cerr << "d=" << t.d << " k=" << t.k << " done\n";
  }
  experiments::publish(md.str(), o.output);
}
