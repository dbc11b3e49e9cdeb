// Exhaustive opt + ε reference for small d: a grid of directions, best scale each, then polish.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "descent.hpp"
#include "learners.hpp"
#include "relureg/error.hpp"
#include "relureg/kernels.hpp"

namespace relureg::detail {
namespace {

// Points on the surface of the cube [−1, 1]^d, g per edge, normalised: an ε-net of S^{d−1} with
// g^d − (g − 2)^d points and a spacing of about 2/(g − 1) radians near the faces' centres.
std::vector<std::vector<double>> cube_surface_net(std::size_t d, std::size_t g) {
  std::vector<std::vector<double>> dirs;
  std::vector<std::size_t> idx(d, 0);
  for (;;) {
    bool on_surface = false;
    for (std::size_t i : idx) on_surface |= (i == 0 || i == g - 1);
    if (on_surface) {
      std::vector<double> u(d);
      double norm = 0;
      for (std::size_t i = 0; i < d; ++i) {
        u[i] = -1 + 2 * static_cast<double>(idx[i]) / static_cast<double>(g - 1);
        norm += u[i] * u[i];
      }
      for (double& v : u) v /= std::sqrt(norm);
      dirs.push_back(std::move(u));
    }
    std::size_t pos = 0;
    while (pos < d && ++idx[pos] == g) idx[pos++] = 0;
    if (pos == d) return dirs;
  }
}

// Unit directions covering the sphere S^{d−1}: d = 1 → ±1; d = 2 → `count` equally spaced
// angles; d = 3 → the Fibonacci lattice of `count` points (spacing ≈ √(4π/count)); d >= 4 → the
// cube-surface net with the most points per edge that keeps it within `count` points (at least
// the 2^d corners).
std::vector<std::vector<double>> direction_grid(std::size_t d, std::size_t count) {
  std::vector<std::vector<double>> dirs;
  if (d == 1) return {{1.0}, {-1.0}};
  if (d >= 4) {
    std::size_t g = 2;
    while (std::pow(double(g + 1), double(d)) - std::pow(double(g - 1), double(d)) <= double(count))
      ++g;
    return cube_surface_net(d, g);
  }
  for (std::size_t i = 0; i < count; ++i) {
    if (d == 2) {
      const double a = 2 * std::numbers::pi * static_cast<double>(i) / count;
      dirs.push_back({std::cos(a), std::sin(a)});
    } else {
      const double zc = 1 - (2 * static_cast<double>(i) + 1) / count;
      const double r = std::sqrt(std::max(0.0, 1 - zc * zc));
      const double phi = std::numbers::pi * (3 - std::sqrt(5.0)) * static_cast<double>(i);
      dirs.push_back({r * std::cos(phi), r * std::sin(phi), zc});
    }
  }
  return dirs;
}

// Its descent parameters (declared in descent.hpp) drive the polish, with a tighter budget.
struct ExhaustiveParams : DescentParams {
  std::size_t grid = 4096;
  std::size_t kinks = 33;
  std::size_t refine = 5;
  std::size_t max_dim = 3;

  ExhaustiveParams() {
    max_passes = 200;
    tol = 1e-10;
  }

  RELUREG_FIELDS(inherit_fields<P, DescentParams>(
      {{"grid", &P::grid,
        "directions on the sphere (d = 2, 3: exactly; d = 4 to 8: at most, a cube-surface net)", 4,
        1e6},
       {"kinks", &P::kinks, "kink positions per direction (with --bias)", 2, 1e4},
       {"refine", &P::refine, "best grid candidates polished by descent", 1, 1e4},
       {"max_dim", &P::max_dim,
        "refuse d above this: d <= 3 has fine grids; 4 to 8 a cube-surface net (coarse, "
        "reached opt only through the polish)",
        1, 8}}))
};

struct Candidate {
  std::vector<double> w;
  double b = 0;
  double loss = 0;
};

// The brute-force reference: for every grid direction u (and, with a bias, every kink t on a
// grid) the best scale a ∈ [0, radius] is closed-form, so one pass scores all of them; the best
// `refine` candidates are then polished by square-loss gradient descent. With grid spacing δ,
// Lemma L3 of GKK19 bounds the grid's excess by a²δ²/2 before polishing.
class ExhaustiveLearner final : public ParamLearner<ExhaustiveParams> {
 public:
  explicit ExhaustiveLearner(const ExhaustiveParams& p)
      : ParamLearner(p),
        polish_(descent_settings(p, DescentObjective::square_loss, "exhaustive")) {}

  FitResult fit(const DataSource& data, const FitContext& context) override {
    const std::size_t d = data.cols();
    if (d > p_.max_dim)
      throw InputError(fmt::format(
          "exhaustive: d = {} is too large (the direction grid covers d <= {})", d, p_.max_dim));
    const Engine& engine = *context.engine;
    const auto dirs = direction_grid(d, p_.grid);
    // Kinks t (ReLU(a(u·x − t))) in units of the features' root-mean-square.
    std::vector<double> kinks{0.0};
    if (polish_.bias) {
      const double rms =
          std::sqrt(engine.mean_rows(data, 1, [d](const float* x, double, double* acc) {
            for (std::size_t j = 0; j < d; ++j) acc[0] += double(x[j]) * x[j] / d;
          })[0]);
      kinks.clear();
      for (std::size_t k = 0; k < p_.kinks; ++k)
        kinks.push_back(
            rms * (-3.0 + 6.0 * static_cast<double>(k) / std::max<std::size_t>(1, p_.kinks - 1)));
    }
    const std::size_t m = dirs.size() * kinks.size();
    // Per candidate: Σ y r and Σ r² with r = ReLU(u·x − t); plus Σ y². The block's rows are
    // taken a chunk at a time as columns, so that each direction's z (summed over j in the order
    // of the row-by-row loop this replaces) and each kink's sums run across rows in vector lanes.
    const std::vector<double> s =
        engine.mean(data, 2 * m + 1, [&](const RowBlock& blk, double* acc) {
          constexpr std::size_t kChunk = 512;
          std::vector<double> columns(d * kChunk), y(kChunk), z(kChunk);
          for (std::size_t start = 0; start < blk.rows; start += kChunk) {
            const std::size_t rows = std::min(kChunk, blk.rows - start);
            double yy = 0;
            for (std::size_t r = 0; r < rows; ++r) {
              for (std::size_t j = 0; j < d; ++j)
                columns[j * kChunk + r] = blk.X[(start + r) * d + j];
              y[r] = blk.y[start + r];
              yy += y[r] * y[r];
            }
            acc[2 * m] += yy;
            std::size_t c = 0;
            for (const auto& u : dirs) {
              std::fill_n(z.begin(), rows, 0.0);
              for (std::size_t j = 0; j < d; ++j) {
                const double uj = u[j];
                const double* col = columns.data() + j * kChunk;
#pragma omp simd
                for (std::size_t r = 0; r < rows; ++r) z[r] += uj * col[r];
              }
              for (double t : kinks) {
                double yr = 0, rr = 0;
#pragma omp simd reduction(+ : yr, rr)
                for (std::size_t r = 0; r < rows; ++r) {
                  const double relu = z[r] > t ? z[r] - t : 0.0;
                  yr += y[r] * relu;
                  rr += relu * relu;
                }
                acc[2 * c] += yr;
                acc[2 * c + 1] += rr;
                ++c;
              }
            }
          }
        });
    std::vector<Candidate> candidates;
    for (std::size_t c = 0; c < m; ++c) {
      const double yr = s[2 * c], rr = s[2 * c + 1];
      const double a = rr > 0 ? std::clamp(yr / rr, 0.0, polish_.radius) : 0.0;
      const auto& u = dirs[c / kinks.size()];
      Candidate cand{u, -a * kinks[c % kinks.size()], s[2 * m] - 2 * a * yr + a * a * rr};
      for (double& v : cand.w) v *= a;
      candidates.push_back(std::move(cand));
    }
    const std::size_t keep = std::min(p_.refine, candidates.size());
    std::partial_sort(candidates.begin(), candidates.begin() + keep, candidates.end(),
                      [](const Candidate& a, const Candidate& b) { return a.loss < b.loss; });
    FitResult best;
    best.stop_reason = "exhaustive";
    double best_loss = std::numeric_limits<double>::infinity();
    const double grid_loss = candidates.front().loss;
    for (std::size_t i = 0; i < keep; ++i) {
      FitResult polished = run_descent(data, context, candidates[i].w, candidates[i].b, polish_);
      const double loss = polished.loss_history.back();
      if (loss < best_loss) {
        best_loss = loss;
        best.model = polished.model;
        best.loss_history = polished.loss_history;
      }
    }
    best.details["grid_directions"] = dirs.size();
    best.details["grid_kinks"] = kinks.size();
    best.details["grid_best_loss"] = grid_loss;
    best.details["refined_candidates"] = keep;
    return best;
  }

 private:
  DescentSettings polish_;
};

}  // namespace

LearnerEntry exhaustive_entry() {
  return learner_entry<ExhaustiveLearner, ExhaustiveParams>();
}

}  // namespace relureg::detail
