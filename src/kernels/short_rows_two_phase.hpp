// relu_stats on row-major pieces in two phases per chunk of rows: z and the terms, then the
// gradient; z's dot product in double or, where the caller allows it, in float32.
//
// Included by short_rows_body.hpp inside the anonymous namespace of one translation unit per
// instruction set (the rules there apply). V::two_phase(Q) says which piece counts take it with
// the double z, V::float_two_phase(Q) which take it with the float z, V::kTwoPhaseChunkBytes how
// many bytes of rows a chunk holds and V::kTwoPhaseMayPrefetchFar whether its prefetch may run two
// chunks ahead. V adds F (a vector of 2·W floats), FloatMask, float_mask_for(n), float_load,
// float_load_masked (the first n floats, nothing read past them), float_mul, float_fma and
// float_z_of_rows (W rows' float partial sums added in float, each row's total widened to a double
// in its lane).
//
// The one-phase kernel (stats_block) keeps a group's widened pieces for its gradient: 32 vectors
// at d = 32 (eight rows of four pieces with AVX-512, four rows of eight with AVX2), more than the
// registers hold beside the rest, and each group's gradient waits on its z through a long chain
// (products, the lane sums, the coefficients). Here the first phase computes z, the loss,
// surrogate and activity terms and the coefficients of a chunk's groups, storing only the
// coefficients; the second reads the chunk's rows again from L1 and adds coefficient × piece into
// the gradient, a stream of independent multiply-adds. With the double z each float is widened
// twice, and each gradient sum takes its rows in the same order as in stats_block, so the sums
// are the same bit for bit.
//
// z in float32 (RowDot::float32_allowed, the issue's allowance "inside one row, float32
// arithmetic for the dot product"). The first phase widened every float for z, and the widening
// shares its pipes with the additions, maxima and stores (Zen 5); in float32 a row's dot product
// takes the floats as they are, 2·W to a vector. Each row: w rounded to float, lane l of piece k
// holding feature 2Wk + l; one float accumulator (a product, then multiply-adds in increasing k:
// the W rows of a group are the independent chains); the W rows' 2·W lanes added in float in a
// tree (V::float_z_of_rows), each row's sum widened once, and + b in double. The tree widens once
// per group where a widening per row and the lane sums in double took more: gd's pass at d = 32,
// one core in cache, Zen 5, 45.2 → 50.1 GB/s (AVX-512), 35.2 → 37.1 (AVX2). This z
// differs from affine_value's by float32 rounding, about d·2^-24 of Σ|w_j·x_j|, and depends on
// the variant (W): only the learners that allow it get it (descent.cpp, until the fit nears an
// exact one), and the loss, predict and the scale refit keep the double z.

// w rounded to float in pieces of 2·W floats, the last zero-padded, and the last piece's mask.
template <class V, std::size_t Q>
struct FloatPieces {
  static constexpr std::size_t F = 2 * V::W;
  static constexpr std::size_t P = (Q * V::W + F - 1) / F;
  alignas(64) float w[P * F];
  typename V::FloatMask last;
  FloatPieces(const double* weights, std::size_t d) : last(V::float_mask_for(d - F * (P - 1))) {
    for (std::size_t j = 0; j < P * F; ++j) w[j] = j < d ? static_cast<float>(weights[j]) : 0.0f;
  }
};

// What the two-phase kernel with the double z holds in place of FloatPieces.
struct NoFloatPieces {
  NoFloatPieces(const double*, std::size_t) {}
};

// z of the N·W rows at x (d floats each: N neighbouring groups), z[g] that of group g with lane r
// for its row r, the dot products in float32 (above). With `ahead` > 0 each 2·W-float piece also
// requests the line `ahead` bytes past it into L1 (kPiecePrefetch, below). The kernel takes two
// groups at a time where it can (N = 2): every row's operations are the same, so are the bits, but
// 2·W rows' loads and chains are in flight together. Zen 4, n = 10^6, ratio to the streaming read,
// one thread, medians of 7 interleaved rounds, one group → two: gd's pass at d = 64 and 100
// 0.60 → 0.80 and 0.65 → 0.82 (AVX2 variant, x86-64-v3 build), 0.55 → 0.63 at d = 100 (AVX-512
// variant); two threads 5-39 % faster at d = 100, -5 to +12 % at d = 64, 1-3 % slower at d = 32
// (11 rounds each for the native and x86-64-v3 builds; a first set of 7 had the native build 6-12 %
// slower there); one core in cache 0-6 % (experiments/peers/notes.md).
template <class V, std::size_t Q, std::size_t N>
[[gnu::always_inline]] inline void z_of_groups_float(const float* x, std::size_t d,
                                                     const FloatPieces<V, Q>& w,
                                                     const typename V::D& b, std::size_t ahead,
                                                     typename V::D (&z)[N]) {
  using Fv = typename V::F;
  constexpr std::size_t F = FloatPieces<V, Q>::F, P = FloatPieces<V, Q>::P;
  Fv t[N][V::W];
#pragma GCC unroll 16
  for (std::size_t r = 0; r < N * V::W; ++r) {
    const float* row = x + r * d;
    const auto piece = [&](std::size_t k) __attribute__((always_inline)) {
      // Through an integer: past the padded last group the address is outside any array.
      if (ahead > 0)
        __builtin_prefetch(
            reinterpret_cast<const char*>(reinterpret_cast<std::uintptr_t>(row + F * k) + ahead), 0,
            3);
      return k + 1 < P ? V::float_load(row + F * k) : V::float_load_masked(row + F * k, w.last);
    };
    const auto weight = [&](std::size_t k) __attribute__((always_inline)) {
      return V::float_load(w.w + F * k);
    };
    Fv sum = V::float_mul(weight(0), piece(0));
#pragma GCC unroll 16
    for (std::size_t k = 1; k < P; ++k) sum = V::float_fma(weight(k), piece(k), sum);
    t[r / V::W][r % V::W] = sum;
  }
  for (std::size_t g = 0; g < N; ++g) z[g] = V::add(V::float_z_of_rows(t[g]), b);
}

// The second phase keeps its gradient sums in registers, kPhaseTwoSums of them at most beside the
// piece and the coefficient (AVX2 has 16 vector registers, AVX-512 32). More sums than that
// (AVX2, more than 64 features: 17 to 32 pieces) were added in memory, a load, a multiply-add
// and a store per piece and row; those take the pieces in blocks of at most kPhaseTwoSums, each
// block's sums loaded once per chunk and its rows added in order. Every sum still takes its rows
// in the same order, so the bits are the same (tests/cpp/test_short_row_float_z.cpp). Zen 5,
// x86-64-v3 build, gd's / glmtron's pass at d = 100, medians of 7 interleaved rounds, sums in
// memory → blocks: one core in cache 31.0 → 38.2 / 31.5 → 38.8 GB/s; n = 10^6, ratio to the
// streaming read, two threads 0.74 → 0.87 / 0.79 → 0.91, one 0.87 → 0.88 / 0.89 → 0.97. Blocks
// of 8 at d = 64 (16 pieces) were faster in cache but slower from memory (two threads 0.84 →
// 0.73), so those rows keep their 16 sums; chunks of 8 KB read level with 4 KB.
template <class V>
constexpr std::size_t kPhaseTwoSums = 2 * V::kGradientRegisters;
template <class V, std::size_t G, std::size_t Q>
constexpr std::size_t kPhaseTwoBlocks =
    (G * kGradientSets<V, Q> * Q + kPhaseTwoSums<V> - 1) / kPhaseTwoSums<V>;

// Whether the float z's first phase may request its lines piece by piece (above) for rows of Q
// pieces: rows of at most 32 features, in the variants whose prefetch may run two chunks ahead.
// Zen 5, native build, d = 32, n = 10^6, against the loop of requests per group (medians of 5-6
// interleaved rounds, ratio to the streaming read of the same round; experiments/peers/notes.md):
// two threads, gd's pass 0.66 -> 0.84 and 0.71 -> 0.83, glmtron's 0.72 -> 0.83 and 0.71 -> 0.81
// (on a loaded guest 0.67 -> 0.76 and 0.65 -> 0.77); one thread 0.68 -> 0.85 and 0.70 -> 0.77
// (gd's), 0.75 -> 0.83 and 0.69 -> 0.77 (glmtron's). At d = 64 and 100 the requests piece by
// piece read slower from memory (two threads 0.88 -> 0.73 at d = 64), so those rows keep the loop.
template <class V, std::size_t Q, bool FloatZ>
constexpr bool kPiecePrefetch = (FloatZ && V::kTwoPhaseMayPrefetchFar) && (Q * V::W <= 32);

template <class V, bool FusedZ, std::size_t Q, Grad kind, bool FloatZ>
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
  const std::conditional_t<FloatZ, FloatPieces<V, Q>, NoFloatPieces> wf(w, d);
  const D bv = V::set1(b);
  StatsTerms<V, kind, V::kLeanPieces> terms(relu_grad_at_zero);
  GradientSums<V, G, Q> sums;
  alignas(64) double coefficients[G][kChunkGroups * W];
  const float* chunk = nullptr;  // the first row of the chunk's groups so far
  std::size_t pending = 0;       // how many groups of the chunk wait for their gradient terms
  // The second phase: the gradient terms of the pending groups, their rows in order, each piece
  // widened and added before the next (loading a row's pieces first and then adding them cost the
  // AVX2 variant 12-15 % at d = 32, one core in cache, Zen 5; the AVX-512 one level to 3 %).
  // add_pieces: pieces [first, first + count) of every pending row, into the sums `add` holds;
  // add_gradients: all of them, in blocks where kPhaseTwoBlocks says so.
  const auto add_pieces = [&](auto first, auto count, auto&& add) __attribute__((always_inline)) {
    constexpr std::size_t kFirst = decltype(first)::value, kCount = decltype(count)::value;
    const float* x = chunk;
    for (std::size_t g = 0; g < pending; ++g, x += W * d)
#pragma GCC unroll 8
      for (std::size_t row = 0; row < W; ++row) {
#pragma GCC unroll 32
        for (std::size_t i = 0; i < kCount; ++i) {
          const D piece = row_piece<V, Q>(x + row * d, kFirst + i, wp.last);
          for (std::size_t k = 0; k < G; ++k)
            add(k, row, i, V::broadcast(&coefficients[k][g * W + row]), piece);
        }
      }
  };
  const auto add_gradients = [&]() __attribute__((always_inline)) {
    constexpr std::size_t kBlocks = kPhaseTwoBlocks<V, G, Q>;
    if constexpr (kBlocks == 1) {
      add_pieces(
          std::integral_constant<std::size_t, 0>{}, std::integral_constant<std::size_t, Q>{},
          [&](std::size_t k, std::size_t row, std::size_t q, const D& c, const D& piece)
              __attribute__((always_inline)) { sums.add(k, row, q, c, piece); });
    } else {
      constexpr std::size_t S = decltype(sums)::S, B = (Q + kBlocks - 1) / kBlocks;
      const auto block = [&](auto first) __attribute__((always_inline)) {
        constexpr std::size_t kFirst = decltype(first)::value;
        constexpr std::size_t kCount = kFirst + B <= Q ? B : Q - kFirst;
        D held[G][S][kCount];
        for (std::size_t k = 0; k < G; ++k)
          for (std::size_t s = 0; s < S; ++s)
            for (std::size_t i = 0; i < kCount; ++i) held[k][s][i] = sums.grad[k][s][kFirst + i];
        add_pieces(
            first, std::integral_constant<std::size_t, kCount>{},
            [&](std::size_t k, std::size_t row, std::size_t i, const D& c, const D& piece)
                __attribute__((always_inline)) {
                  held[k][row % S][i] = V::fma(c, piece, held[k][row % S][i]);
                });
        for (std::size_t k = 0; k < G; ++k)
          for (std::size_t s = 0; s < S; ++s)
            for (std::size_t i = 0; i < kCount; ++i) sums.grad[k][s][kFirst + i] = held[k][s][i];
      };
      [&]<std::size_t... kBlock>(std::index_sequence<kBlock...>) __attribute__((always_inline)) {
        (block(std::integral_constant<std::size_t, kBlock * B>{}), ...);
      }
      (std::make_index_sequence<kBlocks>{});
    }
    pending = 0;
  };
  // The chunk's L1 prefetch runs one chunk ahead of the first phase (the second issues none), or
  // in the variants that may, as many as short_row_two_phase_chunks_ahead() says for this CPU.
  const std::size_t chunks_ahead =
      V::kTwoPhaseMayPrefetchFar ? short_row_two_phase_chunks_ahead() : 1;
  const std::size_t l1_ahead = chunks_ahead * V::kTwoPhaseChunkBytes;
  // Where kPiecePrefetch holds and the CPU prefetches two chunks ahead, each piece of the first
  // phase requests its line l1_ahead bytes on instead (no loop of requests per group).
  const bool piece_prefetch =
      kPiecePrefetch<V, Q, FloatZ> && chunks_ahead > 1 && !short_row_l2_prefetch();
  // The float z of a full group computed with the group before it (z_of_groups_float), and where
  // that group starts (null: none waiting).
  D paired_z = V::zero();
  const float* paired_x = nullptr;
  const auto group = [&]<bool kPieces>(std::bool_constant<kPieces>) __attribute__((always_inline)) {
    return [&](const float* x, const D& y, const D& weight, std::size_t first, std::size_t rows,
               auto weighted_rows) __attribute__((always_inline)) {
      // The last, short group comes from a zero-padded copy that lives for this call only: its
      // terms are added at once, after those of the groups before it.
      const bool in_block = rows == W && x == blk.X + first * d;
      D c[G];
      if constexpr (FloatZ) {
        const std::size_t ahead = kPieces ? l1_ahead : 0;
        D z[2];
        if (x == paired_x) {
          z[0] = paired_z;
          paired_x = nullptr;
        } else if (in_block && first + 2 * W <= blk.rows) {
          z_of_groups_float<V, Q, 2>(x, d, wf, bv, ahead, z);
          paired_z = z[1];
          paired_x = x + W * d;
        } else {
          D alone[1];
          z_of_groups_float<V, Q, 1>(x, d, wf, bv, ahead, alone);
          z[0] = alone[0];
        }
        terms.template add<decltype(weighted_rows)::value>(z[0], y, weight, c);
      } else {
        terms.template add<decltype(weighted_rows)::value>(z_of_group<V, FusedZ, Q>(x, d, wp, bv),
                                                           y, weight, c);
      }
      if (with_bias)
        for (std::size_t k = 0; k < G; ++k) sums.bias[k] = V::add(sums.bias[k], c[k]);
      if (!in_block && pending > 0) add_gradients();
      if (pending == 0) chunk = x;
      for (std::size_t k = 0; k < G; ++k) V::store(coefficients[k] + pending * W, c[k]);
      if (++pending == kChunkGroups || !in_block) add_gradients();
    };
  };
  if (piece_prefetch)
    for_each_group<V, Q, 0, V::kTwoPhaseChunkBytes>(blk, weights, group(std::true_type{}),
                                                    NoPairs{}, 0);
  else
    for_each_group<V, Q, 0, V::kTwoPhaseChunkBytes>(blk, weights, group(std::false_type{}),
                                                    NoPairs{}, l1_ahead);
  if (pending > 0) add_gradients();
  terms.add_to(acc);
  sums.add_to(acc, d, with_bias);
}
