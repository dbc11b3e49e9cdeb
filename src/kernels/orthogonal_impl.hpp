// orthogonal-subsets' block kernel (every k-subset's feature f_S), compiled once per ISA variant.
#pragma once

#include <bit>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/subset_lanes.hpp"

namespace relureg::detail {
namespace {

using namespace subset_lanes;

// The sums of f_S for every k-subset S (GGJKK20's orthogonal network, see orthogonal_subset_sums
// in subset_scan.hpp), vectorised across rows.
class OrthogonalScan {
 public:
  OrthogonalScan(const RowBlock& blk, std::size_t k, bool relu, double* acc)
      : blk_(blk),
        d_(blk.d),
        k_(k),
        relu_(relu),
        inv_(1 / std::sqrt(static_cast<double>(k))),
        chunk_(chunk_rows(blk.d)),
        stride_(chunk_ + kStride),
        acc_(acc),
        columns_(d_ * stride_),
        y_(chunk_),
        f_(chunk_),
        sums_(k),
        chis_(k) {
    for (std::size_t j = 1; j < k; ++j) {
      sums_[j].resize((std::size_t{1} << (j - 1)) * stride_);
      chis_[j].resize(std::size_t{1} << (j - 1));
    }
    // χ of the sums relu_leaves reads (level k − 2 with k ≥ 3, level 1 with k = 2): +1 for an
    // even number of −1 signs.
    if (k >= 2)
      for (std::size_t i = 0; i < (std::size_t{1} << (k >= 3 ? k - 3 : 0)); ++i)
        (std::popcount(i) % 2 == 0 ? plus_ : minus_).push_back(i);
  }

  void run() {
    for (std::size_t start = 0; start < blk_.rows; start += chunk_) {
      rows_ = std::min(chunk_, blk_.rows - start);
      padded_ = (rows_ + kStride - 1) / kStride * kStride;
      transpose(blk_, start, rows_, padded_, stride_, columns_.data(), y_.data());
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
  // Leaves of a relu pass: two with AVX-512 (32 registers), one below.
  static constexpr std::size_t kReluLeaves = kWidth == 8 ? 2 : 1;

  const double* column(std::size_t j) const { return columns_.data() + j * stride_; }

  // sums_[level] holds the 2^{level−1} signed sums of the chosen prefix.
  void descend(std::size_t level, std::size_t from) {
    if (relu_ && k_ >= 3 && level + 2 == k_) {  // the last two coordinates w, v in relu_leaves
      for (std::size_t w = from; w + 1 < d_; ++w) {
        std::size_t e = w + 1;
        for (; e + kReluLeaves <= d_; e += kReluLeaves) relu_leaves<kReluLeaves>(w, e);
        for (; e < d_; ++e) relu_leaves<1>(w, e);
      }
      return;
    }
    if (level + 1 == k_) {
      std::size_t e = from;
      if (relu_)  // k = 2
        for (; e + kReluLeaves <= d_; e += kReluLeaves) relu_leaves<kReluLeaves>(d_, e);
      for (; e < d_; ++e) relu_ ? relu_leaves<1>(d_, e) : sigmoid_leaf(e);
      return;
    }
    const std::size_t half = std::size_t{1} << (level - 1);
    for (std::size_t e = from; e + (k_ - level) <= d_; ++e) {
      const double* v = column(e);
      for (std::size_t i = 0; i < half; ++i) {
        const double* s = sums_[level].data() + i * stride_;
        double* plus = sums_[level + 1].data() + 2 * i * stride_;
        double* minus = plus + stride_;
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
  // With k ≥ 3 the a_i are s_j ± w (s_j the sums of the first k − 2 coordinates, w the
  // coordinate before v), never stored: the pair's clamps differ by the length of
  // [s − |w|, s + |w|] ∩ [−|v|, |v|] times sgn(w), so
  //   Σ_i χ_i·clamp(a_i) = sgn(w)·Σ_j χ_j·max(0, min(s_j + |w|, |v|) − max(s_j − |w|, −|v|)).
  // (k = 2: w_column = d_, no w, and a_0 = s_0 = x_{T_0}.) The sum over j runs in four chains
  // (χ = +1 and −1, each alternating between two), so that the adds do not wait on each other.
  template <std::size_t L>
  void relu_leaves(std::size_t w_column, std::size_t e) {
    const double scale = 2 * inv_;
    const bool paired = w_column < d_;
    const double* s = sums_[paired ? k_ - 2 : 1].data();
    const double* w = paired ? column(w_column) : y_.data();  // y: any column, unused for k = 2
    const Bits sign_bit = Bits{} + std::numeric_limits<std::int64_t>::min();
    Vec part[L][3][kHalves];
    for (std::size_t h = 0; h < kHalves; ++h) {
      Vec yf[L], ff[L], fs[L];
      for (std::size_t l = 0; l < L; ++l) yf[l] = ff[l] = fs[l] = Vec{};
      for (std::size_t r = h * kWidth; r < padded_; r += kStride) {
        const Vec wv = load(w + r), width = abs(wv);
        Vec v[L], top[L], bottom[L], p0[L], p1[L], m0[L], m1[L];
        for (std::size_t l = 0; l < L; ++l) {
          v[l] = load(column(e + l) + r);
          top[l] = abs(v[l]);
          bottom[l] = -top[l];
          p0[l] = p1[l] = m0[l] = m1[l] = Vec{};
        }
        if (paired) {
          chains<L, true>(s + r, width, plus_, bottom, top, p0, p1);
          chains<L, true>(s + r, width, minus_, bottom, top, m0, m1);
        } else {
          chains<L, false>(s + r, width, plus_, bottom, top, p0, p1);
        }
        const Vec y = load(y_.data() + r);
        for (std::size_t l = 0; l < L; ++l) {
          const Vec g = (p0[l] + p1[l]) - (m0[l] + m1[l]);
          Bits flip = v[l] < Vec{};
          if (paired) flip ^= wv < Vec{};
          const Vec f = scale * Vec(Bits(g) ^ (flip & sign_bit));
          yf[l] += y * f;
          ff[l] += f * f;
          fs[l] += f;
        }
      }
      for (std::size_t l = 0; l < L; ++l) {
        part[l][0][h] = yf[l];
        part[l][1][h] = ff[l];
        part[l][2][h] = fs[l];
      }
    }
    for (std::size_t l = 0; l < L; ++l) add(part[l]);
  }

  // For the positions j of `which` (even into c0, odd into c1): the trapezoid of s_j ± width
  // (Paired) or clamp(s_j, bottom, top).
  template <std::size_t L, bool Paired>
  [[gnu::always_inline]] void chains(const double* s, const Vec& width,
                                     const std::vector<std::size_t>& which, const Vec* bottom,
                                     const Vec* top, Vec* c0, Vec* c1) const {
    const std::size_t n = which.size();
    for (std::size_t j = 0; j < n; ++j) {
      const Vec sj = load(s + which[j] * stride_);
      Vec* c = j % 2 == 0 ? c0 : c1;
      if constexpr (Paired) {
        const Vec hi = sj + width, lo = sj - width;
        for (std::size_t l = 0; l < L; ++l) c[l] += relu(min(hi, top[l]) - max(lo, bottom[l]));
      } else {
        for (std::size_t l = 0; l < L; ++l) c[l] += min(max(sj, bottom[l]), top[l]);
      }
    }
  }

  // f = Σ_i χ_i·(tanh((a_i + v)/(2√k)) − tanh((a_i − v)/(2√k))), each row as the row walker did.
  void sigmoid_leaf(std::size_t e) {
    const double* v = column(e);
    const std::size_t count = k_ == 1 ? 0 : std::size_t{1} << (k_ - 2);
    for (std::size_t r = 0; r < padded_; ++r) {
      double total = 0;
      if (k_ == 1) total += std::tanh(v[r] * inv_ / 2);
      for (std::size_t i = 0; i < count; ++i) {
        const double a = sums_[k_ - 1][i * stride_ + r], chi = chis_[k_ - 1][i];
        total += chi * std::tanh((a + v[r]) * inv_ / 2);
        total += -chi * std::tanh((a - v[r]) * inv_ / 2);
      }
      f_[r] = r < rows_ ? total : 0.0;
    }
    Vec part[3][kHalves];
    for (std::size_t h = 0; h < kHalves; ++h) {
      Vec yf{}, ff{}, fs{};
      for (std::size_t r = h * kWidth; r < padded_; r += kStride) {
        const Vec f = load(f_.data() + r), y = load(y_.data() + r);
        yf += y * f;
        ff += f * f;
        fs += f;
      }
      part[0][h] = yf;
      part[1][h] = ff;
      part[2][h] = fs;
    }
    add(part);
  }

  void add(const Vec (&part)[3][kHalves]) {
    double* a = acc_ + 3 * index_++;
    a[0] += fold(part[0]);
    a[1] += fold(part[1]);
    a[2] += fold(part[2]);
  }

  const RowBlock& blk_;
  std::size_t d_, k_;
  bool relu_;
  double inv_;
  // Columns and prefix sums lie stride_ doubles apart: a chunk plus one vector, so that the loads
  // and stores of one row do not fall on addresses 4 KB apart (which the CPU takes as aliasing).
  std::size_t chunk_, stride_, rows_ = 0, padded_ = 0, index_ = 0;
  double* acc_;
  std::vector<double> columns_, y_, f_;
  std::vector<std::vector<double>> sums_, chis_;
  std::vector<std::size_t> plus_, minus_;  // the last level's sums with χ = +1 and χ = −1
};

void orthogonal_sums(const RowBlock& blk, std::size_t k, bool relu, double* acc) {
  OrthogonalScan(blk, k, relu, acc).run();
}

}  // namespace
}  // namespace relureg::detail
