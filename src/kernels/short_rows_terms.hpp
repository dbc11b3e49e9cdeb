// The sums the short-row kernels keep per group of rows: relu_stats' loss, surrogate and activity
// terms and coefficients, refit_scale's sums, and relu_stats' gradient sums on row-major pieces.
//
// Included by short_rows_body.hpp inside the anonymous namespace of one translation unit per
// instruction set (the rules there apply).

enum class Grad { square, surrogate, both };

// A row's gradient coefficient in every lane: for rows of a few pieces broadcast from memory (a
// load, where the shuffle port is the busiest), else from the register the coefficients were
// computed in (fewer loads where every piece is also reloaded). Measured on one core in cache,
// AVX2 variant: d = 10 gd's pass 3.27 → 2.99 ns per row from memory, d = 32 6.04 → 6.55.
template <class V, std::size_t Q>
[[gnu::always_inline]] inline typename V::D coefficient(const double* c) {
  if constexpr (Q <= V::kMemoryBroadcastPieces)
    return V::broadcast(c);
  else
    return V::set1(*c);
}

// relu_stats' sums over rows other than the gradients (loss, surrogate, activity) and each group's
// gradient coefficients (kernels.cpp's relu_stats_block gives the terms), shared by the kernels on
// row-major pieces and on columns. With ReLU'(0) = 1 (the learners' default) the square-loss
// coefficient is the weighted residual where z ≥ 0 and 0 elsewhere, one comparison and one mask
// (the general slope·weighted differs from it only in the sign of a zero coefficient, which adds
// nothing to a sum).
//
// kLean (the kernels on columns, and on row-major pieces where V::kLeanPieces): gd's pass (kind ==
// square) leaves out the surrogate's sum, which gd does not read (relu_stats reports NaN), and
// where V::kCountsActive, unweighted rows' activity is counted in V::Count's integer lanes
// (count_add(mask, count), count_sum); its partial sums are whole numbers below 2^53, so its total
// is the same bit for bit. Zen 3, one core in cache: gd's pass at d = 10 11.7 → 13.3 GB/s; on
// AVX2 pieces the same made d = 32 slower (16.4 → 15.0); AVX-512 pieces: short_rows_avx512.cpp.
template <class V, Grad kind, bool kLean = false>
struct StatsTerms {
  using D = typename V::D;
  static constexpr std::size_t G = kind == Grad::both ? 2 : 1;
  static constexpr bool kSurrogate = !kLean || kind != Grad::square;
  static constexpr bool kCounts = kLean && V::kCountsActive;
  const D half = V::set1(0.5), one = V::set1(1.0), at_zero;
  const bool unit_slope_at_zero;
  typename V::LossLanes loss = V::loss_zero();
  D surrogate = V::zero(), active = V::zero();
  typename V::Count count{};
  explicit StatsTerms(double relu_grad_at_zero)
      : at_zero(V::set1(relu_grad_at_zero)), unit_slope_at_zero(relu_grad_at_zero == 1.0) {}
  // Adds the group's terms; coef[0] the square loss's coefficients (kind ≠ surrogate), coef[G-1]
  // the surrogate's (kind ≠ square).
  template <bool kWeightedRows>
  [[gnu::always_inline]] void add(const D& z, const D& y, const D& weight, D (&coef)[G]) {
    const D r = V::max0(z);
    const D residual = V::sub(r, y);
    const D weighted = kWeightedRows ? V::mul(weight, residual) : residual;
    loss = V::loss_add(weighted, residual, loss);
    if constexpr (kSurrogate) {
      const D surrogate_term = V::fnma(y, z, V::mul(V::mul(half, r), r));
      surrogate = kWeightedRows ? V::fma(weight, surrogate_term, surrogate)
                                : V::add(surrogate, surrogate_term);
    }
    const typename V::Cmp positive = V::positive(z);
    if constexpr (kCounts && !kWeightedRows)
      count = V::count_add(positive, count);
    else
      active = V::add(active, V::select(positive, kWeightedRows ? weight : one));
    if constexpr (kind != Grad::surrogate) {
      if (unit_slope_at_zero) {
        coef[0] = V::select(V::non_negative(z), weighted);
      } else {
        const D slope = V::blend(V::select(V::is_zero(z), at_zero), one, positive);
        coef[0] = V::mul(slope, weighted);
      }
    }
    if constexpr (kind != Grad::square) coef[G - 1] = weighted;
  }
  void add_to(double* acc) const {
    acc[0] += V::loss_sum(loss);
    acc[1] += V::lane_sum(surrogate);
    const double weighed = V::lane_sum(active);
    if constexpr (kCounts) {
      const double counted = V::count_sum(count);
      acc[2] += counted == 0 ? weighed : weighed + counted;
    } else {
      acc[2] += weighed;
    }
  }
};

// refit_scale's sums in lanes: Σ weight·y·r, Σ weight·r², Σ weight·y² (r = ReLU(u·x)).
template <class V>
struct ScaleTerms {
  using D = typename V::D;
  D yr = V::zero(), rr = V::zero(), yy = V::zero();
  [[gnu::always_inline]] void add(const D& r, const D& y, const D& weight) {
    yr = V::fma(weight, V::mul(y, r), yr);
    rr = V::fma(weight, V::mul(r, r), rr);
    yy = V::fma(weight, V::mul(y, y), yy);
  }
  void add_to(double* acc) const {
    acc[0] += V::lane_sum(yr);
    acc[1] += V::lane_sum(rr);
    acc[2] += V::lane_sum(yy);
  }
};

// relu_stats' gradient sums on row-major pieces: G gradients in kGradientSets<V, Q> sets of Q
// pieces (rows alternating between the sets), and the bias terms (each group's coefficients).
template <class V, std::size_t G, std::size_t Q>
struct GradientSums {
  using D = typename V::D;
  static constexpr std::size_t S = kGradientSets<V, Q>;
  D bias[G];
  D grad[G][S][Q];
  GradientSums() {
    for (std::size_t k = 0; k < G; ++k) {
      bias[k] = V::zero();
      for (std::size_t s = 0; s < S; ++s)
        for (std::size_t q = 0; q < Q; ++q) grad[k][s][q] = V::zero();
    }
  }
  // Gradient k's term of piece q of row `row` of a group: its coefficient (broadcast) × the piece.
  [[gnu::always_inline]] void add(std::size_t k, std::size_t row, std::size_t q,
                                  const D& coefficient, const D& piece) {
    grad[k][row % S][q] = V::fma(coefficient, piece, grad[k][row % S][q]);
  }
  // Adds the sums to acc[3 + k·p ...] (p = d + 1 with a bias, else d).
  void add_to(double* acc, std::size_t d, bool with_bias) const {
    const std::size_t p = d + (with_bias ? 1 : 0);
    for (std::size_t k = 0; k < G; ++k) {
      double* out = acc + 3 + k * p;
      double sum[Q * V::W];
      for (std::size_t q = 0; q < Q; ++q)
        V::store(sum + V::W * q, S == 2 ? V::add(grad[k][0][q], grad[k][S - 1][q]) : grad[k][0][q]);
      for (std::size_t j = 0; j < d; ++j) out[j] += sum[j];
      if (with_bias) out[d] += V::lane_sum(bias[k]);
    }
  }
};
