// The closed-form moment ("Chow") estimator w = 2 Σ̂⁻¹ Ê[y x] with a 1-D scale refit (1 or 2
// passes).
#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>
#include <vector>

#include "descent.hpp"
#include "halfspace_common.hpp"
#include "kernels/moments.hpp"
#include "learners.hpp"
#include "relureg/affine.hpp"
#include "relureg/error.hpp"
#include "relureg/kernels.hpp"

namespace relureg::detail {
namespace {

struct MomentParams : ReluFitParams {
  double ridge = 0.0;
  bool center = true;
  std::size_t passes = 2;

  RELUREG_FIELDS(inherit_fields<P, ReluFitParams>(
      {{"ridge", &P::ridge, "added to the diagonal of Σ̂ before solving", 0.0, kInfinity},
       {"center", &P::center,
        "use Cov(x)⁻¹Cov(x, y) (same population value, lower variance); always on with "
        "--bias"},
       {"passes", &P::passes,
        "2: exact scale refit in a second pass; 1: the refit's statistics in the moments' pass "
        "(no --bias)",
        1, 2}}))
};

// Stein's identity for x ~ N(0, I): E[ReLU(w·x) x] = w/2, so 2 Ê[y x] estimates w* up to the
// noise's correlation with x, which is at most √opt; hence loss ≤ 9·opt (sota.md §0.1, D2).
// For N(0, Σ) the estimate is 2 Σ̂⁻¹ Ê[y x]. With `center` (default) we use 2 Cov̂(x)⁻¹ Cov̂(x, y):
// the same population value when E[x] = 0, but the labels' mean no longer adds variance, which
// cuts the estimation error by about 40% for a ReLU teacher. With a bias, E[ReLU(w·x + b) x] ∝ w
// still holds after centring, so that direction is refitted with an exact 2-D (a, b) search.
// The result of a closed-form fit whose Chow estimate had norm `norm` (before normalisation).
FitResult closed_form_result(double norm) {
  FitResult result;
  result.stop_reason = "closed_form";
  result.details["chow_norm"] = norm;
  return result;
}

class MomentLearner final : public ParamLearner<MomentParams> {
 public:
  using ParamLearner::ParamLearner;

  FitResult fit(const DataSource& data, const FitContext& context) override {
    if (p_.passes == 1) {
      if (p_.bias)
        throw InputError(
            "moment: passes=1 fits a ReLU without a bias (the (a, b) refit of --bias reads the "
            "data again); use passes=2 with --bias");
      return fit_one_pass(data, context);
    }
    const Engine& engine = *context.engine;
    std::vector<double> u = chow_estimate(engine, data, p_.center || p_.bias, p_.ridge);
    const double norm = normalize(u);
    FitResult result = closed_form_result(norm);
    if (norm == 0) {  // labels uncorrelated with x: the best ReLU along no direction is constant
      result.relu().w.assign(data.cols(), 0.0);
      result.relu().bias = p_.bias;
      result.loss_history.push_back(relu_loss(engine, data, result.relu().w, 0.0));
      return result;
    }
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

 private:
  // One pass: the moments and, per block, the refit's statistics on the rows that the block's
  // own Chow direction makes active (see moments_with_refit). The scale along the final unit
  // direction u is then a = u·ĝ_act / uᵀĤ_act u, where the two-pass refit has
  // Σ y ReLU(u·x) / Σ ReLU(u·x)²: they differ only on rows whose sign flips between a block's
  // direction and u, where |u·x| is itself of the order of the angle between them.
  FitResult fit_one_pass(const DataSource& data, const FitContext& context) {
    const RefitMoments m = moments_with_refit(*context.engine, data);
    std::vector<double> u = chow_estimate(m.moments, p_.center, p_.ridge);
    const std::size_t d = u.size();
    const double norm = normalize(u);
    FitResult result = closed_form_result(norm);
    result.details["refit"] = "one_pass";
    double scale = 0, numerator = 0, denominator = 0;
    if (norm > 0) {
      const Eigen::Map<const Eigen::VectorXd> uv(u.data(), static_cast<Eigen::Index>(d));
      numerator = uv.dot(Eigen::Map<const Eigen::VectorXd>(m.active_xy.data(), uv.size()));
      denominator = uv.dot(
          Eigen::Map<const Eigen::MatrixXd>(m.active_second.data(), uv.size(), uv.size()) * uv);
      if (denominator > 0) scale = std::clamp(numerator / denominator, 0.0, p_.radius);
    }
    for (double& v : u) v *= scale;
    result.model = ReluModel{u, 0.0, false};
    // The training loss from the same statistics (exact for the rows whose sign the block
    // directions got right, i.e. to the refit's own approximation).
    result.loss_history.push_back(m.mean_yy - 2 * scale * numerator + scale * scale * denominator);
    return result;
  }
};

// Σ x xᵀ (lower triangle), Σ y x, Σ x, Σ y of one block (weighted: Σ w x xᵀ, ...), added to acc
// laid out as [d×d, d, d, 1], for rows longer than short_moment_features(): only where neither
// the build nor the CPU has AVX, whose kernels stop at 16 features. Elsewhere short_moments_block
// takes every d, faster than this rank update at every d measured (`build/bench_moments` on the
// Intel Xeon, one block in cache: AVX-512 1.6-3.2x from d = 16 to 1000). Converted in the block's
// own (row-major) layout: an element-wise copy into a column-major matrix took twice as long as the
// rank update itself.
using RowMajorFloats = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMajorDoubles = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

void add_block_moments(const RowBlock& blk, const RowMajorDoubles& xb, const Eigen::VectorXd& yb,
                       double* acc) {
  const std::size_t d = blk.d;
  Eigen::Map<Eigen::MatrixXd> second(acc, d, d);
  if (blk.w != nullptr) {  // sample weights: Σ w x xᵀ, Σ w y x, Σ w x, Σ w y
    const Eigen::VectorXd wb = Eigen::Map<const Eigen::VectorXd>(blk.w, xb.rows());
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
}

// The block's features in double and its labels, in Eigen's aligned storage: Eigen peels its
// vector loops by the runtime address, so a map over the caller's buffer would round
// differently for another allocation of the data.
std::pair<RowMajorDoubles, Eigen::VectorXd> block_matrices(const RowBlock& blk) {
  const Eigen::Index rows = static_cast<Eigen::Index>(blk.rows);
  return {Eigen::Map<const RowMajorFloats>(blk.X, rows, static_cast<Eigen::Index>(blk.d))
              .cast<double>(),
          Eigen::Map<const Eigen::VectorXd>(blk.y, rows)};
}

DataMoments unpack_moments(const std::vector<double>& m, std::size_t d) {
  DataMoments out;
  out.second.resize(d * d);
  Eigen::Map<Eigen::MatrixXd>(out.second.data(), d, d) =
      Eigen::Map<const Eigen::MatrixXd>(m.data(), d, d).selfadjointView<Eigen::Lower>();
  out.xy.assign(m.begin() + d * d, m.begin() + d * d + d);
  out.mean_x.assign(m.begin() + d * d + d, m.begin() + d * d + 2 * d);
  out.mean_y = m[d * d + 2 * d];
  return out;
}

}  // namespace

DataMoments data_moments(const Engine& engine, const DataSource& data) {
  const std::size_t d = data.cols();
  // Layout: [Σ x xᵀ (d×d, lower triangle filled), Σ y x (d), Σ x (d), Σ y].
  const std::size_t width = d * d + 2 * d + 1;
  const std::vector<double> m = engine.mean(data, width, [](const RowBlock& blk, double* acc) {
    if (blk.d <= short_moment_features()) return short_moments_block(blk, acc);
    const auto [xb, yb] = block_matrices(blk);
    add_block_moments(blk, xb, yb, acc);
  });
  return unpack_moments(m, d);
}

RefitMoments moments_with_refit(const Engine& engine, const DataSource& data) {
  const std::size_t d = data.cols();
  // Layout: the moments as in data_moments, then Σ_act x xᵀ (d×d, lower), Σ_act y x (d), Σ y².
  const std::size_t base = d * d + 2 * d + 1;
  const std::size_t width = base + d * d + d + 1;
  const std::vector<double> m =
      engine.mean(data, width, [d, base](const RowBlock& blk, double* acc) {
        const bool short_rows = d <= short_moment_features();
        const Eigen::Index rows = static_cast<Eigen::Index>(blk.rows);
        // The block widened to double only for the rank update (short rows need no copy: their z
        // comes from affine_value), its labels copied into Eigen's storage (block_matrices).
        RowMajorDoubles xb;
        Eigen::VectorXd yb;
        if (short_rows)
          yb = Eigen::Map<const Eigen::VectorXd>(blk.y, rows);
        else
          std::tie(xb, yb) = block_matrices(blk);
        // acc starts at zero: these are the block's own sums.
        if (short_rows)
          short_moments_block(blk, acc);
        else
          add_block_moments(blk, xb, yb, acc);
        const Eigen::Index n = static_cast<Eigen::Index>(d);
        const Eigen::VectorXd wb = blk.w ? Eigen::Map<const Eigen::VectorXd>(blk.w, rows).eval()
                                         : Eigen::VectorXd::Ones(rows);
        acc[base + d * d + d] += wb.dot(yb.cwiseProduct(yb));
        const double weight = wb.sum();
        if (!(weight > 0)) return;
        // The block's own centred Chow direction Cov̂(x)⁻¹Cov̂(x, y), with a ridge of
        // (d / rows)·tr/d that keeps it defined for blocks with fewer rows than features.
        const Eigen::Map<const Eigen::VectorXd> sx(acc + d * d + d, n);
        const Eigen::VectorXd mean_x = sx / weight;
        Eigen::MatrixXd cov =
            Eigen::Map<const Eigen::MatrixXd>(acc, n, n).selfadjointView<Eigen::Lower>();
        cov /= weight;
        cov -= mean_x * mean_x.transpose();
        const Eigen::VectorXd cxy = Eigen::Map<const Eigen::VectorXd>(acc + d * d, n) / weight -
                                    (acc[d * d + 2 * d] / weight) * mean_x;
        const double trace = cov.trace();
        if (!(trace > 0)) return;
        cov.diagonal().array() += trace / weight;
        // The ridge makes cov positive definite: Eigen's Cholesky, blocked (its LDLT is not: at
        // d = 1000 that took 23 % of a fit). The direction only sorts the rows into active and not.
        const Eigen::LLT<Eigen::MatrixXd> llt(cov);
        const Eigen::VectorXd direction =
            llt.info() == Eigen::Success ? Eigen::VectorXd(llt.solve(cxy)) : cov.ldlt().solve(cxy);
        // Its active rows' Σ x xᵀ and Σ y x (weighted as the moments).
        std::vector<std::size_t> active;
        Eigen::VectorXd long_rows_z;
        if (!short_rows) long_rows_z = xb * direction;
        for (std::size_t r = 0; r < blk.rows; ++r) {
          const auto at = static_cast<Eigen::Index>(r);
          const double z =
              short_rows ? affine_value(blk.X + r * d, direction.data(), d, 0.0) : long_rows_z[at];
          if (z > 0 && wb[at] != 0) active.push_back(r);
        }
        if (active.empty()) return;
        if (short_rows) {  // the moments kernel on a copy of the active rows
          const std::vector<double> sums = moments_of_rows(blk, active, false);
          add_lower_triangle(sums.data(), d, acc + base);
          for (std::size_t j = 0; j < d; ++j) acc[base + d * d + j] += sums[d * d + j];
          return;
        }
        RowMajorDoubles xa(static_cast<Eigen::Index>(active.size()), n);
        Eigen::VectorXd ya(xa.rows()), wa(xa.rows());
        for (Eigen::Index k = 0; k < xa.rows(); ++k) {
          xa.row(k) = xb.row(static_cast<Eigen::Index>(active[k]));
          ya[k] = yb[static_cast<Eigen::Index>(active[k])];
          wa[k] = wb[static_cast<Eigen::Index>(active[k])];
        }
        Eigen::Map<Eigen::MatrixXd> second(acc + base, n, n);
        if (blk.w != nullptr) {
          const RowMajorDoubles wx = wa.asDiagonal() * xa;
          second.triangularView<Eigen::Lower>() += xa.transpose() * wx;
          Eigen::Map<Eigen::VectorXd>(acc + base + d * d, n) += wx.transpose() * ya;
        } else {
          second.selfadjointView<Eigen::Lower>().rankUpdate(xa.transpose());
          Eigen::Map<Eigen::VectorXd>(acc + base + d * d, n) += xa.transpose() * ya;
        }
      });
  RefitMoments out;
  out.moments = unpack_moments(m, d);
  out.active_second.resize(d * d);
  Eigen::Map<Eigen::MatrixXd>(out.active_second.data(), d, d) =
      Eigen::Map<const Eigen::MatrixXd>(m.data() + base, d, d).selfadjointView<Eigen::Lower>();
  out.active_xy.assign(m.begin() + base + d * d, m.begin() + base + d * d + d);
  out.mean_yy = m[base + d * d + d];
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
