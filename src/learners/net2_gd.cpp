// net2-gd: full-batch or minibatch gradient descent / Adam on a depth-2 network, with restarts.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "learners.hpp"
#include "net2_init.hpp"
#include "relureg/error.hpp"
#include "relureg/fit_monitor.hpp"
#include "relureg/net2_kernels.hpp"
#include "relureg/rng.hpp"

namespace relureg::detail {
namespace {

struct Net2GdParams {
  std::size_t units = 2;
  std::string activation = "relu";
  std::string optimizer = "adam";
  double step = 0.01;
  std::size_t batch = 0;  // 0 = full batch
  std::size_t max_passes = 2000;
  double tol = 1e-10;
  std::size_t restarts = 3;
  std::string init = "gaussian";
  bool fit_output = true;
  bool bias = false;

  static Fields<Net2GdParams> fields() {
    using P = Net2GdParams;
    return {
        {"units", &P::units, "hidden units k", 1, 1e5},
        {"activation", &P::activation, "hidden activation", Choices{{"relu", "sigmoid"}}},
        {"optimizer", &P::optimizer,
         "adam, or gd (plain steps; full batch: halved while the loss rises)",
         Choices{{"adam", "gd"}}},
        step_field(&P::step, "step size (Adam's learning rate, or the initial gradient step)"),
        {"batch", &P::batch, "rows per minibatch (0 = full batch)", 0, 1e12},
        max_passes_field(&P::max_passes),
        tol_field(&P::tol),
        {"restarts", &P::restarts,
         "independent seeded initialisations; the least training loss wins", 1, 1e6},
        {"init", &P::init, "hidden units: gaussian N(0, I/d) or orthogonal (orthonormal groups)",
         Choices{{"gaussian", "orthogonal"}}},
        {"fit_output", &P::fit_output, "start each restart from the least-squares output layer"},
        bias_field(&Net2GdParams::bias)};
  }
};

// The parameters with the activation's word resolved.
struct Net2GdSettings : Net2GdParams {
  Activation hidden = Activation::relu;
};

// Adam (Kingma & Ba 2015) or plain gradient steps on a parameter vector.
class Optimizer {
 public:
  Optimizer(std::string kind, std::size_t size, double step)
      : kind_(std::move(kind)), step_(step), m_(size, 0.0), v_(size, 0.0) {}
  void apply(std::vector<double>& p, const std::vector<double>& g) {
    if (kind_ == "gd") {
      for (std::size_t i = 0; i < p.size(); ++i) p[i] -= step_ * g[i];
      return;
    }
    ++t_;
    const double c1 = 1 - std::pow(kBeta1, static_cast<double>(t_));
    const double c2 = 1 - std::pow(kBeta2, static_cast<double>(t_));
    for (std::size_t i = 0; i < p.size(); ++i) {
      m_[i] = kBeta1 * m_[i] + (1 - kBeta1) * g[i];
      v_[i] = kBeta2 * v_[i] + (1 - kBeta2) * g[i] * g[i];
      p[i] -= step_ * (m_[i] / c1) / (std::sqrt(v_[i] / c2) + 1e-12);
    }
  }
  double step() const { return step_; }
  void set_step(double s) { step_ = s; }

 private:
  static constexpr double kBeta1 = 0.9, kBeta2 = 0.999;
  std::string kind_;
  double step_;
  std::size_t t_ = 0;
  std::vector<double> m_, v_;
};

struct RunResult {
  Net2Model model;
  std::vector<double> history;
  std::string stop_reason;
  double loss = 0;
};

// Goel, Klivans, Manurangsi, Reichman (ITCS 2021) show that training depth-2 ReLU networks is
// hard in the worst case; this is the practical baseline they contrast with: first-order descent
// on the empirical square loss. Full batch: one fused pass (net2_stats) per step; plain gradient
// steps are halved while the loss rises and grown by 1.2 after each accepted step, Adam steps are
// fixed and the best iterate is kept. Minibatch: contiguous slices of `batch` rows, visited in a
// seeded random order each epoch (rows are assumed to be in random order, as generated), one
// engine pass over the slice per step. Under a statistical-query oracle (Engine::mean answered
// within τ) the full-batch run is an SQ algorithm: the output-layer fit, every loss and every
// gradient are means the oracle answers; minibatch runs are refused. Each restart starts from its
// own seeded initialisation (optionally with a least-squares output layer); the restart with the
// least training loss wins.
class Net2GdLearner final : public Learner {
 public:
  explicit Net2GdLearner(const Net2GdParams& p) {
    static_cast<Net2GdParams&>(s_) = p;
    s_.hidden = activation_from_name(p.activation, "net2-gd");
  }

  FitResult fit(const DataSource& data, const FitContext& context) override {
    const bool full = s_.batch == 0 || s_.batch >= data.rows();
    if (!full && context.engine->query_oracle() != nullptr)
      throw InputError(minibatch_under_oracle_message("net2-gd", s_.batch));
    FitResult result;
    first_pass_ = context.engine->passes();
    result.details["restarts"] = nlohmann::json::array();
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t r = 0; r < s_.restarts; ++r) {
      std::mt19937_64 rng = make_rng(context.seed, 0x6e657432 + r);
      Net2Model start = initial_net2(data.cols(), s_.units, s_.bias, s_.hidden, s_.init, rng);
      if (s_.fit_output) fit_output_layer(*context.engine, data, start);
      RunResult run = full ? full_batch(data, context, std::move(start), r)
                           : minibatch(data, context, std::move(start), r, rng);
      result.details["restarts"].push_back(
          {{"loss", run.loss}, {"iterations", run.history.size()}, {"stop", run.stop_reason}});
      if (run.loss < best) {
        best = run.loss;
        result.model = std::move(run.model);
        result.loss_history = std::move(run.history);
        result.stop_reason = run.stop_reason;
        result.details["best_restart"] = r;
      }
      if (run.stop_reason == "callback") break;
    }
    result.details["optimizer"] = s_.optimizer;
    result.details["batch"] = s_.batch;
    return result;
  }

 private:
  // The monitor of one run: its history and stop reason, passes counted from the fit's start.
  FitMonitor run_monitor(const FitContext& context, RunResult& run,
                         MonitorSettings::RelativeTo relative_to) const {
    FitMonitor m(context, {"net2-gd", s_.max_passes * s_.restarts, s_.tol, relative_to},
                 run.history, run.stop_reason);
    m.count_passes_from(first_pass_);
    return m;
  }

  // The share of the whole fit done after `work_done` of restart `restart`'s pass budget.
  double fraction(std::size_t restart, double work_done) const {
    return (static_cast<double>(restart) + work_done / static_cast<double>(s_.max_passes)) /
           static_cast<double>(s_.restarts);
  }

  RunResult full_batch(const DataSource& data, const FitContext& context, Net2Model model,
                       std::size_t restart) const {
    const Engine& engine = *context.engine;
    std::vector<double> p = net2_parameters(model);
    Net2Stats stats = net2_stats(engine, data, model);
    RunResult run{model, {}, "max_passes", stats.loss};
    FitMonitor monitor = run_monitor(context, run, MonitorSettings::RelativeTo::previous);
    monitor.check_finite(0, stats.loss);
    monitor.record(stats.loss);
    Optimizer opt(s_.optimizer, p.size(), s_.step);
    std::size_t passes = 1;
    std::size_t iteration = 0;
    while (passes < s_.max_passes) {
      ++iteration;
      const double old_loss = stats.loss;
      std::vector<double> trial = p;
      opt.apply(trial, stats.grad);
      set_net2_parameters(model, trial);
      Net2Stats next = net2_stats(engine, data, model);
      ++passes;
      if (s_.optimizer == "gd") {
        // Backtracking: halve the step until the loss does not rise, then grow it again.
        while ((!std::isfinite(next.loss) || next.loss > old_loss) && passes < s_.max_passes) {
          opt.set_step(opt.step() * 0.5);
          if (opt.step() < 1e-30) throw monitor.divergence(iteration, next.loss);
          trial = p;
          opt.apply(trial, stats.grad);
          set_net2_parameters(model, trial);
          next = net2_stats(engine, data, model);
          ++passes;
        }
        if (!std::isfinite(next.loss) || next.loss > old_loss) break;  // budget ran out
        opt.set_step(opt.step() * 1.2);
      }
      monitor.check_finite(iteration, next.loss);
      p = std::move(trial);
      stats = std::move(next);
      if (stats.loss < run.loss) {
        run.loss = stats.loss;
        run.model = model;
      }
      if (!monitor.report(iteration, stats.loss, fraction(restart, static_cast<double>(passes))) ||
          monitor.converged(old_loss, stats.loss))
        break;
    }
    // The returned iterate is the best one seen; its loss closes the history.
    monitor.record(run.loss);
    return run;
  }

  RunResult minibatch(const DataSource& data, const FitContext& context, Net2Model model,
                      std::size_t restart, std::mt19937_64& rng) const {
    const Engine& engine = *context.engine;
    const std::size_t n = data.rows();
    const std::size_t chunks = (n + s_.batch - 1) / s_.batch;
    std::vector<std::size_t> order(chunks);
    std::iota(order.begin(), order.end(), 0);
    std::vector<double> p = net2_parameters(model);
    Optimizer opt(s_.optimizer, p.size(), s_.step);
    RunResult run{model, {}, "max_passes", 0};
    FitMonitor monitor = run_monitor(context, run, MonitorSettings::RelativeTo::current);
    double previous = std::numeric_limits<double>::infinity();
    for (std::size_t epoch = 1; epoch <= s_.max_passes; ++epoch) {
      std::shuffle(order.begin(), order.end(), rng);
      double loss_sum = 0;
      for (std::size_t c : order) {
        const RowRange batch(data, c * s_.batch, std::min(n, (c + 1) * s_.batch));
        const Net2Stats stats = net2_stats(engine, batch, model);
        monitor.check_finite(epoch, stats.loss);
        loss_sum += stats.loss * static_cast<double>(batch.rows());
        opt.apply(p, stats.grad);
        set_net2_parameters(model, p);
      }
      const double epoch_loss = loss_sum / static_cast<double>(n);  // mean over the epoch's steps
      if (!monitor.report(epoch, epoch_loss, fraction(restart, static_cast<double>(epoch))) ||
          monitor.converged(previous, epoch_loss))
        break;
      previous = epoch_loss;
    }
    run.model = model;
    run.loss = net2_loss(engine, data, model);  // the final model's exact training loss
    monitor.check_finite(run.history.size(), run.loss);
    monitor.record(run.loss);
    return run;
  }

  Net2GdSettings s_;
  std::size_t first_pass_ = 0;  // the engine's pass count when the fit started
};

}  // namespace

LearnerEntry net2_gd_entry() {
  return learner_entry<Net2GdLearner, Net2GdParams>(SampleWeights::taken);
}

}  // namespace relureg::detail
