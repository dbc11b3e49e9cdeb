// The parts of a decimal number's text, for the readers that judge its size before parsing it.
#pragma once

#include <string_view>

namespace relureg {

// "2.5e-3" → mantissa "2.5", exponent digits "3" (sign removed), negative exponent.
struct DecimalText {
  std::string_view mantissa;
  bool has_exponent = false;
  bool negative_exponent = false;
  std::string_view exponent_digits;  // as written after the sign; not checked to be digits
};

inline DecimalText split_decimal(std::string_view number) {
  DecimalText parts;
  const std::size_t e = number.find_first_of("eE");
  parts.mantissa = number.substr(0, e);
  if (e == std::string_view::npos) return parts;
  parts.has_exponent = true;
  std::string_view digits = number.substr(e + 1);
  parts.negative_exponent = !digits.empty() && digits.front() == '-';
  if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) digits.remove_prefix(1);
  parts.exponent_digits = digits;
  return parts;
}

}  // namespace relureg
