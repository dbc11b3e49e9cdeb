// The single-process Collective: block sums added in order, errors rethrown where they happened.
#include <algorithm>

#include "relureg/engine.hpp"

namespace relureg {

void Collective::ordered_sum(std::span<const double> block_sums, std::size_t width, std::size_t,
                             std::span<double> total, std::exception_ptr local_error) const {
  if (local_error) std::rethrow_exception(local_error);
  for (std::size_t at = 0; at + width <= block_sums.size(); at += width)
    for (std::size_t k = 0; k < width; ++k) total[k] += block_sums[at + k];
}

void Collective::share_rows(std::span<double>, std::size_t, std::size_t,
                            std::exception_ptr local_error) const {
  if (local_error) std::rethrow_exception(local_error);
}

void Collective::agree(std::exception_ptr local_error) const {
  if (local_error) std::rethrow_exception(local_error);
}

}  // namespace relureg
