// gkk19: ReLU regression by reduction to agnostic halfspace learning (Goel–Karmalkar–Klivans 2019).
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "halfspace_common.hpp"
#include "learners.hpp"
#include "relureg/error.hpp"
#include "relureg/fit_monitor.hpp"
#include "relureg/kernels.hpp"
#include "relureg/sources.hpp"
#include "shared_params.hpp"

namespace relureg::detail {
namespace {

struct Gkk19Params : ReluFitParams {
  std::string halfspace = "hs-abl";
  double tau = 0;
  std::size_t taus = 8;
  double holdout = 0.2;

  RELUREG_FIELDS(inherit_fields<P, ReluFitParams>(
      {{"halfspace", &P::halfspace,
        "halfspace learner for the direction (run with its default parameters)",
        Choices{{"hs-abl", "hs-sigmoid", "hs-average", "hs-adversarial"}}},
       {"tau", &P::tau, "a single threshold τ (0 = the grid rms(y)·2^-j, j < taus)", 0, kInfinity},
       {"taus", &P::taus, "number of thresholds on the grid", 1, 60},
       holdout_field(&P::holdout, "choose τ")}))
};

// Goel, Karmalkar, Klivans, "Time/Accuracy Tradeoffs for Learning a ReLU with respect to
// Gaussian Marginals", NeurIPS 2019, as reconstructed in papers.md §1.5: for each threshold τ of
// a geometric grid, (1) threshold the labels, ℓ = +1 if y ≥ τ else −1; (2) learn a unit
// direction û with an agnostic halfspace learner on (x, ℓ); (3) refit the scale a ≥ 0 in closed
// form, clipped to the norm bound (with --bias the exact 2-D (a, b) refit); (4) keep the
// candidate with the smallest square loss on a hold-out split. With τ ≈ opt^{1/3} the lemmas
// L1–L3 give loss O(C_HS²·opt^{2/3}). Steps 1–3 use the first rows, the hold-out the last
// `holdout` fraction; the chosen direction's scale is then refitted on all rows.
class Gkk19Learner final : public ParamLearner<Gkk19Params> {
 public:
  using ParamLearner::ParamLearner;

  FitResult fit(const DataSource& data, const FitContext& context) override {
    const Engine& engine = *context.engine;
    const HoldoutSplit split(data, p_.holdout);
    const SliceSource &train = split.train, &holdout = split.holdout;
    const double label_rms = std::sqrt(engine.mean_rows(
        train, 1, [](const float*, double y, double* acc) { acc[0] += y * y; })[0]);
    if (!std::isfinite(label_rms))
      throw InputError("gkk19: the labels' second moment is not finite");
    const std::vector<double> taus = halving_grid(p_.tau, label_rms, p_.taus);

    if (p_.halfspace == "hs-adversarial") require_ground_truth(context);
    const LearnerEntry& hs_entry = find_learner(p_.halfspace);
    const ParamValues hs_params = ParamValues::defaults(hs_entry.params);
    std::vector<double> labels(train.rows());
    FitResult result;
    nlohmann::json candidates = nlohmann::json::array();
    std::vector<double> best_direction;
    double best_holdout = std::numeric_limits<double>::infinity();
    std::size_t chosen = 0;
    // Each threshold's halfspace fit reports to the caller as one of taus.size() equal parts.
    const std::size_t first_pass = engine.passes();
    bool stopped = false;
    for (std::size_t k = 0; k < taus.size(); ++k) {
      const double tau = taus[k];
      engine.map(train, labels, [tau](const RowBlock& blk, double* out) {
        for (std::size_t r = 0; r < blk.rows; ++r) out[r] = blk.y[r] >= tau ? 1.0 : -1.0;
      });
      std::size_t positive = 0;
      for (double l : labels) positive += l > 0;
      nlohmann::json candidate = {{"tau", tau},
                                  {"positive_fraction", double(positive) / labels.size()}};
      std::vector<double> u;
      try {
        if (positive == 0 || positive == labels.size())
          throw InputError("every thresholded label is " + std::string(positive ? "+1" : "-1"));
        const RelabelledSource thresholded(train, labels);
        FitContext inner{&engine, context.seed,
                         nested_progress(context, k, taus.size(), 4, first_pass, &stopped)};
        inner.truth = context.truth;  // for hs-adversarial, the oracle built from the truth
        const FitResult hs = hs_entry.make(hs_params)->fit(thresholded, inner);
        u = std::get<HalfspaceModel>(hs.model).w;
        candidate["halfspace_error"] = hs.loss_history.back();
        if (!(normalize(u) > 0)) throw InputError("the halfspace learner returned w = 0");
      } catch (const InputError& e) {
        candidate["skipped"] = e.what();
        candidates.push_back(std::move(candidate));
        continue;
      }
      const Fitted fit = refit(engine, train, u, p_.bias);
      std::vector<double> w = u;
      for (double& v : w) v *= fit.scale;
      const double holdout_loss = relu_loss(engine, holdout, w, fit.bias);
      candidate["scale"] = fit.scale;
      candidate["bias"] = fit.bias;
      candidate["train_loss"] = fit.loss;
      candidate["holdout_loss"] = holdout_loss;
      candidate["w"] = w;
      candidates.push_back(std::move(candidate));
      result.loss_history.push_back(fit.loss);
      if (holdout_loss < best_holdout) {
        best_holdout = holdout_loss, best_direction = u, chosen = k;
      }
      if (stopped) {
        result.stop_reason = "callback";
        break;
      }
    }
    result.relu().bias = p_.bias;
    if (best_direction.empty()) {  // no threshold split the labels: the best constant ReLU
      result.relu().w.assign(data.cols(), 0.0);
      if (p_.bias)
        result.relu().b = std::max(
            0.0,
            engine.mean_rows(data, 1, [](const float*, double y, double* acc) { acc[0] += y; })[0]);
      result.stop_reason = "no_threshold_split";
    } else {
      const Fitted fit = refit(engine, data, best_direction, p_.bias);
      result.relu().w = best_direction;
      for (double& v : result.relu().w) v *= fit.scale;
      result.relu().b = fit.bias;
      result.details["chosen"] = chosen;
      result.details["chosen_tau"] = taus[chosen];
      if (result.stop_reason.empty()) result.stop_reason = "tau_grid";
    }
    result.loss_history.push_back(relu_loss(engine, data, result.relu().w, result.relu().b));
    result.details["halfspace"] = p_.halfspace;
    result.details["label_rms"] = label_rms;
    result.details["holdout_rows"] = split.held;
    result.details["candidates"] = std::move(candidates);
    return result;
  }

 private:
  struct Fitted {
    double scale = 0, bias = 0, loss = 0;
  };

  Fitted refit(const Engine& engine, const DataSource& data, const std::vector<double>& u,
               bool bias) const {
    if (bias) {
      const ScaleBiasFit f = refit_scale_bias(engine, data, u, p_.radius);
      return {f.scale, f.bias, f.loss};
    }
    const ScaleFit f = refit_scale(engine, data, u, p_.radius);
    return {f.scale, 0.0, f.loss};
  }
};

}  // namespace

LearnerEntry gkk19_entry() {
  return learner_entry<Gkk19Learner, Gkk19Params>();
}

}  // namespace relureg::detail
