// ste-cgd: coarse gradient descent with a straight-through estimator for the binact2 network.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "learners.hpp"
#include "relureg/error.hpp"
#include "relureg/fit_monitor.hpp"
#include "relureg/net2_kernels.hpp"
#include "relureg/rng.hpp"
#include "relureg/ste.hpp"

namespace relureg::detail {
namespace {

struct SteCgdParams {
  std::size_t patches = 4;
  std::string ste = "relu";
  double step = 0.1;
  std::size_t batch = 256;
  std::size_t max_passes = 100;
  double tol = 0;

  static Fields<SteCgdParams> fields() {
    using P = SteCgdParams;
    return {{"patches", &P::patches, "patches m (d must be a multiple of m)", 1, 1e6},
            {"ste", &P::ste, "straight-through estimator mu' used for sigma' = 0",
             Choices{{"identity", "relu", "clipped-relu"}}},
            step_field(&P::step, "learning rate eta of both updates"),
            {"batch", &P::batch, "rows per minibatch (0 = full batch)", 0, 1e12},
            max_passes_field(&P::max_passes),
            tol_field(&P::tol)};
  }
};

// Yin, Lyu, Zhang, Osher, Qi, Xin, ICLR 2019, Algorithm 1 with sample averages: the v-step is the
// ordinary gradient of ½(vᵀσ(Zw) − y)², the w-step the coarse gradient Zᵀ(μ'(Zw) ⊙ v)(vᵀσ(Zw) − y)
// in which the STE's μ' stands in for σ' = 0. One engine pass per step over a minibatch (a
// contiguous slice of `batch` rows, slices visited in a seeded random order each epoch) or over
// all rows (batch = 0). The population version (exact expectations, closed forms) is
// ste::population_cgd in relureg/ste.hpp.
class SteCgdLearner final : public ParamLearner<SteCgdParams> {
 public:
  explicit SteCgdLearner(const SteCgdParams& p)
      : ParamLearner(p), ste_(ste::ste_from_name(p.ste)) {}

  FitResult fit(const DataSource& data, const FitContext& context) override {
    const Engine& engine = *context.engine;
    const std::size_t n = data.rows();
    Binact2Model model;
    model.patches = p_.patches;
    model.filter = filter_size(data.cols(), p_.patches, "ste-cgd");
    std::mt19937_64 rng = make_rng(context.seed, 0x73746563);
    std::normal_distribution<double> normal;
    model.v.resize(model.patches);
    for (double& v : model.v) v = normal(rng);
    model.w.resize(model.filter);
    double norm = 0;
    while (norm == 0) {
      for (double& w : model.w) w = normal(rng);
      norm = std::sqrt(std::inner_product(model.w.begin(), model.w.end(), model.w.begin(), 0.0));
    }
    for (double& w : model.w) w /= norm;

    const std::size_t batch = p_.batch == 0 ? n : std::min(p_.batch, n);
    if (batch < n && engine.query_oracle() != nullptr)
      throw InputError(minibatch_under_oracle_message("ste-cgd", p_.batch));
    const std::size_t chunks = (n + batch - 1) / batch;
    std::vector<std::size_t> order(chunks);
    std::iota(order.begin(), order.end(), 0);
    FitResult result;
    FitMonitor monitor(
        context,
        {"ste-cgd", p_.max_passes, p_.tol, MonitorSettings::RelativeTo::current, "in epoch"},
        result);
    monitor.stop("max_passes");
    double previous = std::numeric_limits<double>::infinity();
    for (std::size_t epoch = 1; epoch <= p_.max_passes; ++epoch) {
      std::shuffle(order.begin(), order.end(), rng);
      double loss_sum = 0;
      for (std::size_t c : order) {
        const RowRange rows(data, c * batch, std::min(n, (c + 1) * batch));
        const ste::CoarseStats s = ste::coarse_stats(engine, rows, model, ste_);
        monitor.check_finite(epoch, s.loss);
        loss_sum += s.loss * static_cast<double>(rows.rows());
        for (std::size_t i = 0; i < model.patches; ++i) model.v[i] -= p_.step * s.grad_v[i];
        for (std::size_t j = 0; j < model.filter; ++j) model.w[j] -= p_.step * s.grad_w[j];
      }
      const double loss = loss_sum / static_cast<double>(n);
      if (!monitor.report(epoch, loss) || monitor.converged(previous, loss)) break;
      previous = loss;
    }
    const double final_loss = ste::coarse_stats(engine, data, model, ste_).loss;
    monitor.record(final_loss);  // the returned model's exact training loss
    result.model = model;
    result.details["ste"] = ste::ste_name(ste_);
    result.details["batch"] = batch;
    result.details["w_norm"] =
        std::sqrt(std::inner_product(model.w.begin(), model.w.end(), model.w.begin(), 0.0));
    return result;
  }

 private:
  ste::Ste ste_;
};

}  // namespace

LearnerEntry ste_cgd_entry() {
  return learner_entry<SteCgdLearner, SteCgdParams>(SampleWeights::taken);
}

}  // namespace relureg::detail
