// Experiment 2: straight-through estimators on the binary-activation network of Yin et al. 2019 —
// population coarse gradient descent (closed forms) from the spurious minimum and from random
// starts, the cosine between the expected coarse and the true w-gradient along the path, and
// minibatch ste-cgd on sampled data. Run: build/exp_networks_ste (writes docs/networks/ste.md).
#include <cmath>
#include <numbers>
#include <random>

#include "common.hpp"
#include "relureg/family.hpp"
#include "relureg/model_ops.hpp"
#include "relureg/ste.hpp"

using namespace relureg;

namespace {

struct PathSummary {
  double max_rise = 0;  // largest increase of f between consecutive iterates
  double min_cos = 1, mean_cos = 0;
};

PathSummary summarise(const ste::CgdTrace& trace) {
  PathSummary s;
  std::size_t count = 0;
  for (std::size_t i = 1; i < trace.objective.size(); ++i)
    s.max_rise = std::max(s.max_rise, trace.objective[i] - trace.objective[i - 1]);
  for (std::size_t i = 0; i < trace.cosine_w.size(); ++i)
    if (std::sin(trace.theta[i]) > 1e-6 && !std::isnan(trace.cosine_w[i])) {
      s.min_cos = std::min(s.min_cos, trace.cosine_w[i]);
      s.mean_cos += trace.cosine_w[i];
      ++count;
    }
  s.mean_cos = count ? s.mean_cos / count : std::nan("");
  if (!count) s.min_cos = std::nan("");
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const auto o = experiments::parse_options(argc, argv, "docs/networks/ste.md");
  const Engine engine(EngineOptions{o.threads});
  const std::size_t m = 5, n = 4, iterations = o.quick ? 200 : 5000;
  const double step = 0.1;
  // The first seed whose teacher has the spurious minimum (Proposition 1's condition).
  std::uint64_t seed = 1;
  Instance instance;
  for (;; ++seed) {
    instance = generate_instance("binact-teacher", o.quick ? 4000 : 50000, m * n, seed,
                                 {"patches=" + std::to_string(m)}, engine);
    if (instance.truth.teacher["spurious_minimum"]["exists"].get<bool>()) break;
  }
  const Binact2Model teacher = binact2_from_json(instance.truth.teacher["model"], "truth");
  const ste::Teacher t{teacher.v, teacher.w};
  const ste::SpuriousMinimum sp = ste::spurious_minimum(t);

  std::ostringstream md;
  md << "# Straight-through estimators on a binary-activation network\n\n"
     << fmt::format(
            "`build/exp_networks_ste` ({} threads). Teacher from family `binact-teacher` (seed "
            "{}, m = {} patches, filter n = {}, v* ~ N(0, I), unit w*; 1'v* = {:.3f}, |v*|^2 = "
            "{:.3f}), so the spurious minimum theta = pi, v = (I + 11')^-1 (11' - I) v* exists "
            "with f = {:.4f}. f is the paper's objective E[(v'sigma(Zw) - y)^2]/2.\n\n",
            o.threads, seed, m, n,
            [&] {
              double s = 0;
              for (double v : t.v_star) s += v;
              return s;
            }(),
            [&] {
              double s = 0;
              for (double v : t.v_star) s += v * v;
              return s;
            }(),
            sp.objective)
     << fmt::format(
            "## Population coarse gradient descent (closed forms of papers.md 6.2), step {}\n\n"
            "Starts: the spurious minimum; the same "
            "('near spurious', w turned by 0.05 rad away from -w*); five random starts v ~ N(0, "
            "I), w ~ N(0, I) (seeds 1-5). "
            "'max rise' is the largest increase of f between iterates (0: monotone); the "
            "cosines are between E[coarse w-gradient] and the true df/dw along the path "
            "(while sin theta > 1e-6: nearer to 0 or pi the direction of the true gradient is "
            "rounding "
            "noise).\n\n",
            step)
     << fmt::format(
            "| start | STE | f(0) | f(10) | f(100) | f(1000) | f({}) | theta final | "
            "max rise | min cos | mean cos |\n",
            iterations)
     << "|---|---|---|---|---|---|---|---|---|---|---|\n";
  std::vector<std::pair<std::string, std::pair<std::vector<double>, std::vector<double>>>> starts;
  starts.push_back({"spurious", {sp.v, sp.w}});
  {
    std::vector<double> w = sp.w;  // turn by 0.05 rad towards a direction orthogonal to w*
    std::vector<double> e(n, 0.0);
    e[0] = 1;
    double proj = 0;
    for (std::size_t j = 0; j < n; ++j) proj += e[j] * t.w_star[j];
    double norm = 0;
    for (std::size_t j = 0; j < n; ++j) norm += std::pow(e[j] - proj * t.w_star[j], 2);
    for (std::size_t j = 0; j < n; ++j)
      w[j] =
          std::cos(0.05) * sp.w[j] + std::sin(0.05) * (e[j] - proj * t.w_star[j]) / std::sqrt(norm);
    starts.push_back({"near spurious", {sp.v, w}});
  }
  for (std::uint64_t r = 1; r <= (o.quick ? 1u : 5u); ++r) {
    std::mt19937_64 rng(r);
    std::normal_distribution<double> normal;
    std::vector<double> v(m), w(n);
    for (double& x : v) x = normal(rng);
    for (double& x : w) x = normal(rng);
    starts.push_back({fmt::format("random {}", r), {v, w}});
  }
  auto at = [](const std::vector<double>& f, std::size_t i) {
    return f[std::min(i, f.size() - 1)];
  };
  for (const auto& [name, start] : starts) {
    for (const ste::Ste s : {ste::Ste::identity, ste::Ste::relu, ste::Ste::clipped_relu}) {
      const ste::CgdTrace trace =
          ste::population_cgd(t, start.first, start.second, s, step, iterations);
      const PathSummary p = summarise(trace);
      md << fmt::format(
          "| {} | {} | {:.4f} | {:.4f} | {:.4f} | {:.2e} | {:.2e} | {:.3f} | {:.1e} | {:.3f} | "
          "{:.3f} |\n",
          name, ste::ste_name(s), at(trace.objective, 0), at(trace.objective, 10),
          at(trace.objective, 100), at(trace.objective, 1000), trace.objective.back(),
          trace.theta.back(), p.max_rise, p.min_cos, p.mean_cos);
    }
  }

  // Minibatch: the ste-cgd learner on sampled data (its own seeded random start).
  const std::size_t epochs = o.quick ? 3 : 60;
  md << fmt::format(
      "\n## Minibatch coarse gradient descent (`ste-cgd`), {} rows, batch 256, step {}, {} "
      "epochs\n\nTraining square loss (= 2f on the sample) after the given epochs and the exact "
      "population square loss of the result (opt = 0).\n\n"
      "| learner seed | STE | epoch 1 | epoch 10 | epoch {} | population loss | seconds |\n"
      "|---|---|---|---|---|---|---|\n",
      instance.data.n, step, epochs, epochs);
  for (std::uint64_t r = 1; r <= (o.quick ? 1u : 3u); ++r) {
    for (const char* s : {"identity", "relu", "clipped-relu"}) {
      const FitResult fit = experiments::run_learner(
          "ste-cgd",
          {"patches=" + std::to_string(m), std::string("ste=") + s, "batch=256",
           "step=" + fmt::format("{}", step), "max_passes=" + std::to_string(epochs)},
          instance.data.view(), engine, r);
      const double pop = population_loss(fit.model, instance.truth, engine).value;
      const auto& h = fit.loss_history;
      md << fmt::format("| {} | {} | {:.4f} | {:.4f} | {:.2e} | {:.2e} | {:.2f} |\n", r, s, h[0],
                        h[std::min<std::size_t>(9, h.size() - 2)], h[h.size() - 2], pop,
                        fit.seconds);
    }
  }
  experiments::publish(md.str(), o.output);
}
