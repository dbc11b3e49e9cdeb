// orthogonal-subsets' block kernel (every k-subset's feature f_S), compiled once per ISA variant.
#pragma once

#include <bit>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/orthogonal_single.hpp"
#include "kernels/subset_lanes.hpp"

namespace relureg::detail {
namespace {

using namespace subset_lanes;

// The sums of f_S for every k-subset S (GGJKK20's orthogonal network, see orthogonal_subset_sums
// in subset_scan.hpp), vectorised across rows.
class OrthogonalScan {
 public:
  // single: float32 lanes in the relu leaves of k ≥ 4 (relu_leaves_single).
  OrthogonalScan(const RowBlock& blk, std::size_t k, bool relu, bool single, double* acc)
      : blk_(blk),
        d_(blk.d),
        k_(k),
        relu_(relu),
        single_(single && relu && k >= 4),
        sigmoid_single_(single && !relu && k >= 3),
        inv_(1 / std::sqrt(static_cast<double>(k))),
        chunk_(chunk_rows(blk.d)),
        stride_(chunk_ + kStride),
        acc_(acc),
        columns_(d_ * stride_),
        y_(chunk_),
        sums_(k),
        invs_(relu ? 0 : k),
        pairs_(sigmoid_single_ ? d_ : 0, sigmoid_single_ ? k : 3, stride_) {
    for (std::size_t j = 1; j < k; ++j) {
      sums_[j].resize((std::size_t{1} << (j - 1)) * stride_);
      if (!relu) invs_[j].resize(sums_[j].size());
    }
    if (!relu || k == 1)  // k = 1 is always the sigmoid's tanh
      for (auto* a : {&exp_plus_, &exp_minus_, &cosh2_, &sinh4_}) a->resize(d_ * stride_);
    // χ of the sums the leaves read (relu: level k − 2 with k ≥ 3, level 1 with k = 2; sigmoid:
    // level k − 1): +1 for an even number of −1 signs (bit i of the index: a −1 sign).
    const std::size_t last = relu ? (k >= 3 ? k - 2 : 1) : k - 1;
    if (k >= 2) {
      terms_ = std::size_t{1} << (last - 1);
      for (std::size_t i = 0; i < terms_; ++i)
        (std::popcount(i) % 2 == 0 ? plus_ : minus_).push_back(i);
      slot_.resize(terms_);
      for (std::size_t t = 0; t < plus_.size(); ++t) slot_[plus_[t]] = t;
      for (std::size_t t = 0; t < minus_.size(); ++t) slot_[minus_[t]] = plus_.size() + t;
    }
    if (single_) {
      float_columns_.resize(d_ * stride_);
      float_magnitudes_.resize(d_ * stride_);
      float_tiles_.resize((terms_ + terms_ / 2) * stride_);  // the tiles, then their parents
    }
  }

  void run() {
    for (std::size_t start = 0; start < blk_.rows; start += chunk_) {
      rows_ = std::min(chunk_, blk_.rows - start);
      const std::size_t lanes =
          single_ || sigmoid_single_ ? kFloats : kStride;  // ≤ stride_ − chunk_ more rows
      padded_ = (rows_ + lanes - 1) / lanes * lanes;
      transpose(blk_, start, rows_, padded_, stride_, columns_.data(), y_.data());
      if (single_)
        for (std::size_t i = 0; i < d_ * stride_; ++i) {
          float_columns_[i] = static_cast<float>(columns_[i]);  // exact: X is float
          float_magnitudes_[i] = std::fabs(float_columns_[i]);
        }
      index_ = 0;
      if ((!relu_ || k_ == 1) && !exponentials()) {
        sigmoid_rows(columns_.data(), stride_, y_.data(), rows_, d_, k_, acc_);
        continue;
      }
      if (k_ == 1) {
        for (std::size_t a = 0; a < d_; ++a) sigmoid_leaves<1>(a);
        continue;
      }
      for (std::size_t a = 0; a + k_ <= d_; ++a) {
        if (pairs_active_ && k_ == 3) {
          pairs_.prefix(exp_plus_.data() + a * stride_, exp_minus_.data() + a * stride_);
          pair_leaves(a + 1);
          continue;
        }
        if (!relu_) {  // level 1 of a sigmoid: e^{±x_a/√k} (k = 2: the leaves' 2·cosh(x_a/√k))
          if (k_ == 2) {
            std::copy_n(cosh2_.data() + a * stride_, padded_, sums_[1].data());
          } else {
            std::copy_n(exp_plus_.data() + a * stride_, padded_, sums_[1].data());
            std::copy_n(exp_minus_.data() + a * stride_, padded_, invs_[1].data());
          }
        } else if (k_ == 3) {  // the relu leaves read |s| of level k − 2
          for (std::size_t r = 0; r < padded_; ++r) sums_[1][r] = std::abs(column(a)[r]);
        } else {
          std::copy_n(column(a), padded_, sums_[1].data());
        }
        descend(1, a + 1);
      }
    }
  }

 private:
  // Leaves of a relu pass: two with AVX-512 (32 registers), one below.
  static constexpr std::size_t kReluLeaves = kWidth == 8 ? 2 : 1;

  const double* column(std::size_t j) const { return columns_.data() + j * stride_; }

  // The level the leaves read is stored in tiles: the terms_ vectors of rows r … r + kWidth − 1
  // side by side, the χ = +1 terms first (slot_), so that a leaf reads them at fixed offsets.
  double* tile(double* level, std::size_t r, std::size_t slot) const {
    return level + (r / kWidth * terms_ + slot) * kWidth;
  }

  // The sigmoid's float32 leaves after a prefix of k − 2 coordinates: w from `from`, v after w.
  void pair_leaves(std::size_t from) {
    for (std::size_t w = from; w + 1 < d_; ++w) {
      for (std::size_t v = w + 1; v < d_; ++v) {
        Vec part[3][kHalves];
        pairs_.leaf(w, v, y_.data(), part);
        add(part);
      }
    }
  }

  // The leaves with the number of terms known to the compiler (the orders the learner runs:
  // relu k = 2, 4, 6, 8 and sigmoid k = 3, 5, 7, 9) or read at run time (N = 0).
  template <class Fn>
  void with_terms(Fn&& leaves) {
    switch (terms_) {
      case 2:
        return leaves.template operator()<2>();
      case 8:
        return leaves.template operator()<8>();
      case 32:
        return leaves.template operator()<32>();
      default:
        return leaves.template operator()<0>();
    }
  }
  template <std::size_t L>
  void relu_dispatch(std::size_t w, std::size_t e) {
    with_terms([&]<std::size_t N>() {
      if (single_)
        relu_leaves_single<L, N>(w, e);
      else
        relu_leaves<L, N>(w, e);
    });
  }
  void sigmoid_dispatch(std::size_t e) {
    with_terms([&]<std::size_t N>() { sigmoid_leaves<N>(e); });
  }

  // sums_[level] holds the 2^{level−1} signed sums s of the chosen prefix (relu; |s| at level
  // k − 2, the last the leaves read), or e^{s/√k} with e^{−s/√k} in invs_[level] (sigmoid; at
  // level k − 1, the last, 2·cosh(s/√k) instead).
  void descend(std::size_t level, std::size_t from) {
    if (pairs_active_ && level + 3 == k_) {  // the sigmoid's float32 leaves (SigmoidPairs)
      pairs_.parent(sums_[level].data(), invs_[level].data());
      for (std::size_t e = from; e + 2 < d_; ++e) {
        pairs_.prefix(e);
        pair_leaves(e + 1);
      }
      return;
    }
    if (relu_ && k_ >= 3 && level + 2 == k_) {  // the last two coordinates w, v in relu_leaves
      for (std::size_t w = from; w + 1 < d_; ++w) {
        std::size_t e = w + 1;
        for (; e + kReluLeaves <= d_; e += kReluLeaves) relu_dispatch<kReluLeaves>(w, e);
        for (; e < d_; ++e) relu_dispatch<1>(w, e);
      }
      return;
    }
    if (level + 1 == k_) {
      std::size_t e = from;
      if (relu_)  // k = 2
        for (; e + kReluLeaves <= d_; e += kReluLeaves) relu_leaves<kReluLeaves, 1>(d_, e);
      for (; e < d_; ++e) relu_ ? relu_leaves<1, 1>(d_, e) : sigmoid_dispatch(e);
      return;
    }
    const std::size_t half = std::size_t{1} << (level - 1);
    const bool last = level + 1 == (relu_ ? k_ - 2 : k_ - 1);  // the leaves read level + 1
    if (last && single_)  // the sums the tiles extend, rounded to float once for every e
      for (std::size_t i = 0; i < half * stride_; ++i)
        float_tiles_[terms_ * stride_ + i] = static_cast<float>(sums_[level][i]);
    for (std::size_t e = from; e + (k_ - level) <= d_; ++e) {
      for (std::size_t i = 0; i < half; ++i) {
        const double* s = sums_[level].data() + i * stride_;
        double* plus = sums_[level + 1].data() + 2 * i * stride_;
        double* minus = plus + stride_;
        if (relu_) {
          const double* v = column(e);
          if (last && single_) {  // locals: the stores (memcpy) could alias any member
            float* tiles = float_tiles_.data();
            const std::size_t n = terms_, plus_at = slot_[2 * i], minus_at = slot_[2 * i + 1];
            const float* fs = tiles + (n + i) * stride_;  // s in float (above)
            const float* fv = float_columns_.data() + e * stride_;
            float *plus_tile = tiles + plus_at * kFloats, *minus_tile = tiles + minus_at * kFloats;
            for (std::size_t r = 0, end = padded_; r < end;  // tile r / kFloats: rows r …
                 r += kFloats, plus_tile += n * kFloats, minus_tile += n * kFloats) {
              const Floats a = load_floats(fs + r), b = load_floats(fv + r);
              const Floats p = abs_floats(a + b), m = abs_floats(a - b);
              std::memcpy(plus_tile, &p, sizeof p);
              std::memcpy(minus_tile, &m, sizeof m);
            }
          } else if (last) {
            for (std::size_t r = 0; r < padded_; r += kWidth) {
              const Vec a = load(s + r), b = load(v + r), p = abs(a + b), m = abs(a - b);
              std::memcpy(tile(sums_[level + 1].data(), r, slot_[2 * i]), &p, sizeof p);
              std::memcpy(tile(sums_[level + 1].data(), r, slot_[2 * i + 1]), &m, sizeof m);
            }
          } else {  // in vectors: the compiler left the scalar loop alone (possible aliasing)
            for (std::size_t r = 0; r < padded_; r += kWidth) {
              const Vec a = load(s + r), b = load(v + r), p = a + b, m = a - b;
              std::memcpy(plus + r, &p, sizeof p);
              std::memcpy(minus + r, &m, sizeof m);
            }
          }
          continue;
        }
        // e^{(s ± x)/√k} = e^{s/√k}·e^{±x/√k}: products, no cancellation.
        const double* si = invs_[level].data() + i * stride_;
        const double* ep = exp_plus_.data() + e * stride_;
        const double* em = exp_minus_.data() + e * stride_;
        if (last) {
          for (std::size_t r = 0; r < padded_; r += kWidth) {
            const Vec a = load(s + r), ai = load(si + r), b = load(ep + r), bi = load(em + r);
            const Vec p = a * b + ai * bi, m = a * bi + ai * b;
            std::memcpy(tile(sums_[level + 1].data(), r, slot_[2 * i]), &p, sizeof p);
            std::memcpy(tile(sums_[level + 1].data(), r, slot_[2 * i + 1]), &m, sizeof m);
          }
        } else {
          double* plus_inv = invs_[level + 1].data() + 2 * i * stride_;
          double* minus_inv = plus_inv + stride_;
          for (std::size_t r = 0; r < padded_; r += kWidth) {  // in vectors, as above
            const Vec a = load(s + r), ai = load(si + r), b = load(ep + r), bi = load(em + r);
            const Vec p = a * b, p_inv = ai * bi, m = a * bi, m_inv = ai * b;
            std::memcpy(plus + r, &p, sizeof p);
            std::memcpy(plus_inv + r, &p_inv, sizeof p_inv);
            std::memcpy(minus + r, &m, sizeof m);
            std::memcpy(minus_inv + r, &m_inv, sizeof m_inv);
          }
        }
      }
      descend(level + 1, e + 1);
    }
  }

  // f = (2/√k)·sgn(v)·Σ_i χ_i·clamp(a_i, −|v|, |v|) for the L last coordinates e, e + 1, …:
  // the pair of units (a_i + v, a_i − v) gives χ_i·(|a_i + v| − |a_i − v|)/√k, and
  // |a + v| − |a − v| = 2·sgn(v)·sgn(a)·min(|a|, |v|) = 2·sgn(v)·clamp(a, −|v|, |v|).
  // With k ≥ 3 the a_i are s_j ± w (s_j the sums of the first k − 2 coordinates, w the
  // coordinate before v), never stored: the pair's clamps differ by sgn(w) times the length of
  // [s_j − |w|, s_j + |w|] ∩ [−|v|, |v|], which is q − clamp(|s_j|, r, q) with q = |w| + |v|,
  // r = ||w| − |v||; the q's cancel (as many χ = +1 as −1), so
  //   Σ_i χ_i·clamp(a_i) = sgn(w)·Σ_j −χ_j·clamp(|s_j|, r, q),
  // with |s_j| stored by the prefix: three lane operations per j (max, min, add). (k = 2:
  // w_column = d_, no w, and a_0 = s_0 = x_{T_0}.) The χ = +1 and −1 terms add up in two chains.
  template <std::size_t L, std::size_t N>
  void relu_leaves(std::size_t w_column, std::size_t e) {
    const std::size_t n = N ? N : terms_, positive = n == 1 ? 1 : n / 2;
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
        Vec v[L], top[L], bottom[L], p[L], m[L];
        for (std::size_t l = 0; l < L; ++l) {
          v[l] = load(column(e + l) + r);
          const Vec a = abs(v[l]);
          if (paired) {
            top[l] = width + a;
            bottom[l] = abs(width - a);
          } else {
            top[l] = a;
            bottom[l] = -a;
          }
          p[l] = m[l] = Vec{};
        }
        const double* t = s + r / kWidth * n * kWidth;
        chains<L>(t, positive, bottom, top, p);
        if (paired) chains<L>(t + positive * kWidth, n - positive, bottom, top, m);
        const Vec y = load(y_.data() + r);
        const Bits w_sign = paired ? Bits(wv) : Bits{};
        for (std::size_t l = 0; l < L; ++l) {
          const Vec g = paired ? m[l] - p[l] : p[l];
          const Vec f = scale * Vec(Bits(g) ^ ((Bits(v[l]) ^ w_sign) & sign_bit));
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

  // relu_leaves (k ≥ 4) in float32 lanes, kFloats rows at a time: |s_j| rounded to float by the
  // prefix, the clamps exact, the terms added in float; each row's g (f = (2/√k)·g) converted to
  // double and summed across rows in the double path's lanes and order, the sums then scaled (the
  // tests: fitted scales agree to 1e-6; every ISA variant gives the same sums).
  template <std::size_t L, std::size_t N>
  void relu_leaves_single(std::size_t w_column, std::size_t e) {
    const std::size_t n = N ? N : terms_, positive = n / 2;
    const double scale = 2 * inv_;
    const float* fw = float_columns_.data() + w_column * stride_;
    const float* width_of = float_magnitudes_.data() + w_column * stride_;
    const FloatBits sign_bit = FloatBits{} + std::numeric_limits<std::int32_t>::min();
    Vec yf[L][kHalves], ff[L][kHalves], fs[L][kHalves];
    for (std::size_t l = 0; l < L; ++l)
      for (std::size_t h = 0; h < kHalves; ++h) yf[l][h] = ff[l][h] = fs[l][h] = Vec{};
    for (std::size_t r = 0; r < padded_; r += kFloats) {
      const Floats wv = load_floats(fw + r), width = load_floats(width_of + r);
      const float* t = float_tiles_.data() + r / kFloats * n * kFloats;
      Floats v[L], top[L], bottom[L], p[L], m[L];
      const auto clamp = [&](std::size_t j, std::size_t l) __attribute__((always_inline)) {
        return min_floats(max_floats(load_floats(t + j * kFloats), bottom[l]), top[l]);
      };
      for (std::size_t l = 0; l < L; ++l) {
        v[l] = load_floats(float_columns_.data() + (e + l) * stride_ + r);
        const Floats a = load_floats(float_magnitudes_.data() + (e + l) * stride_ + r);
        top[l] = width + a;
        bottom[l] = abs_floats(width - a);
        p[l] = clamp(0, l);  // each chain from its first term (c ≥ +0, so 0 + c = c)
        m[l] = clamp(positive, l);
      }
      for (std::size_t j = 1; j < positive; ++j)
        for (std::size_t l = 0; l < L; ++l) p[l] += clamp(j, l);
      for (std::size_t j = positive + 1; j < n; ++j)
        for (std::size_t l = 0; l < L; ++l) m[l] += clamp(j, l);
      for (std::size_t l = 0; l < L; ++l) {
        const Floats g = m[l] - p[l];
        const Floats sg = Floats(FloatBits(g) ^ ((FloatBits(v[l]) ^ FloatBits(wv)) & sign_bit));
        const Vec halves[2] = {to_doubles<0>(sg), to_doubles<1>(sg)};
        for (std::size_t half = 0; half < 2; ++half) {
          const Vec f = halves[half];  // f / scale
          const Vec y = load(y_.data() + r + half * kWidth);
          const std::size_t h = kHalves == 1 ? 0 : half;  // rows r + half·kWidth: its lanes
          yf[l][h] += y * f;
          ff[l][h] += f * f;
          fs[l][h] += f;
        }
      }
    }
    for (std::size_t l = 0; l < L; ++l) {
      Vec part[3][kHalves];
      for (std::size_t h = 0; h < kHalves; ++h) {
        part[0][h] = yf[l][h];
        part[1][h] = ff[l][h];
        part[2][h] = fs[l][h];
      }
      add(part, scale);
    }
  }

  // Σ_j clamp(s_j, bottom, top) over the n terms of a tile from s, into c.
  template <std::size_t L>
  [[gnu::always_inline]] void chains(const double* s, std::size_t n, const Vec* bottom,
                                     const Vec* top, Vec* c) const {
    for (std::size_t j = 0; j < n; ++j) {
      const Vec sj = load(s + j * kWidth);
      for (std::size_t l = 0; l < L; ++l) c[l] += min(max(sj, bottom[l]), top[l]);
    }
  }

  // The sigmoid's units in pairs: with t = 1/√k, tanh((a + v)·t/2) − tanh((a − v)·t/2) =
  // 2·sinh(v·t)/(cosh(a·t) + cosh(v·t)), so f = 4·sinh(v·t)·Σ_i χ_i/(C_i + c) with C_i =
  // 2·cosh(a_i·t) (the prefix, level k − 1) and c = 2·cosh(v·t): every denominator is at least
  // 4, nothing cancels. The fractions are added up to kGroup at a time over one denominator
  // (N/D + 1/d = (N·d + D)/(D·d), three lane operations each; the χ = +1 and −1 terms in two
  // chains) and one division per group.
  // k = 1: f = tanh(v/2) = (e^v − 1)/(e^v + 1).
  template <std::size_t N>
  void sigmoid_leaves(std::size_t e) {
    const std::size_t n = N ? N : terms_, half = n / 2;
    const double* ep = exp_plus_.data() + e * stride_;
    const double* c = cosh2_.data() + e * stride_;
    const double* sv = sinh4_.data() + e * stride_;
    const double* C = sums_[k_ == 1 ? 0 : k_ - 1].data();
    Vec part[3][kHalves];
    for (std::size_t h = 0; h < kHalves; ++h) {
      Vec yf{}, ff{}, fs{};
      for (std::size_t r = h * kWidth; r < padded_; r += kStride) {
        Vec f;
        if (k_ == 1) {
          const Vec x = load(ep + r);
          f = (x - 1.0) / (x + 1.0);
        } else {
          // Groups of kGroup / 2 terms with χ = +1 (their fraction Np/Dp) and as many with
          // χ = −1 (Nm/Dm), two independent chains: (Np·Dm − Nm·Dp)/(Dp·Dm) per group.
          const Vec cv = load(c + r);
          const double* t = C + r / kWidth * n * kWidth;
          Vec total{};
          for (std::size_t g = 0; g < half; g += kGroup / 2) {
            const double* plus = t + g * kWidth;
            const double* minus = t + (half + g) * kWidth;
            Vec np = Vec{} + 1.0, dp = load(plus) + cv, nm = np, dm = load(minus) + cv;
            for (std::size_t j = 1; j < std::min(kGroup / 2, half - g); ++j) {
              const Vec ap = load(plus + j * kWidth) + cv, am = load(minus + j * kWidth) + cv;
              np = np * ap + dp;
              dp = dp * ap;
              nm = nm * am + dm;
              dm = dm * am;
            }
            total += (np * dm - nm * dp) / (dp * dm);
          }
          if (n == 1) total = 1.0 / (load(t) + cv);
          f = load(sv + r) * total;
        }
        const Vec y = load(y_.data() + r);
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

  // The chunk's e^{±x/√k}, 2·cosh(x/√k) and 4·sinh(x/√k) of every column (k = 1: e^x only),
  // unless some |x| is so large that a group's denominator could overflow (false: the chunk
  // takes sigmoid_rows).
  bool exponentials() {
    double largest = 0;  // over this chunk's rows only (k = 1 needs no bound)
    for (std::size_t j = 0; k_ >= 3 && j < d_; ++j)
      for (std::size_t r = 0; r < rows_; ++r) largest = std::max(largest, std::abs(column(j)[r]));
    const double group = static_cast<double>(std::min(kGroup, plus_.size() + minus_.size()));
    if (k_ >= 3 && group * (std::log(4.0) + std::sqrt(static_cast<double>(k_)) * largest) > 690)
      return false;
    for (std::size_t j = 0; j < d_; ++j)
      for (std::size_t r = 0; r < padded_; r += kWidth) {
        const std::size_t at = j * stride_ + r;
        if (k_ == 1) {  // tanh(x/2) needs e^x only
          const Vec p = exp(load(columns_.data() + at));
          std::memcpy(exp_plus_.data() + at, &p, sizeof p);
          continue;
        }
        const Vec x = load(columns_.data() + at) * inv_;
        const Vec p = exp(x), m = exp(-x), c = p + m, sv = 2.0 * (p - m);
        std::memcpy(exp_plus_.data() + at, &p, sizeof p);
        std::memcpy(exp_minus_.data() + at, &m, sizeof m);
        std::memcpy(cosh2_.data() + at, &c, sizeof c);
        std::memcpy(sinh4_.data() + at, &sv, sizeof sv);
      }
    pairs_active_ =
        sigmoid_single_ && pairs_.columns(exp_plus_.data(), exp_minus_.data(), padded_, largest);
    return true;
  }

  // The sums of f = scale·g from those of g (scale 1: f itself), with explicit multiply-adds
  // (rounded once; the compiler could contract the products differently in each ISA variant).
  void add(const Vec (&part)[3][kHalves], double scale = 1) {
    double* a = acc_ + 3 * index_++;
    a[0] = std::fma(scale, fold(part[0]), a[0]);
    a[1] = std::fma(scale * scale, fold(part[1]), a[1]);
    a[2] = std::fma(scale, fold(part[2]), a[2]);
  }

  const RowBlock& blk_;
  std::size_t d_, k_;
  bool relu_, single_, sigmoid_single_, pairs_active_ = false;
  double inv_;
  // Columns and prefix sums lie stride_ doubles apart: a chunk plus one vector, so that the loads
  // and stores of one row do not fall on addresses 4 KB apart (which the CPU takes as aliasing).
  std::size_t chunk_, stride_, rows_ = 0, padded_ = 0, index_ = 0;
  double* acc_;
  // A sigmoid's fractions per division (their denominators are at most e^{690/kGroup} each).
  static constexpr std::size_t kGroup = 8;
  std::vector<double> columns_, y_, exp_plus_, exp_minus_, cosh2_, sinh4_;
  // single_: X's columns, their magnitudes |x| (read by the leaves), the leaves' tiles.
  std::vector<float> float_columns_, float_magnitudes_, float_tiles_;
  std::vector<std::vector<double>> sums_, invs_;
  std::vector<std::size_t> plus_, minus_;  // the last level's sums with χ = +1 and χ = −1
  std::vector<std::size_t> slot_;          // their places in a tile, χ = +1 first
  std::size_t terms_ = 0;                  // the sums of the last level
  SigmoidPairs pairs_;  // sigmoid_single_: the float32 leaves, taken in the chunks they allow
};

void orthogonal_sums(const RowBlock& blk, std::size_t k, bool relu, bool single, double* acc) {
  if (single && !relu && k == 1) return sigmoid_single_features(blk, acc);
  OrthogonalScan(blk, k, relu, single, acc).run();
}

}  // namespace
}  // namespace relureg::detail
