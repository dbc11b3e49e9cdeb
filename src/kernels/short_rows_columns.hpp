// AVX-512 short-row kernels on columns: eight rows' features transposed in registers, one vector
// per feature.
//
// Included by short_rows_avx512.cpp inside its anonymous namespace, after short_rows_body.hpp
// (for_each_group, Weighted, Grad) and with V = its Avx512 struct; the same rules on linkage hold.
//
// Rows of up to kAvx512ColumnFeatures features fill few of a row-major piece's lanes (d = 10 takes
// two pieces of eight, 16 lanes, for 10 features), and every row pays for the transposition of
// its partial sums. Here the eight rows of a group, 8·d contiguous floats, are loaded as ⌈d/2⌉
// vectors of 16 floats and permuted (vpermt2ps, a constexpr plan per d) into ⌈d/2⌉ vectors that
// each hold two features of the eight rows; each feature is then widened to one vector of eight
// doubles, lane r for row r. z = w·x + b is affine_value's bit for bit: for d ≤ 16 its partial sum
// s_l is x_l·w_l + x_{l+8}·w_{l+8} (a product each, then an addition, or x_l·w_l alone), and z =
// ((s0+s4)+(s2+s6)) + ((s1+s5)+(s3+s7)) + b, each lane that would only add zeros left out, here
// one row per lane. Sums across rows go into eight lanes (row r in lane r mod 8), the loss into
// the four of every variant; each gradient entry is one vector of lanes, summed at the end of
// the block in affine_value's lane order.
//
// Measured on the AVX-512 Xeon of docs/performance.md (one core, 8192 rows in cache, gd's pass,
// ns per row, the best of the AVX2 and AVX-512 row-piece variants against this one): d = 2 1.77 /
// 0.72, 4 1.62 / 0.98, 8 2.15 / 1.69, 10 3.02 / 2.33, 12 2.90 / 2.71, 13 3.20 / 3.48, 16 3.18 /
// 4.36: past 12 features the permutations cost more than the lanes save.

// Which vectors of a group's 8·D floats hold which lanes of the ⌈D/2⌉ column vectors: output o
// holds feature 2o of rows 0..7 in lanes 0..7 and feature 2o + 1 in lanes 8..15. Up to two
// source vectors (D ≤ 4): one permutation per output. More: the sources are paired, each pair
// (32 floats) is first packed into intermediates that hold, for consecutive outputs, all of
// their lanes found in that pair (a lone last source is used as it is); each output then
// gathers its lanes from one intermediate per pair, two at a time, keeping the lanes it has.
template <std::size_t D>
struct ColumnPlan {
  static constexpr std::size_t kSources = (8 * D + 15) / 16, kOutputs = (D + 1) / 2;
  static constexpr std::size_t kMaxIntermediates = 16, kMaxOperands = 8;
  std::size_t intermediates = 0;
  std::size_t first_source[kMaxIntermediates]{}, second_source[kMaxIntermediates]{};
  std::array<int, 16> intermediate_index[kMaxIntermediates]{};
  // Output o from operands[o][0..operand_count[o]): a source s (< kSources) or intermediate
  // s - kSources. index[o][0] combines the first two operands (or permutes the only one);
  // index[o][e] adds operand e + 1, lanes already placed keeping their own index.
  std::size_t operand_count[kOutputs]{};
  std::size_t operands[kOutputs][kMaxOperands]{};
  std::array<int, 16> index[kOutputs][kMaxOperands]{};
  bool identity = false;  // D = 1: the only source is already the column

  static constexpr bool used(std::size_t o, std::size_t lane) { return 2 * o + lane / 8 < D; }
  static constexpr std::size_t flat(std::size_t o, std::size_t lane) {
    return D * (lane % 8) + 2 * o + lane / 8;
  }

  constexpr ColumnPlan() {
    std::size_t at_operand[kOutputs][16]{}, at_lane[kOutputs][16]{};
    for (std::size_t o = 0; o < kOutputs; ++o)
      for (std::size_t i = 0; i < 16; ++i)
        if (used(o, i)) at_operand[o][i] = flat(o, i) / 16, at_lane[o][i] = flat(o, i) % 16;
    if constexpr (kSources > 2) {
      for (std::size_t a = 0; a + 1 < kSources; a += 2) {
        std::size_t fill = 16;
        for (std::size_t o = 0; o < kOutputs; ++o) {
          std::size_t count = 0;
          for (std::size_t i = 0; i < 16; ++i) count += used(o, i) && flat(o, i) / 32 == a / 2;
          if (count == 0) continue;
          if (fill + count > 16) {
            first_source[intermediates] = a, second_source[intermediates] = a + 1;
            ++intermediates, fill = 0;
          }
          for (std::size_t i = 0; i < 16; ++i) {
            if (!used(o, i) || flat(o, i) / 32 != a / 2) continue;
            intermediate_index[intermediates - 1][fill] = static_cast<int>(flat(o, i) % 32);
            at_operand[o][i] = kSources + intermediates - 1, at_lane[o][i] = fill++;
          }
        }
      }
    }
    for (std::size_t o = 0; o < kOutputs; ++o) {
      std::size_t& n = operand_count[o];
      for (std::size_t i = 0; i < 16; ++i) {
        if (!used(o, i)) continue;
        bool seen = false;
        for (std::size_t e = 0; e < n; ++e) seen = seen || operands[o][e] == at_operand[o][i];
        if (!seen) operands[o][n++] = at_operand[o][i];
      }
      for (std::size_t i = 0; i < 16; ++i) {
        const int lane = static_cast<int>(at_lane[o][i]);
        index[o][0][i] = !used(o, i) || at_operand[o][i] == operands[o][0] ? lane : 16 + lane;
        for (std::size_t e = 2; e < n; ++e)
          index[o][e - 1][i] =
              used(o, i) && at_operand[o][i] == operands[o][e] ? 16 + lane : static_cast<int>(i);
      }
    }
    identity = D == 1;
  }
};

// The columns of the eight rows at x (8·D floats): column[l] = feature l of rows 0..7, widened.
template <std::size_t D>
[[gnu::always_inline]] inline void columns_of_group(const float* x, __m512d (&column)[D]) {
  using Plan = ColumnPlan<D>;
  static constexpr Plan kPlan{};
  constexpr std::size_t S = Plan::kSources;
  __m512 v[S + Plan::kMaxIntermediates];
#pragma GCC unroll 8
  for (std::size_t s = 0; s < S; ++s)
    v[s] = 16 * (s + 1) <= 8 * D
               ? _mm512_loadu_ps(x + 16 * s)
               : _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << (8 * D - 16 * s)) - 1),
                                       x + 16 * s);
  const auto index = [](const std::array<int, 16>& lanes) __attribute__((always_inline)) {
    return _mm512_loadu_si512(lanes.data());
  };
#pragma GCC unroll 16
  for (std::size_t k = 0; k < kPlan.intermediates; ++k)
    v[S + k] = _mm512_permutex2var_ps(v[kPlan.first_source[k]], index(kPlan.intermediate_index[k]),
                                      v[kPlan.second_source[k]]);
  alignas(64) float tile[16 * Plan::kOutputs];
#pragma GCC unroll 8
  for (std::size_t o = 0; o < Plan::kOutputs; ++o) {
    __m512 out;
    if (kPlan.identity)
      out = v[0];
    else if (kPlan.operand_count[o] == 1)
      out = _mm512_permutexvar_ps(index(kPlan.index[o][0]), v[kPlan.operands[o][0]]);
    else
      out = _mm512_permutex2var_ps(v[kPlan.operands[o][0]], index(kPlan.index[o][0]),
                                   v[kPlan.operands[o][1]]);
#pragma GCC unroll 8
    for (std::size_t e = 2; e < kPlan.operand_count[o]; ++e)
      out = _mm512_permutex2var_ps(out, index(kPlan.index[o][e - 1]), v[kPlan.operands[o][e]]);
    _mm512_store_ps(tile + 16 * o, out);
  }
  // Widened from memory: from a register, the upper half would take one more shuffle (a
  // vextractf32x8 on the port the permutations use; gd's pass at d = 10, one core in cache: 2.63
  // against 2.33 ns per row). The empty asm, which may read and write the tile, keeps the compiler
  // from forwarding the stores into registers.
  asm("" : "+m"(tile));
#pragma GCC unroll 16
  for (std::size_t l = 0; l < D; ++l) column[l] = _mm512_cvtps_pd(_mm256_load_ps(tile + 8 * l));
}

// w broadcast, one vector per feature.
template <std::size_t D>
struct ColumnWeights {
  __m512d w[D];
  explicit ColumnWeights(const double* weights) {
    for (std::size_t l = 0; l < D; ++l) w[l] = _mm512_set1_pd(weights[l]);
  }
};

// z = w·x + b of the eight rows whose columns are given, lane r for row r (see the top).
template <std::size_t D>
[[gnu::always_inline]] inline __m512d z_of_columns(const __m512d (&column)[D],
                                                   const ColumnWeights<D>& w, const __m512d& b) {
  constexpr std::size_t L = D < 8 ? D : 8;
  __m512d s[8];
#pragma GCC unroll 8
  for (std::size_t l = 0; l < L; ++l) {
    s[l] = _mm512_mul_pd(w.w[l], column[l]);
    if constexpr (D > 8)
      if (l + 8 < D) s[l] = _mm512_add_pd(s[l], _mm512_mul_pd(w.w[l + 8], column[l + 8]));
  }
  // s_a + s_c, or s_a where lane c has no feature.
  const auto pair = [&](std::size_t a, std::size_t c) __attribute__((always_inline)) {
    return c < L ? _mm512_add_pd(s[a], s[c]) : s[a];
  };
  __m512d even = pair(0, 4);
  if constexpr (L > 2) even = _mm512_add_pd(even, pair(2, 6));
  if constexpr (L > 1) {
    __m512d odd = pair(1, 5);
    if constexpr (L > 3) odd = _mm512_add_pd(odd, pair(3, 7));
    return _mm512_add_pd(_mm512_add_pd(even, odd), b);
  } else {
    return _mm512_add_pd(even, b);
  }
}

// relu_stats on columns: the terms of short_rows_body.hpp's stats_block, each gradient entry in
// its own vector of row lanes.
template <class V, std::size_t D, Grad kind>
void column_stats(const RowBlock& blk, const double* weights, const double* w, double b,
                  bool with_bias, double relu_grad_at_zero, double* acc) {
  using Dv = __m512d;
  constexpr std::size_t G = kind == Grad::both ? 2 : 1;
  constexpr std::size_t Q = (D + 7) / 8;
  const std::size_t p = D + (with_bias ? 1 : 0);
  const ColumnWeights<D> wc(w);
  const Dv bv = V::set1(b), half = V::set1(0.5), one = V::set1(1.0);
  const Dv at_zero = V::set1(relu_grad_at_zero);
  const bool unit_slope_at_zero = relu_grad_at_zero == 1.0;
  typename V::LossLanes loss = V::loss_zero();
  Dv surrogate = V::zero(), active = V::zero(), bias[G], grad[G][D];
  for (std::size_t k = 0; k < G; ++k) {
    bias[k] = V::zero();
    for (std::size_t l = 0; l < D; ++l) grad[k][l] = V::zero();
  }
  for_each_group<V, Q, D>(
      blk, weights,
      [&](const float* x, const Dv& y, const Dv& weight, std::size_t, std::size_t,
          auto weighted_rows) __attribute__((always_inline)) {
        constexpr bool kWeightedRows = decltype(weighted_rows)::value;
        Dv column[D];
        columns_of_group<D>(x, column);
        const Dv z = z_of_columns<D>(column, wc, bv);
        const Dv r = V::max0(z);
        const Dv residual = V::sub(r, y);
        const Dv weighted = kWeightedRows ? V::mul(weight, residual) : residual;
        loss = V::loss_add(weighted, residual, loss);
        const Dv surrogate_term = V::fnma(y, z, V::mul(V::mul(half, r), r));
        surrogate = kWeightedRows ? V::fma(weight, surrogate_term, surrogate)
                                  : V::add(surrogate, surrogate_term);
        const typename V::Cmp positive = V::positive(z);
        active = V::add(active, V::select(positive, kWeightedRows ? weight : one));
        Dv coef[G];
        if constexpr (kind != Grad::surrogate) {
          if (unit_slope_at_zero) {
            coef[0] = V::select(V::non_negative(z), weighted);
          } else {
            const Dv slope = V::blend(V::select(V::is_zero(z), at_zero), one, positive);
            coef[0] = V::mul(slope, weighted);
          }
        }
        if constexpr (kind != Grad::square) coef[G - 1] = weighted;
        for (std::size_t k = 0; k < G; ++k) {
          if (with_bias) bias[k] = V::add(bias[k], coef[k]);
#pragma GCC unroll 16
          for (std::size_t l = 0; l < D; ++l) grad[k][l] = V::fma(coef[k], column[l], grad[k][l]);
        }
      });
  acc[0] += V::loss_sum(loss);
  acc[1] += V::lane_sum(surrogate);
  acc[2] += V::lane_sum(active);
  for (std::size_t k = 0; k < G; ++k) {
    double* out = acc + 3 + k * p;
    for (std::size_t l = 0; l < D; ++l) out[l] += V::lane_sum(grad[k][l]);
    if (with_bias) out[D] += V::lane_sum(bias[k]);
  }
}

template <class V, std::size_t D>
double column_loss(const RowBlock& blk, const double* weights, const double* w, double b) {
  using Dv = __m512d;
  const ColumnWeights<D> wc(w);
  const Dv bv = V::set1(b);
  typename V::LossLanes loss = V::loss_zero();
  for_each_group<V, (D + 7) / 8, D>(
      blk, weights,
      [&](const float* x, const Dv& y, const Dv& weight, std::size_t, std::size_t,
          auto weighted_rows) __attribute__((always_inline)) {
        Dv column[D];
        columns_of_group<D>(x, column);
        const Dv residual = V::sub(V::max0(z_of_columns<D>(column, wc, bv)), y);
        loss = V::loss_add(decltype(weighted_rows)::value ? V::mul(weight, residual) : residual,
                           residual, loss);
      });
  return V::loss_sum(loss);
}

template <class V, std::size_t D>
void column_scale(const RowBlock& blk, const double* weights, const double* u, double* acc) {
  using Dv = __m512d;
  const ColumnWeights<D> uc(u);
  const Dv zero = V::zero();
  Dv yr = zero, rr = zero, yy = zero;
  for_each_group<V, (D + 7) / 8, D>(
      blk, weights,
      [&](const float* x, const Dv& y, const Dv& weight, std::size_t, std::size_t, auto)
          __attribute__((always_inline)) {
            Dv column[D];
            columns_of_group<D>(x, column);
            const Dv r = V::max0(z_of_columns<D>(column, uc, zero));
            yr = V::fma(weight, V::mul(y, r), yr);
            rr = V::fma(weight, V::mul(r, r), rr);
            yy = V::fma(weight, V::mul(y, y), yy);
          });
  acc[0] += V::lane_sum(yr);
  acc[1] += V::lane_sum(rr);
  acc[2] += V::lane_sum(yy);
}

template <class V, std::size_t D>
void column_predict(const RowBlock& blk, const double* w, double b, double* out) {
  using Dv = __m512d;
  const ColumnWeights<D> wc(w);
  const Dv bv = V::set1(b);
  for_each_group<V, (D + 7) / 8, D>(
      blk, nullptr,
      [&](const float* x, const Dv&, const Dv&, std::size_t first, std::size_t rows, auto)
          __attribute__((always_inline)) {
            Dv column[D];
            columns_of_group<D>(x, column);
            alignas(64) double z[8];
            V::store(z, V::max0(z_of_columns<D>(column, wc, bv)));
            for (std::size_t k = 0; k < rows; ++k) out[first + k] = z[k];
          });
}

// Calls fn.template operator()<D>() with D = d as a constant (1 ≤ d ≤ kAvx512ColumnFeatures).
template <std::size_t D = 1, class Fn>
[[gnu::always_inline]] inline auto with_columns(std::size_t d, Fn&& fn) {
  if constexpr (D < kAvx512ColumnFeatures) {
    if (d > D) return with_columns<D + 1>(d, fn);
  }
  return fn.template operator()<D>();
}

// The four kernels on columns: rows of up to kAvx512ColumnFeatures features.
template <class V>
struct ColumnKernels {
  static void stats(const RowBlock& blk, const double* weights, const double* w, double b,
                    bool with_bias, double relu_grad_at_zero, ShortGradients gradients,
                    double* acc) {
    with_columns(blk.d, [&]<std::size_t D>() {
      if (gradients == ShortGradients::both)
        column_stats<V, D, Grad::both>(blk, weights, w, b, with_bias, relu_grad_at_zero, acc);
      else if (gradients == ShortGradients::square)
        column_stats<V, D, Grad::square>(blk, weights, w, b, with_bias, relu_grad_at_zero, acc);
      else
        column_stats<V, D, Grad::surrogate>(blk, weights, w, b, with_bias, relu_grad_at_zero, acc);
    });
  }
  static double loss(const RowBlock& blk, const double* weights, const double* w, double b) {
    return with_columns(blk.d,
                        [&]<std::size_t D>() { return column_loss<V, D>(blk, weights, w, b); });
  }
  static void scale(const RowBlock& blk, const double* weights, const double* u, double* acc) {
    with_columns(blk.d, [&]<std::size_t D>() { column_scale<V, D>(blk, weights, u, acc); });
  }
  static void predict(const RowBlock& blk, const double* w, double b, double* out) {
    with_columns(blk.d, [&]<std::size_t D>() { column_predict<V, D>(blk, w, b, out); });
  }
};
