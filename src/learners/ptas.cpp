// ptas: the DGKKS20 approximation scheme — a constant-factor start, a polynomial fitted in the
// band |w·x + b| <= t, least squares above it, 0 below it (an improper, piecewise predictor).
#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "halfspace_common.hpp"
#include "learners.hpp"
#include "relureg/affine.hpp"
#include "relureg/error.hpp"
#include "relureg/kernels.hpp"
#include "relureg/sources.hpp"

namespace relureg::detail {
namespace {

using Clock = std::chrono::steady_clock;
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// The band's Gram matrix (packed lower triangle) is one accumulator of the engine per block in
// flight: more basis polynomials than this would need gigabytes.
constexpr double kMaxBasis = 6000;

struct PtasParams {
  double eta = 0.5;
  std::size_t degree = 0;
  std::string start = "dktz22";
  std::size_t bands = 5;
  double band_mass = 0.25;
  double holdout = 0.2;
  double ridge = 1e-6;
  double max_seconds = 600;
  bool bias = false;

  RELUREG_FIELDS(
      {{"eta", &P::eta,
        "approximation parameter: the target is (1 + eta)·opt; sets degree = ceil(1/eta^3)", 0.05,
        1},
       {"degree", &P::degree, "degree of the band's polynomial (0 = ceil(1/eta^3))", 0, 40},
       {"start", &P::start, "the constant-factor learner giving the split w·x + b",
        Choices{{"dktz22", "gd", "glmtron", "moment", "wzdd23", "gv25"}}},
       {"bands", &P::bands, "band widths tried: the band holds band_mass·2^-i of the rows", 1, 30},
       {"band_mass", &P::band_mass, "share of the training rows in the widest band", 1e-4, 1},
       holdout_field(&P::holdout, "choose the band width and the degree"),
       {"ridge", &P::ridge, "relative ridge of the least-squares fits", 0, 1},
       {"max_seconds", &P::max_seconds,
        "refuse to start when the estimated time exceeds this many seconds", 0, 1e9},
       bias_field(&P::bias)})
  std::size_t used_degree() const {
    return degree > 0 ? degree : static_cast<std::size_t>(std::ceil(1 / (eta * eta * eta) - 1e-9));
  }
};

std::size_t packed(std::size_t p) {
  return p * (p + 1) / 2;
}

// What one pass collects for a band: the band's Gram matrix Σ φφᵀ (p × p, column-major, lower
// triangle filled: Eigen's rank update writes into the engine's accumulator in place), Σ φ y,
// and above the band the same for x̃ = (x, 1) (packed).
struct BandLayout {
  std::size_t p = 0, d = 0;
  std::size_t gram() const { return 0; }
  std::size_t rhs() const { return p * p; }
  std::size_t pos_gram() const { return rhs() + p; }
  std::size_t pos_rhs() const { return pos_gram() + packed(d + 1); }
  std::size_t pos_count() const { return pos_rhs() + d + 1; }
  std::size_t width() const { return pos_count() + 1; }
};

// The leading size × size block of a symmetric matrix stored row by row as its lower triangle.
Eigen::MatrixXd unpack(const double* packed_lower, std::size_t size) {
  Eigen::MatrixXd a(size, size);
  for (std::size_t i = 0; i < size; ++i)
    for (std::size_t j = 0; j <= i; ++j) a(i, j) = a(j, i) = packed_lower[i * (i + 1) / 2 + j];
  return a;
}

// Ridge-regularised least squares (A + λ·mean(diag A)·I) c = r, A given by its lower triangle.
Eigen::VectorXd solve(Eigen::MatrixXd a, const Eigen::VectorXd& r, double ridge) {
  const double scale = a.rows() > 0 ? std::max(a.diagonal().mean(), 1e-300) : 1.0;
  a.diagonal().array() += ridge * scale + 1e-12 * scale;
  Eigen::LLT<Eigen::MatrixXd> llt(a);  // reads the lower triangle only
  Eigen::VectorXd c = llt.info() == Eigen::Success ? Eigen::VectorXd(llt.solve(r))
                                                   : Eigen::VectorXd::Zero(r.size());
  if (!c.allFinite()) c.setZero();
  return c;
}

// Diakonikolas, Goel, Karmalkar, Klivans, Soltanolkotabi, "Approximation Schemes for ReLU
// Regression", COLT 2020, Algorithm 2 (papers.md §2.3): (1) a constant-factor learner gives
// (w, b) with ‖w − w*‖ = O(√opt); (2) the band T = {|w·x + b| <= t}, t = γ√opt; (3) on T a
// polynomial of degree k = 1/η³ by least squares; (4) above T least squares for a linear
// function; (5) h = 0 below T. The paper takes opt as an input and says to guess it on a grid:
// here the grid is over the band's share of the training rows (band_mass·2^-i, i < bands), each
// share a guess of γ√opt, and every degree j <= k is a candidate too (the Gram matrix of degree k
// holds all of them, the basis being graded); the hold-out rows choose (t, j), the start itself
// (t = 0) included, and the chosen pair is refitted on all rows. Implementation choices are in
// docs/algorithms.md (the basis, the ridge, the intercept above the band).
class PtasLearner final : public Learner {
 public:
  explicit PtasLearner(const PtasParams& p) : p_(p) {}

  std::optional<WorkEstimate> estimate(const DataSource& data, const FitContext& context) override {
    const std::size_t d = data.cols(), k = p_.used_degree();
    if (k > 40)
      throw InputError(
          fmt::format("ptas: degree {} = ceil(1/eta^3) is above 40; raise eta or set degree", k));
    const double p = piecewise_basis_size(d, k);
    if (p > kMaxBasis)
      throw InputError(fmt::format(
          "ptas: degree {} in d = {} has {:.4g} basis polynomials, more than {} (their Gram "
          "matrix would not fit in memory); lower the degree or raise eta",
          k, d, p, kMaxBasis));
    const std::size_t n = data.rows(), held = holdout_rows(n, p_.holdout);
    double share = 0;  // all bands together, in training rows
    for (std::size_t i = 0; i < p_.bands; ++i) share += p_.band_mass * std::pow(0.5, double(i));
    const std::size_t probe = static_cast<std::size_t>(std::min(p, 1000.0));
    // Time a Gram update of 512 rows and a factorisation at the probe size (the real size up to
    // 1000 polynomials: cache effects included); the fastest of two (a busy machine only slows a
    // probe down). Gram work grows as p² per band row, the solve as p³.
    const Eigen::Index q = static_cast<Eigen::Index>(probe);
    RowMatrix b = RowMatrix::Constant(512, q, 0.5);
    Eigen::MatrixXd g = Eigen::MatrixXd::Identity(q, q);
    double per_gram = std::numeric_limits<double>::infinity(), per_solve = per_gram;
    for (int repeat = 0; repeat < 2; ++repeat) {
      const auto t0 = Clock::now();
      g.selfadjointView<Eigen::Lower>().rankUpdate(b.transpose());
      per_gram = std::min(per_gram, seconds_since(t0) / (512.0 * probe * probe));
      const auto t1 = Clock::now();
      Eigen::LLT<Eigen::MatrixXd> llt(g);
      per_solve = std::min(per_solve, seconds_since(t1) / (double(probe) * probe * probe));
    }
    double cubes = 0;  // Σ_j p_j³: one solve per degree and band
    for (std::size_t j = 0; j <= k; ++j) cubes += std::pow(piecewise_basis_size(d, j), 3);
    const int threads = std::max(1, context.engine->threads());
    const double band_rows = share * double(n - held) + p_.band_mass * double(n);
    WorkEstimate e;
    const double gram = band_rows * p * p * per_gram / threads;
    const double solves = double(p_.bands) * cubes * per_solve;
    e.seconds = gram + solves;
    e.summary = fmt::format(
        "ptas: degree {} in d = {} ({:.4g} basis polynomials), {} bands holding {:.3g} of the {} "
        "training rows each time at most, then the refit on {} rows: Gram matrices ~{:.2g} s, "
        "solves ~{:.2g} s: about {:.2g} s on {} threads, plus the {} start",
        k, d, p, p_.bands, p_.band_mass, n - held, n, gram, solves, e.seconds, threads, p_.start);
    return e;
  }

  FitResult fit(const DataSource& data, const FitContext& context) override {
    const std::size_t d = data.cols(), k = p_.used_degree();
    const WorkEstimate cost = *estimate(data, context);
    if (cost.seconds > p_.max_seconds)
      throw InputError(fmt::format(
          "ptas: the estimated time, about {:.2g} s (degree {} in d = {}: {:.4g} basis "
          "polynomials), exceeds max_seconds = {:g}; lower the degree (raise eta) or raise "
          "max_seconds",
          cost.seconds, k, d, piecewise_basis_size(d, k), p_.max_seconds));
    const Engine& engine = *context.engine;
    const std::size_t n = data.rows(), held = holdout_rows(n, p_.holdout);
    const SliceSource train(data, 0, n - held);
    const SliceSource holdout(data, held > 0 ? n - held : 0, n);

    // (1) The constant-factor start on the training rows.
    const LearnerEntry& start_entry = find_learner(p_.start);
    ParamValues start_params = ParamValues::defaults(start_entry.params);
    start_params.set_fit_bias(p_.bias);
    const FitResult start =
        start_entry.make(start_params)->fit(train, {&engine, context.seed, context.progress});
    const ReluModel& relu = start.relu();
    const double start_train = relu_loss(engine, train, relu.w, relu.b);

    PiecewiseModel model;
    model.w = relu.w, model.b = relu.b, model.bias = p_.bias;
    model.frame = orthonormal_frame(relu.w);
    model.w_pos = relu.w, model.b_pos = relu.b;
    model.set_degree(0);
    model.coef = {0.0};
    FitResult result;
    nlohmann::json candidates = nlohmann::json::array();
    double best = relu_loss(engine, holdout, relu.w, relu.b);
    candidates.push_back({{"band", 0.0}, {"holdout_loss", best}});
    double best_band = 0;
    std::size_t best_degree = 0;
    double timing[4] = {0, 0, 0, 0};  // Gram passes, solves, hold-out passes, refit
    const auto started = Clock::now();

    // (2) The band widths: quantiles of |w·x + b| on the training rows.
    std::vector<double> z(train.rows());
    engine.map(train, z, [&](const RowBlock& blk, double* out) {
      for (std::size_t r = 0; r < blk.rows; ++r)
        out[r] = std::abs(affine_value(blk.X + r * blk.d, relu.w.data(), d, relu.b));
    });
    std::sort(z.begin(), z.end());
    double norm = 0;
    for (double v : relu.w) norm += v * v;
    model.set_degree(k);
    const std::size_t p = static_cast<std::size_t>(piecewise_basis_size(d, k));
    for (std::size_t i = 0; i < p_.bands && norm > 0 && !z.empty(); ++i) {
      const double mass = p_.band_mass * std::pow(0.5, double(i));
      const std::size_t at = std::min(z.size() - 1, static_cast<std::size_t>(mass * z.size()));
      model.band = z[at];
      if (!(model.band > 0)) continue;
      model.w_pos = relu.w, model.b_pos = relu.b;
      // (3) + (4): the Gram pass, then one solve per degree, then the hold-out pass.
      auto t0 = Clock::now();
      const std::vector<double> sums = band_sums(engine, train, model, p);
      timing[0] += seconds_since(t0), t0 = Clock::now();
      std::vector<Eigen::VectorXd> coefs;
      for (std::size_t j = 0; j <= k; ++j) coefs.push_back(band_solve(sums, model, p, j));
      positive_solve(sums, model, p);
      timing[1] += seconds_since(t0), t0 = Clock::now();
      const std::vector<double> losses = holdout_losses(engine, holdout, model, coefs);
      timing[2] += seconds_since(t0);
      for (std::size_t j = 0; j <= k; ++j) {
        candidates.push_back({{"band", model.band},
                              {"band_mass", mass},
                              {"gamma", model.band / std::sqrt(std::max(start_train, 1e-300))},
                              {"degree", j},
                              {"holdout_loss", losses[j]}});
        if (losses[j] < best) best = losses[j], best_band = model.band, best_degree = j;
      }
      if (context.progress &&
          !context.progress({i + 1, p_.bands, engine.passes(), best, double(i + 1) / p_.bands})) {
        result.stop_reason = "callback";
        break;
      }
    }
    // The chosen (t, j) refitted on every row; t = 0 keeps the start's ReLU.
    const auto refit_start = Clock::now();
    if (best_band > 0) {
      model.band = best_band;
      model.set_degree(best_degree);
      const std::size_t pj = static_cast<std::size_t>(piecewise_basis_size(d, best_degree));
      const std::vector<double> sums = band_sums(engine, data, model, pj);
      const Eigen::VectorXd c = band_solve(sums, model, pj, best_degree);
      model.coef.assign(c.data(), c.data() + c.size());
      positive_solve(sums, model, pj);
    } else {
      model.band = 0, model.w_pos = relu.w, model.b_pos = relu.b;
      model.set_degree(0);
      model.coef = {0.0};
    }
    timing[3] = seconds_since(refit_start);
    result.model = model;
    result.loss_history = start.loss_history;
    result.loss_history.push_back(
        engine.mean_rows(data, 1, [&model](const float* x, double y, double* acc) {
          const double r = model.predict_one(x) - y;
          acc[0] += r * r;
        })[0]);
    if (result.stop_reason.empty()) result.stop_reason = "band_grid";
    result.details["start"] = p_.start;
    result.details["start_train_loss"] = start_train;
    result.details["degree"] = k;
    result.details["basis_size"] = p;
    result.details["chosen_band"] = best_band;
    result.details["chosen_degree"] = best_degree;
    result.details["holdout_rows"] = held;
    result.details["estimate"] = cost.summary;
    result.details["estimated_seconds"] = cost.seconds;
    result.details["seconds"] = {{"gram", timing[0]},
                                 {"solve", timing[1]},
                                 {"holdout", timing[2]},
                                 {"refit", timing[3]},
                                 {"after_start", seconds_since(started)}};
    result.details["candidates"] = std::move(candidates);
    return result;
  }

 private:
  static double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  }

  // One pass: the band's and the upper side's least-squares sums (BandLayout).
  static std::vector<double> band_sums(const Engine& engine, const DataSource& data,
                                       const PiecewiseModel& model, std::size_t p) {
    const std::size_t d = model.dim();
    const BandLayout lay{p, d};
    return engine.sum(data, lay.width(), [&](const RowBlock& blk, double* acc) {
      RowMatrix basis(static_cast<Eigen::Index>(blk.rows), static_cast<Eigen::Index>(p));
      Eigen::VectorXd labels(static_cast<Eigen::Index>(blk.rows));
      std::vector<double> scratch(d * (model.degree + 1)), full(model.exponents.size() / d);
      Eigen::Index m = 0;
      for (std::size_t r = 0; r < blk.rows; ++r) {
        const float* x = blk.X + r * blk.d;
        double z = 0;
        const int where = model.region(x, z);
        if (where == 0) {
          model.basis(x, z, full.data(), scratch.data());
          std::copy(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(p), &basis(m, 0));
          labels(m++) = blk.y[r];
        } else if (where > 0) {
          double* g = acc + lay.pos_gram();
          double* rhs = acc + lay.pos_rhs();
          for (std::size_t i = 0; i <= d; ++i) {
            const double xi = i < d ? double(x[i]) : 1.0;
            for (std::size_t j = 0; j <= i; ++j)
              g[i * (i + 1) / 2 + j] += xi * (j < d ? x[j] : 1.0);
            rhs[i] += xi * blk.y[r];
          }
          acc[lay.pos_count()] += 1;
        }
      }
      if (m == 0) return;
      const Eigen::Index size = static_cast<Eigen::Index>(p);
      Eigen::Map<Eigen::MatrixXd>(acc, size, size)
          .selfadjointView<Eigen::Lower>()
          .rankUpdate(basis.topRows(m).transpose());
      Eigen::Map<Eigen::VectorXd>(acc + lay.rhs(), size).noalias() +=
          basis.topRows(m).transpose() * labels.head(m);
    });
  }

  // The band's coefficients of degree <= j (the first C(d + j, j) basis polynomials).
  Eigen::VectorXd band_solve(const std::vector<double>& sums, const PiecewiseModel& model,
                             std::size_t p, std::size_t j) const {
    const std::size_t size = static_cast<std::size_t>(piecewise_basis_size(model.dim(), j));
    const BandLayout lay{p, model.dim()};
    const Eigen::VectorXd rhs =
        Eigen::Map<const Eigen::VectorXd>(sums.data() + lay.rhs(), static_cast<Eigen::Index>(size));
    const Eigen::Map<const Eigen::MatrixXd> gram(sums.data(), static_cast<Eigen::Index>(p),
                                                 static_cast<Eigen::Index>(p));
    const Eigen::Index s = static_cast<Eigen::Index>(size);
    return solve(gram.topLeftCorner(s, s), rhs, p_.ridge);
  }

  // The linear fit above the band (the start's linear part when too few rows lie there).
  void positive_solve(const std::vector<double>& sums, PiecewiseModel& model, std::size_t p) const {
    const std::size_t d = model.dim();
    const BandLayout lay{p, d};
    if (sums[lay.pos_count()] < double(2 * (d + 1))) return;
    const Eigen::VectorXd rhs = Eigen::Map<const Eigen::VectorXd>(sums.data() + lay.pos_rhs(),
                                                                  static_cast<Eigen::Index>(d + 1));
    const Eigen::VectorXd c =
        solve(unpack(sums.data() + lay.pos_gram(), d + 1), rhs, std::min(p_.ridge, 1e-9));
    model.w_pos.assign(c.data(), c.data() + d);
    model.b_pos = c(static_cast<Eigen::Index>(d));
  }

  // Hold-out loss of the band's polynomial of each degree (the same outside the band).
  static std::vector<double> holdout_losses(const Engine& engine, const DataSource& holdout,
                                            const PiecewiseModel& model,
                                            const std::vector<Eigen::VectorXd>& coefs) {
    const std::size_t d = model.dim(), k = coefs.size() - 1;
    std::vector<double> sums = engine.sum(holdout, k + 2, [&](const RowBlock& blk, double* acc) {
      std::vector<double> scratch(d * (model.degree + 1)), basis(model.exponents.size() / d);
      for (std::size_t r = 0; r < blk.rows; ++r) {
        const float* x = blk.X + r * blk.d;
        const double y = blk.y[r];
        double z = 0;
        const int where = model.region(x, z);
        if (where != 0) {
          const double h = where < 0 ? 0.0 : affine_value(x, model.w_pos.data(), d, model.b_pos);
          acc[k + 1] += (h - y) * (h - y);
          continue;
        }
        model.basis(x, z, basis.data(), scratch.data());
        for (std::size_t j = 0; j <= k; ++j) {
          double h = 0;
          for (Eigen::Index i = 0; i < coefs[j].size(); ++i) h += coefs[j](i) * basis[i];
          acc[j] += (h - y) * (h - y);
        }
      }
    });
    const double rows = std::max<double>(1, double(holdout.rows()));
    std::vector<double> out(k + 1);
    for (std::size_t j = 0; j <= k; ++j) out[j] = (sums[j] + sums[k + 1]) / rows;
    return out;
  }

  PtasParams p_;
};

}  // namespace

LearnerEntry ptas_entry() {
  return learner_entry<PtasLearner, PtasParams>();
}

}  // namespace relureg::detail
