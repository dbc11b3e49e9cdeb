// The moments pass for short rows (d ≤ 16): each row's outer product added in vector chunks.
#include "kernels/moments.hpp"

#include <cstring>

namespace relureg::detail {
namespace {

// Doubles per vector: one AVX-512 register, else one AVX2 (or two SSE2) register, so that the
// accumulators never are pairs of registers that the compiler spills.
#if defined(__AVX512F__)
constexpr std::size_t W = 8;
#else
constexpr std::size_t W = 4;
#endif
using Lanes = double __attribute__((vector_size(8 * W)));
using FloatLanes = float __attribute__((vector_size(4 * W)));

// Vectors by reference only: by value their ABI would depend on -march (simd_rows.hpp).
[[gnu::always_inline]] inline void broadcast(Lanes& out, double v) {
  out = v - Lanes{};  // v − (+0) is v for every v, −0 included: a plain broadcast
}
// The `count` ≤ W floats at x widened to double, zero-padded (nothing read past them).
[[gnu::always_inline]] inline void widen(Lanes& out, const float* x, std::size_t count) {
  if (count == W) {
    FloatLanes f;
    std::memcpy(&f, x, sizeof f);
    out = __builtin_convertvector(f, Lanes);
    return;
  }
  out = Lanes{};
  for (std::size_t k = 0; k < count; ++k) out[k] = static_cast<double>(x[k]);
}

// Row i of Σ w x xᵀ, columns 0..W·⌈(i+1)/W⌉ − 1, kept in C chunks of W lanes (lanes past the
// diagonal are summed too and never read); rows added in order. D: the row length, a constant, so
// that the compiler unrolls the row and keeps the accumulators in registers (beyond 16 features
// they no longer fit, and a rank update is as fast). Weighted: blk.w is not null.
template <std::size_t C, std::size_t D, bool Weighted>
void moments_rows(const RowBlock& blk, double* acc) {
  constexpr std::size_t d = D, rest = d - W * (C - 1);
  Lanes second[W * C][C], xy[C], sx[C];
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t c = 0; c < C; ++c) second[i][c] = Lanes{};
  for (std::size_t c = 0; c < C; ++c) xy[c] = sx[c] = Lanes{};
  double sy = 0;
  for (std::size_t r = 0; r < blk.rows; ++r) {
    const float* row = blk.X + r * d;
    const double w = Weighted ? blk.w[r] : 1.0, y = blk.y[r];
    Lanes x[C];  // the row in double, its last chunk zero-padded
    for (std::size_t c = 0; c < C; ++c) widen(x[c], row + W * c, c + 1 < C ? W : rest);
    for (std::size_t i = 0; i < d; ++i) {
      const double xi = row[i];  // broadcast from the row itself: no lane to extract
      Lanes a;
      broadcast(a, Weighted ? w * xi : xi);
      for (std::size_t c = 0; c <= i / W; ++c) second[i][c] += a * x[c];
    }
    Lanes wv, yv;
    broadcast(wv, w);
    broadcast(yv, y);
    for (std::size_t c = 0; c < C; ++c) {
      const Lanes wx = Weighted ? wv * x[c] : x[c];
      xy[c] += yv * wx;
      sx[c] += wx;
    }
    sy += Weighted ? w * y : y;
  }
  for (std::size_t j = 0; j < d; ++j)
    for (std::size_t i = j; i < d; ++i) acc[i + j * d] += second[i][j / W][j % W];
  for (std::size_t j = 0; j < d; ++j) {
    acc[d * d + j] += xy[j / W][j % W];
    acc[d * d + d + j] += sx[j / W][j % W];
  }
  acc[d * d + 2 * d] += sy;
}

// The kernel for d = D, else for D + 1, …, up to kShortMomentFeatures (d a constant each).
template <std::size_t D>
void moments_of_length(const RowBlock& blk, double* acc) {
  if constexpr (D < kShortMomentFeatures) {
    if (blk.d != D) return moments_of_length<D + 1>(blk, acc);
  }
  if (blk.w != nullptr) return moments_rows<(D + W - 1) / W, D, true>(blk, acc);
  moments_rows<(D + W - 1) / W, D, false>(blk, acc);
}

}  // namespace

void short_moments_block(const RowBlock& blk, double* acc) {
  moments_of_length<1>(blk, acc);
}

}  // namespace relureg::detail
