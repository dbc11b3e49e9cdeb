// relu_stats with one gradient over rows on columns, z's dot product in float32 (9 to 12 features).
//
// Included by short_rows_avx2.cpp and short_rows_avx512.cpp inside their anonymous namespaces,
// after short_rows_columns.hpp (for_each_group, StatsTerms, Grad); the same rules on linkage hold.
// V adds to those files' operations column_float_z(d) (the d it takes this way), Copy8 (eight
// floats: one feature of a copy group's eight rows), copy8_load, copy8_set1, copy8_mul,
// copy8_add, copy8_fma and copy8_widen(v, h) (rows h·W to h·W + W − 1 of v widened to double,
// lane r for row h·W + r); copy8_store; the AVX2 variant four_float_z (below); kPairedFloatZ,
// and where it is true F (sixteen floats), float_load, float_mul, float_fma, float_add,
// float_pair_set and float_halves_sum (pair_float_dot, below).
//
// A column copy (RowBlock::columns) holds feature l of a group of eight rows at p + 8·l, so the
// eight rows' z is four chains of float32 products and multiply-adds of whole vectors, widened once
// per W rows, b added in double: an x86-64-v3 build then widens every column once, for the
// gradient, instead of twice (copy_columns_twice), and the z takes eight rows per vector instead of
// four. Without a copy the rows are transposed as the double path transposes them (AVX-512: eight
// rows, a group ahead, for_each_transposed_group; AVX2: four rows at a time) into registers, and
// each row's z takes the same float32 operations in the same order, so a pass gives the same bits
// with or without the copy (tests/cpp/test_column_copy.cpp). Each row's z differs from
// affine_value's by float32 rounding (about d·2^-24 of Σ|w_j·x_j|: the allowance of
// RowDot::float32_allowed); the sums across rows are the double path's, in the same lanes and order
// (column_stats), so the result depends on nothing but the rows and the blocks.

template <class V, std::size_t D>
struct CopyFloatWeights {
  typename V::Copy8 w[D];
  explicit CopyFloatWeights(const double* weights) {
    for (std::size_t l = 0; l < D; ++l) w[l] = V::copy8_set1(static_cast<float>(weights[l]));
  }
};

// Σ w_l·x_l of eight rows in float32, column(l) their feature l (eight floats), in four chains
// (feature l in chain l mod 4: a product, then multiply-adds in order), added as (c0 + c2) + (c1
// + c3): a single chain of d multiply-adds made each group wait on it.
template <class V, std::size_t D, class ColumnFn>
[[gnu::always_inline]] inline typename V::Copy8 column_float_dot(ColumnFn&& column,
                                                                 const CopyFloatWeights<V, D>& w) {
  constexpr std::size_t C = D < 4 ? D : 4;
  typename V::Copy8 c[C];
#pragma GCC unroll 4
  for (std::size_t l = 0; l < C; ++l) c[l] = V::copy8_mul(w.w[l], column(l));
#pragma GCC unroll 16
  for (std::size_t l = C; l < D; ++l) c[l % 4] = V::copy8_fma(w.w[l], column(l), c[l % 4]);
  if constexpr (C == 1)
    return c[0];
  else if constexpr (C == 2)
    return V::copy8_add(c[0], c[1]);
  else if constexpr (C == 3)
    return V::copy8_add(V::copy8_add(c[0], c[2]), c[1]);
  else
    return V::copy8_add(V::copy8_add(c[0], c[2]), V::copy8_add(c[1], c[3]));
}

// column_float_dot of the eight rows of the copy group at p.
template <class V, std::size_t D>
[[gnu::always_inline]] inline typename V::Copy8 copy_float_dot(const float* p,
                                                               const CopyFloatWeights<V, D>& w) {
  return column_float_dot<V, D>(
      [p](std::size_t l) __attribute__((always_inline)) { return V::copy8_load(p + 8 * l); }, w);
}

// The same z from vectors of two features each (the variants with kPairedFloatZ, sixteen-float
// V::F: pair(o) gives features 2o in lanes 0..7 and 2o + 1 in lanes 8..15, as a copy group or a
// tile holds them from 16·o): chains 0 and 1 run in one vector's halves, chains 2 and 3 in
// another's, each lane the same products and multiply-adds in the same order as copy_float_dot,
// and (c0 + c2) + (c1 + c3) is the sum of the two vectors' halves. Half the operations of
// copy_float_dot, with the same bits.
template <class V, std::size_t D>
struct PairFloatWeights {
  static_assert(D % 2 == 0 && D >= 4, "whole pairs, both halves' chains");
  typename V::F w[D / 2];
  explicit PairFloatWeights(const double* weights) {
    for (std::size_t o = 0; o < D / 2; ++o)
      w[o] = V::float_pair_set(static_cast<float>(weights[2 * o]),
                               static_cast<float>(weights[2 * o + 1]));
  }
};

template <class V, std::size_t D, class PairFn>
[[gnu::always_inline]] inline typename V::Copy8 pair_float_dot(PairFn&& pair,
                                                               const PairFloatWeights<V, D>& w) {
  typename V::F c01 = V::float_mul(w.w[0], pair(0)), c23 = V::float_mul(w.w[1], pair(1));
#pragma GCC unroll 8
  for (std::size_t o = 2; o < D / 2; ++o) {
    typename V::F& c = o % 2 == 0 ? c01 : c23;
    c = V::float_fma(w.w[o], pair(o), c);
  }
  return V::float_halves_sum(V::float_add(c01, c23));
}

// Whether column_float_z_stats takes pair_float_dot at D.
template <class V, std::size_t D>
constexpr bool kPairsFloatZ = D % 2 == 0 && D >= 4 && V::kPairedFloatZ;

// The AVX2 variant's relu_stats here runs in two phases per this many rows: the z, terms and
// coefficients of the chunk's groups, then their gradient terms, from columns that are in L1 by
// then. Its 16 registers do not hold the float weights beside d = 10's gradient sums; apart, each
// phase holds its own. Each sum takes its rows in the same order as in one loop, so the bits are
// the same (tests/cpp/test_column_copy.cpp, test_short_row_float_z.cpp).
inline constexpr std::size_t kAvx2PhaseRows = 128;

template <class V, std::size_t D, Grad kind>
void column_float_z_stats(const RowBlock& blk, const double* weights, const double* w, double b,
                          bool with_bias, double relu_grad_at_zero, double* acc) {
  static_assert(kind != Grad::both, "the float z is for one gradient");
  using Dv = typename V::D;
  constexpr std::size_t Q = (D + 7) / 8;
  using FloatWeights =
      std::conditional_t<kPairsFloatZ<V, D>, PairFloatWeights<V, D>, CopyFloatWeights<V, D>>;
  const FloatWeights wf(w);
  // The eight rows' float z: column(l) gives their feature l (eight floats), pair(o) their
  // features 2o and 2o + 1 where the z takes them in pairs.
  const auto float_dot = [&](auto&& column, auto&& pair) __attribute__((always_inline)) {
    if constexpr (kPairsFloatZ<V, D>)
      return pair_float_dot<V, D>(pair, wf);
    else
      return column_float_dot<V, D>(column, wf);
  };
  const Dv bv = V::set1(b);
  StatsTerms<V, kind, true> terms(relu_grad_at_zero);
  Dv bias = V::zero(), grad[D];
  for (std::size_t l = 0; l < D; ++l) grad[l] = V::zero();
  // The terms of W rows whose z (b added) is z and whose feature l, widened, is column(l).
  const auto part = [&](const Dv& z, auto&& column, const Dv& y, const Dv& weight,
                        auto weighted_rows) __attribute__((always_inline)) {
    Dv coef[1];
    terms.template add<decltype(weighted_rows)::value>(z, y, weight, coef);
    if (with_bias) bias = V::add(bias, coef[0]);
#pragma GCC unroll 16
    for (std::size_t l = 0; l < D; ++l) grad[l] = V::fma(coef[0], column(l), grad[l]);
  };
  // The W rows h·W.. of the copy group at p, whose float z is zf.
  const auto copy_part = [&](const float* p, const typename V::Copy8& zf, std::size_t h,
                             const Dv& y, const Dv& weight, auto weighted_rows)
      __attribute__((always_inline)) {
    part(
        V::add(V::copy8_widen(zf, h), bv),
        [&](std::size_t l)
            __attribute__((always_inline)) { return V::widen(p + 8 * l + h * V::W); },
        y, weight, weighted_rows);
  };
  if (blk.columns != nullptr) {
    const auto group = [&](const float*, const Dv& y, const Dv& weight, std::size_t first,
                           std::size_t, auto weighted_rows) __attribute__((always_inline)) {
      const float* p = blk.columns + first / 8 * 8 * D;
      const auto zf = float_dot([p](std::size_t l) { return V::copy8_load(p + 8 * l); },
                                [p](auto o) { return V::float_load(p + 16 * o); });
      copy_part(p, zf, first % 8 / V::W, y, weight, weighted_rows);
    };
    if constexpr (V::W == 4) {
      // Two groups per copy group: x − blk.X is the pair's offset in the copy too (8 rows, 8·D).
      // In two phases (kAvx2PhaseRows): the gradient terms from the chunk's columns again, in L1.
      // In one loop GCC kept two of d = 10's ten gradient sums, the loss and the bias on the
      // stack (9 stores per pair of groups). x86-64-v3 build on the Zen 5 host, medians of 7
      // interleaved rounds, one loop → two phases: one core in cache (n = 13107) gd's pass 31.0 →
      // 35.4 GB/s, glmtron's 29.6 → 35.7; n = 10^6, ratio to the streaming read, level (two
      // threads 0.511 → 0.509 and 0.524 → 0.519, one 0.590 → 0.582 and 0.576 → 0.562).
      constexpr std::size_t kCopyChunk = kAvx2PhaseRows / 8;
      alignas(32) double coefficients[kCopyChunk][8];
      const float* chunk = nullptr;  // the chunk's first copy group
      std::size_t pending = 0;       // how many of its copy groups wait for their gradient terms
      const auto add_gradients = [&]() __attribute__((always_inline)) {
        const float* p = chunk;
        for (std::size_t g = 0; g < pending; ++g, p += 8 * D) {
          const Dv c0 = V::load(coefficients[g]), c1 = V::load(coefficients[g] + 4);
#pragma GCC unroll 16
          for (std::size_t l = 0; l < D; ++l) {
            grad[l] = V::fma(c0, V::widen(p + 8 * l), grad[l]);
            grad[l] = V::fma(c1, V::widen(p + 8 * l + 4), grad[l]);
          }
        }
        pending = 0;
      };
      for_each_group<V, Q, D, 0, true>(
          blk, weights,
          [&](const float* x, const Dv& y, const Dv& weight, std::size_t first, std::size_t rows,
              auto weighted_rows) __attribute__((always_inline)) {
            if (pending > 0) add_gradients();  // the groups left after the pairs, in order
            group(x, y, weight, first, rows, weighted_rows);
          },
          [&](const float* x, const Dv(&y)[2], const Dv(&weight)[2], auto weighted_rows)
              __attribute__((always_inline)) {
                const float* p = blk.columns + (x - blk.X);
                if (pending == 0) chunk = p;
                const typename V::Copy8 zf = copy_float_dot<V, D>(p, wf);
#pragma GCC unroll 2
                for (std::size_t h = 0; h < 2; ++h) {
                  Dv coef[1];
                  terms.template add<decltype(weighted_rows)::value>(
                      V::add(V::copy8_widen(zf, h), bv), y[h], weight[h], coef);
                  if (with_bias) bias = V::add(bias, coef[0]);
                  V::store(coefficients[pending] + 4 * h, coef[0]);
                }
                if (++pending == kCopyChunk) add_gradients();
              });
      if (pending > 0) add_gradients();
    } else {
      for_each_group<V, Q, D, 0, true>(blk, weights, group);
    }
  } else if constexpr (V::W == 4) {
    // Without a copy, each group's rows transposed in registers (V::four_float_z), each row's z
    // from them as copy_float_dot takes it. In two phases (kAvx2PhaseRows): the first also
    // stores the transposed floats in a tile, four_float_z's vectors as they are (feature l of
    // the four rows at 8·(4·⌊l/8⌋ + l mod 4) + 4·⌊(l mod 8)/4⌋), and the second widens the
    // gradient's columns from there. In one loop GCC stored 12 to 18 vectors to the stack per
    // group. x86-64-v3 build on the Zen 5 host, medians of 7 interleaved rounds, one loop → two
    // phases: one core in cache gd's pass 17.2 → 20.9 GB/s, glmtron's 17.1 → 20.5; n = 10^6,
    // ratio to the streaming read, one thread 0.342 → 0.398 and 0.337 → 0.399, two 0.286 → 0.312
    // and 0.270 → 0.331. Chunks of 64 and 128 rows read level, 256 rows 2-7 % slower (5 rounds).
    static_assert(D >= 9, "four_float_z's chains take all four vectors of the first chunk");
    constexpr std::size_t kRowChunk = kAvx2PhaseRows / 4;
    alignas(32) float tile[kRowChunk][8 * 4 * Q];
    alignas(32) double coefficients[kRowChunk][4];
    std::size_t pending = 0;
    // Where feature l of a group's four rows lies in its tile.
    const auto feature_at = [](std::size_t l) {
      return 8 * (4 * (l / 8) + l % 4) + 4 * (l % 8 / 4);
    };
    const auto add_gradients = [&]() __attribute__((always_inline)) {
      for (std::size_t g = 0; g < pending; ++g) {
        const Dv c = V::load(coefficients[g]);
#pragma GCC unroll 16
        for (std::size_t l = 0; l < D; ++l)
          grad[l] = V::fma(c, V::widen(tile[g] + feature_at(l)), grad[l]);
      }
      pending = 0;
    };
    for_each_group<V, Q, D>(
        blk, weights,
        [&](const float* x, const Dv& y, const Dv& weight, std::size_t, std::size_t,
            auto weighted_rows) __attribute__((always_inline)) {
          typename V::Copy8 four[Q][4];
          const Dv z = V::add(V::template four_float_z<D>(x, wf.w, four), bv);
#pragma GCC unroll 8
          for (std::size_t j = 0; j < Q; ++j)
#pragma GCC unroll 4
            for (std::size_t i = 0; i < 4; ++i)
              if (8 * j + i < D) V::copy8_store(tile[pending] + 8 * (4 * j + i), four[j][i]);
          Dv coef[1];
          terms.template add<decltype(weighted_rows)::value>(z, y, weight, coef);
          if (with_bias) bias = V::add(bias, coef[0]);
          V::store(coefficients[pending], coef[0]);
          if (++pending == kRowChunk) add_gradients();
        });
    add_gradients();
  } else {
    // Without a copy, each group's rows transposed into registers a group ahead
    // (for_each_transposed_group), its z and columns taken from them.
    static_assert(V::W == 8, "a group is a whole copy group");
    for_each_transposed_group<V, D>(
        blk, weights,
        [&](const auto& outs, const Dv& y, const Dv& weight, std::size_t, std::size_t,
            auto weighted_rows) __attribute__((always_inline)) {
          const auto zf = float_dot(
              [&](std::size_t l) __attribute__((always_inline)) { return V::float_half(outs, l); },
              [&](auto o) __attribute__((always_inline)) { return outs[o]; });
          part(
              V::add(V::copy8_widen(zf, 0), bv),
              [&](std::size_t l)
                  __attribute__((always_inline)) { return V::float_column(outs, l); },
              y, weight, weighted_rows);
        });
  }
  terms.add_to(acc);
  double* out = acc + 3;
  for (std::size_t l = 0; l < D; ++l) out[l] += V::lane_sum(grad[l]);
  if (with_bias) out[D] += V::lane_sum(bias);
}
