// gv25: a ReLU with arbitrary bias by a thresholded-PCA warm start and preconditioned projected
// descent (Guo–Vijayaraghavan, COLT 2025).
#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "descent.hpp"
#include "halfspace_common.hpp"
#include "kernels/moments.hpp"
#include "learners.hpp"
#include "relureg/error.hpp"
#include "relureg/fit_monitor.hpp"
#include "relureg/kernels.hpp"
#include "relureg/sources.hpp"

namespace relureg::detail {
namespace {

struct Gv25Params : IterationParams, ReluFitParams {
  std::size_t thresholds = 8;
  double holdout = 0.2;
  double ball = 0.5;

  Gv25Params() {
    max_passes = 100;
    tol = 1e-9;
  }

  RELUREG_FIELDS(with_doc(
      inherit_fields<P, IterationParams, ReluFitParams>(
          {{"thresholds", &P::thresholds,
            "label thresholds τ_j for the PCA (the upper 2^-(j+1) quantiles of y, j < this)", 1,
            40},
           holdout_field(&P::holdout, "choose the warm start and the final model"),
           {"ball", &P::ball, "descent stays in ‖w − w₀‖ <= ball·‖w₀‖ around the warm start w₀",
            1e-6, 1e6}}),
      "step",
      "step of the preconditioned descent (1 = a Gauss–Newton step on the warm "
      "start's active rows; halved while the loss rises)"))
};

using Eigen::MatrixXd;
using Eigen::VectorXd;

MatrixXd as_matrix(const std::vector<double>& v, std::size_t d) {
  return Eigen::Map<const MatrixXd>(v.data(), static_cast<Eigen::Index>(d),
                                    static_cast<Eigen::Index>(d));
}

// Ê[1{y > τ} x xᵀ] and P̂(y > τ), one pass.
std::pair<MatrixXd, double> upper_second_moment(const Engine& engine, const DataSource& data,
                                                double tau) {
  const std::size_t d = data.cols();
  const std::vector<double> m =
      engine.mean(data, d * d + 1, [d, tau](const RowBlock& blk, double* acc) {
        if (d <= short_moment_features()) {  // the moments kernel on a copy of those rows
          std::vector<std::size_t> upper;
          for (std::size_t r = 0; r < blk.rows; ++r)
            if (blk.y[r] > tau) upper.push_back(r);
          add_lower_triangle(moments_of_rows(blk, upper, false).data(), d, acc);
          acc[d * d] += static_cast<double>(upper.size());
          return;
        }
        Eigen::Map<MatrixXd> second(acc, static_cast<Eigen::Index>(d),
                                    static_cast<Eigen::Index>(d));
        for (std::size_t r = 0; r < blk.rows; ++r) {
          if (!(blk.y[r] > tau)) continue;
          const Eigen::Map<const Eigen::VectorXf> x(blk.X + r * d, static_cast<Eigen::Index>(d));
          const VectorXd xd = x.cast<double>();
          second.selfadjointView<Eigen::Lower>().rankUpdate(xd);
          acc[d * d] += 1;
        }
      });
  MatrixXd second = as_matrix(m, d);
  second = second.selfadjointView<Eigen::Lower>();
  return {second, m[d * d]};
}

// Ê[1{w·x + b > 0} x̃ x̃ᵀ] with x̃ = (x, 1) when `bias`: the Gauss–Newton matrix of the square
// loss on the active rows. One pass.
MatrixXd active_second_moment(const Engine& engine, const DataSource& data,
                              const std::vector<double>& w, double b, bool bias) {
  const std::size_t d = data.cols(), p = d + (bias ? 1 : 0);
  const std::vector<double> m = engine.mean(data, p * p, [&](const RowBlock& blk, double* acc) {
    // z = w·x + b of row r, as the loop below sums it.
    const auto z_of = [&](std::size_t r) {
      const float* x = blk.X + r * d;
      double z = b;
      for (std::size_t j = 0; j < d; ++j) z += w[j] * static_cast<double>(x[j]);
      return z;
    };
    if (p <= short_moment_features()) {  // the moments kernel on a copy of the active rows
      std::vector<std::size_t> active;
      for (std::size_t r = 0; r < blk.rows; ++r)
        if (z_of(r) > 0) active.push_back(r);
      add_lower_triangle(moments_of_rows(blk, active, bias).data(), p, acc);
      return;
    }
    Eigen::Map<MatrixXd> second(acc, static_cast<Eigen::Index>(p), static_cast<Eigen::Index>(p));
    VectorXd xt(static_cast<Eigen::Index>(p));
    for (std::size_t r = 0; r < blk.rows; ++r) {
      const float* x = blk.X + r * d;
      if (!(z_of(r) > 0)) continue;
      for (std::size_t j = 0; j < d; ++j) xt[static_cast<Eigen::Index>(j)] = x[j];
      if (bias) xt[static_cast<Eigen::Index>(d)] = 1.0;
      second.selfadjointView<Eigen::Lower>().rankUpdate(xt);
    }
  });
  MatrixXd second = as_matrix(m, p);
  return second.selfadjointView<Eigen::Lower>();
}

struct Candidate {
  std::vector<double> w;
  double b = 0;
  double train_loss = 0;
  double holdout_loss = std::numeric_limits<double>::infinity();
};

// Guo, Vijayaraghavan, "Agnostic Learning of Arbitrary ReLU Activation under Gaussian Marginals",
// COLT 2025 (arXiv 2411.14349): an SQ algorithm reaching O(opt) + ε for max(0, w·x + b) with any
// bias under N(0, I), where every correlational (CSQ) method, gradient descent included, fails:
// the correlational signal E[y x] = Φ(b/‖w‖)·w of a very negative bias is smaller than label
// noise of size √opt can cancel. Reconstructed from the research notes (docs/algorithms.md):
// 1. Warm start by thresholded PCA, a non-correlational statistic: for thresholds τ_j (upper
//    2^-(j+1) quantiles of y, read off a histogram) the top generalised eigenvector of
//    M_j = Ê[1{y > τ_j} x xᵀ] − P̂(y > τ_j) Σ̂ against Σ̂. Under N(0, I), {y > τ} of a biased
//    teacher is a tail slab {ŵ*·x > s}, on which the second moment along ŵ* is 1 + s·λ(s) > 1
//    (λ the inverse Mills ratio) and 1 along every orthogonal direction.
// 2. Each direction, with both signs, and the Chow direction get the exact (a, b) refit (b = 0
//    without --bias); the smallest hold-out loss is the warm start (w₀, b₀).
// 3. Refinement: projected descent on the square loss, each step preconditioned by the
//    second moment of the warm start's active rows (the reweighting that keeps a slab of mass
//    Φ(b/‖w‖) from being swamped), w kept in ‖w − w₀‖ ≤ ball·‖w₀‖; the model with the smaller
//    hold-out loss (refined or warm start) is returned.
class Gv25Learner final : public ParamLearner<Gv25Params> {
 public:
  using ParamLearner::ParamLearner;

  FitResult fit(const DataSource& data, const FitContext& context) override {
    const Engine& engine = *context.engine;
    const std::size_t d = data.cols();
    const HoldoutSplit split(data, p_.holdout);
    if (split.held == 0)
      throw InputError("gv25: needs at least 2 rows (a training and a hold-out part)");
    const SliceSource &train = split.train, &holdout = split.holdout;
    FitResult result;
    nlohmann::json thresholds = nlohmann::json::array();

    const DataMoments moments = data_moments(engine, train);
    const MatrixXd sigma = as_matrix(moments.second, d);
    std::vector<std::vector<double>> directions;
    for (const double tau : label_thresholds(engine, train)) {
      auto [upper, fraction] = upper_second_moment(engine, train, tau);
      nlohmann::json row = {{"tau", tau}, {"fraction", fraction}};
      if (fraction <= 0 || fraction >= 1) {
        row["skipped"] = "one side of the threshold is empty";
        thresholds.push_back(row);
        continue;
      }
      const MatrixXd m = upper - fraction * sigma;
      const Eigen::GeneralizedSelfAdjointEigenSolver<MatrixXd> eigen(m, sigma);
      if (eigen.info() != Eigen::Success)
        throw InputError(
            "gv25: the features' second-moment matrix is singular (collinear or constant "
            "features)");
      const Eigen::Index top = d - 1;  // eigenvalues in increasing order
      VectorXd u = eigen.eigenvectors().col(top);
      row["eigenvalue"] = eigen.eigenvalues()[top];
      row["next_eigenvalue"] = d > 1 ? eigen.eigenvalues()[top - 1] : 0.0;
      thresholds.push_back(row);
      const std::vector<double> dir(u.data(), u.data() + d);
      std::vector<double> opposite = dir;
      for (double& v : opposite) v = -v;
      directions.push_back(dir);
      directions.push_back(opposite);
    }
    directions.push_back(chow_estimate(moments, true, 0.0));

    Candidate warm;
    nlohmann::json candidates = nlohmann::json::array();
    for (std::size_t k = 0; k < directions.size(); ++k) {
      Candidate c = refit(engine, train, directions[k]);
      c.holdout_loss = relu_loss(engine, holdout, c.w, c.b);
      candidates.push_back({{"source", k + 1 == directions.size()
                                           ? std::string("chow")
                                           : fmt::format("pca{}{}", k / 2, k % 2 ? "-" : "+")},
                            {"train_loss", c.train_loss},
                            {"holdout_loss", c.holdout_loss}});
      if (c.holdout_loss < warm.holdout_loss) warm = c;
    }
    result.details["thresholds"] = thresholds;
    result.details["candidates"] = candidates;
    result.details["warm_start"] = {
        {"w", warm.w}, {"b", warm.b}, {"holdout_loss", warm.holdout_loss}};

    Candidate refined = refine(engine, train, warm, context, result);
    refined.holdout_loss = relu_loss(engine, holdout, refined.w, refined.b);
    result.details["refined_holdout_loss"] = refined.holdout_loss;
    const bool keep_refined = refined.holdout_loss <= warm.holdout_loss;
    result.details["chosen"] = keep_refined ? "refined" : "warm_start";
    const Candidate& chosen = keep_refined ? refined : warm;
    result.model = ReluModel{chosen.w, p_.bias ? chosen.b : 0.0, p_.bias};
    return result;
  }

 private:
  // About the upper 2^-(j+1) quantiles of the labels, j < thresholds (distinct values only),
  // from means only (so that an SQ oracle answers every pass): the labels' mean m and rms
  // deviation s, then a histogram on the grid m + s·(k/32 − 4), k = 0..256, whose tail shares
  // pick the grid point nearest each quantile.
  std::vector<double> label_thresholds(const Engine& engine, const DataSource& train) const {
    const std::vector<double> moments =
        engine.mean_rows(train, 2, [](const float*, double y, double* acc) {
          acc[0] += y;
          acc[1] += y * y;
        });
    const double spread = std::sqrt(std::max(moments[1] - moments[0] * moments[0], 0.0));
    if (!(spread > 0) || !std::isfinite(spread)) return {};
    constexpr std::size_t kGrid = 257;
    std::vector<double> grid(kGrid);
    for (std::size_t k = 0; k < kGrid; ++k)
      grid[k] = moments[0] + spread * (static_cast<double>(k) / 32 - 4);
    // bins[k] = share of labels in (grid[k−1], grid[k]] (bins[0]: ≤ grid[0], bins[kGrid]: above).
    const std::vector<double> bins =
        engine.mean_rows(train, kGrid + 1, [&grid](const float*, double y, double* acc) {
          acc[std::lower_bound(grid.begin(), grid.end(), y) - grid.begin()] += 1;
        });
    std::vector<double> above(kGrid);  // above[k] = share of labels > grid[k]
    double tail = 0;
    for (std::size_t k = kGrid; k-- > 0;) {
      tail += bins[k + 1];
      above[k] = tail;
    }
    std::vector<double> taus;
    for (std::size_t j = 0; j < p_.thresholds; ++j) {
      const double target = std::ldexp(1.0, -static_cast<int>(j + 1));
      std::size_t best = 0;
      for (std::size_t k = 1; k < kGrid; ++k)
        if (std::abs(std::log(std::max(above[k], 1e-300) / target)) <
            std::abs(std::log(std::max(above[best], 1e-300) / target)))
          best = k;
      if (above[best] > 0 && std::find(taus.begin(), taus.end(), grid[best]) == taus.end())
        taus.push_back(grid[best]);
    }
    return taus;
  }

  Candidate refit(const Engine& engine, const DataSource& train, std::vector<double> u) const {
    Candidate c;
    c.w.assign(u.size(), 0.0);
    if (normalize(u) == 0) {
      c.train_loss = relu_loss(engine, train, c.w, 0.0);
      return c;
    }
    if (p_.bias) {
      const ScaleBiasFit fit = refit_scale_bias(engine, train, u, p_.radius);
      for (std::size_t j = 0; j < u.size(); ++j) c.w[j] = fit.scale * u[j];
      c.b = fit.bias;
      c.train_loss = fit.loss;
    } else {
      const ScaleFit fit = refit_scale(engine, train, u, p_.radius);
      for (std::size_t j = 0; j < u.size(); ++j) c.w[j] = fit.scale * u[j];
      c.train_loss = fit.loss;
    }
    return c;
  }

  // Projects w onto ‖w − center‖ <= r and then onto the norm bound.
  void project(std::vector<double>& w, const std::vector<double>& center, double r) const {
    double dist2 = 0;
    for (std::size_t j = 0; j < w.size(); ++j) dist2 += (w[j] - center[j]) * (w[j] - center[j]);
    const double dist = std::sqrt(dist2);
    if (dist > r)
      for (std::size_t j = 0; j < w.size(); ++j) w[j] = center[j] + (w[j] - center[j]) * r / dist;
    project_to_ball(w, p_.radius);
  }

  Candidate refine(const Engine& engine, const DataSource& train, const Candidate& warm,
                   const FitContext& context, FitResult& result) const {
    const std::size_t d = train.cols(), p = d + (p_.bias ? 1 : 0);
    Candidate c = warm;
    double norm = 0;
    for (double v : warm.w) norm += v * v;
    norm = std::sqrt(norm);
    FitMonitor monitor(context, {"gv25", p_.max_passes, p_.tol}, result);
    monitor.stop("max_passes");
    if (norm == 0) {
      monitor.record(warm.train_loss);
      monitor.stop("zero_warm_start");
      return c;
    }
    MatrixXd h = active_second_moment(engine, train, warm.w, warm.b, p_.bias);
    h.diagonal().array() += 1e-9 * std::max(h.trace(), 1e-300);
    const Eigen::LDLT<MatrixXd> solver(h);
    if (solver.info() != Eigen::Success) {
      monitor.record(warm.train_loss);
      monitor.stop("singular_active_rows");
      return c;
    }
    const double r = p_.ball * norm;
    ReluStats stats = relu_stats(engine, train, c.w, c.b, p_.bias, 1.0, ReluGradients::square);
    monitor.check_finite(0, stats.loss);
    monitor.record(stats.loss);
    double step = p_.step;
    std::size_t iteration = 0;
    while (monitor.within(p_.max_passes)) {
      ++iteration;
      const VectorXd g =
          Eigen::Map<const VectorXd>(stats.grad_square.data(), static_cast<Eigen::Index>(p));
      const VectorXd direction = solver.solve(0.5 * g);
      bool accepted = false;
      std::vector<double> w_new(d);
      double b_new = c.b;
      ReluStats next;
      while (monitor.within(p_.max_passes)) {
        for (std::size_t j = 0; j < d; ++j)
          w_new[j] = c.w[j] - step * direction[static_cast<Eigen::Index>(j)];
        if (p_.bias) b_new = c.b - step * direction[static_cast<Eigen::Index>(d)];
        project(w_new, warm.w, r);
        next = relu_stats(engine, train, w_new, b_new, p_.bias, 1.0, ReluGradients::square);
        if (std::isfinite(next.loss) && next.loss <= stats.loss) {
          accepted = true;
          break;
        }
        step *= 0.5;
        if (step < 1e-12) {
          monitor.stop("no_descent");
          break;
        }
      }
      if (!accepted) break;
      const double old_loss = stats.loss;
      c.w = w_new;
      c.b = b_new;
      stats = std::move(next);
      if (!monitor.report(iteration, stats.loss) || monitor.converged(old_loss, stats.loss)) break;
    }
    c.train_loss = stats.loss;
    result.details["final_step"] = step;
    result.details["active_fraction"] = stats.active;
    return c;
  }
};

}  // namespace

LearnerEntry gv25_entry() {
  return learner_entry<Gv25Learner, Gv25Params>();
}

}  // namespace relureg::detail
