// Where relu_stats takes z's dot product in float32 (RowDot::float32_allowed, one gradient).
#pragma once

#include <cstddef>

namespace relureg::detail {

// Whether relu_stats over rows of d features takes the float z on this host now: the short-row
// kernels' choice (short_rows.hpp's short_row_float_z, in the variant short_row_stats_isa picks)
// or, for rows past them, the row-major kernel's (long_row_float_z). Elsewhere a pass that allows
// the float z is the exact one's bit for bit.
bool relu_stats_float_z(std::size_t d);

// Whether the row-major kernel of relu_stats (rows longer than the short-row kernels take) takes
// the float z (src/base/float_rows.hpp): on by default, on every build; the switch is for the
// tests that compare it with the double z.
bool long_row_float_z();
void use_long_row_float_z(bool enabled);

}  // namespace relureg::detail
