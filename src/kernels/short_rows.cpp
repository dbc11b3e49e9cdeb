// Short-row ReLU kernels: the run-time choice of a variant (generic, AVX2, AVX-512) per d.
#include "kernels/short_rows.hpp"

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>

#include "base/cpu_level.hpp"
#include "kernels/short_rows_isa.hpp"

namespace relureg::detail {
namespace {

std::atomic<bool> g_short_row_kernels{true};

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
  return short_row_kernels_generic();
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
// CPU only the passes other than relu_stats at kAmdAvx2PassFeatures take it, on Zen 4 every row
// from there on but relu_stats' up to kFloatZAboveFeatures (short_rows.hpp).
Layout start_up_layout(ShortRowIsa best, ShortRowHost host) {
  if (best != ShortRowIsa::avx512) return {best, best};
  if (host != ShortRowHost::other)
    return {ShortRowIsa::avx2, ShortRowIsa::avx512,
            host == ShortRowHost::amd_zen4 ? kWideShortRowFeatures : kAmdAvx2PassFeatures,
            kAmdAvx2PassFeatures - 1,
            host == ShortRowHost::amd_zen4 ? kFloatZAboveFeatures : kAmdAvx2PassFeatures};
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
  static const Choice choice(start_up_layout(default_short_row_isa(), short_row_host()));
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

ShortRowHost short_row_host() {
  if (!cpu_is_amd()) return ShortRowHost::other;
  return cpu_family() == 25 && cpu_runs_x86_64_v4() ? ShortRowHost::amd_zen4 : ShortRowHost::amd;
}

ShortRowIsa start_up_isa_for(std::size_t d, bool stats, ShortRowIsa best, ShortRowHost host) {
  return start_up_layout(best, host).isa_at(d, stats);
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
