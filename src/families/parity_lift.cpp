// lift_parity: a Boolean parity data set checked and lifted to Gaussian inputs.
#include "relureg/parity_lift.hpp"

#include <fmt/format.h>

#include <cmath>

#include "families/sampling.hpp"
#include "relureg/error.hpp"
#include "relureg/parallel.hpp"
#include "relureg/rng.hpp"

namespace relureg {

LiftedParity lift_parity(const Dataset& boolean, std::uint64_t seed, const CellLocator& where) {
  const std::size_t n = boolean.n, d = boolean.d;
  if (boolean.y.size() != n) throw InputError("lift-parity needs labelled data");
  // Check every value first: an error leaves nothing half-made.
  bool minus_one = false, zero = false;
  for (std::size_t r = 0; r < n; ++r) {
    const float* b = boolean.X.data() + r * d;
    for (std::size_t j = 0; j < d; ++j)
      if (b[j] != 1.0f && b[j] != -1.0f)
        throw InputError(
            fmt::format("{}: feature {} is not Boolean (expected -1 or 1)", where(r, j), b[j]));
    const double label = boolean.y[r];
    if (label != 1 && label != -1 && label != 0)
      throw InputError(fmt::format("{}: label {} is not Boolean (expected -1 or 1, or 0 or 1)",
                                   where(r, std::nullopt), label));
    minus_one |= label == -1;
    zero |= label == 0;
    if (minus_one && zero)
      throw InputError(fmt::format(
          "{}: label {} mixes the encodings: an earlier row has label {} (labels are all -1 or "
          "1, or all 0 or 1)",
          where(r, std::nullopt), label, label == 0 ? -1 : 0));
  }

  LiftedParity lifted;
  lifted.label_encoding = zero || !minus_one ? "0/1" : "-1/1";
  lifted.data = Dataset(n, d);
  lifted.data.feature_names = boolean.feature_names;
  const std::uint64_t stream = families::stream_seed(seed, families::Stream::data);
  for_blocks(block_count(n), 0, [&](std::size_t block) {
    families::BlockRandom random(make_rng(stream, block));
    const std::size_t first = block * kBlockRows, last = std::min(n, first + kBlockRows);
    for (std::size_t r = first; r < last; ++r) {
      const float* b = boolean.X.data() + r * d;
      float* x = lifted.data.X.data() + r * d;
      for (std::size_t j = 0; j < d; ++j)
        x[j] = static_cast<float>(b[j] * std::abs(random.normal()));
      const double label = boolean.y[r];
      lifted.data.y[r] = minus_one ? (1 + label) / 2 : label;
    }
  });
  return lifted;
}

}  // namespace relureg
