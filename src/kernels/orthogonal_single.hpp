// orthogonal-subsets' sigmoid sums in float32 lanes: tanh(x/2) per feature (k = 1).
#pragma once

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/subset_lanes.hpp"

namespace relureg::detail {
namespace {
namespace subset_lanes {

// tanh(x/2) lane by lane in float32: E/(E + 2) with E = e^x − 1, x clamped to [−40, 40] (beyond,
// tanh(x/2) is ±1 in float). x = n·ln 2 + r with |r| ≤ ln 2 / 2, e^r − 1 by its Taylor polynomial
// of degree 7 (truncation below 2e-8 relative), E = 2^n·(e^r − 1) + (2^n − 1): about 3 float ulp
// of the exact value, no cancellation near 0. 19 lane operations, the division included; the
// same in every ISA variant with FMA (the multiply-adds contract alike).
[[gnu::always_inline]] inline Floats tanh_half_floats(Floats x) {
  x = min_floats(max_floats(x, Floats{} - 40.0f), Floats{} + 40.0f);
  const Floats shift = Floats{} + 0x1.8p23f;  // adding it rounds to an integer in the low bits
  const Floats shifted = x * 0x1.715476p0f + shift;
  const Floats n = shifted - shift;
  const Floats r = (x - n * 0x1.62e4p-1f) - n * 0x1.7f7d1cp-20f;  // ln 2 in two parts
  constexpr float kInverseFactorial[] = {1.0f,       1.0f / 2,   1.0f / 6,   1.0f / 24,
                                         1.0f / 120, 1.0f / 720, 1.0f / 5040};
  Floats q = Floats{} + kInverseFactorial[6];
  for (int i = 5; i >= 0; --i) q = q * r + kInverseFactorial[i];
  const Floats p = q * r;                                            // e^r − 1
  const Floats s = Floats((FloatBits(shifted) << 23) + 0x3f800000);  // 2^n
  const Floats e = s * p + (s - 1.0f);
  return e / (e + 2.0f);
}

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
    for (std::size_t r = 0; r < blk.rows; ++r) {
      const Floats f = tanh_half_floats(load_floats(X + r * stride + first));
      const Vec y = Vec{} + blk.y[r];
      for (std::size_t half = 0; half < 2; ++half) {
        Half part;
        std::memcpy(&part, reinterpret_cast<const char*>(&f) + half * sizeof part, sizeof part);
        const Vec fd = __builtin_convertvector(part, Vec);
        yf[half] += y * fd;
        ff[half] += fd * fd;
        fs[half] += fd;
      }
    }
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
