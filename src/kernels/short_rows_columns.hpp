// Short-row kernels on columns: a group's rows transposed in registers, one vector per feature.
//
// Included by short_rows_avx2.cpp and short_rows_avx512.cpp inside their anonymous namespaces,
// after short_rows_body.hpp (for_each_group, Weighted, Grad); the same rules on linkage hold. V
// adds to short_rows_body.hpp's operations kColumnFeatures (the longest rows relu_stats takes
// here), stats_on_columns(d) (which of those it takes), kColumnPassFeatures (the longest rows the
// other passes take), kColumnStatsPairs (relu_stats two groups per step), copy_columns_twice(d)
// (relu_stats with one gradient widens a column copy's columns twice) and the columns of W
// rows of F floats: column[f] = feature f of the W rows widened to double, lane r for row r.
// columns<F>(x, column) gives them (AVX2: 4 rows, 4x4 transpositions within 128-bit lanes;
// AVX-512: 8 rows, a constexpr plan of vpermt2ps, column_plan.hpp). Where transpose_ahead(F),
// transpose<F>(x, tile) stores the rows transposed in a tile of kTileFloats<F> floats and
// widen<F>(tile, column) reads them, a group apart (for_each_column_group).
//
// Short rows fill few of a row-major piece's lanes (d = 10 takes two pieces of eight, 16 lanes,
// in the AVX-512 variant, three of four in the AVX2 one) and every row pays for the
// transposition of its partial sums. On columns every lane holds a row. z = w·x + b is
// affine_value's bit for bit: for d ≤ 16 its partial sum s_l is x_l·w_l + x_{l+8}·w_{l+8} (a
// product each, then an addition, or x_l·w_l alone), and z = ((s0+s4)+(s2+s6)) + ((s1+s5)+(s3+s7))
// + b, each lane that would only add zeros left out, here one row per lane. Sums across rows go
// into W lanes (row r in lane r mod W), the loss into the four of every variant; each gradient
// entry is one vector of lanes, summed at the end of the block in the order of V::lane_sum.

// w broadcast, one vector per feature.
template <class V, std::size_t D>
struct ColumnWeights {
  typename V::D w[D];
  explicit ColumnWeights(const double* weights) {
    for (std::size_t l = 0; l < D; ++l) w[l] = V::set1(weights[l]);
  }
};

// ((s0+s4)+(s2+s6)) + ((s1+s5)+(s3+s7)) + b, s(l) the partial sum of lane l < L (see the top): s_a
// + s_c, or s_a where lane c has no feature. kBarrier: a compiler barrier (an empty asm statement,
// no instruction) after each pair (z_of_fetched_columns).
template <class V, std::size_t L, bool kBarrier, class Partial>
[[gnu::always_inline]] inline typename V::D z_of_partials(Partial&& s, const typename V::D& b) {
  const auto pair = [&](std::size_t a, std::size_t c) __attribute__((always_inline)) {
    const typename V::D v = c < L ? V::add(s(a), s(c)) : s(a);
    if constexpr (kBarrier) asm volatile("" ::: "memory");
    return v;
  };
  typename V::D even = pair(0, 4);
  if constexpr (L > 2) even = V::add(even, pair(2, 6));
  if constexpr (L > 1) {
    typename V::D odd = pair(1, 5);
    if constexpr (L > 3) odd = V::add(odd, pair(3, 7));
    return V::add(V::add(even, odd), b);
  } else {
    return V::add(even, b);
  }
}

// z = w·x + b of the W rows whose columns are given, lane r for row r (see the top).
template <class V, std::size_t D>
[[gnu::always_inline]] inline typename V::D z_of_columns(const typename V::D (&column)[D],
                                                         const ColumnWeights<V, D>& w,
                                                         const typename V::D& b) {
  constexpr std::size_t L = D < 8 ? D : 8;
  typename V::D s[8];
#pragma GCC unroll 8
  for (std::size_t l = 0; l < L; ++l) {
    s[l] = V::mul(w.w[l], column[l]);
    if constexpr (D > 8)
      if (l + 8 < D) s[l] = V::add(s[l], V::mul(w.w[l + 8], column[l + 8]));
  }
  return z_of_partials<V, L, false>(
      [&](std::size_t l) __attribute__((always_inline)) { return s[l]; }, b);
}

// z_of_columns of W rows whose column l is col(l): the same operations in the same order, each
// column fetched where its product is taken. The compiler barriers keep the compiler from
// fetching all of them first: it did, and then kept 7 of a gradient's 10 vectors in memory
// beside them (stats_twice).
template <class V, std::size_t D, class Column>
[[gnu::always_inline]] inline typename V::D z_of_fetched_columns(Column&& col,
                                                                 const ColumnWeights<V, D>& w,
                                                                 const typename V::D& b) {
  static_assert(D <= 16, "z_of_columns' lanes take at most two features each");
  return z_of_partials<V, (D < 8 ? D : 8), true>(
      [&](std::size_t l) __attribute__((always_inline)) {
        typename V::D v = V::mul(w.w[l], col(l));
        if (l + 8 < D) v = V::add(v, V::mul(w.w[l + 8], col(l + 8)));
        return v;
      },
      b);
}

// for_each_group's function for fn(column, y, weight, first, rows, weighted_rows): each group's
// own columns (V::columns), then fn.
template <class V, std::size_t D, class Fn>
[[gnu::always_inline]] inline auto with_own_columns(Fn& fn) {
  return [&fn](const float* x, const typename V::D& y, const typename V::D& weight,
               std::size_t first, std::size_t rows, auto weighted_rows)
      __attribute__((always_inline)) {
    typename V::D column[D];
    V::template columns<D>(x, column);
    fn(column, y, weight, first, rows, weighted_rows);
  };
}

// Calls fn(outs, y, weight, first, rows, weighted_rows) for the block's groups in order
// (for_each_group's arguments, outs the group's rows transposed by V::transpose into registers:
// output o holds features 2o and 2o + 1 of its rows). Each full group transposes the next one's
// rows before its own arithmetic, which takes the registers filled a group earlier: it no longer
// waits on its own permutations, and the core overlaps the two. A group transposes its own rows
// where the group before did not (the first of a block, and a short last one: a zero-padded
// copy). For V with V::transpose_ahead(D) (AVX-512, d > 4).
//
// Filled a group ahead into a tile in memory, the columns made gd's pass at d = 10 (AVX-512,
// Zen 5, medians of 5 interleaved rounds, GB/s) one core in cache 24.1 → 28.4, n = 10^6 one
// thread 19.4 → 23.1, two 40.5 → 47.8. Carried in registers instead (no tile to store and load
// back; the upper halves extracted): Zen 5, one core in cache, the median of 5 interleaved
// rounds' ratios, tile → registers, over the rows: the loss 1.24 / 1.33 / 1.42 / 1.01 at d = 6 /
// 8 / 10 / 12 (d = 10 30.2 → 43.9 GB/s), the pass with both gradients 1.43 / 1.35 / 1.18 / 1.13,
// gd's with the double z 1.28 / 1.04 / 1.05 / 0.95; gd's with the float z
// (column_float_z_stats, which had transposed each group's own rows) 1.22 at d = 10 (30.3 → 37.0,
// 9 rounds), glmtron's 1.28. There a tile ahead had read 0.74 of the rows' own transposition.
// From memory, n = 10^6, ratio to the streaming read, 5 rounds under a neighbour's load, one
// thread: gd's pass 0.53 → 0.62, the loss 0.56 → 0.64, glmtron's 0.52 → 0.56 at d = 10.
template <class V, std::size_t D, class Fn>
[[gnu::always_inline]] inline void for_each_transposed_group(const RowBlock& blk,
                                                             const double* weights, Fn&& fn) {
  using Dv = typename V::D;
  constexpr std::size_t kOutputs = (D + 1) / 2;
  typename V::F next[kOutputs];
  const float* transposed = nullptr;  // the rows whose transposition `next` holds
  for_each_group<V, (D + 7) / 8, D>(
      blk, weights,
      [&](const float* x, const Dv& y, const Dv& weight, std::size_t first, std::size_t rows,
          auto weighted_rows) __attribute__((always_inline)) {
        if (x != transposed) V::template transpose<D>(x, next);
        typename V::F outs[kOutputs];
        for (std::size_t o = 0; o < kOutputs; ++o) outs[o] = next[o];
        if (first + 2 * V::W <= blk.rows) {
          V::template transpose<D>(x + V::W * D, next);
          transposed = x + V::W * D;
        }
        fn(outs, y, weight, first, rows, weighted_rows);
      });
}

// Calls fn(column, y, weight, first, rows, weighted_rows) for the block's groups in order
// (for_each_group's arguments, column the group's columns), where V::transpose_ahead(D) from
// for_each_transposed_group's registers, else each group's own (with_own_columns). The columns
// are the same either way, so are the results.
//
// A block that carries its column copy (RowBlock::columns, a ColumnCopySource's) is read from
// it: the same columns, no transposition, and the prefetches follow the copy.
template <class V, std::size_t D, class Fn>
[[gnu::always_inline]] inline void for_each_column_group(const RowBlock& blk, const double* weights,
                                                         Fn&& fn) {
  using Dv = typename V::D;
  if (blk.columns != nullptr) {
    for_each_group<V, (D + 7) / 8, D, 0, true>(
        blk, weights,
        [&](const float*, const Dv& y, const Dv& weight, std::size_t first, std::size_t rows,
            auto weighted_rows) __attribute__((always_inline)) {
          Dv column[D];
          V::template widen_copy<D>(blk.columns + first / 8 * 8 * D + first % 8, column);
          fn(column, y, weight, first, rows, weighted_rows);
        });
    return;
  }
  if constexpr (V::transpose_ahead(D)) {
    for_each_transposed_group<V, D>(
        blk, weights,
        [&](const auto& outs, const Dv& y, const Dv& weight, std::size_t first, std::size_t rows,
            auto weighted_rows) __attribute__((always_inline)) {
          Dv column[D];
#pragma GCC unroll 16
          for (std::size_t l = 0; l < D; ++l) column[l] = V::float_column(outs, l);
          fn(column, y, weight, first, rows, weighted_rows);
        });
  } else {
    for_each_group<V, (D + 7) / 8, D>(blk, weights, with_own_columns<V, D>(fn));
  }
}

// One group of column_stats with one gradient, its columns in a column copy at p (feature l at
// p + 8·l, as floats), each column widened twice: for z, then for the gradient
// (V::copy_columns_twice), so that AVX2's 16 registers hold the gradient rather than the columns.
// The same operations in the same order as column_stats' `group`, so the same sums bit for bit.
template <class V, std::size_t D, bool kWeightedRows, class Terms>
[[gnu::always_inline]] inline void stats_twice(const float* p, const typename V::D& y,
                                               const typename V::D& weight,
                                               const ColumnWeights<V, D>& wc,
                                               const typename V::D& bv, bool with_bias,
                                               Terms& terms, typename V::D& bias,
                                               typename V::D (&grad)[D]) {
  const auto col = [&](std::size_t l) __attribute__((always_inline)) {
    return V::widen(p + 8 * l);
  };
  typename V::D coef[1];
  terms.template add<kWeightedRows>(z_of_fetched_columns<V, D>(col, wc, bv), y, weight, coef);
  asm("" : "+r"(p));  // the gradient's fetches are loads of their own
  if (with_bias) bias = V::add(bias, coef[0]);
#pragma GCC unroll 16
  for (std::size_t l = 0; l < D; ++l) {
    grad[l] = V::fma(coef[0], col(l), grad[l]);
    asm volatile("" ::: "memory");
  }
}

// relu_stats on columns: the terms of short_rows_body.hpp's stats_block, each gradient entry in
// its own vector of row lanes. Where V::kColumnStatsPairs, two groups per step: each gradient
// entry is loaded and stored once per 2·W rows where AVX2's 16 registers cannot hold it beside the
// columns (the same multiply-adds in the same order, so the same sums bit for bit).
template <class V, std::size_t D, Grad kind>
void column_stats(const RowBlock& blk, const double* weights, const double* w, double b,
                  bool with_bias, double relu_grad_at_zero, double* acc) {
  using Dv = typename V::D;
  constexpr std::size_t G = kind == Grad::both ? 2 : 1;
  constexpr std::size_t Q = (D + 7) / 8;
  const std::size_t p = D + (with_bias ? 1 : 0);
  const ColumnWeights<V, D> wc(w);
  const Dv bv = V::set1(b);
  StatsTerms<V, kind, true> terms(relu_grad_at_zero);
  Dv bias[G], grad[G][D];
  for (std::size_t k = 0; k < G; ++k) {
    bias[k] = V::zero();
    for (std::size_t l = 0; l < D; ++l) grad[k][l] = V::zero();
  }
  // The gradient coefficients of the W rows whose columns are given.
  const auto coefficients = [&](const Dv(&column)[D], const Dv& y, const Dv& weight,
                                auto weighted_rows, Dv(&coef)[G]) __attribute__((always_inline)) {
    terms.template add<decltype(weighted_rows)::value>(z_of_columns<V, D>(column, wc, bv), y,
                                                       weight, coef);
  };
  const auto group = [&](const Dv(&column)[D], const Dv& y, const Dv& weight, std::size_t,
                         std::size_t, auto weighted_rows) __attribute__((always_inline)) {
    Dv coef[G];
    coefficients(column, y, weight, weighted_rows, coef);
    for (std::size_t k = 0; k < G; ++k) {
      if (with_bias) bias[k] = V::add(bias[k], coef[k]);
#pragma GCC unroll 16
      for (std::size_t l = 0; l < D; ++l) grad[k][l] = V::fma(coef[k], column[l], grad[k][l]);
    }
  };
  // A block with its column copy goes one group per step (no transposition to pair up).
  if (blk.columns != nullptr) {
    if constexpr (G == 1 && V::copy_columns_twice(D)) {
      for_each_group<V, Q, D, 0, true>(
          blk, weights,
          [&](const float*, const Dv& y, const Dv& weight, std::size_t first, std::size_t,
              auto weighted_rows) __attribute__((always_inline)) {
            stats_twice<V, D, decltype(weighted_rows)::value>(
                blk.columns + first / 8 * 8 * D + first % 8, y, weight, wc, bv, with_bias, terms,
                bias[0], grad[0]);
          });
    } else {
      for_each_column_group<V, D>(blk, weights, group);
    }
  } else if constexpr (V::kColumnStatsPairs) {
    static_assert(!V::transpose_ahead(D), "pairs of groups take their columns from registers");
    for_each_group<V, Q, D>(
        blk, weights, with_own_columns<V, D>(group),
        [&](const float* x, const Dv(&y)[2], const Dv(&weight)[2], auto weighted_rows)
            __attribute__((always_inline)) {
              Dv first[D], second[D], coef_first[G], coef_second[G];
              V::template columns<D>(x, first);
              coefficients(first, y[0], weight[0], weighted_rows, coef_first);
              V::template columns<D>(x + V::W * D, second);
              coefficients(second, y[1], weight[1], weighted_rows, coef_second);
              for (std::size_t k = 0; k < G; ++k) {
                if (with_bias) bias[k] = V::add(V::add(bias[k], coef_first[k]), coef_second[k]);
#pragma GCC unroll 16
                for (std::size_t l = 0; l < D; ++l)
                  grad[k][l] = V::fma(coef_second[k], second[l],
                                      V::fma(coef_first[k], first[l], grad[k][l]));
              }
            });
  } else {
    for_each_column_group<V, D>(blk, weights, group);
  }
  terms.add_to(acc);
  for (std::size_t k = 0; k < G; ++k) {
    double* out = acc + 3 + k * p;
    for (std::size_t l = 0; l < D; ++l) out[l] += V::lane_sum(grad[k][l]);
    if (with_bias) out[D] += V::lane_sum(bias[k]);
  }
}

template <class V, std::size_t D>
double column_loss(const RowBlock& blk, const double* weights, const double* w, double b) {
  using Dv = typename V::D;
  const ColumnWeights<V, D> wc(w);
  const Dv bv = V::set1(b);
  typename V::LossLanes loss = V::loss_zero();
  for_each_column_group<V, D>(
      blk, weights,
      [&](const Dv(&column)[D], const Dv& y, const Dv& weight, std::size_t, std::size_t,
          auto weighted_rows) __attribute__((always_inline)) {
        const Dv residual = V::sub(V::max0(z_of_columns<V, D>(column, wc, bv)), y);
        loss = V::loss_add(decltype(weighted_rows)::value ? V::mul(weight, residual) : residual,
                           residual, loss);
      });
  return V::loss_sum(loss);
}

template <class V, std::size_t D>
void column_scale(const RowBlock& blk, const double* weights, const double* u, double* acc) {
  using Dv = typename V::D;
  const ColumnWeights<V, D> uc(u);
  const Dv zero = V::zero();
  ScaleTerms<V> terms;
  for_each_column_group<V, D>(
      blk, weights,
      [&](const Dv(&column)[D], const Dv& y, const Dv& weight, std::size_t, std::size_t, auto)
          __attribute__((always_inline)) {
            terms.add(V::max0(z_of_columns<V, D>(column, uc, zero)), y, weight);
          });
  terms.add_to(acc);
}

template <class V, std::size_t D>
void column_predict(const RowBlock& blk, const double* w, double b, double* out) {
  using Dv = typename V::D;
  const ColumnWeights<V, D> wc(w);
  const Dv bv = V::set1(b);
  for_each_column_group<V, D>(
      blk, nullptr,
      [&](const Dv(&column)[D], const Dv&, const Dv&, std::size_t first, std::size_t rows, auto)
          __attribute__((always_inline)) {
            alignas(64) double z[V::W];
            V::store(z, V::max0(z_of_columns<V, D>(column, wc, bv)));
            for (std::size_t k = 0; k < rows; ++k) out[first + k] = z[k];
          });
}

// The rows at x (rows × D floats) feature-major in groups of eight (RowBlock::columns), by the
// variant's own transposition of eight rows (V::W = 8); a short last group padded with zeros.
template <class V, std::size_t D>
void copy_columns(const float* x, std::size_t rows, float* out) {
  static_assert(V::W == 8, "the copy's groups are the eight rows of one transposition");
  alignas(64) float tile[V::template kTileFloats<D>];
  const auto put = [&](const float* group, float* to) __attribute__((always_inline)) {
    V::template transpose<D>(group, tile);
    for (std::size_t k = 0; k < 8 * D; ++k) to[k] = tile[k];
  };
  std::size_t r = 0;
  for (; r + 8 <= rows; r += 8) put(x + r * D, out + r * D);
  if (r == rows) return;
  float last[8 * D] = {};
  for (std::size_t k = 0; k < (rows - r) * D; ++k) last[k] = x[r * D + k];
  put(last, out + r * D);
}

// Calls fn.template operator()<D>() with D = d as a constant (1 ≤ d ≤ Max).
template <std::size_t Max, std::size_t D = 1, class Fn>
[[gnu::always_inline]] inline auto with_columns(std::size_t d, Fn&& fn) {
  if constexpr (D < Max) {
    if (d > D) return with_columns<Max, D + 1>(d, fn);
  }
  return fn.template operator()<D>();
}

#include "kernels/short_rows_column_float_z.hpp"

// The four kernels on columns: relu_stats over rows of up to V::kColumnFeatures features, the
// others up to V::kColumnPassFeatures.
template <class V>
struct ColumnKernels {
  // The longest rows the passes other than relu_stats take on columns, those of a column copy
  // included.
  static constexpr std::size_t kPassFeatures =
      std::max(V::kColumnPassFeatures, V::kCopyColumnFeatures);
  static void stats(const RowBlock& blk, const double* weights, const double* w, double b,
                    bool with_bias, double relu_grad_at_zero, ShortGradients gradients,
                    bool float_z, double* acc) {
    // Only the d that V::stats_on_columns takes reach here: the others are not compiled.
    with_columns<V::kColumnFeatures>(blk.d, [&]<std::size_t D>() {
      if constexpr (V::stats_on_columns(D)) {
        if constexpr (V::column_float_z(D)) {
          if (float_z && gradients != ShortGradients::both) {
            (gradients == ShortGradients::square
                 ? column_float_z_stats<V, D, Grad::square>
                 : column_float_z_stats<V, D, Grad::surrogate>)(blk, weights, w, b, with_bias,
                                                                relu_grad_at_zero, acc);
            return;
          }
        }
        if (gradients == ShortGradients::both)
          column_stats<V, D, Grad::both>(blk, weights, w, b, with_bias, relu_grad_at_zero, acc);
        else if (gradients == ShortGradients::square)
          column_stats<V, D, Grad::square>(blk, weights, w, b, with_bias, relu_grad_at_zero, acc);
        else
          column_stats<V, D, Grad::surrogate>(blk, weights, w, b, with_bias, relu_grad_at_zero,
                                              acc);
      }
    });
  }
  static double loss(const RowBlock& blk, const double* weights, const double* w, double b) {
    return with_columns<kPassFeatures>(
        blk.d, [&]<std::size_t D>() { return column_loss<V, D>(blk, weights, w, b); });
  }
  static void scale(const RowBlock& blk, const double* weights, const double* u, double* acc) {
    with_columns<kPassFeatures>(blk.d,
                                [&]<std::size_t D>() { column_scale<V, D>(blk, weights, u, acc); });
  }
  static void predict(const RowBlock& blk, const double* w, double b, double* out) {
    with_columns<kPassFeatures>(blk.d,
                                [&]<std::size_t D>() { column_predict<V, D>(blk, w, b, out); });
  }
  // Rows of up to kColumnFeatures features (the longest ones relu_stats reads on columns).
  static void copy(const float* x, std::size_t rows, std::size_t d, float* out) {
    with_columns<V::kColumnFeatures>(d, [&]<std::size_t D>() { copy_columns<V, D>(x, rows, out); });
  }
  // The column copy by the variant's own transposition where it takes eight rows (AVX-512).
  static constexpr auto copy_function() {
    if constexpr (V::W == 8)
      return &copy;
    else
      return decltype(&copy){nullptr};
  }
};

// The table of a variant: the rows V takes on columns there, the others in row-major pieces
// (short_rows_body.hpp's Kernels).
template <class V, bool FusedZ>
struct ColumnsThenPieces {
  using InPieces = Kernels<V, FusedZ>;
  using OnColumns = ColumnKernels<V>;
  // The passes other than relu_stats over a block that carries its column copy
  // (RowBlock::columns) take the columns up to V::kCopyColumnFeatures: bit for bit the results
  // of the pieces (each row's z alone, the loss in the same four lanes, the scale refit's sums
  // alike). relu_stats keeps its choice: its gradients sum the rows in another order on columns.
  static bool on_columns(const RowBlock& blk) {
    return blk.d <= V::kColumnPassFeatures ||
           (blk.columns != nullptr && blk.d <= V::kCopyColumnFeatures);
  }
  static void stats(const RowBlock& blk, const double* weights, const double* w, double b,
                    bool with_bias, double relu_grad_at_zero, ShortGradients gradients,
                    bool float_z, double* acc) {
    (V::stats_on_columns(blk.d) ? OnColumns::stats : InPieces::stats)(
        blk, weights, w, b, with_bias, relu_grad_at_zero, gradients, float_z, acc);
  }
  static double loss(const RowBlock& blk, const double* weights, const double* w, double b) {
    return (on_columns(blk) ? OnColumns::loss : InPieces::loss)(blk, weights, w, b);
  }
  static void scale(const RowBlock& blk, const double* weights, const double* u, double* acc) {
    (on_columns(blk) ? OnColumns::scale : InPieces::scale)(blk, weights, u, acc);
  }
  static void predict(const RowBlock& blk, const double* w, double b, double* out) {
    (on_columns(blk) ? OnColumns::predict : InPieces::predict)(blk, w, b, out);
  }
  static constexpr ShortRowKernels table{&stats,   &loss,           &scale,
                                         &predict, V::kMaxFeatures, OnColumns::copy_function()};
};
