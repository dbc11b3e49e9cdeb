// Scaling law 4: basins of coarse gradient descent with straight-through estimators (Yin, Lyu,
// Zhang, Osher, Qi, Xin, ICLR 2019). From random starts, how often population CGD (closed forms)
// ends at the global minimum or at Proposition 1's spurious minimum, for m = 5, 10, 20 patches on
// both sides of its condition (1'v*)^2 < ((m + 1)/2)|v*|^2; and how often minibatch noise lets
// CGD leave the spurious minimum. Run: build/exp_networks_ste_basins (writes
// docs/networks/ste-basins.md).
#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <random>

#include "common.hpp"
#include "relureg/family.hpp"
#include "relureg/sources.hpp"
#include "relureg/ste.hpp"

using namespace relureg;

namespace {

bool has_spurious_minimum(const std::vector<double>& v) {
  double sum = 0, squares = 0;
  for (double x : v) {
    sum += x;
    squares += x * x;
  }
  return sum * sum < (static_cast<double>(v.size()) + 1) / 2 * squares;
}

// A teacher with m patches and filter n on the asked side of Proposition 1's condition: v* =
// s·1 + g with g ~ N(0, I) (s = 0 for the spurious side, s ~ U(0, 3) otherwise), unit w*.
ste::Teacher teacher(std::size_t m, std::size_t n, bool spurious, std::mt19937_64& rng) {
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> shift(0.0, 3.0);
  ste::Teacher t{std::vector<double>(m), std::vector<double>(n)};
  do {
    const double s = spurious ? 0.0 : shift(rng);
    for (double& x : t.v_star) x = s + normal(rng);
  } while (has_spurious_minimum(t.v_star) != spurious);
  double norm = 0;
  for (double& x : t.w_star) {
    x = normal(rng);
    norm += x * x;
  }
  for (double& x : t.w_star) x /= std::sqrt(norm);
  return t;
}

struct Basins {
  std::size_t global = 0, spurious = 0, other = 0;
};

// Population CGD from `starts` random starts (v ~ N(0, I_m), w ~ N(0, I_n)); the final angle to
// w* within 0.05 rad of 0 counts as the global minimum, within 0.05 of π as the spurious one.
Basins basins(const ste::Teacher& t, ste::Ste ste, std::size_t starts, std::size_t iterations,
              std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Basins b;
  for (std::size_t s = 0; s < starts; ++s) {
    std::vector<double> v(t.v_star.size()), w(t.w_star.size());
    for (double& x : v) x = normal(rng);
    for (double& x : w) x = normal(rng);
    const double theta =
        ste::population_cgd(t, std::move(v), std::move(w), ste, 0.1, iterations).theta.back();
    (theta < 0.05 ? b.global : theta > std::numbers::pi - 0.05 ? b.spurious : b.other) += 1;
  }
  return b;
}

// Minibatch CGD (batches of `batch` rows in a seeded random order each epoch, step 0.1) started
// at the spurious minimum; the paper's objective f (closed form) after `epochs`.
double minibatch_objective(const Engine& engine, const DataSource& data,
                           const ste::SpuriousMinimum& sp, const ste::Teacher& t, ste::Ste ste,
                           std::size_t epochs, std::size_t batch, std::uint64_t seed) {
  const std::size_t m = t.v_star.size();
  Binact2Model model{m, t.w_star.size(), sp.v, sp.w};
  std::mt19937_64 rng(seed);
  const std::size_t chunks = data.rows() / batch;
  std::vector<std::size_t> order(chunks);
  std::iota(order.begin(), order.end(), 0);
  for (std::size_t e = 0; e < epochs; ++e) {
    std::shuffle(order.begin(), order.end(), rng);
    for (std::size_t c : order) {
      const SliceSource slice(data, c * batch, (c + 1) * batch);
      const ste::CoarseStats g = ste::coarse_stats(engine, slice, model, ste);
      for (std::size_t j = 0; j < m; ++j) model.v[j] -= 0.1 * g.grad_v[j];
      for (std::size_t j = 0; j < model.w.size(); ++j) model.w[j] -= 0.1 * g.grad_w[j];
    }
  }
  return ste::objective(t, model.v, model.w);
}

}  // namespace

int main(int argc, char** argv) {
  const auto o = experiments::parse_options(argc, argv, "docs/networks/ste-basins.md");
  const Engine engine(EngineOptions{o.threads});
  const std::size_t n = 4, starts = o.quick ? 20 : 200, iterations = o.quick ? 300 : 3000;
  const std::vector<ste::Ste> stes{ste::Ste::identity, ste::Ste::relu, ste::Ste::clipped_relu};
  std::ostringstream md;
  md << "# Straight-through estimators: basins and escapes\n\n"
     << fmt::format(
            "`build/exp_networks_ste_basins` ({} threads). Population coarse gradient descent "
            "(closed forms, step 0.1, {} iterations) from {} random starts v ~ N(0, I_m), "
            "w ~ N(0, I_{}) per teacher and STE. A run ends at the global minimum when the angle "
            "between w and w* is below 0.05 rad, at Proposition 1's spurious minimum (theta = "
            "pi) when it is within 0.05 rad of pi. Teachers: v* = s·1 + g, g ~ N(0, I_m), with "
            "s = 0 on the side where the spurious minimum exists ((1'v*)^2 < ((m+1)/2)|v*|^2) "
            "and s ~ U(0, 3) redrawn until it does not; unit w*.\n\n",
            o.threads, iterations, starts, n)
     << "| m | spurious minimum exists | STE | global | spurious | other |\n"
     << "|---|---|---|---|---|---|\n";
  std::mt19937_64 rng(2019);
  for (std::size_t m : {5u, 10u, 20u}) {
    for (bool spurious : {true, false}) {
      const ste::Teacher t = teacher(m, n, spurious, rng);
      for (ste::Ste s : stes) {
        const Basins b = basins(t, s, starts, iterations, 100 + m);
        md << fmt::format("| {} | {} | {} | {}/{} | {}/{} | {}/{} |\n", m, spurious ? "yes" : "no",
                          ste::ste_name(s), b.global, starts, b.spurious, starts, b.other, starts);
      }
    }
  }

  // Escape from the spurious minimum under minibatch noise: the first binact-teacher seed (m = 5,
  // filter 4) whose teacher has the spurious minimum, sampled data.
  const std::size_t m = 5, rows = o.quick ? 4096 : 51200, batch = 256, epochs = o.quick ? 2 : 20;
  const std::size_t runs = o.quick ? 3 : 50;
  std::uint64_t seed = 1;
  Instance instance;
  for (;; ++seed) {
    instance = generate_instance("binact-teacher", rows, m * n, seed,
                                 {"patches=" + std::to_string(m)}, engine);
    if (instance.truth.teacher["spurious_minimum"]["exists"].get<bool>()) break;
  }
  const Binact2Model tm = binact2_from_json(instance.truth.teacher["model"], "truth");
  const ste::SpuriousMinimum sp = ste::spurious_minimum({tm.v, tm.w});
  md << fmt::format(
      "\n## Escape from the spurious minimum under minibatch noise\n\n"
      "Teacher: family `binact-teacher`, seed {}, m = {}, filter {}, {} rows (noise-free). "
      "Minibatch coarse gradient descent (batch {}, step 0.1, {} epochs, a seeded random "
      "batch order per run) started exactly at the spurious minimum; a run escapes when its "
      "objective f ends below half the spurious minimum's f = {:.4f}. Beside it, f after {} "
      "iterations of population CGD from the same point, exactly there and with w turned by "
      "0.01 rad (f(v*, w*) = 0).\n\n"
      "| STE | minibatch runs escaped | median f of the runs | population f, from the "
      "minimum | population f, turned by 0.01 |\n|---|---|---|---|---|\n",
      seed, m, n, rows, batch, epochs, sp.objective, iterations);
  const ste::Teacher t{tm.v, tm.w};
  std::vector<double> turned = sp.w;  // rotated by 0.01 rad in the plane of w* and a fixed axis
  {
    std::vector<double> e(n, 0.0);
    e[0] = 1;
    double along = 0, norm = 0;
    for (std::size_t j = 0; j < n; ++j) along += e[j] * tm.w[j];
    for (std::size_t j = 0; j < n; ++j) norm += std::pow(e[j] - along * tm.w[j], 2);
    for (std::size_t j = 0; j < n; ++j)
      turned[j] =
          std::cos(0.01) * sp.w[j] + std::sin(0.01) * (e[j] - along * tm.w[j]) / std::sqrt(norm);
  }
  for (ste::Ste s : stes) {
    std::vector<double> f(runs);
    for (std::size_t r = 0; r < runs; ++r)
      f[r] = minibatch_objective(engine, instance.data.view(), sp, t, s, epochs, batch, 1000 + r);
    const auto escaped =
        std::count_if(f.begin(), f.end(), [&](double x) { return x < sp.objective / 2; });
    std::nth_element(f.begin(), f.begin() + runs / 2, f.end());
    const double at = ste::population_cgd(t, sp.v, sp.w, s, 0.1, iterations).objective.back();
    const double near = ste::population_cgd(t, sp.v, turned, s, 0.1, iterations).objective.back();
    md << fmt::format("| {} | {}/{} | {:.4f} | {:.4f} | {:.4f} |\n", ste::ste_name(s), escaped,
                      runs, f[runs / 2], at, near);
  }
  experiments::publish(md.str(), o.output);
}
