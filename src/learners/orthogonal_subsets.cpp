// orthogonal-subsets: the exhaustive reference for the orthogonal family — fit the known network
// shape f_S on every k-subset S of the features and keep the best.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "kernels/subset_scan.hpp"
#include "learners.hpp"
#include "relureg/error.hpp"
#include "relureg/net2_kernels.hpp"
#include "relureg/orthogonal.hpp"

namespace relureg::detail {
namespace {

// Visits the k-subsets of one row's features in lexicographic order and calls visit(index, f_S)
// with f_S = Σ_{s₁ = +1} χ(s) pair(s·x_S/√k) (orthogonal::feature), sharing the partial sums of
// common prefixes: level j holds the 2^{j−1} signed sums of the first j chosen coordinates.
class SubsetWalker {
 public:
  SubsetWalker(std::size_t d, std::size_t k, Activation activation)
      : d_(d),
        k_(k),
        activation_(activation),
        inv_(1 / std::sqrt(static_cast<double>(k))),
        sums_(k + 1),
        chis_(k + 1),
        x_(d) {
    for (std::size_t j = 1; j <= k; ++j) {
      sums_[j].resize(std::size_t{1} << (j - 1));
      chis_[j].resize(std::size_t{1} << (j - 1));
    }
  }

  template <class Visit>
  void walk(const float* x, Visit&& visit) {
    for (std::size_t i = 0; i < d_; ++i) x_[i] = x[i];
    std::size_t index = 0;
    for (std::size_t a = 0; a + k_ <= d_; ++a) {
      sums_[1][0] = x_[a];
      chis_[1][0] = 1;
      descend(1, a + 1, index, visit);
    }
  }

 private:
  template <class Visit>
  void descend(std::size_t level, std::size_t from, std::size_t& index, Visit& visit) {
    if (level == k_) {
      visit(index++, leaf());
      return;
    }
    const std::size_t half = std::size_t{1} << (level - 1);
    const double* s = sums_[level].data();
    const double* c = chis_[level].data();
    double* ns = sums_[level + 1].data();
    double* nc = chis_[level + 1].data();
    for (std::size_t e = from; e + (k_ - level) <= d_; ++e) {
      const double v = x_[e];
      for (std::size_t i = 0; i < half; ++i) {
        ns[2 * i] = s[i] + v;
        nc[2 * i] = c[i];
        ns[2 * i + 1] = s[i] - v;
        nc[2 * i + 1] = -c[i];
      }
      descend(level + 1, e + 1, index, visit);
    }
  }

  double leaf() const {
    const std::vector<double>& s = sums_[k_];
    const std::vector<double>& c = chis_[k_];
    const bool odd = k_ % 2 == 1;
    double total = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
      const double t = s[i] * inv_;
      double pair = 0;
      if (activation_ == Activation::relu)
        pair = odd ? t : std::abs(t);
      else
        pair = odd ? std::tanh(t / 2) : 1.0;
      total += c[i] * pair;
    }
    return total;
  }

  std::size_t d_, k_;
  Activation activation_;
  double inv_;
  std::vector<std::vector<double>> sums_, chis_;
  std::vector<double> x_;
};

struct SubsetFit {
  double loss = std::numeric_limits<double>::infinity();
  double scale = 0, offset = 0;
};

// The least-squares fit α f_S + c (c only with a bias) from the means of y f, f², f, y, y².
SubsetFit fit_from_moments(double yf, double ff, double f, double y, double yy, bool bias) {
  SubsetFit fit;
  if (!bias) {
    fit.scale = ff > 0 ? yf / ff : 0.0;
    fit.loss = yy - fit.scale * yf;
    return fit;
  }
  const double var = ff - f * f, cov = yf - f * y;
  fit.scale = var > 0 ? cov / var : 0.0;
  fit.offset = y - fit.scale * f;
  fit.loss = yy - y * y - fit.scale * cov;
  return fit;
}

struct OrthogonalSubsetsParams {
  std::size_t k = 2;
  std::string activation = "relu";
  std::size_t screen_rows = 2000;
  std::size_t keep = 16;
  double max_subsets = 1e7;
  bool bias = false;

  RELUREG_FIELDS({{"k", &P::k, "subset size k (2^k hidden units)", 1, 20},
                  {"activation", &P::activation,
                   "hidden activation of the shape (relu: even k, sigmoid: odd k)",
                   Choices{{"relu", "sigmoid"}}},
                  {"screen_rows", &P::screen_rows,
                   "score every subset on this many rows first (0 = all rows)", 0, 1e12},
                  {"keep", &P::keep, "best screened subsets rescored on all rows", 1, 1e6},
                  {"max_subsets", &P::max_subsets, "refuse more subsets than this", 1, 1e12},
                  bias_field(&P::bias)})
};

// The reference that succeeds on the orthogonal family of Goel, Gollakota, Jin, Karmalkar,
// Klivans (ICML 2020): the family is n^{Θ(k)} exactly orthogonal networks, which defeats
// correlational (SQ / gradient) learners, while trying every k-subset — C(d, k) of them — finds
// S. Each subset's feature f_S is computed by SubsetWalker in one pass; the fit is the
// closed-form scale (and offset). With screen_rows > 0 the subsets are first scored on that many
// rows and only the best `keep` are scored on all rows.
class OrthogonalSubsetsLearner final : public ParamLearner<OrthogonalSubsetsParams> {
 public:
  explicit OrthogonalSubsetsLearner(const OrthogonalSubsetsParams& p)
      : ParamLearner(p), activation_(activation_from_name(p.activation, "orthogonal-subsets")) {}

  FitResult fit(const DataSource& data, const FitContext& context) override {
    const Engine& engine = *context.engine;
    const std::size_t d = data.cols();
    const std::string reason = orthogonal::zero_reason(activation_, p_.k);
    if (!reason.empty()) throw InputError("orthogonal-subsets: " + reason);
    if (p_.k > d)
      throw InputError(fmt::format("orthogonal-subsets: k = {} exceeds d = {}", p_.k, d));
    const std::size_t count = orthogonal::subset_count(d, p_.k);
    if (static_cast<double>(count) > p_.max_subsets)
      throw InputError(
          fmt::format("orthogonal-subsets: C({}, {}) = {} subsets exceed max_subsets = {:.3g}", d,
                      p_.k, count, p_.max_subsets));
    const bool screen = p_.screen_rows > 0 && p_.screen_rows < data.rows();
    const RowRange screen_rows(data, 0, screen ? p_.screen_rows : data.rows());
    std::vector<SubsetFit> fits = score_all(engine, screen_rows, count, d, p_.bias);
    std::vector<std::size_t> order(count);
    std::iota(order.begin(), order.end(), 0);
    const std::size_t keep = screen ? std::min(p_.keep, count) : count;
    std::partial_sort(
        order.begin(), order.begin() + keep, order.end(), [&](std::size_t a, std::size_t b) {
          return fits[a].loss < fits[b].loss || (fits[a].loss == fits[b].loss && a < b);
        });
    order.resize(keep);
    if (screen) rescore(engine, data, d, p_.bias, order, fits);
    std::size_t best = order[0];
    for (std::size_t i : order)
      if (fits[i].loss < fits[best].loss || (fits[i].loss == fits[best].loss && i < best)) best = i;
    std::vector<std::size_t> subset = nth_subset(d, best);

    FitResult result;
    Net2Model network = orthogonal::network(d, subset, activation_, fits[best].scale);
    network.bias = p_.bias;
    network.c = fits[best].offset;
    result.loss_history = {net2_loss(engine, data, network)};
    result.model = std::move(network);
    result.stop_reason = "exhaustive";
    double runner_up = std::numeric_limits<double>::infinity();
    for (std::size_t i : order)
      if (i != best) runner_up = std::min(runner_up, fits[i].loss);
    result.details = {{"subsets", count},
                      {"subset", subset},
                      {"scale", fits[best].scale},
                      {"screen_rows", screen ? p_.screen_rows : 0},
                      {"kept", keep},
                      {"best_fit_loss", fits[best].loss},
                      {"runner_up_loss", runner_up}};
    return result;
  }

 private:
  std::vector<SubsetFit> score_all(const Engine& engine, const DataSource& rows, std::size_t count,
                                   std::size_t d, bool bias) const {
    const std::vector<double> m =
        engine.mean(rows, 3 * count + 2, [&](const RowBlock& blk, double* acc) {
          if (p_.k <= kOrthogonalScanMaxK) {  // vectorised across rows
            orthogonal_subset_sums(blk, p_.k, activation_ == Activation::relu, acc);
            for (std::size_t r = 0; r < blk.rows; ++r) {
              acc[3 * count] += blk.y[r];
              acc[3 * count + 1] += blk.y[r] * blk.y[r];
            }
            return;
          }
          SubsetWalker walker(d, p_.k, activation_);
          for (std::size_t r = 0; r < blk.rows; ++r) {
            const double y = blk.y[r];
            walker.walk(blk.X + r * blk.d, [&](std::size_t i, double f) {
              acc[3 * i] += y * f;
              acc[3 * i + 1] += f * f;
              acc[3 * i + 2] += f;
            });
            acc[3 * count] += y;
            acc[3 * count + 1] += y * y;
          }
        });
    std::vector<SubsetFit> fits(count);
    for (std::size_t i = 0; i < count; ++i)
      fits[i] = fit_from_moments(m[3 * i], m[3 * i + 1], m[3 * i + 2], m[3 * count],
                                 m[3 * count + 1], bias);
    return fits;
  }

  void rescore(const Engine& engine, const DataSource& data, std::size_t d, bool bias,
               const std::vector<std::size_t>& chosen, std::vector<SubsetFit>& fits) const {
    std::vector<std::vector<std::size_t>> subsets;
    for (std::size_t i : chosen) subsets.push_back(nth_subset(d, i));
    const std::size_t c = chosen.size();
    const std::vector<double> m =
        engine.mean(data, 3 * c + 2, [&](const RowBlock& blk, double* acc) {
          std::vector<double> values(p_.k);
          for (std::size_t r = 0; r < blk.rows; ++r) {
            const float* x = blk.X + r * blk.d;
            const double y = blk.y[r];
            for (std::size_t i = 0; i < c; ++i) {
              for (std::size_t j = 0; j < p_.k; ++j) values[j] = x[subsets[i][j]];
              const double f = orthogonal::feature(values.data(), p_.k, activation_);
              acc[3 * i] += y * f;
              acc[3 * i + 1] += f * f;
              acc[3 * i + 2] += f;
            }
            acc[3 * c] += y;
            acc[3 * c + 1] += y * y;
          }
        });
    for (std::size_t i = 0; i < c; ++i)
      fits[chosen[i]] =
          fit_from_moments(m[3 * i], m[3 * i + 1], m[3 * i + 2], m[3 * c], m[3 * c + 1], bias);
  }

  std::vector<std::size_t> nth_subset(std::size_t d, std::size_t index) const {
    std::vector<std::size_t> subset(p_.k);
    std::iota(subset.begin(), subset.end(), 0);
    for (std::size_t i = 0; i < index; ++i) orthogonal::next_subset(subset, d);
    return subset;
  }

  Activation activation_;
};

}  // namespace

LearnerEntry orthogonal_subsets_entry() {
  return learner_entry<OrthogonalSubsetsLearner, OrthogonalSubsetsParams>();
}

}  // namespace relureg::detail
