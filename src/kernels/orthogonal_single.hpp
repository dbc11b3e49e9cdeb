// orthogonal-subsets' sigmoid sums in float32 lanes (k = 1, and k ≥ 3 paired) or row by row.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <vector>

#include "kernels/subset_lanes.hpp"

namespace relureg::detail {
namespace {
namespace subset_lanes {

// orthogonal-subsets' sigmoid sums row by row, every unit's tanh on its own in double (a chunk
// with features too large for the vectorised paths): f = Σ_{s, s₁ = +1} χ(s)·tanh(s·x_S/(2√k))
// over `rows` rows of d double columns (stride apart) and their labels y, added to acc for every
// k-subset S in lexicographic order.
inline void sigmoid_rows(const double* columns, std::size_t stride, const double* y,
                         std::size_t rows, std::size_t d, std::size_t k, double* acc) {
  const double inv = 1 / std::sqrt(static_cast<double>(k));
  std::vector<std::size_t> S(k);
  for (std::size_t i = 0; i < k; ++i) S[i] = i;
  for (double* a = acc;; a += 3) {
    for (std::size_t r = 0; r < rows; ++r) {
      double f = 0;
      for (std::size_t u = 0; u < (std::size_t{1} << (k - 1)); ++u) {
        double t = columns[S[0] * stride + r], chi = 1;
        for (std::size_t j = 1; j < k; ++j) {
          const bool minus = (u >> (j - 1)) & 1;
          t += minus ? -columns[S[j] * stride + r] : columns[S[j] * stride + r];
          chi = minus ? -chi : chi;
        }
        f += chi * std::tanh(t * inv / 2);
      }
      a[0] += y[r] * f;
      a[1] += f * f;
      a[2] += f;
    }
    std::size_t i = k;
    while (i > 0 && S[i - 1] == d - k + i - 1) --i;
    if (i == 0) return;
    ++S[i - 1];
    for (std::size_t j = i; j < k; ++j) S[j] = S[j - 1] + 1;
  }
}

// tanh(x/2) lane by lane in float32: E/(E + 2) with E = e^x − 1, x clamped to [−40, 40] (beyond,
// tanh(x/2) is ±1 in float). x = n·ln 2 + r with |r| ≤ ln 2 / 2, e^r − 1 = r + r²·q(r) by its
// Taylor polynomial of degree 7 (truncation below 2e-8 relative), E = 2^n·(e^r − 1) + (2^n − 1),
// divided by E + 2 = 2^n·(e^r − 1) + (2^n + 1): within 2.9 float ulp of the exact value on
// [−45, 45] (every float 1.7e-5 apart), no cancellation near 0. 21 lane operations, the division
// included. q in Estrin's order (its powers of r side by side, not Horner's chain of six) and the
// multiply-adds of E and E + 2 side by side put 14 cycles fewer on the chain from x to the
// division: on Zen 3 (AVX2, one core) bench_subsets' k = 1 went up 11 % (median of 9 interleaved
// runs) against Horner's order with E + 2 after E. The same in every ISA variant with FMA (the
// multiply-adds contract alike).
[[gnu::always_inline]] inline Floats tanh_half_floats(Floats x) {
  x = min_floats(max_floats(x, Floats{} - 40.0f), Floats{} + 40.0f);
  const Floats shift = Floats{} + 0x1.8p23f;  // adding it rounds to an integer in the low bits
  const Floats shifted = x * 0x1.715476p0f + shift;
  const Floats n = shifted - shift;
  const Floats r = (x - n * 0x1.62e4p-1f) - n * 0x1.7f7d1cp-20f;  // ln 2 in two parts
  // c(i) = 1/i!, the coefficient of r^i in e^r − 1, for i = 2..7 (r's own is 1).
  constexpr float kInverseFactorialFrom2[] = {1.0f / 2,   1.0f / 6,   1.0f / 24,
                                              1.0f / 120, 1.0f / 720, 1.0f / 5040};
  const auto c = [&](int i) { return Floats{} + kInverseFactorialFrom2[i - 2]; };
  const Floats r2 = r * r, r4 = r2 * r2;
  const Floats q = (c(7) * r + c(6)) * r4 + ((c(5) * r + c(4)) * r2 + (c(3) * r + c(2)));
  const Floats p = q * r2 + r;                                       // e^r − 1
  const Floats s = Floats((FloatBits(shifted) << 23) + 0x3f800000);  // 2^n
  return (s * p + (s - 1.0f)) / (s * p + (s + 1.0f));
}

// Rows whose f sigmoid_single_features computes side by side. On Zen 3 (AVX2, d = 16, one core)
// its rate went from 0.95 to 1.08·10⁹ evaluations per second with 2 and to 1.18·10⁹ with 4.
inline constexpr std::size_t kSigmoidRows = 4;
// Row groups whose f SigmoidPairs' leaves compute side by side before adding their terms. On Zen 3
// (AVX2, d = 16, one core, medians of 12 interleaved runs) k = 5 went up 5 % against the previous
// two-group unroll (f then its terms, group after group), k = 3 stayed level; 8 groups: level.
inline constexpr std::size_t kPairGroups = 4;

// orthogonal-subsets with k = 1 (f = tanh(x_j/2), one subset per feature j) straight from the
// rows, no transposition: a vector holds kFloats consecutive features of one row, the feature's
// f in float32 (tanh_half_floats), converted to double and added in double, one chain per
// feature over the block's rows in order (so every ISA variant with FMA gives the same sums).
// Groups of kFloats features start at min(g, d − kFloats) (the last overlaps the one before; its
// repeated lanes are dropped); rows of fewer than kFloats features are copied, zero-padded.
inline void sigmoid_single_features(const RowBlock& blk, double* acc) {
  const std::size_t d = blk.d;
  std::vector<float> padded;
  const float* X = blk.X;
  std::size_t stride = d;
  if (d < kFloats) {
    padded.assign(blk.rows * kFloats, 0.0f);
    for (std::size_t r = 0; r < blk.rows; ++r)
      std::copy_n(blk.X + r * d, d, padded.data() + r * kFloats);
    X = padded.data();
    stride = kFloats;
  }
  for (std::size_t g = 0; g < d; g += kFloats) {
    const std::size_t first = d < kFloats ? 0 : std::min(g, d - kFloats);
    Vec yf[2] = {}, ff[2] = {}, fs[2] = {};
    const auto add_row = [&](const Floats& f, double label) __attribute__((always_inline)) {
      const Vec y = Vec{} + label;
      const Vec halves[2] = {to_doubles<0>(f), to_doubles<1>(f)};
      for (std::size_t half = 0; half < 2; ++half) {
        const Vec fd = halves[half];
        yf[half] += y * fd;
        ff[half] += fd * fd;
        fs[half] += fd;
      }
    };
    // kSigmoidRows rows' f at a time, then their terms in row order: tanh_half_floats is one long
    // chain of dependent operations, and independent chains side by side keep the core busy.
    std::size_t r = 0;
    for (; r + kSigmoidRows <= blk.rows; r += kSigmoidRows) {
      Floats f[kSigmoidRows];
      for (std::size_t i = 0; i < kSigmoidRows; ++i)
        f[i] = tanh_half_floats(load_floats(X + (r + i) * stride + first));
      for (std::size_t i = 0; i < kSigmoidRows; ++i) add_row(f[i], blk.y[r + i]);
    }
    for (; r < blk.rows; ++r)
      add_row(tanh_half_floats(load_floats(X + r * stride + first)), blk.y[r]);
    for (std::size_t lane = g - first; lane < kFloats && first + lane < d; ++lane) {
      double* a = acc + 3 * (first + lane);
      a[0] += yf[lane / kWidth][lane % kWidth];
      a[1] += ff[lane / kWidth][lane % kWidth];
      a[2] += fs[lane / kWidth][lane % kWidth];
    }
  }
}

}  // namespace subset_lanes
}  // namespace
}  // namespace relureg::detail

namespace relureg::detail {
namespace {
namespace subset_lanes {

// orthogonal-subsets' sigmoid leaves for k ≥ 3 in float32 lanes (OrthogonalScan takes them for
// the chunks where no product below can overflow a float). The units of a leaf pair up on its
// last two coordinates w, v. With t = 1/√k, s one of the 2^{k−3} signed sums of the first k − 2
// coordinates (sign χ), S = 2·sinh(st), K = 2·cosh(st), and W_s, W_c, V_s, V_c the same of w and
// v, the four units of s (s ± w ± v) add up to
//   χ·4·sinh(vt)·(1/(A + V_c) − 1/(B + V_c)) = −2·V_s·W_s·χ·S / D,  A, B = 2·cosh((s ± w)t),
//   D = (A + V_c)(B + V_c) = S² + K·(W_c·V_c) + (W_c² + V_c²)
// (A·B = S² + W_c², A + B = K·W_c, B − A = −S·W_s): every term of D is positive, nothing
// cancels. So a prefix of k − 2 coordinates stores S², K, S of its sums (float, rounded once from
// double), and a leaf (w, v) costs per sum 2 lane operations for D and 3 to add the fraction to a
// chain N/D (N·d + S·D over D·d; χ = +1 and χ = −1 in two chains), one division per 2·H
// fractions. Sums across rows in double, in the eight lanes and order of the double path; every
// ISA variant with FMA gives the same sums.
class SigmoidPairs {
 public:
  SigmoidPairs(std::size_t d, std::size_t k, std::size_t stride)
      : d_(d),
        k_(k),
        stride_(stride),
        pairs_(std::size_t{1} << (k - 3)),
        positive_(pairs_ == 1 ? 1 : pairs_ / 2),
        columns_(6 * d * stride),
        parent_(pairs_ * stride),
        tile_(3 * pairs_ * stride),
        slot_(pairs_) {
    std::vector<std::size_t> minus;
    std::size_t next = 0;
    for (std::size_t i = 0; i < pairs_; ++i)  // χ = +1 (an even number of −1 signs) first
      if (std::popcount(i) % 2 == 0)
        slot_[i] = next++;
      else
        minus.push_back(i);
    for (std::size_t i : minus) slot_[i] = next++;
  }

  // The chunk's columns from their e^{±x/√k} (double, stride apart), rounded to float; the
  // fractions per division (2·H, H = 2 or 1) so that no product of that many denominators
  // (each below 16·e^{2(k−1)·max|x|/√k}) exceeds e^80 given the chunk's largest |x|, or false
  // (the chunk keeps to double).
  bool columns(const double* exp_plus, const double* exp_minus, std::size_t padded,
               double largest) {
    const double t = 1 / std::sqrt(static_cast<double>(k_));
    const double log_den = std::log(16.0) + 2 * static_cast<double>(k_ - 1) * largest * t;
    per_chain_ = 4 * log_den <= 80 ? 2 : 2 * log_den <= 80 ? 1 : 0;
    if (per_chain_ == 0) return false;
    per_chain_ = std::min(per_chain_, positive_);
    padded_ = padded;
    for (std::size_t j = 0; j < d_; ++j)
      for (std::size_t r = 0; r < padded; ++r) {
        const double p = exp_plus[j * stride_ + r], m = exp_minus[j * stride_ + r];
        float* at = columns_.data() + 6 * j * stride_ + r;
        at[0] = static_cast<float>(p + m);        // 2·cosh
        at[stride_] = static_cast<float>(p - m);  // 2·sinh
        at[2 * stride_] = static_cast<float>((p + m) * (p + m));
        at[3 * stride_] = static_cast<float>(-2 * (p - m));  // −4·sinh
        at[4 * stride_] = static_cast<float>(p);
        at[5 * stride_] = static_cast<float>(m);
      }
    return true;
  }

  // A prefix of k − 3 coordinates (k ≥ 5): its 2^{k−4} sums' e^{±st} (double, stride apart),
  // rounded to float for the prefixes that extend it.
  void parent(const double* e, const double* e_inv) {
    for (std::size_t i = 0; 2 * i < pairs_; ++i)
      for (std::size_t r = 0; r < padded_; ++r) {
        parent_[2 * i * stride_ + r] = static_cast<float>(e[i * stride_ + r]);
        parent_[(2 * i + 1) * stride_ + r] = static_cast<float>(e_inv[i * stride_ + r]);
      }
  }
  // The prefix that extends parent's by coordinate x: S², K, S of its sums s ± x from float
  // products (e^{±(s±x)t} within 2 float ulp, so S within a few ulp of K, not of S).
  void prefix(std::size_t x) {
    float* tile = tile_.data();  // locals: the stores (memcpy) could alias any member
    const std::size_t n = pairs_, end = padded_, stride = stride_;
    const float* col = columns_.data() + 6 * x * stride;
    for (std::size_t i = 0; 2 * i < n; ++i) {
      const std::size_t plus_at = slot_[2 * i], minus_at = slot_[2 * i + 1];
      const float* e = parent_.data() + 2 * i * stride;
      for (std::size_t r = 0; r < end; r += kFloats) {
        const Floats a = load_floats(e + r), ai = load_floats(e + stride + r);
        const Floats b = load_floats(col + 4 * stride + r), bi = load_floats(col + 5 * stride + r);
        store_floats(tile, n, plus_at, r, a * b, ai * bi);   // s + x
        store_floats(tile, n, minus_at, r, a * bi, ai * b);  // s − x
      }
    }
  }
  // k = 3: the prefix is one coordinate (its e^{±x/√k}).
  void prefix(const double* exp_plus, const double* exp_minus) {
    for (std::size_t r = 0; r < padded_; r += kWidth)
      store(tile_.data(), 1, 0, r, load(exp_plus + r), load(exp_minus + r));
  }

  // The sums Σ y·f, Σ f², Σ f of leaf (w, v) into part (the lanes of the double path).
  void leaf(std::size_t w, std::size_t v, const double* y, Vec (&part)[3][kHalves]) const {
    switch (pairs_ * 4 + per_chain_) {
      case 1 * 4 + 2:
      case 1 * 4 + 1:
        return leaf_of<1, 1>(w, v, y, part);
      case 4 * 4 + 2:
        return leaf_of<4, 2>(w, v, y, part);
      case 4 * 4 + 1:
        return leaf_of<4, 1>(w, v, y, part);
      case 16 * 4 + 2:
        return leaf_of<16, 2>(w, v, y, part);
      case 16 * 4 + 1:
        return leaf_of<16, 1>(w, v, y, part);
      default:
        return per_chain_ == 2 ? leaf_of<0, 2>(w, v, y, part) : leaf_of<0, 1>(w, v, y, part);
    }
  }

 private:
  // The same from float e^{±st} (rows r … r + kFloats − 1).
  static void store_floats(float* tile, std::size_t n, std::size_t slot, std::size_t r,
                           const Floats& p, const Floats& m) {
    // One store each: a memcpy of the three from an array went through the stack.
    const Floats s = p - m, s2 = s * s, k = p + m;
    float* at = tile + (r / kFloats * n + slot) * 3 * kFloats;
    std::memcpy(at, &s2, sizeof s2);
    std::memcpy(at + kFloats, &k, sizeof k);
    std::memcpy(at + 2 * kFloats, &s, sizeof s);
  }
  // S², K, S of sum e^{±st} (rows r … r + kWidth − 1) into its slot of a tile of n sums.
  static void store(float* tile, std::size_t n, std::size_t slot, std::size_t r, const Vec& p,
                    const Vec& m) {
    const Vec s = p - m;
    const Vec values[3] = {s * s, p + m, s};
    float* at = tile + ((r / kFloats * n + slot) * 3) * kFloats + r % kFloats;
    for (std::size_t j = 0; j < 3; ++j) {
      const Half h = to_floats(values[j]);
      std::memcpy(at + j * kFloats, &h, sizeof h);
    }
  }

  template <std::size_t N, std::size_t H>
  void leaf_of(std::size_t w, std::size_t v, const double* y, Vec (&part)[3][kHalves]) const {
    const std::size_t n = N ? N : pairs_, positive = N ? (N == 1 ? 1 : N / 2) : positive_;
    const float* cw = columns_.data() + 6 * w * stride_;
    const float* cv = columns_.data() + 6 * v * stride_;
    Vec yf[kHalves], ff[kHalves], fs[kHalves];
    for (std::size_t h = 0; h < kHalves; ++h) yf[h] = ff[h] = fs[h] = Vec{};
    // f of the kFloats rows from r.
    const auto f_of = [&](std::size_t r) __attribute__((always_inline)) {
      const Floats alpha = load_floats(cw + r) * load_floats(cv + r);
      const Floats beta = load_floats(cw + 2 * stride_ + r) + load_floats(cv + 2 * stride_ + r);
      const float* t = tile_.data() + r / kFloats * n * 3 * kFloats;
      const auto den = [&](std::size_t slot) {
        const float* at = t + slot * 3 * kFloats;
        return load_floats(at + kFloats) * alpha + load_floats(at) + beta;
      };
      const auto num = [&](std::size_t slot) { return load_floats(t + (slot * 3 + 2) * kFloats); };
      Floats total{};
      if (n == 1) {
        total = num(0) / den(0);
      } else {
        for (std::size_t g = 0; g < positive; g += H) {
          Floats np = num(g), dp = den(g), nm = num(positive + g), dm = den(positive + g);
          for (std::size_t j = 1; j < H; ++j) {
            const Floats ap = den(g + j), am = den(positive + g + j);
            np = np * ap + num(g + j) * dp;
            dp = dp * ap;
            nm = nm * am + num(positive + g + j) * dm;
            dm = dm * am;
          }
          // The first term is total itself: 0 + t would put an addition on the division's chain.
          const Floats term = (np * dm - nm * dp) / (dp * dm);
          total = g == 0 ? term : total + term;
        }
      }
      return (load_floats(cv + 3 * stride_ + r) * load_floats(cw + stride_ + r)) * total;
    };
    // The terms of the kFloats rows from r, in row order.
    const auto add_rows = [&](const Floats& f, std::size_t r) __attribute__((always_inline)) {
      const Vec halves[2] = {to_doubles<0>(f), to_doubles<1>(f)};
      for (std::size_t half = 0; half < 2; ++half) {
        const Vec fd = halves[half];
        const Vec yv = load(y + r + half * kWidth);
        const std::size_t h = kHalves == 1 ? 0 : half;  // rows r + half·kWidth: its lanes
        yf[h] += yv * fd;
        ff[h] += fd * fd;
        fs[h] += fd;
      }
    };
    // kPairGroups row groups' f side by side (each one long chain through a division), then
    // their terms in row order.
    std::size_t r = 0;
    for (; r + kPairGroups * kFloats <= padded_; r += kPairGroups * kFloats) {
      Floats f[kPairGroups];
#pragma GCC unroll 4
      for (std::size_t i = 0; i < kPairGroups; ++i) f[i] = f_of(r + i * kFloats);
#pragma GCC unroll 4
      for (std::size_t i = 0; i < kPairGroups; ++i) add_rows(f[i], r + i * kFloats);
    }
    for (; r < padded_; r += kFloats) add_rows(f_of(r), r);
    for (std::size_t h = 0; h < kHalves; ++h) {
      part[0][h] = yf[h];
      part[1][h] = ff[h];
      part[2][h] = fs[h];
    }
  }

  std::size_t d_, k_, stride_, pairs_, positive_, per_chain_ = 0, padded_ = 0;
  std::vector<float> columns_;  // per column: 2·cosh(x/√k), 2·sinh, (2·cosh)², −4·sinh, e^{±x/√k}
  std::vector<float> parent_;  // e^{st}, e^{−st} of each sum of a prefix of k − 3 coordinates
  std::vector<float> tile_;    // per kFloats rows, per sum of the prefix: S², K, S
  std::vector<std::size_t> slot_;  // each sum's place in the tile, χ = +1 first
};

}  // namespace subset_lanes
}  // namespace
}  // namespace relureg::detail
