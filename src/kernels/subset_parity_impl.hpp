// exhaustive-subsets' block kernels (column and bit-packed paths), compiled once per ISA variant.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <vector>

#include "kernels/subset_lanes.hpp"

namespace relureg::detail {
namespace {

using namespace subset_lanes;

// ---- Column path --------------------------------------------------------------------------

// Leaves sharing one pass over the prefix sums: as many as keep the accumulators (4 per leaf) and
// the loaded vectors within the vector registers (32 with AVX-512, 16 below).
constexpr std::size_t kLeafGroup = kWidth == 8 ? 4 : 2;

// Σ y·ReLU(z ± last) and Σ ReLU(z ± last)² over `padded` rows for L subsets sharing the prefix
// sum z (padded rows are zero, so they add nothing), added to out[l][0..3] as subset_parity_sums
// lays them out.
template <std::size_t L>
void parity_leaves(const double* z, const double* y, const double* const* last, std::size_t padded,
                   double unit, double* const* out) {
  Vec part[L][4][kHalves];
  for (std::size_t h = 0; h < kHalves; ++h) {
    Vec yp[L], rp[L], ym[L], rm[L];
    for (std::size_t l = 0; l < L; ++l) yp[l] = rp[l] = ym[l] = rm[l] = Vec{};
    for (std::size_t r = h * kWidth; r < padded; r += kStride) {
      const Vec zv = load(z + r), yv = load(y + r);
      for (std::size_t l = 0; l < L; ++l) {
        const Vec lv = load(last[l] + r);
        const Vec plus = relu(zv + lv), minus = relu(zv - lv);
        yp[l] += yv * plus;
        rp[l] += plus * plus;
        ym[l] += yv * minus;
        rm[l] += minus * minus;
      }
    }
    for (std::size_t l = 0; l < L; ++l) {
      part[l][0][h] = yp[l];
      part[l][1][h] = rp[l];
      part[l][2][h] = ym[l];
      part[l][3][h] = rm[l];
    }
  }
  // Explicit multiply-adds, rounded once in every ISA variant: GCC's tuning for AMD Zen does not
  // contract a chain of `acc += a * b` as its generic x86-64-v3 tuning does, so the -march=native
  // variant of a Zen 3 host summed differently from the x86-64-v3 one.
  for (std::size_t l = 0; l < L; ++l) {
    out[l][0] = std::fma(unit, fold(part[l][0]), out[l][0]);
    out[l][1] = std::fma(unit * unit, fold(part[l][1]), out[l][1]);
    out[l][2] = std::fma(unit, fold(part[l][2]), out[l][2]);
    out[l][3] = std::fma(unit * unit, fold(part[l][3]), out[l][3]);
  }
}

// Whether subsets a and b (k indices each) share their first k − 1 indices.
bool same_prefix(const std::uint32_t* a, const std::uint32_t* b, std::size_t k) {
  return std::equal(a, a + k - 1, b);
}

void parity_columns(const RowBlock& blk, const std::uint32_t* subsets, std::size_t count,
                    std::size_t k, double* acc) {
  const std::size_t d = blk.d, chunk = chunk_rows(d), stride = column_stride(chunk);
  const double unit = 1 / std::sqrt(static_cast<double>(k));
  std::vector<double> columns(d * stride), y(chunk), levels(k * stride, 0.0);
  std::vector<std::uint32_t> prefix(k);
  for (std::size_t start = 0; start < blk.rows; start += chunk) {
    const std::size_t rows = std::min(chunk, blk.rows - start);
    const std::size_t padded = (rows + kStride - 1) / kStride * kStride;
    transpose(blk, start, rows, padded, stride, columns.data(), y.data());
    std::size_t fresh = 0;  // levels[1..fresh] hold the sums of prefix[0..fresh−1]
    for (std::size_t s = 0; s < count;) {
      const std::uint32_t* T = subsets + s * k;
      std::size_t same = 0;
      while (same < fresh && same + 1 < k && prefix[same] == T[same]) ++same;
      // levels[i + 1] = levels[i] + x_{T_i}: the order in which z = 0 + x_{T_0} + … is added
      for (std::size_t i = same; i + 1 < k; ++i) {
        const double* from = levels.data() + i * stride;
        const double* c = columns.data() + T[i] * stride;
        double* to = levels.data() + (i + 1) * stride;
        for (std::size_t r = 0; r < padded; ++r) to[r] = from[r] + c[r];
        prefix[i] = T[i];
      }
      fresh = k - 1;
      const double* z = levels.data() + (k - 1) * stride;
      std::size_t e = s + 1;
      while (e < count && same_prefix(T, subsets + e * k, k)) ++e;
      for (; s < e;) {
        const double* last[kLeafGroup];
        double* out[kLeafGroup];
        std::size_t take = kLeafGroup;
        while (take > e - s) take /= 2;
        for (std::size_t l = 0; l < take; ++l) {
          last[l] = columns.data() + subsets[(s + l) * k + k - 1] * stride;
          out[l] = acc + 4 * (s + l);
        }
        if (take == 1) {
          parity_leaves<1>(z, y.data(), last, padded, unit, out);
        } else if (take == 2) {
          parity_leaves<2>(z, y.data(), last, padded, unit, out);
        } else if constexpr (kLeafGroup == 4) {
          parity_leaves<4>(z, y.data(), last, padded, unit, out);
        }
        s += take;
      }
    }
  }
}

// ---- Bit-packed path ----------------------------------------------------------------------

#if !defined(__AVX512F__)
// Lane masks of four rows from four bits: lane j all ones when bit j is set.
struct NibbleMasks {
  std::int64_t mask[16][4];
  constexpr NibbleMasks() : mask{} {
    for (int n = 0; n < 16; ++n)
      for (int j = 0; j < 4; ++j) mask[n][j] = (n >> j) & 1 ? -1 : 0;
  }
};
constexpr NibbleMasks kNibbleMasks;

[[gnu::always_inline]] inline Bits nibble_mask(std::uint64_t nibble) {
  Bits b;
  std::memcpy(&b, kNibbleMasks.mask[nibble], sizeof b);
  return b;
}
#endif

// Σ y_r over the rows r whose bit is set in a[w] & b[w] (b null: a alone), in 64 fixed partial
// sums (group g of eight rows of each word, lane = row within the group) added in a fixed order.
double masked_sum(const std::uint64_t* a, const std::uint64_t* b, const double* y,
                  std::size_t words) {
  Vec part[8][kHalves];
#if defined(__AVX512F__)
  Vec acc[8];
  for (Vec& v : acc) v = Vec{};
  for (std::size_t w = 0; w < words; ++w) {
    const std::uint64_t m = b ? a[w] & b[w] : a[w];
    const double* yw = y + 64 * w;
    for (std::size_t g = 0; g < 8; ++g)
      acc[g] = Vec(_mm512_mask_add_pd(__m512d(acc[g]), static_cast<__mmask8>(m >> (8 * g)),
                                      __m512d(acc[g]), _mm512_loadu_pd(yw + 8 * g)));
  }
  for (std::size_t g = 0; g < 8; ++g) part[g][0] = acc[g];
#else
  // Two sweeps over the words, groups 0–3 then 4–7: eight 4-double accumulators each.
  for (std::size_t quad = 0; quad < 2; ++quad) {
    Vec acc[4][2];
    for (auto& group : acc) group[0] = group[1] = Vec{};
    for (std::size_t w = 0; w < words; ++w) {
      const std::uint64_t m = (b ? a[w] & b[w] : a[w]) >> (32 * quad);
      const double* yw = y + 64 * w + 32 * quad;
      for (std::size_t g = 0; g < 4; ++g)
        for (std::size_t h = 0; h < 2; ++h) {
          const Bits on = nibble_mask((m >> (8 * g + 4 * h)) & 15);
          acc[g][h] += Vec(on & Bits(load(yw + 8 * g + 4 * h)));
        }
    }
    for (std::size_t g = 0; g < 4; ++g)
      for (std::size_t h = 0; h < 2; ++h) part[4 * quad + g][h] = acc[g][h];
  }
#endif
  Vec total[kHalves];
  for (std::size_t h = 0; h < kHalves; ++h)
    total[h] = ((part[0][h] + part[4][h]) + (part[2][h] + part[6][h])) +
               ((part[1][h] + part[5][h]) + (part[3][h] + part[7][h]));
  return fold(total);
}

std::int64_t popcount_and(const std::uint64_t* a, const std::uint64_t* b, std::size_t words) {
  std::int64_t n = 0;
  for (std::size_t w = 0; w < words; ++w) n += std::popcount(b ? a[w] & b[w] : a[w]);
  return n;
}

// v(c) = max(k − 2c, 0): ReLU of the sum of k ±1 values of which c are −1.
std::int64_t relu_of_count(std::size_t k, std::size_t c) {
  return std::max<std::int64_t>(static_cast<std::int64_t>(k) - 2 * static_cast<std::int64_t>(c), 0);
}

void parity_bits(const RowBlock& blk, const std::uint32_t* subsets, std::size_t count,
                 std::size_t k, double* acc) {
  const std::size_t d = blk.d, rows = blk.rows, words = (rows + 63) / 64;
  const double unit = 1 / std::sqrt(static_cast<double>(k));
  // Columns of bits (set: x = −1), the rows present, the labels zero-padded to whole words.
  std::vector<std::uint64_t> bits(d * words, 0), present(words, ~std::uint64_t{0});
  std::vector<double> y(64 * words, 0.0);
  std::vector<std::uint64_t> word(d);
  for (std::size_t w = 0; w < words; ++w) {
    std::fill(word.begin(), word.end(), 0);
    for (std::size_t r = 64 * w; r < std::min(rows, 64 * w + 64); ++r) {
      const float* x = blk.X + r * d;
      const unsigned shift = r % 64;
      for (std::size_t j = 0; j < d; ++j) word[j] |= std::uint64_t{x[j] < 0} << shift;
      y[r] = blk.y[r];
    }
    for (std::size_t j = 0; j < d; ++j) bits[j * words + w] = word[j];
  }
  if (rows % 64 != 0) present[words - 1] = (std::uint64_t{1} << (rows % 64)) - 1;

  // Counts c of −1s among the prefix's k − 1 coordinates with v(c) > 0 or v(c + 1) > 0: c < C.
  const std::size_t C = (k - 1) / 2 + 1;
  std::size_t planes = 1;
  while ((std::size_t{1} << planes) < k) ++planes;  // c ≤ k − 1 in `planes` bits
  std::vector<std::uint64_t> plane(planes * words), equal(C * words), below(2 * words);
  // A row with prefix count c and last bit b has ReLU(z+) = v(c + b), ReLU(z−) = v(c + 1 − b).
  // Per subset: Σ y ReLU(z±) = Σ_c v(c or c+1)·Y_c ∓ Σ_c D(c)·YB_c, where Y_c sums y over the
  // rows of count c, YB_c over those with b = 1 too, and D(c) = v(c) − v(c + 1) is 2 below
  // (k − 1)/2 and 1 at c = (k − 1)/2 for odd k: so Σ_c D(c)·YB_c is 2·YB(c ≤ C − 1) for even k,
  // YB(c ≤ C − 2) + YB(c ≤ C − 1) for odd k. The squares the same way with E(c) = v(c)² −
  // v(c + 1)², from popcounts (exact integers).
  std::int64_t v[64], e_sq[64];
  for (std::size_t c = 0; c < C; ++c) {
    v[c] = relu_of_count(k, c);
    e_sq[c] = v[c] * v[c] - relu_of_count(k, c + 1) * relu_of_count(k, c + 1);
  }
  const bool odd = k % 2 == 1;
  const std::uint64_t* upper = below.data() + words;  // rows with c ≤ C − 1
  const std::uint64_t* lower = below.data();          // rows with c ≤ C − 2 (odd k)

  for (std::size_t s = 0; s < count;) {
    const std::uint32_t* T = subsets + s * k;
    std::fill(plane.begin(), plane.end(), 0);
    for (std::size_t i = 0; i + 1 < k; ++i) {  // add column T_i to the bit-sliced counts
      const std::uint64_t* col = bits.data() + T[i] * words;
      for (std::size_t w = 0; w < words; ++w) {
        std::uint64_t carry = col[w];
        for (std::size_t p = 0; p < planes && carry; ++p) {
          std::uint64_t& bit_word = plane[p * words + w];
          const std::uint64_t next = bit_word & carry;
          bit_word ^= carry;
          carry = next;
        }
      }
    }
    for (std::size_t c = 0; c < C; ++c)
      for (std::size_t w = 0; w < words; ++w) {
        std::uint64_t m = present[w];
        for (std::size_t p = 0; p < planes; ++p)
          m &= (c >> p) & 1 ? plane[p * words + w] : ~plane[p * words + w];
        equal[c * words + w] = m;
      }
    for (std::size_t w = 0; w < words; ++w) {
      std::uint64_t low = 0;
      for (std::size_t c = 0; c + 1 < C; ++c) low |= equal[c * words + w];
      below[w] = low;
      below[words + w] = low | equal[(C - 1) * words + w];
    }
    double shared_plus = 0, shared_minus = 0;  // Σ_c v(c)·Y_c and Σ_c v(c + 1)·Y_c
    std::int64_t square_plus = 0, square_minus = 0;
    for (std::size_t c = 0; c < C; ++c) {  // explicit multiply-adds, as in parity_leaves
      const double Y = masked_sum(equal.data() + c * words, nullptr, y.data(), words);
      const std::int64_t N = popcount_and(equal.data() + c * words, nullptr, words);
      const std::int64_t next = c + 1 < C ? v[c + 1] : relu_of_count(k, c + 1);
      shared_plus = std::fma(static_cast<double>(v[c]), Y, shared_plus);
      shared_minus = std::fma(static_cast<double>(next), Y, shared_minus);
      square_plus += v[c] * v[c] * N;
      square_minus += next * next * N;
    }
    for (; s < count && same_prefix(T, subsets + s * k, k); ++s) {
      const std::uint64_t* last = bits.data() + subsets[s * k + k - 1] * words;
      const double top = masked_sum(upper, last, y.data(), words);
      const double flip =
          odd ? top + (C >= 2 ? masked_sum(lower, last, y.data(), words) : 0.0) : 2 * top;
      std::int64_t square_flip = 0;
      for (std::size_t c = 0; c < C; ++c)
        square_flip += e_sq[c] * popcount_and(equal.data() + c * words, last, words);
      double* a = acc + 4 * s;
      a[0] = std::fma(unit, shared_plus - flip, a[0]);
      a[1] = std::fma(unit * unit, static_cast<double>(square_plus - square_flip), a[1]);
      a[2] = std::fma(unit, shared_minus + flip, a[2]);
      a[3] = std::fma(unit * unit, static_cast<double>(square_minus + square_flip), a[3]);
    }
  }
}

// ---- All sign patterns ----------------------------------------------------------------------

void sign_sums(const RowBlock& blk, const std::uint32_t* subsets, std::size_t count, std::size_t k,
               double* acc) {
  const std::size_t d = blk.d, chunk = chunk_rows(d), stride = column_stride(chunk),
                    patterns = std::size_t{1} << k;
  const double unit = 1 / std::sqrt(static_cast<double>(k));
  std::vector<double> columns(d * stride), y(chunk), z(chunk);
  for (std::size_t start = 0; start < blk.rows; start += chunk) {
    const std::size_t rows = std::min(chunk, blk.rows - start);
    transpose(blk, start, rows, rows, stride, columns.data(), y.data());
    for (std::size_t s = 0; s < count; ++s) {
      const std::uint32_t* T = subsets + s * k;
      for (std::size_t p = 0; p < patterns; ++p) {
        const double s0 = (p & 1 ? -1.0 : 1.0) * unit;
        const double* c0 = columns.data() + T[0] * stride;
#pragma omp simd
        for (std::size_t r = 0; r < rows; ++r) z[r] = s0 * c0[r];
        for (std::size_t i = 1; i < k; ++i) {
          const double* ci = columns.data() + T[i] * stride;
          const double si = ((p >> i) & 1 ? -1.0 : 1.0) * unit;
#pragma omp simd
          for (std::size_t r = 0; r < rows; ++r) z[r] += si * ci[r];
        }
        double yr = 0, rr = 0;
#pragma omp simd reduction(+ : yr, rr)
        for (std::size_t r = 0; r < rows; ++r) {
          const double relu = z[r] > 0 ? z[r] : 0.0;
          yr += y[r] * relu;
          rr += relu * relu;
        }
        acc[2 * (s * patterns + p)] += yr;
        acc[2 * (s * patterns + p) + 1] += rr;
      }
    }
  }
}

}  // namespace
}  // namespace relureg::detail
