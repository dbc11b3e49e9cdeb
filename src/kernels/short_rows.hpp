// Block kernels for short rows (d ≤ 32): eight rows at a time in the lanes of one vector.
#pragma once

#include <cstddef>
#include <vector>

#include "relureg/dataset.hpp"

namespace relureg::detail {

// The engine's ReLU passes take these kernels for rows of at most this many features (the
// generic variant), or of at most kWideShortRowFeatures (the AVX2 and AVX-512 variants); longer
// rows go through the row-major kernels of kernels.cpp (docs/performance.md).
inline constexpr std::size_t kShortRowFeatures = 32;
inline constexpr std::size_t kWideShortRowFeatures = 128;
// Whether the passes over rows of d features take these kernels: 1 ≤ d ≤ the current variant's
// limit (short_row_features()), unless turned off.
bool short_rows(std::size_t d);
std::size_t short_row_features();
// Turns the short-row kernels off (every d then takes the row-major kernels) or back on: for the
// tests and benchmarks that compare the two. Not meant to change while passes run.
void use_short_row_kernels(bool enabled);

// Which gradients the relu_stats kernel accumulates (kernels.hpp's ReluGradients).
enum class ShortGradients { square, surrogate, both };

// The instruction sets the kernels are compiled for. `generic` is the eight-lane code of
// short_rows_generic.cpp compiled with the build's own flags (any CPU); `avx2` (x86-64-v3: AVX2,
// FMA) and `avx512` (x86-64-v4) are separate translation units with their own -march, on x86-64
// with GCC or Clang. At start-up the engine takes the best one that both the CPU runs (cpuid) and
// the build's own target allows: a build for x86-64-v3 never runs AVX-512 code (so it measures what
// an AVX2-only host runs), a -march=native build runs its host's best, and a build for any x86-64
// (RELUREG_NATIVE off, the pip package) the best of the machine it runs on.
enum class ShortRowIsa { generic, avx2, avx512 };
const char* short_row_isa_name(ShortRowIsa isa);
//
// Where that best variant is AVX-512 on an Intel CPU, rows of more than kAvx512ColumnFeatures
// (below) and at most kAvx2RowFeatures take the AVX2 one (AMD: kAmdAvx2PassFeatures below): on the
// Xeon measured (two vector ports for 512-bit operations, three for 256-bit ones, and one shuffle
// port shared by the conversions float → double and the transposition of the rows' partial sums),
// the four-row AVX2 kernels were about as fast as the AVX-512 row-major pieces for gd's pass and
// faster for the loss there (bench_engine's gd-avx2, gd-avx512, loss-avx2, loss-avx512;
// docs/performance.md); at d = 100 the two were level, and longer rows keep AVX-512.
inline constexpr std::size_t kAvx2RowFeatures = 64;
// Except for relu_stats (the pass of gd and glmtron) at the d ≤ kAvx512StatsFeatures whose rows
// fill as many eight-lane pieces as four-lane ones (⌈d/8⌉·8 = ⌈d/4⌉·4: d = 5..8, 13..16, 21..24,
// 29..32): there the AVX-512 variant takes them. Measured on that Xeon, one core, 512 KB of rows in
// cache (thread CPU time, ns per row of gd's pass, AVX2 against AVX-512's row-major pieces):
// d = 8 2.43 / 2.10, 16 3.45 / 3.14, 32 6.01 / 5.13, 64 12.1 / 9.20; but d = 2 1.74 / 2.11 and
// 10 3.00 / 3.14 (AVX2 pads 10 features to 12 lanes, AVX-512 to 16; rows of up to 12 features now
// take the columns below). The loss kept AVX2 (d = 32 3.21 / 3.42). Both variants sum the loss
// in the same four lanes, so relu_loss and relu_stats' loss agree bit for bit. At d = 64, over 10^6
// rows that waited on memory (a shared host), AVX-512 was 5-8 % slower than AVX2 (about 22 against
// 21 ns per row), so the exception stops at 32 features.
inline constexpr std::size_t kAvx512StatsFeatures = 32;
bool stats_fill_eight_lanes(std::size_t d);
// The AVX-512 variant takes rows of up to this many features on columns (short_rows_columns.hpp:
// eight rows transposed in registers, one vector per feature) rather than in row-major pieces,
// and the start-up choice gives it relu_stats over such rows; the other passes (the loss,
// predict, the scale refit) up to kAvx512ColumnPassFeatures. Measured on that Xeon, n = 10^6,
// two threads, medians of 5 interleaved runs (ms, AVX2 against AVX-512 on columns): gd's pass
// d = 2 0.91 / 0.40, 8 1.21 / 0.94, 10 1.62 / 1.32; the loss d = 2 0.50 / 0.31, 4 0.47 / 0.45,
// 8 0.76 / 0.75, 10 0.93 / 0.96.
inline constexpr std::size_t kAvx512ColumnFeatures = 12;
inline constexpr std::size_t kAvx512ColumnPassFeatures = 8;
// All of the above was measured on Intel. On AMD CPUs with AVX-512 (Zen 5; Zen 4 below) the
// AVX-512 variant takes every d instead, but for the passes other than relu_stats at
// kAmdAvx2PassFeatures, where AVX2's three four-lane pieces fit the row exactly. Measured on an AMD
// EPYC (Zen 5, 512-bit data paths), ns per row of AVX2 against AVX-512, one core with 512 KB of
// rows in cache (best of 30 interleaved rounds; d = 12: 60): gd's pass d = 16 2.65 / 1.89, 32 5.10
// / 3.41, 64 9.15 / 5.75; glmtron's d = 32 5.00 / 3.30; the loss d = 16 1.32 / 1.11, 32 2.07
// / 1.74, 64 4.19 / 3.58, but d = 12 1.06 / 1.39. From memory (n = 10^6, two threads, ms per pass,
// medians of 10) gd's pass d = 16 2.32 / 1.92, 32 3.78 / 3.03, 64 5.92 / 4.95; the loss d = 12 1.11
// / 1.18, 32 3.73 / 3.08.
inline constexpr std::size_t kAmdAvx2PassFeatures = 12;
// On AMD's Zen 4 (family 25 with AVX-512, whose 512-bit operations run as two halves on 256-bit
// data paths), the AVX2 variant takes every row past the AVX-512 columns instead: the passes other
// than relu_stats from kAmdAvx2PassFeatures, relu_stats (one phase with the double z up to 16
// features, two with the float z above) from kFloatZAboveFeatures + 1, up to
// kWideShortRowFeatures. There a widening of eight floats to a 512-bit vector of doubles issues at
// half the rate of two 256-bit ones (a loop of widenings and multiply-adds over 8 KB in L1: 14.4
// against 22 billion floats per second), and the AVX2 variant's passes read memory faster. Measured
// there, n = 10^6, ratio to the streaming read of the same round, medians of 5 interleaved rounds
// (AVX2 / AVX-512): gd's pass one thread d = 32 0.79 / 0.57, 64 0.67 / 0.59, 100 0.61 / 0.52, two
// threads 0.93 / 0.77, 0.90 / 0.77, 0.84 / 0.78; glmtron's one thread d = 32 0.68 / 0.53, 100 0.66
// / 0.51, two 0.79 / 0.71, 0.88 / 0.74 (d = 64 level); the loss one thread d = 100 0.97 / 0.78, two
// 0.98 / 0.90, at 16 to 64 within the rounds' spread. One core with 512 KB of rows in cache, GB/s,
// medians of 7: gd's pass d = 16 15.7 / 19.7, 32 29.5 / 28.3, 64 30.4 / 31.3, 100 30.1 / 25.3;
// glmtron's d = 16 16.9 / 19.7, 32 29.8 / 27.9, 100 30.2 / 30.8; the loss d = 16 35.0 / 28.8,
// 32 43.9 / 40.2, 100 47.1 / 47.0. Below 12 features AVX-512 stays faster (gd's pass over the rows
// at d = 10: AVX2 0.80-0.90 of it).
//
// The kinds of host whose start-up layouts differ, and this host's (from cpuid): AMD's Zen 4, other
// AMD CPUs, any other CPU.
enum class ShortRowHost { other, amd, amd_zen4 };
ShortRowHost short_row_host();
// The AVX2 variant takes rows on columns too (four rows at a time): relu_stats over rows of up to
// kAvx2ColumnFeatures features except 8 (avx2_stats_on_columns), the other passes over rows of up
// to kAvx2ColumnPassFeatures. Measured on an AVX2-only host (AMD EPYC, Zen 3), one core, 8192
// rows in cache, ns per row, AVX2 row-major pieces against AVX2 columns, in turn within one
// process (best of 60): gd's pass d = 4 1.81 / 1.70, 5 2.64 / 1.76, 6 2.59 / 2.05, 7 2.85 / 2.37,
// 8 2.43 / 2.58, 9 3.63 / 2.93, 10 3.58 / 3.19, 11 3.72 / 3.47, 12 3.45 / 4.13, 14 4.34 / 4.68
// (glmtron's alike: d = 8 2.18 / 2.35, 10 3.24 / 2.94); the loss, with no gradient to share the
// transposition with, d = 5 1.29 / 1.07, 6 1.31 / 1.22, 7 1.33 / 1.46, 8 1.06 / 1.54, 10 1.70 /
// 1.76. Rows of 8 and 12 features fill their four-lane pieces and keep them. On the AVX-512 Xeon
// measured earlier the x86-64-v3 build's pieces were faster from 7 features on (gd's pass at
// d = 10: 3.02 against 3.32), but a native build there takes the AVX-512 columns for relu_stats
// up to 12 features and AVX2's pieces for the other passes past 8: the choice follows the
// AVX2-only host.
inline constexpr std::size_t kAvx2ColumnFeatures = 11;
inline constexpr std::size_t kAvx2ColumnPassFeatures = 6;
constexpr bool avx2_stats_on_columns(std::size_t d) {
  return d <= kAvx2ColumnFeatures && d != 8;
}
// Whether the short-row kernels' software prefetch runs its second stream, 8 KB ahead into L2, for
// rows of more than 16 features (short_rows_body.hpp). On at start-up except on AMD CPUs. On the
// AVX-512 Xeon it kept more lines in flight (gd's pass, n = 10^6, two threads: d = 100 0.73 →
// 0.83 of the streaming read); on the AMD EPYC (Zen 3) measured, whose own prefetchers already
// follow the stream, it cost time: AVX2 variant, n = 10^6, ratio to the streaming read, medians
// of 5 interleaved runs, with / without it: gd's pass d = 32 0.76 / 0.87, d = 100 0.75 / 0.91
// (two threads), d = 100 0.69 / 0.81 (one). On the AMD EPYC Zen 5 (AVX-512 variant, n = 10^6,
// GB/s, medians of 9 interleaved runs, with / without it) too: gd's pass d = 32 24.8 / 30.1 and
// d = 100 25.1 / 27.7 (one thread), 37.2 / 40.5 and 37.8 / 39.2 (two). Without it, relu_stats' L1
// stream runs 4 KB ahead, not 1 KB (short_rows_body.hpp's kL1AloneBytes). Prefetching changes no
// result.
bool short_row_l2_prefetch();
// Turns the second stream on or off (the tests and benchmarks), or back to the start-up choice.
void use_short_row_l2_prefetch(bool enabled);
void use_default_short_row_l2_prefetch();

// Whether the loss's pass over rows of 17 to 128 features prefetches kL1AloneBytes (4 KB) ahead
// into L1 rather than 1 KB, where the L2 stream is off: on AMD CPUs with AVX-512 (Zen 4 and
// later). On the Zen 5 measured it ran faster (n = 10^6, two threads, ratio to the streaming read,
// medians of 5 interleaved rounds, 1 KB / 4 KB: AVX-512 variant d = 32 0.72 / 0.85, d = 64 0.76 /
// 0.90, d = 100 0.76 / 0.87; AVX2 variant d = 32 0.70 / 0.81); on the Zen 3 measured (AVX2 only)
// 4 KB cost it 7-8 % at d = 32 and 100. Prefetching changes no result.
bool short_row_far_loss_prefetch();

// Whether relu_stats on row-major pieces takes two phases per chunk of rows where the variant
// chooses them (short_rows_two_phase.hpp; on by default). With the double z the sums are the same
// bit for bit either way; off, no kernel takes the float z (RowDot::float32_allowed) either: the
// switch is for the tests that check both.
bool short_row_two_phase();
void use_short_row_two_phase(bool enabled);

// How many chunks (V::kTwoPhaseChunkBytes, 4 KB) ahead of its first phase the AVX-512 variant's
// two-phase kernel prefetches into L1 where the L2 stream is off: two on AMD CPUs of family 26
// (Zen 5) and later, one elsewhere; the AVX2 variant's runs one ahead on every CPU. Zen 4 (family
// 25; n = 10^6, binaries in turn, 3 rounds of 3, medians, GB/s, 8 → 4 KB): native, one thread,
// gd's pass d = 64 14.8 → 20.2, d = 100 14.4 → 15.7, d = 32 15.5 → 16.0; two threads d = 64 26.7
// → 30.9, d = 32 28.2 → 29.5, d = 100 level; x86-64-v3 build, one thread, d = 32 21.1 → 23.6, 64
// 16.4 → 18.2, 100 17.2 → 18.3 (20 KB slower than 8). Zen 5 (native, median ratio to the
// streaming read of the same round, 4 → 8 KB, five sets of 3 to 6 rounds), gd's pass: d = 100 one
// thread 0.96 → 0.95, 0.82 → 0.91 twice, 0.79 → 0.83, two 1.00 → 0.99, 0.77 → 0.86, 0.76 → 0.92,
// 0.79 → 0.84; d = 64 one 0.92 → 0.94, 0.89 → 0.97, 0.90 → 0.93, 0.87 → 0.95, two 0.77 → 0.96,
// 0.79 → 0.81, 0.81 → 0.86, 0.85 → 0.90; d = 32 one 0.58 → 0.61, 0.74 → 0.66, 0.60 → 0.64, 0.66
// → 0.74. A fit's epoch over a mapped 400 MB NPY file (label-noise, d = 100, gd, 4 KB pages):
// 8.3-9.0 → 7.0-8.0 ms (two threads), 15.1-17.5 → 13.5-15.6 ms (one). The x86-64-v3 build on Zen
// 5: level at d = 64 and 100, at d = 32 two threads 0.67 → 0.64 (gd's) and 0.74 → 0.64
// (glmtron's), so that variant keeps one chunk. Not measured on Intel, whose L2 stream is on.
// Prefetching changes no result.
std::size_t short_row_two_phase_chunks_ahead();
// Sets it (1 or 2; the tests and benchmarks), or back to the start-up choice.
void use_short_row_two_phase_chunks_ahead(std::size_t chunks);
void use_default_short_row_two_phase_chunks_ahead();

// relu_stats with RowDot::float32_allowed and one gradient takes z's dot product in float32 over
// rows of more than this many features (up to short_row_features()), in the AVX2 and AVX-512
// variants' two-phase kernels; gd's pass in cache went 26.9 → 35.1 GB/s at d = 32 (x86-64-v3
// build, one core, Zen 5; docs/performance.md has the rest).
inline constexpr std::size_t kFloatZAboveFeatures = 16;
// ... and over rows of this many features up to those relu_stats takes on columns (11 in the AVX2
// variant, 12 in the AVX-512 one), eight rows per float32 vector, with or without a column copy,
// the same z either way (short_rows_column_float_z.hpp). Shorter rows keep the double z.
inline constexpr std::size_t kColumnFloatZFeatures = 9;
// Whether relu_stats over rows of d features in variant `isa` takes the float z where allowed.
bool short_row_float_z(ShortRowIsa isa, std::size_t d);

// Whether this build compiled the AVX2 and AVX-512 variants (GCC or Clang on x86-64; sanitizer and
// fuzzing builds leave them out and run the generic one).
bool short_row_isas_compiled();
// The variants this build has and this CPU can run (whatever the build's target), generic first.
std::vector<ShortRowIsa> runnable_short_row_isas();
// The variant the passes over rows of d features use now (relu_stats: short_row_stats_isa).
ShortRowIsa short_row_isa(std::size_t d);
ShortRowIsa short_row_stats_isa(std::size_t d);
// The variant the start-up choice gives the passes over rows of d features (relu_stats where
// `stats`) when the best variant is `best`, on a host of that kind: what short_row_isa and
// short_row_stats_isa return at start-up on such a host, so that the tests check every kind's
// layout on any host.
ShortRowIsa start_up_isa_for(std::size_t d, bool stats, ShortRowIsa best, ShortRowHost host);
// Makes the passes use `isa` at every d (one of runnable_short_row_isas(), else
// std::invalid_argument): for the tests and benchmarks that compare the variants. Not meant to
// change while passes run.
void use_short_row_isa(ShortRowIsa isa);
// Back to the start-up choice (after use_short_row_isa).
void use_default_short_row_isas();
// The best variant this build's target and this CPU allow: the one the longest rows take.
ShortRowIsa default_short_row_isa();

// Where a block carries its column copy (RowBlock::columns), the passes other than relu_stats
// read it on columns for rows of up to kAvx512CopyColumnFeatures features in the AVX-512 variant
// and kAvx2CopyColumnFeatures in the AVX2 one (relu_stats: where it takes columns anyway). Columns
// read from a copy of rows of 32 features were slower than the pieces (Zen 5, n = 10^6, two
// threads, GB/s: gd's pass 39.3 against 57.3, the loss 41.1 against 60.8; docs/performance.md).
inline constexpr std::size_t kAvx512CopyColumnFeatures = kAvx512ColumnFeatures;
inline constexpr std::size_t kAvx2CopyColumnFeatures = kAvx2ColumnFeatures;
// Whether relu_stats over rows of d features now takes a variant's kernels on columns, which read
// a block's column copy (RowBlock::columns) instead of transposing its rows: where a
// ColumnCopySource pays for itself (relureg/column_copy.hpp).
bool short_rows_read_columns(std::size_t d);
// Writes the rows × d floats at x feature-major in groups of eight into out (⌈rows/8⌉·8·d
// floats, RowBlock::columns' layout; a short last group padded with zeros), with the AVX-512
// variant's transposition where it is the one relu_stats takes, else a loop.
void copy_short_columns(const float* x, std::size_t rows, std::size_t d, float* out);

// Each kernel reads the rows of `blk` (with the sample weights `weights`, one per row, or null)
// and computes z = w·x + b of every row bit for bit as affine_value does. Sums over rows go into
// eight lanes (row r of the block into lane r mod 8, in row order; the loss of the AVX2 and
// AVX-512 variants into four, r mod 4), which are added at the end of the block in a fixed order;
// the gradients' row-major sums alternate between two accumulators (the AVX-512 columns: eight
// lanes per entry, row r in lane r mod 8). So a block's sums depend on its rows only: the same
// for any thread count and data split.

// relu_stats: adds [Σ loss, Σ surrogate, Σ active, gradient(s)] of the block to `acc` (the
// layout of relu_stats in kernels.cpp; a gradient has d + 1 entries with `with_bias`).
// `float_z`: RowDot::float32_allowed (short_rows_two_phase.hpp says which kernels take it).
void short_relu_stats_block(const RowBlock& blk, const double* weights, const double* w, double b,
                            bool with_bias, double relu_grad_at_zero, ShortGradients gradients,
                            bool float_z, double* acc);
// relu_loss: Σ weight·(ReLU(z) − y)² over the block.
double short_relu_loss_block(const RowBlock& blk, const double* weights, const double* w, double b);
// refit_scale: adds Σ weight·y·r, Σ weight·r², Σ weight·y² (r = ReLU(u·x)) to acc[0..2].
void short_refit_scale_block(const RowBlock& blk, const double* weights, const double* u,
                             double* acc);
// predict: out[r] = ReLU(w·x_r + b), bit for bit as ReluModel::predict_one.
void short_relu_predict_block(const RowBlock& blk, const double* w, double b, double* out);

}  // namespace relureg::detail
