// The closed-form moment ("Chow") estimator w = 2 Σ̂⁻¹ Ê[y x] with a 1-D scale refit.
#include <fmt/format.h>

#include <Eigen/Dense>
#include <cmath>

#include "descent.hpp"
#include "learners.hpp"
#include "relureg/error.hpp"
#include "relureg/kernels.hpp"

namespace relureg::detail {
namespace {

struct MomentParams : ReluFitParams {
  double ridge = 0.0;
  bool center = true;

  RELUREG_FIELDS(inherit_fields<P, ReluFitParams>(
      {{"ridge", &P::ridge, "added to the diagonal of Σ̂ before solving", 0.0, kInfinity},
       {"center", &P::center,
        "use Cov(x)⁻¹Cov(x, y) (same population value, lower variance); always on with "
        "--bias"}}))
};

// Stein's identity for x ~ N(0, I): E[ReLU(w·x) x] = w/2, so 2 Ê[y x] estimates w* up to the
// noise's correlation with x, which is at most √opt; hence loss ≤ 9·opt (sota.md §0.1, D2).
// For N(0, Σ) the estimate is 2 Σ̂⁻¹ Ê[y x]. With `center` (default) we use 2 Cov̂(x)⁻¹ Cov̂(x, y):
// the same population value when E[x] = 0, but the labels' mean no longer adds variance, which
// cuts the estimation error by about 40% for a ReLU teacher. With a bias, E[ReLU(w·x + b) x] ∝ w
// still holds after centring, so that direction is refitted with an exact 2-D (a, b) search.
class MomentLearner final : public ParamLearner<MomentParams> {
 public:
  using ParamLearner::ParamLearner;

  FitResult fit(const DataSource& data, const FitContext& context) override {
    const Engine& engine = *context.engine;
    std::vector<double> w = chow_estimate(engine, data, p_.center || p_.bias, p_.ridge);
    double norm = 0;
    for (double v : w) norm += v * v;
    norm = std::sqrt(norm);
    FitResult result;
    result.stop_reason = "closed_form";
    result.details["chow_norm"] = norm;
    if (norm == 0) {  // labels uncorrelated with x: the best ReLU along no direction is constant
      result.relu().w.assign(data.cols(), 0.0);
      result.relu().bias = p_.bias;
      result.loss_history.push_back(relu_loss(engine, data, result.relu().w, 0.0));
      return result;
    }
    std::vector<double> u = w;
    for (double& v : u) v /= norm;
    if (p_.bias) {
      const ScaleBiasFit fit = refit_scale_bias(engine, data, u, p_.radius);
      for (double& v : u) v *= fit.scale;
      result.model = ReluModel{u, fit.bias, true};
      result.loss_history.push_back(fit.loss);
    } else {
      const ScaleFit fit = refit_scale(engine, data, u, p_.radius);
      for (double& v : u) v *= fit.scale;
      result.model = ReluModel{u, 0.0, false};
      result.loss_history.push_back(fit.loss);
    }
    return result;
  }
};

}  // namespace

DataMoments data_moments(const Engine& engine, const DataSource& data) {
  const std::size_t d = data.cols();
  // Layout: [Σ x xᵀ (d×d, lower triangle filled), Σ y x (d), Σ x (d), Σ y].
  const std::size_t width = d * d + 2 * d + 1;
  const std::vector<double> m = engine.mean(data, width, [d](const RowBlock& blk, double* acc) {
    // Converted in the block's own (row-major) layout: an element-wise copy into a
    // column-major matrix took twice as long as the rank update itself.
    using RowMajorFloats = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using RowMajorDoubles = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::Index rows = static_cast<Eigen::Index>(blk.rows);
    const RowMajorDoubles xb =
        Eigen::Map<const RowMajorFloats>(blk.X, rows, static_cast<Eigen::Index>(d)).cast<double>();
    // Copies in Eigen's aligned storage: Eigen peels its vector loops by the runtime address, so
    // a map over the caller's buffer would round differently for another allocation of the data.
    const Eigen::VectorXd yb = Eigen::Map<const Eigen::VectorXd>(blk.y, rows);
    Eigen::Map<Eigen::MatrixXd> second(acc, d, d);
    if (blk.w != nullptr) {  // sample weights: Σ w x xᵀ, Σ w y x, Σ w x, Σ w y
      const Eigen::VectorXd wb = Eigen::Map<const Eigen::VectorXd>(blk.w, rows);
      const RowMajorDoubles wx = wb.asDiagonal() * xb;
      second.triangularView<Eigen::Lower>() += xb.transpose() * wx;
      Eigen::Map<Eigen::VectorXd>(acc + d * d, d) += wx.transpose() * yb;
      Eigen::Map<Eigen::VectorXd>(acc + d * d + d, d) += wx.colwise().sum().transpose();
      acc[d * d + 2 * d] += wb.dot(yb);
      return;
    }
    second.selfadjointView<Eigen::Lower>().rankUpdate(xb.transpose());
    Eigen::Map<Eigen::VectorXd>(acc + d * d, d) += xb.transpose() * yb;
    Eigen::Map<Eigen::VectorXd>(acc + d * d + d, d) += xb.colwise().sum().transpose();
    acc[d * d + 2 * d] += yb.sum();
  });
  DataMoments out;
  out.second.resize(d * d);
  Eigen::Map<Eigen::MatrixXd>(out.second.data(), d, d) =
      Eigen::Map<const Eigen::MatrixXd>(m.data(), d, d).selfadjointView<Eigen::Lower>();
  out.xy.assign(m.begin() + d * d, m.begin() + d * d + d);
  out.mean_x.assign(m.begin() + d * d + d, m.begin() + d * d + 2 * d);
  out.mean_y = m[d * d + 2 * d];
  return out;
}

std::vector<double> chow_estimate(const DataMoments& moments, bool center, double ridge) {
  const std::size_t d = moments.xy.size();
  const Eigen::Index n = static_cast<Eigen::Index>(d);
  Eigen::MatrixXd sigma = Eigen::Map<const Eigen::MatrixXd>(moments.second.data(), n, n);
  Eigen::VectorXd xy = Eigen::Map<const Eigen::VectorXd>(moments.xy.data(), n);
  if (center) {
    const Eigen::VectorXd mean_x = Eigen::Map<const Eigen::VectorXd>(moments.mean_x.data(), n);
    sigma -= mean_x * mean_x.transpose();
    xy -= moments.mean_y * mean_x;
  }
  sigma.diagonal().array() += ridge;
  const Eigen::LDLT<Eigen::MatrixXd> ldlt(sigma);
  if (ldlt.info() != Eigen::Success || !ldlt.isPositive() ||
      ldlt.vectorD().minCoeff() <= 1e-12 * std::max(1.0, ldlt.vectorD().maxCoeff()))
    throw InputError(
        "moment: the features' second-moment matrix is singular (collinear or constant features;"
        " set --param ridge=VALUE)");
  const Eigen::VectorXd w = 2.0 * ldlt.solve(xy);
  return {w.data(), w.data() + d};
}

std::vector<double> chow_estimate(const Engine& engine, const DataSource& data, bool center,
                                  double ridge) {
  return chow_estimate(data_moments(engine, data), center, ridge);
}

double second_moment_top_eigenvalue(const DataMoments& moments, bool with_bias) {
  const Eigen::Index d = static_cast<Eigen::Index>(moments.xy.size());
  Eigen::MatrixXd s(d + (with_bias ? 1 : 0), d + (with_bias ? 1 : 0));
  s.topLeftCorner(d, d) = Eigen::Map<const Eigen::MatrixXd>(moments.second.data(), d, d);
  if (with_bias) {
    const Eigen::VectorXd mean_x = Eigen::Map<const Eigen::VectorXd>(moments.mean_x.data(), d);
    s.col(d).head(d) = mean_x;
    s.row(d).head(d) = mean_x.transpose();
    s(d, d) = 1.0;
  }
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(s, Eigen::EigenvaluesOnly);
  return eigen.eigenvalues().maxCoeff();
}

LearnerEntry moment_entry() {
  return learner_entry<MomentLearner, MomentParams>(SampleWeights::taken);
}

}  // namespace relureg::detail
