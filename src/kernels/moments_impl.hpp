// The moments pass without a matrix library: each row's outer product added in vector chunks.
//
// Included at file scope by the moments_isa_*.cpp files, each compiled for one instruction set:
// everything here is in an anonymous namespace, so that each translation unit keeps its own copy
// (one compiled for AVX-512 must never stand in for another's). Each defines its MomentKernels
// from moments_block, moments_tiled_block and moments_registers_block.
#pragma once

#include <algorithm>
#include <cstring>
#include <new>

#if defined(__AVX__)
#include <immintrin.h>
#endif

#include "kernels/moments.hpp"

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
// a·b rounded to double, never fused into a following addition: both kernels add Σ w y alike
// (GCC fused it in one of them and not in the other).
[[gnu::always_inline]] inline double rounded_product(double a, double b) {
  double product = a * b;
  asm("" : "+m"(product));  // through memory: any target
  return product;
}
// The `count` ≤ W floats at x widened to double, zero-padded (nothing read past them). Masked:
// a masked load where the build has one (the tiled kernel, whose row length is not a constant:
// element by element GCC built the vector through the stack, which took the tiled kernel at
// d = 17 from 8.7 to 13.9 ns per row in cache); otherwise element by element (the register
// kernel, where count is a constant: a masked load was slower there, 1.65 → 1.94 ns at d = 4).
template <bool Masked = false>
[[gnu::always_inline]] inline void widen(Lanes& out, const float* x, std::size_t count) {
  if (count == W) {
    FloatLanes f;
    std::memcpy(&f, x, sizeof f);
    out = __builtin_convertvector(f, Lanes);
    return;
  }
#if defined(__AVX512F__)
  if constexpr (Masked) {
    // Zeros and GCC's own conversion, where the intrinsics GCC 12 warns about (PR 105593).
    const __mmask8 mask = static_cast<__mmask8>((1u << count) - 1);
    out = __builtin_convertvector(
        reinterpret_cast<FloatLanes>(_mm256_mask_loadu_ps(_mm256_setzero_ps(), mask, x)), Lanes);
    return;
  }
#elif defined(__AVX__)
  if constexpr (Masked) {
    const __m128i lanes = _mm_setr_epi32(0, 1, 2, 3);
    const __m128i mask = _mm_cmplt_epi32(lanes, _mm_set1_epi32(static_cast<int>(count)));
    out = __builtin_convertvector(reinterpret_cast<FloatLanes>(_mm_maskload_ps(x, mask)), Lanes);
    return;
  }
#endif
  out = Lanes{};
  for (std::size_t k = 0; k < count; ++k) out[k] = static_cast<double>(x[k]);
}

// Row i of Σ w x xᵀ, columns 0..W·⌈(i+1)/W⌉ − 1, kept in C chunks of W lanes (lanes past the
// diagonal are summed too and never read); rows added in order. D: the row length, a constant, so
// that the compiler unrolls the row and keeps the accumulators in registers (beyond 16 features
// they no longer fit: moments_tiled). Weighted: blk.w is not null.
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
    sy += Weighted ? rounded_product(w, y) : y;
  }
  for (std::size_t j = 0; j < d; ++j)
    for (std::size_t i = j; i < d; ++i) acc[i + j * d] += second[i][j / W][j % W];
  for (std::size_t j = 0; j < d; ++j) {
    acc[d * d + j] += xy[j / W][j % W];
    acc[d * d + d + j] += sx[j / W][j % W];
  }
  acc[d * d + 2 * d] += sy;
}

// The kernel for d = D, else for D + 1, …, up to kRegisterKernelFeatures (d a constant each).
template <std::size_t D>
void moments_of_length(const RowBlock& blk, double* acc) {
  if constexpr (D < kRegisterKernelFeatures) {
    if (blk.d != D) return moments_of_length<D + 1>(blk, acc);
  }
  if (blk.w != nullptr) return moments_rows<(D + W - 1) / W, D, true>(blk, acc);
  moments_rows<(D + W - 1) / W, D, false>(blk, acc);
}

// The tiled kernel's shape. A tile is kTileFeatures features (rows i of Σ x xᵀ, within one chunk
// so that they share their chunk count) times up to kTileChunks chunks of W columns: its
// accumulators, one chunk of each buffered row per tile chunk and one broadcast per feature fit
// in the registers (16 + 4 + 1 of AVX-512's 32, 8 + 2 + 1 of AVX2's 16). kBufferRows rows are
// widened at a time, so that the tiles read them from L1.
constexpr std::size_t kTileFeatures = 4;
constexpr std::size_t kTileChunks = W == 8 ? 4 : 2;
constexpr std::size_t kBufferRows = 32;
// Rows of more than kConstantChunks chunks take kLongBufferRows rows at a time, walked one panel
// of kTileChunks chunks at a time (every tile of the panel before the next panel): the panel's
// chunks of the buffered rows (kLongBufferRows · kTileChunks · W doubles, 32 KB with AVX-512)
// stay in L1 while the tiles below it read them, and each tile's accumulators, which outgrow L2
// at such d (d²·8 bytes), are loaded and stored once per kLongBufferRows rows instead of once
// per kBufferRows. `build/bench_moments`, Intel Xeon (model 207), one core, medians of 3
// interleaved rounds, ns per row, 32 rows row after row / this: AVX-512 d = 256 1534 / 1184,
// d = 1000 24646 / 20299, d = 100 level (247 / 227); x86-64-v3 d = 256 3260 / 2379, d = 100 and
// 1000 level. Prefetching each panel's next tile of accumulators too was level or slower.
constexpr std::size_t kLongBufferRows = 128;
// Rows of up to kConstantChunks chunks (64 features) take a kernel compiled for their chunk
// count, longer ones one that reads it from d.
constexpr std::size_t kConstantChunks = 64 / W;
static_assert(W % kTileFeatures == 0, "a tile's features share their chunk count");

// Adds rows [0, rows) of the widened buffer to the tile of features i0 … i0 + kTileFeatures − 1
// and chunks c0 … c0 + Chunks − 1: entry (i0 + f, c0 + c) += scaled[r][i0 + f] · x[r][chunk
// c0 + c], rows in order. `x` points at row 0's chunk c0 and `scaled` at row 0's feature i0, each
// row `stride` doubles after the one before.
template <std::size_t Chunks>
void add_tile(const double* x, const double* scaled, std::size_t stride, std::size_t rows,
              Lanes* at, std::size_t chunks) {
  Lanes tile[kTileFeatures][Chunks];
#pragma GCC unroll 8
  for (std::size_t f = 0; f < kTileFeatures; ++f)
    for (std::size_t c = 0; c < Chunks; ++c) tile[f][c] = at[f * chunks + c];
  for (std::size_t r = 0; r < rows; ++r) {
    Lanes chunk[Chunks];
#pragma GCC unroll 8
    for (std::size_t c = 0; c < Chunks; ++c) {
      std::memcpy(&chunk[c], x + r * stride + c * W, sizeof(Lanes));
#if defined(__AVX__)
      // (A vector is one register from AVX on; SSE2 needs two.) Opaque to the compiler, so that it
      // loads each chunk once rather than once per feature (as a memory operand of every
      // multiply-add: twice the loads).
      asm("" : "+v"(chunk[c]));
#endif
    }
#pragma GCC unroll 8
    for (std::size_t f = 0; f < kTileFeatures; ++f) {
      Lanes a;
      broadcast(a, scaled[r * stride + f]);
#pragma GCC unroll 8
      for (std::size_t c = 0; c < Chunks; ++c) tile[f][c] += a * chunk[c];
    }
  }
#pragma GCC unroll 8
  for (std::size_t f = 0; f < kTileFeatures; ++f)
    for (std::size_t c = 0; c < Chunks; ++c) at[f * chunks + c] = tile[f][c];
}

// add_tile<Chunks> for Chunks = count (1 ≤ count ≤ kTileChunks).
template <std::size_t Chunks = 1>
void add_tile_of(std::size_t count, const double* x, const double* scaled, std::size_t stride,
                 std::size_t rows, Lanes* at, std::size_t chunks) {
  if constexpr (Chunks < kTileChunks) {
    if (count > Chunks) return add_tile_of<Chunks + 1>(count, x, scaled, stride, rows, at, chunks);
  }
  add_tile<Chunks>(x, scaled, stride, rows, at, chunks);
}

// Zeroed vectors of lanes on the heap, 64-byte aligned: the tiled kernel's buffers, whose
// accumulators take d²·8 bytes (8 MB at d = 1000), too much for a thread's stack.
class LaneBuffer {
 public:
  explicit LaneBuffer(std::size_t count)
      : lanes_(static_cast<Lanes*>(::operator new[](count * sizeof(Lanes), kAlign))) {
    for (std::size_t k = 0; k < count; ++k) lanes_[k] = Lanes{};
  }
  ~LaneBuffer() { ::operator delete[](lanes_, kAlign); }
  LaneBuffer(const LaneBuffer&) = delete;
  LaneBuffer& operator=(const LaneBuffer&) = delete;
  Lanes* lanes() { return lanes_; }
  double* doubles() { return reinterpret_cast<double*>(lanes_); }

 private:
  static constexpr std::align_val_t kAlign{64};
  Lanes* lanes_;
};

// Where the tiled kernel widens chunk c of buffered row r: row after row (Chunks > 0: rows of
// `chunks` chunks), or panel after panel (Chunks = 0: panel c / kTileChunks holds that panel's
// chunks of every buffered row, kPanel doubles per row), so that the rows a tile reads lie together
// (at d = 1000, row after row, 128 rows are 128 pages apart: more than the first-level TLB holds).
constexpr std::size_t kPanel = kTileChunks * W;
template <std::size_t Chunks>
struct BufferLayout {
  std::size_t chunks;
  std::size_t row_stride() const { return Chunks != 0 ? chunks * W : kPanel; }
  std::size_t at(std::size_t r, std::size_t c) const {
    if constexpr (Chunks != 0) return r * chunks * W + c * W;
    return ((c / kTileChunks) * kLongBufferRows + r) * kPanel + (c % kTileChunks) * W;
  }
  // Feature i of row 0 (row r: r · row_stride() further).
  std::size_t feature(std::size_t i) const { return at(0, i / W) + i % W; }
};

// The rows the tiled kernel adds, row r's chunk c (of `chunks`) into a vector: a block's float
// rows widened, or (FilledRows) rows given in double. Each is told when a row starts (`start`,
// rows in order) before its chunks are read. Values, not references to the block: the kernel
// copies its source into a local, which the buffers' stores cannot alias (through a reference
// GCC reloaded X and d after every store, and the d = 32 kernel took 15 % longer).
struct BlockRows {
  const float* X;
  std::size_t count, length;
  const double* labels;
  const double* weights;
  explicit BlockRows(const RowBlock& blk)
      : X(blk.X), count(blk.rows), length(blk.d), labels(blk.y), weights(blk.w) {}
  std::size_t rows() const { return count; }
  std::size_t d() const { return length; }
  double y(std::size_t r) const { return labels[r]; }
  double w(std::size_t r) const { return weights[r]; }
  // The row one buffer ahead, requested now: the tiles' arithmetic leaves the memory idle.
  [[gnu::always_inline]] void start(std::size_t r) const {
    const char* ahead = reinterpret_cast<const char*>(X + (r + kBufferRows) * length);
    for (std::size_t byte = 0; byte < length * sizeof(float); byte += 64)
      __builtin_prefetch(ahead + byte, 0, 3);
  }
  [[gnu::always_inline]] void chunk(std::size_t r, std::size_t c, std::size_t chunks,
                                    Lanes& v) const {
    widen<true>(v, X + r * length + W * c, c + 1 < chunks ? W : length - W * c);
  }
};
struct FilledRows {
  const DoubleRows& in;
  double* row;  // whole chunks, zero past d (fill writes the first d only)
  std::size_t rows() const { return in.rows; }
  std::size_t d() const { return in.d; }
  double y(std::size_t r) const { return in.y[r]; }
  double w(std::size_t r) const { return in.w[r]; }
  void start(std::size_t r) const { in.fill(in.context, r, row); }
  [[gnu::always_inline]] void chunk(std::size_t, std::size_t c, std::size_t, Lanes& v) const {
    std::memcpy(&v, row + W * c, sizeof v);
  }
};

// The tiled kernel (any d): kBufferRows rows at a time (kLongBufferRows for rows of more than
// kConstantChunks chunks) are widened into a buffer of whole zero-padded chunks (with weights, a
// second one holds w·x), their Σ y x, Σ x and Σ y added as they are; then every tile of the lower
// triangle's chunks adds them in order. Each
// entry is the same sum, in the same order, of the same products as moments_rows', so the two
// kernels agree bit for bit; this one keeps its accumulators in memory between buffers, which
// lets rows longer than 16 features keep the vector arithmetic that a rank update's packing
// costs more than at these d.
// tiled_sums adds them given its buffers: the accumulators of the triangle (row i's chunks up to
// the diagonal's at second[i · chunks]), the widened rows (x, weighted_x) and Σ y x and Σ x (xy,
// sx), all zeroed; moments_tiled gives them. Chunks: the chunk count as a constant, so that the
// unrolled loops keep xy and sx in registers; 0 for rows of more than kConstantChunks chunks,
// whose count is read from d (one multiply-add per chunk and row beside the triangle's d/2, so
// those sums may live in memory).
template <std::size_t Chunks, bool Weighted, class Sums, class Source>
[[gnu::always_inline]] inline void tiled_sums(const Source& rows_in, std::size_t chunks,
                                              Lanes* second, double* x, double* weighted_x,
                                              Sums& xy, Sums& sx, double* acc) {
  const Source source = rows_in;
  const std::size_t d = source.d();
  const BufferLayout<Chunks> layout{chunks};
  const std::size_t stride = layout.row_stride();
  const std::size_t features = (d + kTileFeatures - 1) / kTileFeatures * kTileFeatures;
  const double* scaled = Weighted ? weighted_x : x;
  constexpr std::size_t kRowsAtOnce = Chunks == 0 ? kLongBufferRows : kBufferRows;
  double sy = 0;
  for (std::size_t first = 0; first < source.rows(); first += kRowsAtOnce) {
    const std::size_t rows = std::min(kRowsAtOnce, source.rows() - first);
    for (std::size_t r = 0; r < rows; ++r) {
      source.start(first + r);
      const double w = Weighted ? source.w(first + r) : 1.0, y = source.y(first + r);
      Lanes wv, yv;
      broadcast(wv, w);
      broadcast(yv, y);
#pragma GCC unroll 16
      for (std::size_t c = 0; c < chunks; ++c) {
        Lanes v;
        source.chunk(first + r, c, chunks, v);
        std::memcpy(x + layout.at(r, c), &v, sizeof v);
        const Lanes wx = Weighted ? wv * v : v;
        if constexpr (Weighted) std::memcpy(weighted_x + layout.at(r, c), &wx, sizeof wx);
        xy[c] += yv * wx;
        sx[c] += wx;
      }
      sy += Weighted ? rounded_product(w, y) : y;
    }
    if constexpr (Chunks == 0) {
      // Panel by panel: the tiles of chunks c0 … c0 + kTileChunks − 1 are those of the features
      // from c0's first on (the chunks up to feature i0's diagonal are i0 / W + 1).
      for (std::size_t c0 = 0; c0 < chunks; c0 += kTileChunks) {
        for (std::size_t i0 = c0 * W; i0 < features; i0 += kTileFeatures) {
          add_tile_of(std::min(kTileChunks, i0 / W + 1 - c0), x + layout.at(0, c0),
                      scaled + layout.feature(i0), stride, rows, second + i0 * chunks + c0, chunks);
        }
      }
    } else {
      for (std::size_t i0 = 0; i0 < features; i0 += kTileFeatures) {
        const std::size_t tile_chunks = i0 / W + 1;  // the chunks up to feature i0's diagonal
        for (std::size_t c0 = 0; c0 < tile_chunks; c0 += kTileChunks) {
          add_tile_of(std::min(kTileChunks, tile_chunks - c0), x + layout.at(0, c0),
                      scaled + layout.feature(i0), stride, rows, second + i0 * chunks + c0, chunks);
        }
      }
    }
  }
  for (std::size_t j = 0; j < d; ++j) {
    for (std::size_t i = j; i < d; ++i) acc[i + j * d] += second[i * chunks + j / W][j % W];
  }
  if constexpr (Chunks == 0) {
    for (std::size_t k = 0; k < d; ++k) {
      acc[d * d + k] += xy[k / W][k % W];
      acc[d * d + d + k] += sx[k / W][k % W];
    }
  } else {
    // xy's and sx's lanes are read at constant indices only (the loop unrolled): a runtime index
    // would keep them in memory.
#pragma GCC unroll 128
    for (std::size_t k = 0; k < Chunks * W; ++k) {
      if (k >= d) break;
      acc[d * d + k] += xy[k / W][k % W];
      acc[d * d + d + k] += sx[k / W][k % W];
    }
  }
  acc[d * d + 2 * d] += sy;
}

// The tiled kernel's buffers for rows of Chunks chunks (0: any count), and its sums.
template <std::size_t Chunks, bool Weighted, class Source>
void moments_tiled(const Source& source, double* acc) {
  if constexpr (Chunks != 0) {
    // On the stack (at most 64 KB at 64 features), where the compiler knows they alias nothing
    // (on the heap, d = 10 took 7.6 ns per row in cache against 7.1).
    alignas(64) Lanes second[W * Chunks * Chunks];
    alignas(64) Lanes x[kBufferRows * Chunks];
    alignas(64) Lanes weighted_x[Weighted ? kBufferRows * Chunks : 1];
    Lanes xy[Chunks], sx[Chunks];
    for (Lanes& v : second) v = Lanes{};
    for (std::size_t c = 0; c < Chunks; ++c) xy[c] = sx[c] = Lanes{};
    tiled_sums<Chunks, Weighted>(source, Chunks, second, reinterpret_cast<double*>(x),
                                 reinterpret_cast<double*>(weighted_x), xy, sx, acc);
  } else {
    const std::size_t chunks = (source.d() + W - 1) / W;
    const std::size_t features = (source.d() + kTileFeatures - 1) / kTileFeatures * kTileFeatures;
    const std::size_t panels = (chunks + kTileChunks - 1) / kTileChunks;
    const std::size_t buffer = panels * kLongBufferRows * kTileChunks;  // vectors
    LaneBuffer second(features * chunks), x(buffer), weighted_x(Weighted ? buffer : 0),
        sums(2 * chunks);
    Lanes* xy = sums.lanes();
    Lanes* sx = sums.lanes() + chunks;
    tiled_sums<0, Weighted>(source, chunks, second.lanes(), x.doubles(), weighted_x.doubles(), xy,
                            sx, acc);
  }
}

// moments_tiled for the block's chunk count (Chunks, else Chunks + 1, … up to kConstantChunks),
// the count read from d beyond.
template <std::size_t Chunks = 1>
void tiled_with_chunks(const RowBlock& blk, double* acc) {
  if (blk.d > kConstantChunks * W) {
    if (blk.w != nullptr) return moments_tiled<0, true>(BlockRows{blk}, acc);
    return moments_tiled<0, false>(BlockRows{blk}, acc);
  }
  if constexpr (Chunks < kConstantChunks) {
    if (blk.d > Chunks * W) return tiled_with_chunks<Chunks + 1>(blk, acc);
  }
  if (blk.w != nullptr) return moments_tiled<Chunks, true>(BlockRows{blk}, acc);
  moments_tiled<Chunks, false>(BlockRows{blk}, acc);
}

// Rows of at most kRegisterFeatures features take moments_rows, longer ones moments_tiled, and
// the variant takes rows of at most kVariantFeatures features (longer ones a rank update). With
// AVX or AVX-512, moments_rows was the faster up to one vector of features and the tiled kernel
// beyond (in cache, ns per row, moments_rows / tiled: AVX-512 d = 4 1.7 / 2.1, 8 2.5 / 3.0,
// 10 6.8 / 4.8, 12 7.8 / 4.8; x86-64-v3 d = 4 1.7 / 2.0, 5 6.5 / 3.4, 8 4.1 / 3.4, 10
// 16.7 / 5.9, 16 26.1 / 9.5), and the tiled kernel faster than the rank update at every d (Zen 5:
// AVX-512 d = 32 15.2 / 38.4, 64 60.0 / 120.5; x86-64-v3 28.5 / 53.4 and 97.7 / 170.3; the Intel
// Xeon, `build/bench_moments` against Eigen's rank update compiled for the same build, medians:
// native d = 100 184 / 516, 256 1462 / 2625, 1000 20912 / 33039; x86-64-v3 build d = 100 516 /
// 561, 256 2919 / 2916 (level), 1000 38363 / 40474), so such a variant takes rows of any length.
// With SSE2 only, whose vectors are pairs of registers, it was slower than the rank update
// (d = 32 110 against 90, d = 64 407 against 317), so such a build keeps moments_rows up to 16
// features and the rank update beyond, as before the tiled kernel.
#if defined(__AVX__)
constexpr std::size_t kRegisterFeatures = W, kVariantFeatures = kAnyFeatures;
#else
constexpr std::size_t kRegisterFeatures = 16, kVariantFeatures = 16;
#endif

// Σ w x xᵀ, Σ w y x, Σ w x, Σ w y of a block of 1 ≤ d ≤ kVariantFeatures features.
void moments_block(const RowBlock& blk, double* acc) {
  if (blk.d <= kRegisterFeatures) return moments_of_length<1>(blk, acc);
  tiled_with_chunks(blk, acc);
}

// The same by the tiled kernel at any d ≥ 1.
void moments_tiled_block(const RowBlock& blk, double* acc) {
  tiled_with_chunks(blk, acc);
}

// The same of rows given in double, by the tiled kernel with the chunk count read from d (any
// d ≥ 1; the rows are copied from the one fill writes into the panels' buffer).
void moments_double_rows(const DoubleRows& rows, double* acc) {
  LaneBuffer row((rows.d + W - 1) / W);
  const FilledRows source{rows, row.doubles()};
  if (rows.w != nullptr) return moments_tiled<0, true>(source, acc);
  moments_tiled<0, false>(source, acc);
}

// The same by moments_rows at any 1 ≤ d ≤ kRegisterKernelFeatures.
void moments_registers_block(const RowBlock& blk, double* acc) {
  moments_of_length<1>(blk, acc);
}

}  // namespace
}  // namespace relureg::detail
