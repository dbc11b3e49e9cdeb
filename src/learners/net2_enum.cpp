// net2-enum: the proper depth-2 learner of GKMR21 §5.2 — random projection, then enumeration of an
// ε-net of k-tuples of hidden units, each with its least-squares output layer.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <random>

#include "kernels/moments.hpp"
#include "learners.hpp"
#include "relureg/error.hpp"
#include "relureg/fit_monitor.hpp"
#include "relureg/kernels.hpp"
#include "relureg/net2_kernels.hpp"
#include "relureg/parallel.hpp"
#include "relureg/rng.hpp"

namespace relureg::detail {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double choose(std::size_t n, std::size_t k) {
  if (k > n) return 0;
  double c = 1;
  for (std::size_t j = 1; j <= k; ++j) c = c * static_cast<double>(n - k + j) / j;
  return c;
}

// The search space: x̃ = (P x, 1 if bias) in R^q, and G unit directions u_g in R^q.
struct Plan {
  std::size_t d = 0, m = 0, q = 0, k = 0;
  bool bias = false;
  std::vector<double> P;        // m × d, orthonormal rows (the identity when m = d)
  std::vector<double> dirs;     // G × q
  std::vector<double> columns;  // q × G: coordinate i of every direction (dirs transposed)
  std::size_t count() const { return dirs.size() / q; }
  double tuples() const { return choose(count(), k); }
};

// The points of the cube surface ∂[−1, 1]^q with `grid` points per edge, normalised: an ε-net
// of the sphere S^{q−1} whose spacing is about 2/(grid − 1) radians near the cube's face centres.
std::vector<double> sphere_net(std::size_t q, std::size_t grid) {
  std::vector<double> dirs;
  std::vector<std::size_t> idx(q, 0);
  for (;;) {
    bool on_surface = false;
    for (std::size_t i : idx) on_surface |= (i == 0 || i == grid - 1);
    if (on_surface) {
      double norm = 0;
      std::vector<double> u(q);
      for (std::size_t i = 0; i < q; ++i) {
        u[i] = -1 + 2 * static_cast<double>(idx[i]) / static_cast<double>(grid - 1);
        norm += u[i] * u[i];
      }
      for (double& v : u) dirs.push_back(v / std::sqrt(norm));
    }
    std::size_t pos = 0;
    while (pos < q && ++idx[pos] == grid) idx[pos++] = 0;
    if (pos == q) break;
  }
  return dirs;
}

struct Net2EnumParams {
  std::size_t units = 2;
  std::size_t dim = 3;
  std::size_t grid = 7;
  double max_tuples = 1e8;
  double ridge = 1e-9;
  bool bias = false;

  RELUREG_FIELDS(
      {{"units", &P::units, "hidden units k", 1, 7},
       {"dim", &P::dim, "projection dimension m (m >= d: no projection)", 1, 64},
       {"grid", &P::grid,
        "net points per edge of the cube [-1, 1]^m whose surface, normalised, is the eps-net", 2,
        1000},
       {"max_tuples", &P::max_tuples,
        "refuse to start when the enumeration has more tuples than this", 1, 1e15},
       {"ridge", &P::ridge, "relative ridge of the output least squares", 0, 1},
       bias_field(&P::bias)})
};

// Goel, Klivans, Manurangsi, Reichman, "Tight Hardness Results for Training Depth-2 ReLU
// Networks", ITCS 2021 (§5.2 of papers.md, method [I]): project x to m dimensions with a random
// map, enumerate an ε-net of k-tuples of hidden units there, keep the tuple of least empirical
// square loss, map it back by Pᵀ. Implementation choices (ours): P has orthonormal rows (a random
// m-dimensional subspace; P = I when m ≥ d); since a ReLU is positively homogeneous, the net
// covers unit directions only and the output weights (which absorb the norms) are the exact
// least-squares fit of each tuple instead of a second net; one data pass collects the moments
// E[h_g h_g'], E[h_g y] of all G net units, so the C(G, k) tuples are scored without touching the
// data again. With a bias the net is over directions of (P x, 1), i.e. hidden biases too, and an
// output bias is fitted.
class Net2EnumLearner final : public ParamLearner<Net2EnumParams> {
 public:
  using ParamLearner::ParamLearner;

  std::optional<WorkEstimate> estimate(const DataSource& data, const FitContext& context) override {
    const Plan plan = make_plan(data.cols(), context);
    check_size(plan);
    const std::size_t G = plan.count();
    const int threads = context.engine->threads();
    // Time the moment pass on a block of synthetic rows and the tuple solve on probe tuples; the
    // fastest of three repetitions (a busy machine only ever slows a probe down).
    const std::size_t probe_rows = 256, probe_tuples = 4000;
    std::vector<float> x(probe_rows * plan.d);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 7) - 3.0f;
    const std::vector<double> y(probe_rows, 1.0);
    const RowBlock probe{x.data(), y.data(), probe_rows, plan.d, 0, nullptr};
    std::vector<double> acc(width(G), 0.0);
    std::vector<double> moments(width(G), 0.0);
    for (std::size_t g = 0; g < G; ++g) moments[index(G, g, g)] = 1;
    std::vector<std::size_t> tuple(plan.k);
    double per_row = std::numeric_limits<double>::infinity(), per_tuple = per_row;
    volatile double sink = 0;
    for (int repeat = 0; repeat < 3; ++repeat) {
      const auto t0 = Clock::now();
      accumulate_block(plan, probe, acc.data());
      per_row = std::min(per_row, seconds_since(t0) / probe_rows);
      const auto t1 = Clock::now();
      for (std::size_t t = 0; t < probe_tuples; ++t) {
        for (std::size_t j = 0; j < plan.k; ++j) tuple[j] = (t + j) % G;
        sink = sink + score(plan, moments, G, tuple, nullptr);
      }
      per_tuple = std::min(per_tuple, seconds_since(t1) / probe_tuples);
    }
    const double pass = per_row * static_cast<double>(data.rows()) / threads;
    const double search = per_tuple * plan.tuples() / threads;
    WorkEstimate e;
    e.seconds = pass + search;
    e.summary = fmt::format(
        "net2-enum: {} directions in R^{} (grid {}), C({}, {}) = {:.3g} tuples of units; one "
        "moment pass over {} rows (~{:.2g} s) then the search (~{:.2g} s): about {:.2g} s on {} "
        "threads",
        G, plan.q, p_.grid, G, plan.k, plan.tuples(), data.rows(), pass, search, e.seconds,
        threads);
    return e;
  }

  FitResult fit(const DataSource& data, const FitContext& context) override {
    const Engine& engine = *context.engine;
    const Plan plan = make_plan(data.cols(), context);
    check_size(plan);
    const std::size_t G = plan.count(), k = plan.k;
    const auto t0 = Clock::now();
    const std::vector<double> moments =
        engine.mean(data, width(G),
                    [&](const RowBlock& blk, double* acc) { accumulate_block(plan, blk, acc); });
    const double pass_seconds = seconds_since(t0);

    // Enumerate tuples g_1 < … < g_k in groups of consecutive g_1 holding about 2 % of the tuples
    // each (progress after each group, from this thread); within a group the g_1 are split over
    // threads (for_blocks), each enumerating its tails in lexicographic order. Ties go to the
    // lexicographically first tuple, so the result does not depend on the thread count.
    const auto t1 = Clock::now();
    std::vector<std::size_t> best_tuple;
    double best = std::numeric_limits<double>::infinity();
    double done = 0;
    const double total = plan.tuples();
    FitResult result;
    FitMonitor monitor(context, {"net2-enum", static_cast<std::size_t>(total)}, result);
    monitor.stop("exhaustive");
    const int threads = engine.threads();
    for (std::size_t first = 0; first + k <= G;) {
      std::size_t last = first;  // the group is [first, last)
      double group = 0;
      while (last + k <= G && (last == first || group < total / 50))
        group += choose(G - ++last, k - 1);
      // One search per g_1 of the group, merged in g_1 order: on equal losses the first is kept.
      struct Best {
        double loss = std::numeric_limits<double>::infinity();
        std::vector<std::size_t> tuple;
      };
      const std::vector<Best> group_best = map_blocks<Best>(
          last - first, threads,
          [&](std::size_t i) {
            Best local;
            std::vector<std::size_t> tuple(k);
            tuple[0] = first + i;
            enumerate_tail(plan, moments, G, tuple, 1, local.loss, local.tuple);
            return local;
          },
          BlockSchedule::uneven);
      for (const Best& local : group_best)
        if (!local.tuple.empty() && local.loss < best) {
          best = local.loss;
          best_tuple = local.tuple;
        }
      done += group;
      first = last;
      if (!monitor.progress(static_cast<std::size_t>(done), best, done / total)) break;
    }
    const double search_seconds = seconds_since(t1);
    if (best_tuple.empty()) throw InputError("net2-enum: no tuple was scored");
    std::vector<double> coef(k + 1, 0.0);
    score(plan, moments, G, best_tuple, &coef);
    Net2Model network = to_network(plan, best_tuple, coef);
    const double loss = net2_loss(engine, data, network);
    result.model = std::move(network);
    monitor.record(loss);
    result.details = {{"directions", G},
                      {"tuples", total},
                      {"projection_dim", plan.m},
                      {"grid", p_.grid},
                      {"moment_pass_seconds", pass_seconds},
                      {"search_seconds", search_seconds},
                      {"moment_loss", best}};
    return result;
  }

 private:
  // The moments: [h hᵀ (G × G column-major, lower triangle only), Σ h y, Σ h, Σ y, Σ y²], the
  // layout of the moments kernel's sums (src/kernels/moments.hpp) and Σ y² after them.
  static std::size_t index(std::size_t G, std::size_t g, std::size_t h) {  // g ≥ h
    return g + h * G;
  }
  static std::size_t width(std::size_t G) { return G * G + 2 * G + 2; }

  // Refuses searches beyond max_tuples and moment tables beyond 4000 directions, before any work.
  void check_size(const Plan& plan) const {
    const std::size_t G = plan.count(), k = plan.k;
    if (plan.tuples() > p_.max_tuples)
      throw InputError(fmt::format(
          "net2-enum: C({}, {}) = {:.3g} tuples exceed max_tuples = {:.3g}; lower units, dim or "
          "grid, or raise max_tuples",
          G, k, plan.tuples(), p_.max_tuples));
    if (G > 4000)
      throw InputError(fmt::format(
          "net2-enum: {} directions need {} moments per row (limit: 4000 directions); lower dim "
          "or grid",
          G, width(G)));
  }

  Plan make_plan(std::size_t d, const FitContext& context) const {
    Plan plan;
    plan.d = d;
    plan.k = p_.units;
    plan.bias = p_.bias;
    plan.m = std::min(p_.dim, d);
    plan.q = plan.m + (plan.bias ? 1 : 0);
    plan.P.assign(plan.m * d, 0.0);
    if (plan.m == d) {
      for (std::size_t i = 0; i < d; ++i) plan.P[i * d + i] = 1;
    } else {
      std::mt19937_64 rng = make_rng(context.seed, 0x656e756d);
      std::normal_distribution<double> normal;
      for (std::size_t i = 0; i < plan.m; ++i) {  // Gram–Schmidt on Gaussian rows
        double* row = plan.P.data() + i * d;
        for (;;) {
          for (std::size_t j = 0; j < d; ++j) row[j] = normal(rng);
          for (std::size_t p = 0; p < i; ++p) {
            const double* prev = plan.P.data() + p * d;
            double dot = 0;
            for (std::size_t j = 0; j < d; ++j) dot += row[j] * prev[j];
            for (std::size_t j = 0; j < d; ++j) row[j] -= dot * prev[j];
          }
          double norm = 0;
          for (std::size_t j = 0; j < d; ++j) norm += row[j] * row[j];
          if (norm > 1e-12) {
            for (std::size_t j = 0; j < d; ++j) row[j] /= std::sqrt(norm);
            break;
          }
        }
      }
    }
    if (p_.grid < 2) throw InputError("net2-enum: grid must be at least 2");
    plan.dirs = sphere_net(plan.q, p_.grid);
    const std::size_t G = plan.count();
    plan.columns.resize(plan.dirs.size());
    for (std::size_t g = 0; g < G; ++g)
      for (std::size_t i = 0; i < plan.q; ++i) plan.columns[i * G + g] = plan.dirs[g * plan.q + i];
    return plan;
  }

  // The hidden units h_g = ReLU(u_g·x̃) of one row into h (G doubles), x̃ = (P x, 1 with a bias)
  // into xt (q doubles).
  static void hidden_units(const Plan& plan, const float* x, double* xt, double* h) {
    const std::size_t G = plan.count(), q = plan.q;
    for (std::size_t i = 0; i < plan.m; ++i)
      xt[i] = affine_value(x, plan.P.data() + i * plan.d, plan.d, 0.0);
    if (plan.bias) xt[plan.m] = 1;
    // Coordinate by coordinate over all directions (a loop the compiler vectorises across g):
    // each z_g = u_g·x̃ still adds its q products in increasing i, from zero.
    std::fill(h, h + G, 0.0);
    for (std::size_t i = 0; i < q; ++i) {
      const double* column = plan.columns.data() + i * G;
      const double xi = xt[i];
      for (std::size_t g = 0; g < G; ++g) h[g] += column[g] * xi;
    }
    for (std::size_t g = 0; g < G; ++g) h[g] = h[g] > 0 ? h[g] : 0.0;
  }

  // Adds a block's moments (the layout of `width`): the hidden units of each row, made as the
  // moments kernel asks for the row, summed by it (Σ w h hᵀ, Σ w y h, Σ w h, Σ w y: rows in
  // order, in double, the tiled kernel's vector arithmetic), then Σ w y². The sums depend on the
  // block's rows only, so a fit is the same for any thread count.
  static void accumulate_block(const Plan& plan, const RowBlock& blk, double* acc) {
    struct Rows {
      const Plan& plan;
      const RowBlock& blk;
      std::vector<double> xt;
    } rows{plan, blk, std::vector<double>(plan.q)};
    const auto fill = [](void* context, std::size_t r, double* h) {
      Rows& of = *static_cast<Rows*>(context);
      hidden_units(of.plan, of.blk.X + r * of.blk.d, of.xt.data(), h);
    };
    const std::size_t G = plan.count();
    moments_of_double_rows({blk.rows, G, blk.y, blk.w, fill, &rows}, acc);
    double yy = 0;
    for (std::size_t r = 0; r < blk.rows; ++r)
      yy += blk.w != nullptr ? blk.w[r] * (blk.y[r] * blk.y[r]) : blk.y[r] * blk.y[r];
    acc[G * G + 2 * G + 1] += yy;
  }

  // The least-squares loss of a tuple from the moments; fills `coef` (a_1..a_k, c) if given.
  double score(const Plan& plan, const std::vector<double>& M, std::size_t G,
               const std::vector<std::size_t>& tuple, std::vector<double>* coef) const {
    const std::size_t k = tuple.size(), p = k + (plan.bias ? 1 : 0);
    const std::size_t hy = G * G, hm = hy + G, ym = hm + G, yy = ym + 1;
    double A[64], r[8];
    auto moment = [&](std::size_t i, std::size_t j) -> double {  // feature i, j (k = constant)
      if (i == k && j == k) return 1.0;
      if (i == k) return M[hm + tuple[j]];
      if (j == k) return M[hm + tuple[i]];
      const std::size_t a = tuple[i], b = tuple[j];
      return a >= b ? M[index(G, a, b)] : M[index(G, b, a)];
    };
    double trace = 0;
    for (std::size_t i = 0; i < p; ++i) {
      for (std::size_t j = 0; j < p; ++j) A[i * p + j] = moment(i, j);
      r[i] = i < k ? M[hy + tuple[i]] : M[ym];
      trace += A[i * p + i];
    }
    // Cholesky of A + ridge on the stack (p ≤ 8), then the two triangular solves.
    double L[64], sol[8];
    for (std::size_t i = 0; i < p * p; ++i) L[i] = A[i];
    for (std::size_t i = 0; i < p; ++i) L[i * p + i] += p_.ridge * trace / p + 1e-300;
    for (std::size_t j = 0; j < p; ++j) {
      double diag = L[j * p + j];
      for (std::size_t q = 0; q < j; ++q) diag -= L[j * p + q] * L[j * p + q];
      if (!(diag > 0)) return std::numeric_limits<double>::infinity();
      L[j * p + j] = std::sqrt(diag);
      for (std::size_t i = j + 1; i < p; ++i) {
        double v = L[i * p + j];
        for (std::size_t q = 0; q < j; ++q) v -= L[i * p + q] * L[j * p + q];
        L[i * p + j] = v / L[j * p + j];
      }
    }
    for (std::size_t i = 0; i < p; ++i) {
      sol[i] = r[i];
      for (std::size_t q = 0; q < i; ++q) sol[i] -= L[i * p + q] * sol[q];
      sol[i] /= L[i * p + i];
    }
    for (std::size_t i = p; i-- > 0;) {
      for (std::size_t q = i + 1; q < p; ++q) sol[i] -= L[q * p + i] * sol[q];
      sol[i] /= L[i * p + i];
    }
    double loss = M[yy];
    for (std::size_t i = 0; i < p; ++i) {
      loss -= 2 * sol[i] * r[i];
      for (std::size_t j = 0; j < p; ++j) loss += sol[i] * sol[j] * A[i * p + j];
    }
    if (coef) {
      coef->assign(k + 1, 0.0);
      for (std::size_t i = 0; i < p; ++i) (*coef)[i] = sol[i];
    }
    return loss;
  }

  void consider(const Plan& plan, const std::vector<double>& M, std::size_t G,
                const std::vector<std::size_t>& tuple, double& best,
                std::vector<std::size_t>& best_tuple) const {
    const double loss = score(plan, M, G, tuple, nullptr);
    if (loss < best) {  // enumeration is lexicographic per thread: first of equals is kept
      best = loss;
      best_tuple = tuple;
    }
  }

  void enumerate_tail(const Plan& plan, const std::vector<double>& M, std::size_t G,
                      std::vector<std::size_t>& tuple, std::size_t pos, double& best,
                      std::vector<std::size_t>& best_tuple) const {
    if (pos == tuple.size()) {
      consider(plan, M, G, tuple, best, best_tuple);
      return;
    }
    for (std::size_t g = tuple[pos - 1] + 1; g + (tuple.size() - pos) <= G; ++g) {
      tuple[pos] = g;
      enumerate_tail(plan, M, G, tuple, pos + 1, best, best_tuple);
    }
  }

  Net2Model to_network(const Plan& plan, const std::vector<std::size_t>& tuple,
                       const std::vector<double>& coef) const {
    Net2Model model = zero_net2(plan.d, plan.k, plan.bias, Activation::relu);
    for (std::size_t j = 0; j < plan.k; ++j) {
      const double* u = plan.dirs.data() + tuple[j] * plan.q;
      for (std::size_t i = 0; i < plan.m; ++i)
        for (std::size_t c = 0; c < plan.d; ++c)
          model.W[j * plan.d + c] += u[i] * plan.P[i * plan.d + c];
      if (plan.bias) model.b[j] = u[plan.m];
      model.a[j] = coef[j];
    }
    model.c = plan.bias ? coef[plan.k] : 0.0;
    return model;
  }
};

}  // namespace

LearnerEntry net2_enum_entry() {
  return learner_entry<Net2EnumLearner, Net2EnumParams>(SampleWeights::taken);
}

}  // namespace relureg::detail
