// relu_stats on row-major pieces in two phases per chunk of rows: z and the terms, then the
// gradient.
//
// Included by short_rows_body.hpp inside the anonymous namespace of one translation unit per
// instruction set (the rules there apply). V::two_phase(Q) says which piece counts take it, and
// V::kTwoPhaseChunkBytes how many bytes of rows a chunk holds.
//
// The one-phase kernel (stats_block) keeps a group's widened pieces for its gradient: 32 vectors
// at d = 32 (eight rows of four pieces with AVX-512, four rows of eight with AVX2), more than the
// registers hold beside the rest, and each group's gradient waits on its z through a long chain
// (products, the lane sums, the coefficients). Here the first phase computes z, the loss,
// surrogate and activity terms and the coefficients of a chunk's groups, storing only the
// coefficients; the second reads the chunk's rows again from L1 and adds coefficient × piece into
// the gradient, a stream of independent multiply-adds. Each float is widened twice (which is why
// short rows, where the widening dominates, keep one phase), and each gradient sum takes its rows
// in the same order as in stats_block, so the sums are the same bit for bit.

// The chunk's L1 prefetch runs this far ahead: the second phase issues none, so the stream starts
// one chunk further out.
template <class V>
constexpr std::size_t kTwoPhaseL1Bytes = kL1AloneBytes + V::kTwoPhaseChunkBytes;

template <class V, bool FusedZ, std::size_t Q, Grad kind>
void stats_block_two_phase(const RowBlock& blk, const double* weights, const double* w, double b,
                           bool with_bias, double relu_grad_at_zero, double* acc) {
  using D = typename V::D;
  constexpr std::size_t W = V::W;
  constexpr std::size_t G = kind == Grad::both ? 2 : 1;
  constexpr std::size_t kGroupBytes = W * Q * W * sizeof(float);
  constexpr std::size_t kChunkGroups =
      V::kTwoPhaseChunkBytes >= 2 * kGroupBytes ? V::kTwoPhaseChunkBytes / kGroupBytes : 2;
  const std::size_t d = blk.d;
  const Pieces<V, Q> wp(w, d);
  const D bv = V::set1(b);
  StatsTerms<V, kind, V::kLeanPieces> terms(relu_grad_at_zero);
  GradientSums<V, G, Q> sums;
  alignas(64) double coefficients[G][kChunkGroups * W];
  const float* chunk = nullptr;  // the first row of the chunk's groups so far
  std::size_t pending = 0;       // how many groups of the chunk wait for their gradient terms
  // The second phase: the gradient terms of the pending groups, their rows in order, each piece
  // widened and added before the next (loading a row's pieces first and then adding them cost the
  // AVX2 variant 12-15 % at d = 32, one core in cache, Zen 5; the AVX-512 one level to 3 %).
  const auto add_gradients = [&]() __attribute__((always_inline)) {
    const float* x = chunk;
    for (std::size_t g = 0; g < pending; ++g, x += W * d)
#pragma GCC unroll 8
      for (std::size_t row = 0; row < W; ++row) {
#pragma GCC unroll 32
        for (std::size_t q = 0; q < Q; ++q) {
          const D piece = row_piece<V, Q>(x + row * d, q, wp.last);
          for (std::size_t k = 0; k < G; ++k)
            sums.add(k, row, q, V::broadcast(&coefficients[k][g * W + row]), piece);
        }
      }
    pending = 0;
  };
  for_each_group<V, Q, 0, kTwoPhaseL1Bytes<V>>(
      blk, weights,
      [&](const float* x, const D& y, const D& weight, std::size_t first, std::size_t rows,
          auto weighted_rows) __attribute__((always_inline)) {
        D c[G];
        terms.template add<decltype(weighted_rows)::value>(z_of_group<V, FusedZ, Q>(x, d, wp, bv),
                                                           y, weight, c);
        if (with_bias)
          for (std::size_t k = 0; k < G; ++k) sums.bias[k] = V::add(sums.bias[k], c[k]);
        // The last, short group comes from a zero-padded copy that lives for this call only: its
        // terms are added at once, after those of the groups before it.
        const bool in_block = rows == W && x == blk.X + first * d;
        if (!in_block && pending > 0) add_gradients();
        if (pending == 0) chunk = x;
        for (std::size_t k = 0; k < G; ++k) V::store(coefficients[k] + pending * W, c[k]);
        if (++pending == kChunkGroups || !in_block) add_gradients();
      });
  if (pending > 0) add_gradients();
  terms.add_to(acc);
  sums.add_to(acc, d, with_bias);
}
