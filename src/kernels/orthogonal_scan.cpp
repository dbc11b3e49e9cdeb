// orthogonal-subsets' block kernel: every k-subset's feature f_S, vectorised across rows.
#include <cmath>
#include <vector>

#include "kernels/subset_lanes.hpp"
#include "kernels/subset_scan.hpp"

namespace relureg::detail {
namespace {

using namespace subset_lanes;

class OrthogonalScan {
 public:
  OrthogonalScan(const RowBlock& blk, std::size_t k, bool relu, double* acc)
      : blk_(blk),
        d_(blk.d),
        k_(k),
        relu_(relu),
        inv_(1 / std::sqrt(static_cast<double>(k))),
        chunk_(chunk_rows(blk.d)),
        acc_(acc),
        columns_(d_ * chunk_),
        y_(chunk_),
        f_(chunk_),
        sums_(k),
        chis_(k) {
    for (std::size_t j = 1; j < k; ++j) {
      sums_[j].resize((std::size_t{1} << (j - 1)) * chunk_);
      chis_[j].resize(std::size_t{1} << (j - 1));
    }
  }

  void run() {
    for (std::size_t start = 0; start < blk_.rows; start += chunk_) {
      rows_ = std::min(chunk_, blk_.rows - start);
      padded_ = (rows_ + kWidth - 1) / kWidth * kWidth;
      transpose(blk_, start, rows_, padded_, chunk_, columns_.data(), y_.data());
      index_ = 0;
      if (k_ == 1) {
        for (std::size_t a = 0; a < d_; ++a) sigmoid_leaf(a);
        continue;
      }
      for (std::size_t a = 0; a + k_ <= d_; ++a) {
        std::copy_n(column(a), padded_, sums_[1].data());
        chis_[1][0] = 1;
        descend(1, a + 1);
      }
    }
  }

 private:
  const double* column(std::size_t j) const { return columns_.data() + j * chunk_; }

  // sums_[level] holds the 2^{level−1} signed sums of the chosen prefix.
  void descend(std::size_t level, std::size_t from) {
    if (level + 1 == k_) {
      std::size_t e = from;
      if (relu_)
        for (; e + 1 < d_; e += 2) relu_leaves<2>(e);
      for (; e < d_; ++e) relu_ ? relu_leaves<1>(e) : sigmoid_leaf(e);
      return;
    }
    const std::size_t half = std::size_t{1} << (level - 1);
    for (std::size_t e = from; e + (k_ - level) <= d_; ++e) {
      const double* v = column(e);
      for (std::size_t i = 0; i < half; ++i) {
        const double* s = sums_[level].data() + i * chunk_;
        double* plus = sums_[level + 1].data() + 2 * i * chunk_;
        double* minus = plus + chunk_;
        for (std::size_t r = 0; r < padded_; ++r) {
          plus[r] = s[r] + v[r];
          minus[r] = s[r] - v[r];
        }
        chis_[level + 1][2 * i] = chis_[level][i];
        chis_[level + 1][2 * i + 1] = -chis_[level][i];
      }
      descend(level + 1, e + 1);
    }
  }

  // f = (2/√k)·sgn(v)·Σ_i χ_i·clamp(a_i, −|v|, |v|) for the L last coordinates e, e + 1, …:
  // the pair of units (a_i + v, a_i − v) gives χ_i·(|a_i + v| − |a_i − v|)/√k, and
  // |a + v| − |a − v| = 2·sgn(v)·sgn(a)·min(|a|, |v|) = 2·sgn(v)·clamp(a, −|v|, |v|).
  template <std::size_t L>
  void relu_leaves(std::size_t e) {
    const std::size_t count = std::size_t{1} << (k_ - 2);
    const double scale = 2 * inv_;
    const double* a = sums_[k_ - 1].data();
    const double* chi = chis_[k_ - 1].data();
    Lanes yf[L], ff[L], fs[L];
    for (std::size_t l = 0; l < L; ++l) yf[l] = ff[l] = fs[l] = Lanes{};
    for (std::size_t r = 0; r < padded_; r += kWidth) {
      Lanes v[L], top[L], g[L];
      for (std::size_t l = 0; l < L; ++l) {
        v[l] = load(column(e + l) + r);
        top[l] = abs(v[l]);
        g[l] = Lanes{};
      }
      for (std::size_t i = 0; i < count; ++i) {
        const Lanes ai = load(a + i * chunk_ + r);
        for (std::size_t l = 0; l < L; ++l) g[l] += chi[i] * min(max(ai, -top[l]), top[l]);
      }
      const Lanes y = load(y_.data() + r);
      for (std::size_t l = 0; l < L; ++l) {
        const Lanes f = scale * (v[l] < Lanes{} ? -g[l] : g[l]);
        yf[l] += y * f;
        ff[l] += f * f;
        fs[l] += f;
      }
    }
    for (std::size_t l = 0; l < L; ++l) add(yf[l], ff[l], fs[l]);
  }

  // f = Σ_i χ_i·(tanh((a_i + v)/(2√k)) − tanh((a_i − v)/(2√k))), each row as the row walker did.
  void sigmoid_leaf(std::size_t e) {
    const double* v = column(e);
    const std::size_t count = k_ == 1 ? 0 : std::size_t{1} << (k_ - 2);
    for (std::size_t r = 0; r < padded_; ++r) {
      double total = 0;
      if (k_ == 1) total += std::tanh(v[r] * inv_ / 2);
      for (std::size_t i = 0; i < count; ++i) {
        const double a = sums_[k_ - 1][i * chunk_ + r], chi = chis_[k_ - 1][i];
        total += chi * std::tanh((a + v[r]) * inv_ / 2);
        total += -chi * std::tanh((a - v[r]) * inv_ / 2);
      }
      f_[r] = r < rows_ ? total : 0.0;
    }
    Lanes yf{}, ff{}, fs{};
    for (std::size_t r = 0; r < padded_; r += kWidth) {
      const Lanes f = load(f_.data() + r), y = load(y_.data() + r);
      yf += y * f;
      ff += f * f;
      fs += f;
    }
    add(yf, ff, fs);
  }

  void add(const Lanes& yf, const Lanes& ff, const Lanes& fs) {
    double* a = acc_ + 3 * index_++;
    a[0] += lane_sum(yf);
    a[1] += lane_sum(ff);
    a[2] += lane_sum(fs);
  }

  const RowBlock& blk_;
  std::size_t d_, k_;
  bool relu_;
  double inv_;
  std::size_t chunk_, rows_ = 0, padded_ = 0, index_ = 0;
  double* acc_;
  std::vector<double> columns_, y_, f_;
  std::vector<std::vector<double>> sums_, chis_;
};

}  // namespace

void orthogonal_subset_sums(const RowBlock& blk, std::size_t k, bool relu, double* acc) {
  OrthogonalScan(blk, k, relu, acc).run();
}

}  // namespace relureg::detail
