// Short-row ReLU kernels: the generic eight-lane variant (d ≤ 32) and the run-time choice.
#include "kernels/short_rows.hpp"

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>

#include "base/cpu_level.hpp"
#include "base/simd_rows.hpp"
#include "kernels/short_rows_isa.hpp"

// The generic variant takes the build's own flags (any CPU); the AVX2 / AVX-512 ones are their own
// translation units (short_rows_isa.hpp). A build for any x86-64 compiles this file with
// -ffp-contract=off, so that it rounds as the rest of such a build (no fused multiply-add).
#define RELUREG_INLINE [[gnu::always_inline]] inline
#define RELUREG_LAMBDA_INLINE __attribute__((always_inline))

namespace relureg::detail {
namespace {

constexpr std::size_t kRows = kLanes;  // rows per group: one per lane

// The eight lanes of v added in the order affine_rows adds its eight partial sums.
RELUREG_INLINE double lane_sum(const DoubleLanes& v) {
  return ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7]));
}

// w in C chunks of eight (the last one zero-padded), as affine_rows reads it.
template <std::size_t C>
struct ChunkedWeights {
  DoubleLanes chunk[C];
  std::size_t rest;  // features in the last chunk, 1..8
  ChunkedWeights(const double* w, std::size_t d) : rest(d - kLanes * (C - 1)) {
    for (std::size_t c = 0; c + 1 < C; ++c) load8(chunk[c], w + kLanes * c);
    load_first(chunk[C - 1], w + kLanes * (C - 1), rest);
  }
};

// Feature chunk c of one row, widened to double (the last chunk zero-padded).
template <std::size_t C>
RELUREG_INLINE void row_chunk(DoubleLanes& out, const float* row, std::size_t c, std::size_t rest) {
  if (c + 1 < C || rest == kLanes)
    widen8(out, row + kLanes * c);
  else
    widen_first(out, row + kLanes * c, rest);
}

// z = w·x + b of the eight rows at x (d floats each), lane r for row r: each row's products and
// its eight partial sums exactly as affine_rows makes them (chunk c into the even accumulator if
// c is even, else the odd one; s = even + odd; ((s0+s4)+(s2+s6)) + ((s1+s5)+(s3+s7)) + b), with
// the last additions done for all eight rows at once on transposed lanes.
template <std::size_t C>
RELUREG_INLINE void affine8(const float* x, std::size_t d, const ChunkedWeights<C>& w, double b,
                            DoubleLanes& z) {
  DoubleLanes s[kRows];
  for (std::size_t r = 0; r < kRows; ++r) {
    DoubleLanes even{}, odd{}, xc;
    for (std::size_t c = 0; c < C; ++c) {
      row_chunk<C>(xc, x + r * d, c, w.rest);
      mul_add(c % 2 == 0 ? even : odd, w.chunk[c], xc);
    }
    s[r] = even + odd;
  }
  // Rows 2i and 2i+1: (s0+s4, s1+s5, s2+s6, s3+s7) of each.
  DoubleLanes t[4];
  for (std::size_t i = 0; i < 4; ++i)
    t[i] = __builtin_shufflevector(s[2 * i], s[2 * i + 1], 0, 1, 2, 3, 8, 9, 10, 11) +
           __builtin_shufflevector(s[2 * i], s[2 * i + 1], 4, 5, 6, 7, 12, 13, 14, 15);
  // Rows 0-3 and 4-7: ((s0+s4)+(s2+s6), (s1+s5)+(s3+s7)) of each.
  const DoubleLanes v0 = __builtin_shufflevector(t[0], t[1], 0, 1, 4, 5, 8, 9, 12, 13) +
                         __builtin_shufflevector(t[0], t[1], 2, 3, 6, 7, 10, 11, 14, 15);
  const DoubleLanes v1 = __builtin_shufflevector(t[2], t[3], 0, 1, 4, 5, 8, 9, 12, 13) +
                         __builtin_shufflevector(t[2], t[3], 2, 3, 6, 7, 10, 11, 14, 15);
  z = (__builtin_shufflevector(v0, v1, 0, 2, 4, 6, 8, 10, 12, 14) +
       __builtin_shufflevector(v0, v1, 1, 3, 5, 7, 9, 11, 13, 15)) +
      b;
}

// One group of eight rows as the kernels see it: features, labels and weights, with the rows
// past a block's end (its last group) zero and of weight 0.
struct Group {
  const float* x;
  DoubleLanes y, weight;
  bool weighted;  // weight is not all ones
};

// Calls group_fn(const Group&, first_row, rows) for the block's groups of eight rows in order.
// The last, short group is copied into zero-padded buffers with weight 0 on the padding, so that
// its padding adds nothing to any sum.
template <class GroupFn>
RELUREG_INLINE void for_each_group(const RowBlock& blk, const double* weights, bool labelled,
                                   GroupFn&& group_fn) {
  const std::size_t d = blk.d;
  std::size_t r = 0;
  for (; r + kRows <= blk.rows; r += kRows) {
    Group g{blk.X + r * d, DoubleLanes{}, (1.0 + DoubleLanes{}), weights != nullptr};
    if (labelled) load8(g.y, blk.y + r);
    if (weights != nullptr) load8(g.weight, weights + r);
    group_fn(g, r, kRows);
  }
  if (r == blk.rows) return;
  const std::size_t rows = blk.rows - r;
  float x[kRows * kShortRowFeatures] = {};
  std::copy(blk.X + r * d, blk.X + blk.rows * d, x);
  Group g{x, DoubleLanes{}, DoubleLanes{}, true};
  for (std::size_t k = 0; k < rows; ++k) {
    g.y[k] = labelled ? blk.y[r + k] : 0.0;
    g.weight[k] = weights != nullptr ? weights[r + k] : 1.0;
  }
  group_fn(g, r, rows);
}

// The block kernel of relu_stats for G gradients (see kernels.cpp's relu_stats_block for the
// terms; with weights every row's terms are multiplied by its weight).
template <std::size_t C, std::size_t G>
RELUREG_INLINE void stats_block(const RowBlock& blk, const double* weights, const double* w,
                                double b, bool with_bias, double relu_grad_at_zero,
                                bool square_first, double* acc) {
  const std::size_t d = blk.d;
  const std::size_t p = d + (with_bias ? 1 : 0);
  const ChunkedWeights<C> wc(w, d);
  DoubleLanes loss{}, surrogate{}, active{}, bias_grad[G] = {};
  DoubleLanes grad[G][2][C] = {};  // row-major sums, even and odd rows of each group
  for_each_group(blk, weights, true,
                 [&](const Group& g, std::size_t, std::size_t rows) RELUREG_LAMBDA_INLINE {
                   DoubleLanes z;
                   affine8<C>(g.x, d, wc, b, z);
                   const DoubleLanes r = z > 0 ? z : DoubleLanes{};
                   const DoubleLanes residual = r - g.y;
                   const DoubleLanes weighted = g.weighted ? g.weight * residual : residual;
                   mul_add(loss, weighted, residual);
                   const DoubleLanes surrogate_term = 0.5 * r * r - g.y * z;
                   surrogate += g.weighted ? g.weight * surrogate_term : surrogate_term;
                   active += z > 0 ? g.weight : DoubleLanes{};
                   const DoubleLanes slope =
                       z > 0 ? (1.0 + DoubleLanes{})
                             : (z == 0 ? (relu_grad_at_zero + DoubleLanes{}) : DoubleLanes{});
                   double coef[G][kRows];
                   if constexpr (G == 2) {
                     store8(coef[0], slope * weighted);
                     store8(coef[1], weighted);
                   } else {
                     store8(coef[0], square_first ? slope * weighted : weighted);
                   }
                   if (with_bias)
                     for (std::size_t k = 0; k < G; ++k) {
                       DoubleLanes c;
                       load8(c, coef[k]);
                       bias_grad[k] += c;
                     }
                   for (std::size_t row = 0; row < rows; ++row) {
                     DoubleLanes xc;
                     for (std::size_t c = 0; c < C; ++c) {
                       row_chunk<C>(xc, g.x + row * d, c, wc.rest);
                       for (std::size_t k = 0; k < G; ++k)
                         mul_add(grad[k][row % 2][c], (coef[k][row] + DoubleLanes{}), xc);
                     }
                   }
                 });
  acc[0] += lane_sum(loss);
  acc[1] += lane_sum(surrogate);
  acc[2] += lane_sum(active);
  for (std::size_t k = 0; k < G; ++k) {
    double* out = acc + 3 + k * p;
    for (std::size_t c = 0; c < C; ++c) {
      const DoubleLanes sum = grad[k][0][c] + grad[k][1][c];
      for (std::size_t j = kLanes * c; j < std::min(d, kLanes * (c + 1)); ++j)
        out[j] += sum[j - kLanes * c];
    }
    if (with_bias) out[d] += lane_sum(bias_grad[k]);
  }
}

template <std::size_t C>
RELUREG_INLINE double loss_block(const RowBlock& blk, const double* weights, const double* w,
                                 double b) {
  const ChunkedWeights<C> wc(w, blk.d);
  DoubleLanes loss{};
  for_each_group(blk, weights, true,
                 [&](const Group& g, std::size_t, std::size_t) RELUREG_LAMBDA_INLINE {
                   DoubleLanes z;
                   affine8<C>(g.x, blk.d, wc, b, z);
                   const DoubleLanes residual = (z > 0 ? z : DoubleLanes{}) - g.y;
                   mul_add(loss, g.weighted ? g.weight * residual : residual, residual);
                 });
  return lane_sum(loss);
}

template <std::size_t C>
RELUREG_INLINE void scale_block(const RowBlock& blk, const double* weights, const double* u,
                                double* acc) {
  const ChunkedWeights<C> uc(u, blk.d);
  DoubleLanes yr{}, rr{}, yy{};
  for_each_group(blk, weights, true,
                 [&](const Group& g, std::size_t, std::size_t) RELUREG_LAMBDA_INLINE {
                   DoubleLanes z;
                   affine8<C>(g.x, blk.d, uc, 0.0, z);
                   const DoubleLanes r = z > 0 ? z : DoubleLanes{};
                   yr += g.weighted ? g.weight * (g.y * r) : g.y * r;
                   rr += g.weighted ? g.weight * (r * r) : r * r;
                   yy += g.weighted ? g.weight * (g.y * g.y) : g.y * g.y;
                 });
  acc[0] += lane_sum(yr);
  acc[1] += lane_sum(rr);
  acc[2] += lane_sum(yy);
}

template <std::size_t C>
RELUREG_INLINE void predict_block(const RowBlock& blk, const double* w, double b, double* out) {
  const ChunkedWeights<C> wc(w, blk.d);
  for_each_group(blk, nullptr, false,
                 [&](const Group& g, std::size_t first, std::size_t rows) RELUREG_LAMBDA_INLINE {
                   DoubleLanes z;
                   affine8<C>(g.x, blk.d, wc, b, z);
                   const DoubleLanes r = z > 0 ? z : DoubleLanes{};
                   for (std::size_t k = 0; k < rows; ++k) out[first + k] = r[k];
                 });
}

// Calls body.template operator()<C>() with C = ⌈d/8⌉ chunks as a constant.
template <class Body>
RELUREG_INLINE auto with_chunks(std::size_t d, Body&& body) {
  switch ((d + kLanes - 1) / kLanes) {
    case 1:
      return body.template operator()<1>();
    case 2:
      return body.template operator()<2>();
    case 3:
      return body.template operator()<3>();
    default:
      return body.template operator()<4>();
  }
}

std::atomic<bool> g_short_row_kernels{true};

// The generic variant's entry points.
void generic_stats(const RowBlock& blk, const double* weights, const double* w, double b,
                   bool with_bias, double relu_grad_at_zero, ShortGradients gradients, bool,
                   double* acc) {
  with_chunks(blk.d, [&]<std::size_t C>() RELUREG_LAMBDA_INLINE {
    if (gradients == ShortGradients::both)
      stats_block<C, 2>(blk, weights, w, b, with_bias, relu_grad_at_zero, true, acc);
    else
      stats_block<C, 1>(blk, weights, w, b, with_bias, relu_grad_at_zero,
                        gradients == ShortGradients::square, acc);
  });
}

double generic_loss(const RowBlock& blk, const double* weights, const double* w, double b) {
  return with_chunks(blk.d, [&]<std::size_t C>() RELUREG_LAMBDA_INLINE {
    return loss_block<C>(blk, weights, w, b);
  });
}

void generic_scale(const RowBlock& blk, const double* weights, const double* u, double* acc) {
  with_chunks(blk.d,
              [&]<std::size_t C>() RELUREG_LAMBDA_INLINE { scale_block<C>(blk, weights, u, acc); });
}

void generic_predict(const RowBlock& blk, const double* w, double b, double* out) {
  with_chunks(blk.d,
              [&]<std::size_t C>() RELUREG_LAMBDA_INLINE { predict_block<C>(blk, w, b, out); });
}

constexpr ShortRowKernels kGeneric{&generic_stats, &generic_loss, &generic_scale, &generic_predict,
                                   kShortRowFeatures};

// Whether z = w·x + b is computed with fused multiply-adds in this build (affine_value's
// mul_add, src/base/simd_rows.hpp: an explicit one with AVX-512, the compiler's contraction of
// `acc += a * b` with FMA otherwise, none without FMA). The AVX2 and AVX-512 variants do the same,
// so that their z is affine_value's bit for bit in every build.
#if defined(__FMA__) && !defined(RELUREG_DISPATCH)
[[maybe_unused]] constexpr bool kFusedZ = true;
#else
[[maybe_unused]] constexpr bool kFusedZ = false;
#endif

// The best instruction set this build's own target allows: the variant a host of exactly that
// target would run. A build for any x86-64 (RELUREG_DISPATCH) allows every variant.
constexpr ShortRowIsa kTargetCeiling =
#if defined(RELUREG_DISPATCH) || (defined(__AVX512F__) && defined(__AVX512VL__))
    ShortRowIsa::avx512;
#elif defined(__AVX2__) && defined(__FMA__)
    ShortRowIsa::avx2;
#else
    ShortRowIsa::generic;
#endif

bool cpu_runs(ShortRowIsa isa) {
#if defined(RELUREG_SHORT_ROW_ISAS)
  switch (isa) {
    case ShortRowIsa::avx512:
      return cpu_runs_x86_64_v4();
    case ShortRowIsa::avx2:
      return cpu_runs_x86_64_v3();
    case ShortRowIsa::generic:
      return true;
  }
  return false;
#else
  return isa == ShortRowIsa::generic;
#endif
}

const ShortRowKernels& kernels_of([[maybe_unused]] ShortRowIsa isa) {
#if defined(RELUREG_SHORT_ROW_ISAS)
  if (isa == ShortRowIsa::avx512) return short_row_kernels_avx512(kFusedZ);
  if (isa == ShortRowIsa::avx2) return short_row_kernels_avx2(kFusedZ);
#endif
  return kGeneric;
}

ShortRowIsa choose_isa() {
  ShortRowIsa best = ShortRowIsa::generic;
  for (const ShortRowIsa isa : runnable_short_row_isas())
    if (static_cast<int>(isa) <= static_cast<int>(kTargetCeiling)) best = isa;
  return best;
}

// Which variant the passes take at which d: `wide` for d ≤ column_features (the AVX-512 variant's
// columns; relu_stats: d ≤ stats_column_features), `narrow` for d ≤ narrow_features, `wide`
// above; with `stats_wide_on_full_lanes`, relu_stats also takes `wide` at the d whose rows fill as
// many eight-lane pieces as four-lane ones (stats_fill_eight_lanes).
struct Layout {
  ShortRowIsa narrow, wide;
  std::size_t narrow_features = 0, column_features = 0, stats_column_features = 0;
  bool stats_wide_on_full_lanes = false;
  bool wide_at(std::size_t d) const { return d <= column_features || d > narrow_features; }
  bool stats_wide(std::size_t d) const {
    return wide_at(d) || d <= stats_column_features ||
           (stats_wide_on_full_lanes && stats_fill_eight_lanes(d));
  }
  // The variant of the passes over rows of d features (relu_stats where `stats`).
  ShortRowIsa isa_at(std::size_t d, bool stats) const {
    return (stats ? stats_wide(d) : wide_at(d)) ? wide : narrow;
  }
};

// The start-up layout: the best variant, except that where it is AVX-512 on a CPU other than AMD's
// the rows of more than kAvx512ColumnPassFeatures and at most kAvx2RowFeatures take the AVX2 one,
// but for relu_stats up to kAvx512ColumnFeatures and where they fill eight-lane pieces; on an AMD
// CPU only the passes other than relu_stats at kAmdAvx2PassFeatures take it (short_rows.hpp).
Layout start_up_layout(ShortRowIsa best, bool amd) {
  if (best != ShortRowIsa::avx512) return {best, best};
  if (amd)
    return {ShortRowIsa::avx2, ShortRowIsa::avx512, kAmdAvx2PassFeatures, kAmdAvx2PassFeatures - 1,
            kAmdAvx2PassFeatures};
  return {ShortRowIsa::avx2,         ShortRowIsa::avx512,   kAvx2RowFeatures,
          kAvx512ColumnPassFeatures, kAvx512ColumnFeatures, true};
}

// A layout with its two variants' kernels.
struct Choice {
  Layout layout;
  const ShortRowKernels* narrow_kernels;
  const ShortRowKernels* wide_kernels;
  explicit Choice(const Layout& chosen)
      : layout(chosen),
        narrow_kernels(&kernels_of(chosen.narrow)),
        wide_kernels(&kernels_of(chosen.wide)) {}
  const ShortRowKernels& at(std::size_t d) const {
    return layout.wide_at(d) ? *wide_kernels : *narrow_kernels;
  }
  const ShortRowKernels& stats_at(std::size_t d) const {
    return layout.stats_wide(d) ? *wide_kernels : *narrow_kernels;
  }
};

// One variant at every d (use_short_row_isa).
const Choice& only(ShortRowIsa isa) {
  static const Choice choices[] = {Choice(Layout{ShortRowIsa::generic, ShortRowIsa::generic}),
                                   Choice(Layout{ShortRowIsa::avx2, ShortRowIsa::avx2}),
                                   Choice(Layout{ShortRowIsa::avx512, ShortRowIsa::avx512})};
  return choices[static_cast<int>(isa)];
}

const Choice& start_up() {
  static const Choice choice(start_up_layout(default_short_row_isa(), cpu_is_amd()));
  return choice;
}

std::atomic<const Choice*>& active() {
  static std::atomic<const Choice*> choice{&start_up()};
  return choice;
}

const ShortRowKernels& current(std::size_t d) {
  return active().load(std::memory_order_relaxed)->at(d);
}

const ShortRowKernels& current_stats(std::size_t d) {
  return active().load(std::memory_order_relaxed)->stats_at(d);
}

// The start-up choice: the second stream everywhere but on AMD CPUs (short_rows.hpp).
bool default_l2_prefetch() {
  return !cpu_is_amd();
}
std::atomic<bool>& l2_prefetch() {
  static std::atomic<bool> enabled{default_l2_prefetch()};
  return enabled;
}

bool far_loss_prefetch() {
  return cpu_is_amd() && cpu_runs_x86_64_v4();
}

std::size_t default_two_phase_chunks_ahead() {
  return cpu_is_amd() && cpu_family() >= 26 ? 2 : 1;
}
std::atomic<std::size_t>& two_phase_chunks_ahead() {
  static std::atomic<std::size_t> chunks{default_two_phase_chunks_ahead()};
  return chunks;
}

std::atomic<bool>& two_phase() {
  static std::atomic<bool> enabled{true};
  return enabled;
}

}  // namespace

const char* short_row_isa_name(ShortRowIsa isa) {
  switch (isa) {
    case ShortRowIsa::avx512:
      return "avx512";
    case ShortRowIsa::avx2:
      return "avx2";
    case ShortRowIsa::generic:
      break;
  }
  return "generic";
}

bool short_row_isas_compiled() {
#if defined(RELUREG_SHORT_ROW_ISAS)
  return true;
#else
  return false;
#endif
}

std::vector<ShortRowIsa> runnable_short_row_isas() {
  std::vector<ShortRowIsa> isas;
  for (const ShortRowIsa isa : {ShortRowIsa::generic, ShortRowIsa::avx2, ShortRowIsa::avx512})
    if (cpu_runs(isa)) isas.push_back(isa);
  return isas;
}

ShortRowIsa default_short_row_isa() {
  static const ShortRowIsa isa = choose_isa();
  return isa;
}

ShortRowIsa short_row_isa(std::size_t d) {
  return active().load(std::memory_order_relaxed)->layout.isa_at(d, false);
}

ShortRowIsa short_row_stats_isa(std::size_t d) {
  return active().load(std::memory_order_relaxed)->layout.isa_at(d, true);
}

ShortRowIsa start_up_isa_for(std::size_t d, bool stats, ShortRowIsa best, bool amd) {
  return start_up_layout(best, amd).isa_at(d, stats);
}

bool stats_fill_eight_lanes(std::size_t d) {
  return d <= kAvx512StatsFeatures && (d + 7) / 8 * 8 == (d + 3) / 4 * 4;
}

void use_short_row_isa(ShortRowIsa isa) {
  if (!cpu_runs(isa))
    throw std::invalid_argument(std::string("short-row kernels: this build or CPU has no ") +
                                short_row_isa_name(isa) + " variant");
  active().store(&only(isa), std::memory_order_relaxed);
}

void use_default_short_row_isas() {
  active().store(&start_up(), std::memory_order_relaxed);
}

bool short_row_l2_prefetch() {
  return l2_prefetch().load(std::memory_order_relaxed);
}

void use_short_row_l2_prefetch(bool enabled) {
  l2_prefetch().store(enabled, std::memory_order_relaxed);
}

void use_default_short_row_l2_prefetch() {
  l2_prefetch().store(default_l2_prefetch(), std::memory_order_relaxed);
}

bool short_row_far_loss_prefetch() {
  static const bool far = far_loss_prefetch();
  return far;
}

bool short_row_two_phase() {
  return two_phase().load(std::memory_order_relaxed);
}

std::size_t short_row_two_phase_chunks_ahead() {
  return two_phase_chunks_ahead().load(std::memory_order_relaxed);
}

void use_short_row_two_phase_chunks_ahead(std::size_t chunks) {
  if (chunks != 1 && chunks != 2)
    throw std::invalid_argument("use_short_row_two_phase_chunks_ahead: " + std::to_string(chunks) +
                                " chunks (1 or 2)");
  two_phase_chunks_ahead().store(chunks, std::memory_order_relaxed);
}

void use_default_short_row_two_phase_chunks_ahead() {
  two_phase_chunks_ahead().store(default_two_phase_chunks_ahead(), std::memory_order_relaxed);
}

void use_short_row_two_phase(bool enabled) {
  two_phase().store(enabled, std::memory_order_relaxed);
}

bool short_row_float_z(ShortRowIsa isa, std::size_t d) {
  if (isa == ShortRowIsa::generic || !short_rows(d)) return false;
  if (d > kFloatZAboveFeatures) return short_row_two_phase();
  return d >= kColumnFloatZFeatures &&
         (isa == ShortRowIsa::avx512 ? d <= kAvx512ColumnFeatures : avx2_stats_on_columns(d));
}

bool short_rows(std::size_t d) {
  return d >= 1 && d <= short_row_features() && g_short_row_kernels.load(std::memory_order_relaxed);
}

std::size_t short_row_features() {
  return active().load(std::memory_order_relaxed)->wide_kernels->max_features;
}

void use_short_row_kernels(bool enabled) {
  g_short_row_kernels.store(enabled, std::memory_order_relaxed);
}

bool short_rows_read_columns(std::size_t d) {
  if (!short_rows(d)) return false;
  switch (short_row_stats_isa(d)) {
    case ShortRowIsa::avx512:
      return d <= kAvx512ColumnFeatures;
    case ShortRowIsa::avx2:
      return avx2_stats_on_columns(d);
    case ShortRowIsa::generic:
      break;
  }
  return false;
}

void copy_short_columns(const float* x, std::size_t rows, std::size_t d, float* out) {
  const ShortRowKernels& kernels = current_stats(d);
  if (kernels.copy_columns != nullptr && d <= kAvx512ColumnFeatures)
    return kernels.copy_columns(x, rows, d, out);
  for (std::size_t first = 0; first < rows; first += 8) {
    const std::size_t group = std::min<std::size_t>(8, rows - first);
    float* to = out + first * d;
    for (std::size_t l = 0; l < d; ++l)
      for (std::size_t r = 0; r < 8; ++r) to[8 * l + r] = r < group ? x[(first + r) * d + l] : 0.0f;
  }
}

void short_relu_stats_block(const RowBlock& blk, const double* weights, const double* w, double b,
                            bool with_bias, double relu_grad_at_zero, ShortGradients gradients,
                            bool float_z, double* acc) {
  current_stats(blk.d).stats(blk, weights, w, b, with_bias, relu_grad_at_zero, gradients, float_z,
                             acc);
}

double short_relu_loss_block(const RowBlock& blk, const double* weights, const double* w,
                             double b) {
  return current(blk.d).loss(blk, weights, w, b);
}

void short_refit_scale_block(const RowBlock& blk, const double* weights, const double* u,
                             double* acc) {
  current(blk.d).scale(blk, weights, u, acc);
}

void short_relu_predict_block(const RowBlock& blk, const double* w, double b, double* out) {
  current(blk.d).predict(blk, w, b, out);
}

}  // namespace relureg::detail
