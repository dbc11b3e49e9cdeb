// Family "adversarial": x ~ N(0, I) with a fraction eta relabelled (shift or slab); opt of
// homogeneous ReLUs and of ReLUs with bias, each certified as an upper bound by exact quadrature
// losses of the teacher and of searched ReLUs.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>

#include "families/families.hpp"
#include "relureg/error.hpp"
#include "relureg/gaussian.hpp"
#include "relureg/quadrature.hpp"
#include "relureg/rng.hpp"

namespace relureg::families {

struct AdversarialParams : PlantedParams {
  std::string rule = "shift";
  double eta = 0.1;
  double noise = 0.05;
  std::size_t search_samples = 200000;
  std::string population = "exact";
  std::size_t eval_samples = 1000000;

  RELUREG_FIELDS(inherit_fields<P, PlantedParams>(
      {{"rule", &P::rule,
        "shift: add sqrt(noise/eta) where u.x > q; slab: label ReLU(|w*| u.x) where 0 <= w^.x "
        "<= h",
        Choices{{"shift", "slab"}}},
       {"eta", &P::eta, "relabelled fraction (0 < eta < 1; < 0.5 for slab)", 0.0, 1.0},
       {"noise", &P::noise,
        "shift: the teacher's loss; labels in the region gain sqrt(noise/eta) (unused by slab)",
        0.0, kInfinity},
       {"search_samples", &P::search_samples,
        "fresh samples for the search certifying opt (0: no search, opt = teacher loss)", 0.0, 1e9},
       {"population", &P::population,
        "population losses of models: exact (quadrature) or monte-carlo (a cross-check)",
        Choices{{"exact", "monte-carlo"}}},
       {"eval_samples", &P::eval_samples, "fresh samples for population=monte-carlo", 1000.0,
        1e10}}))
};

namespace {

// E[(m + σ g)_+] for g ~ N(0, 1): m Φ(m/σ) + σ φ(m/σ), or max(m, 0) when σ = 0.
double shifted_relu_mean(double m, double sigma) {
  if (sigma <= 0) return std::max(m, 0.0);
  return m * gaussian::normal_cdf(m / sigma) + sigma * gaussian::normal_pdf(m / sigma);
}

// ∫_lo^hi f for a Gaussian-weighted f, split at the breakpoints (kinks of f) that fall strictly
// inside and where the weight has not underflowed (|t| < 38.5): a break far out in the tail
// would leave a huge panel whose nodes all see f = 0.
double integrate_pieces(const std::function<double(double)>& f, double lo, double hi,
                        std::vector<double> breaks) {
  constexpr double kFarTail = 38.5;
  std::vector<double> points = {lo};
  for (double b : breaks)
    if (std::abs(b) < kFarTail && b > lo && b < hi) points.push_back(b);
  std::sort(points.begin() + 1, points.end());
  points.push_back(hi);
  double total = 0;
  for (std::size_t i = 0; i + 1 < points.size(); ++i)
    total += quadrature::integrate(f, points[i], points[i + 1]).value;
  return total;
}

double row_dot(const std::vector<double>& v, const float* x) {
  double s = 0;
  for (std::size_t j = 0; j < v.size(); ++j) s += v[j] * static_cast<double>(x[j]);
  return s;
}

// The relabelled distribution of one instance: its geometry, its labels and exact losses.
class AdversarialLaw {
 public:
  explicit AdversarialLaw(const GroundTruth& truth)
      : rule_(truth_params<AdversarialParams>(truth).rule),
        eta_(truth_params<AdversarialParams>(truth).eta),
        w_star_(truth.w_star),
        b_star_(truth.b_star),
        norm_(std::sqrt(dot(truth.w_star, truth.w_star))),
        teacher_(teacher_model(truth)) {
    if (truth.d < 2) throw InputError("family 'adversarial' needs d of at least 2");
    if (rule_ != "shift" && rule_ != "slab")
      throw InputError(fmt::format("unknown adversarial rule '{}'", rule_));
    if (!(eta_ > 0 && eta_ < (rule_ == "slab" ? 0.5 : 1.0)))
      throw InputError(fmt::format("parameter 'eta' must be in (0, {}) for rule '{}', got {}",
                                   rule_ == "slab" ? "0.5" : "1", rule_, eta_));
    w_hat_ = w_star_;
    for (double& v : w_hat_) v /= norm_;
    u_ = side_direction(w_hat_, truth.seed);  // a random unit vector orthogonal to w*
    if (rule_ == "shift") {
      threshold_ = upper_normal_quantile(eta_);  // q = Φ⁻¹(1 − eta)
      shift_ = std::sqrt(truth_params<AdversarialParams>(truth).noise / eta_);
    } else {
      threshold_ = upper_normal_quantile(0.5 - eta_);  // Φ(h) − ½ = eta
    }
  }

  const std::string& rule() const { return rule_; }

  double label(const float* x) const {
    if (rule_ == "shift")
      return teacher_.predict_one(x) + (row_dot(u_, x) > threshold_ ? shift_ : 0);
    const double t = row_dot(w_hat_, x);
    if (t >= 0 && t <= threshold_) return std::max(norm_ * row_dot(u_, x), 0.0);
    return teacher_.predict_one(x);
  }

  double population_loss(const std::vector<double>& w, double b) const {
    return std::max(0.0, rule_ == "shift" ? shift_loss(w, b) : slab_loss(w, b));
  }

 private:
  std::string rule_;
  double eta_;
  std::vector<double> w_star_;
  double b_star_;
  double norm_;
  ReluModel teacher_;
  std::vector<double> w_hat_, u_;
  double threshold_ = 0;  // q (shift) or h (slab)
  double shift_ = 0;      // A = sqrt(noise / eta)

  // Splits w = α ŵ* + β u + rest; returns {α, β, ‖rest‖}.
  std::array<double, 3> coordinates(const std::vector<double>& w) const {
    const double alpha = dot(w, w_hat_), beta = dot(w, u_);
    double rest = 0;
    for (std::size_t j = 0; j < w.size(); ++j) {
      const double r = w[j] - alpha * w_hat_[j] - beta * u_[j];
      rest += r * r;
    }
    return {alpha, beta, std::sqrt(rest)};
  }

  // y = f* + A 1{s > q}, s = u·x ⊥ w*·x: E[(f − y)²] = E[(f − f*)²] − 2A E[(f − f*) 1{s > q}]
  // + A² P(s > q); E[f 1{s > q}] = ∫_q^∞ φ(s) E[f | s] ds and E[f* 1{s > q}] = P(s>q) E[f*].
  double shift_loss(const std::vector<double>& w, double b) const {
    // Named copies, not a structured binding: clang 14 cannot capture one in a lambda.
    const std::array<double, 3> c = coordinates(w);
    const double alpha = c[0], beta = c[1], rest = c[2];
    const double given_s_sd = std::sqrt(alpha * alpha + rest * rest);
    const double tail = gaussian::normal_cdf(-threshold_);
    const double f_tail = integrate_pieces(
        [&](double s) {
          return gaussian::normal_pdf(s) * shifted_relu_mean(b + beta * s, given_s_sd);
        },
        threshold_, std::numeric_limits<double>::infinity(), {beta != 0 ? -b / beta : NAN});
    const double teacher_tail = tail * gaussian::relu_mean(w_star_, b_star_);
    return gaussian::relu_distance(w, b, w_star_, b_star_) - 2 * shift_ * (f_tail - teacher_tail) +
           shift_ * shift_ * tail;
  }

  // y = g 1S + f* 1S^c with S = {0 ≤ t ≤ h}, t = ŵ*·x, g = ReLU(‖w*‖ s), s = u·x ⊥ t:
  // E[(f − y)²] = E[f²] − 2(E[f f*] − E[f f* 1S] + E[f g 1S]) + E[f*²] − E[f*² 1S] + E[g² 1S],
  // every 1S term a 1-D (or nested 2-D) integral over t ∈ [0, h] given t (and s).
  double slab_loss(const std::vector<double>& w, double b) const {
    // Named copies, not a structured binding: clang 14 cannot capture one in a lambda.
    const std::array<double, 3> c = coordinates(w);
    const double alpha = c[0], beta = c[1], rest = c[2];
    const double h = threshold_, n = norm_, inf = std::numeric_limits<double>::infinity();
    const double slab_mass = gaussian::normal_cdf(h) - 0.5;
    const double teacher_kink = -b_star_ / n;
    const double model_kink = alpha != 0 ? -b / alpha : NAN;
    auto teacher_at = [&](double t) { return std::max(n * t + b_star_, 0.0); };
    const double teacher_sq_on_slab = integrate_pieces(
        [&](double t) { return gaussian::normal_pdf(t) * teacher_at(t) * teacher_at(t); }, 0, h,
        {teacher_kink});
    const double given_t_sd = std::sqrt(beta * beta + rest * rest);
    const double product_teacher_on_slab = integrate_pieces(
        [&](double t) {
          return gaussian::normal_pdf(t) * teacher_at(t) *
                 shifted_relu_mean(alpha * t + b, given_t_sd);
        },
        0, h, {teacher_kink, model_kink});
    const double product_other_on_slab = integrate_pieces(
        [&](double t) {
          const double m = alpha * t + b;
          const double inner = integrate_pieces(
              [&](double s) {
                return gaussian::normal_pdf(s) * n * s * shifted_relu_mean(m + beta * s, rest);
              },
              0, inf, {beta != 0 ? -m / beta : NAN});
          return gaussian::normal_pdf(t) * inner;
        },
        0, h, {model_kink});
    const double other_sq_on_slab = slab_mass * n * n / 2;  // E[ReLU(‖w*‖ s)²] = ‖w*‖²/2
    const double model_sq = gaussian::relu_second_moment(w, b);
    const double teacher_sq = gaussian::relu_second_moment(w_star_, b_star_);
    const double cross = gaussian::relu_product(w, b, w_star_, b_star_) - product_teacher_on_slab +
                         product_other_on_slab;
    return model_sq - 2 * cross + teacher_sq - teacher_sq_on_slab + other_sq_on_slab;
  }
};

RowDistribution adversarial_rows(const GroundTruth& truth) {
  auto law = std::make_shared<const AdversarialLaw>(truth);
  return {truth.d, gaussian_coordinate(), [law](const float* x) { return law->label(x); }, {}, 0.0};
}

// The opt of one class (with or without bias) certified as an upper bound: the smallest exact
// loss among the starting ReLU (the teacher, without its bias for the homogeneous class) and the
// ReLUs a search from it and from Chow found on `fresh`.
ClassOpt certify_opt(const AdversarialLaw& law, const GroundTruth& truth, const Engine& engine,
                     const Dataset* fresh, bool bias) {
  ClassOpt c;
  c.opt_kind = "upper-bound";
  c.w_opt = truth.w_star;
  c.b_opt = bias ? truth.b_star : 0.0;
  c.opt = law.population_loss(c.w_opt, c.b_opt);
  c.opt_note =
      bias || truth.b_star == 0
          ? fmt::format("teacher loss {:.6g} (exact, quadrature)", c.opt)
          : fmt::format("teacher without its bias: loss {:.6g} (exact, quadrature)", c.opt);
  if (fresh == nullptr) {
    c.opt_note += "; no search (search_samples = 0)";
    return c;
  }
  const std::vector<SearchCandidate> found = search_relus(engine, fresh->view(), truth, bias);
  c.opt_note += fmt::format(
      "; search over {} (projected GD on the square loss, step 1 with halving, at most {} "
      "iterations, on {} fresh samples) found",
      bias ? "ReLUs with bias" : "homogeneous ReLUs", kSearchIterations, fresh->n);
  for (std::size_t i = 0; i < found.size(); ++i) {
    const double loss = law.population_loss(found[i].model.w, found[i].model.b);
    c.opt_note += fmt::format("{} {:.6g} from the {} start", i ? "," : "", loss,
                              found[i].start == "chow" ? "Chow 2E[yx]" : "teacher");
    if (loss < c.opt) {
      c.opt = loss;
      c.w_opt = found[i].model.w;
      c.b_opt = found[i].model.b;
    }
  }
  c.opt_note += " (exact population losses by quadrature); opt = the smallest";
  return c;
}

}  // namespace

FamilyEntry adversarial_family() {
  return family_entry<AdversarialParams>(
      [](const GenerateRequest& request, const AdversarialParams& p) {
        GroundTruth truth = planted_truth(request, p, params_json(p));
        const AdversarialLaw law(truth);
        truth.teacher_loss = law.population_loss(truth.w_star, truth.b_star);

        std::optional<Dataset> fresh;
        if (p.search_samples > 0)
          fresh = draw_dataset(adversarial_rows(truth), p.search_samples,
                               stream_seed(request.seed, Stream::search), request.engine.threads());
        const Dataset* sample = fresh ? &*fresh : nullptr;
        ClassOpt biased = certify_opt(law, truth, request.engine, sample, true);
        truth.opt = biased.opt;
        truth.opt_kind = biased.opt_kind;
        truth.opt_note = std::move(biased.opt_note);
        truth.w_opt = std::move(biased.w_opt);
        truth.b_opt = biased.b_opt;
        truth.homogeneous = certify_opt(law, truth, request.engine, sample, false);
        return truth;
      },
      model_losses([](const ReluModel& model, const GroundTruth& truth, const Engine& engine) {
        check_model_dimension(model, truth);
        if (truth_params<AdversarialParams>(truth).population == "monte-carlo") {
          const auto samples = truth_params<AdversarialParams>(truth).eval_samples;
          return monte_carlo_loss(adversarial_rows(truth), model, samples,
                                  stream_seed(truth.seed, Stream::evaluation), engine.threads());
        }
        return PopulationLoss{AdversarialLaw(truth).population_loss(model.w, model.b), 0.0, "exact",
                              0};
      }),
      adversarial_rows);
}

}  // namespace relureg::families
