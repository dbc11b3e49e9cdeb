// Command-line value checks: whole numbers (also 1e6), thread counts clamped with a note, paths.
#include "option_checks.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string_view>

#include "relureg/decimal_text.hpp"
#include "relureg/error.hpp"
#include "relureg/resources.hpp"

namespace fs = std::filesystem;

namespace relureg::cli {
namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

// The text shown in an error: at most 40 characters, control characters escaped.
std::string shown(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, 40)) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    else
      out += c;
  }
  return text.size() > 40 ? out + "..." : out;
}

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// "123", "1e6", "2.5e3", "1000.0": the whole number it denotes, or nothing (not whole, negative,
// not a number, or beyond 64 bits — `too_large` tells the last apart).
std::optional<std::uint64_t> parse_whole(std::string_view text, bool& too_large) {
  too_large = false;
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  const DecimalText parts = split_decimal(text);
  const std::string_view mantissa = parts.mantissa, exponent_digits = parts.exponent_digits;
  long long exponent = 0;
  if (parts.has_exponent) {
    if (!all_digits(exponent_digits) || exponent_digits.size() > 4) {
      too_large = all_digits(exponent_digits) && !parts.negative_exponent;
      return std::nullopt;
    }
    std::from_chars(exponent_digits.data(), exponent_digits.data() + exponent_digits.size(),
                    exponent);
    if (parts.negative_exponent) exponent = -exponent;
  }
  const std::size_t point = mantissa.find('.');
  std::string digits(mantissa.substr(0, point));
  if (point != std::string_view::npos) {
    const std::string_view fraction = mantissa.substr(point + 1);
    if (!fraction.empty() && !all_digits(fraction)) return std::nullopt;
    digits += fraction;
    exponent -= static_cast<long long>(fraction.size());
  }
  if (!all_digits(digits)) return std::nullopt;
  // Drop the digits a negative exponent cuts off: they must all be zeros.
  while (exponent < 0) {
    if (digits.empty() || digits.back() != '0') return std::nullopt;
    digits.pop_back();
    ++exponent;
  }
  const std::size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return 0;
  digits.erase(0, first);
  if (static_cast<long long>(digits.size()) + exponent > 20) {
    too_large = true;
    return std::nullopt;
  }
  digits.append(static_cast<std::size_t>(exponent), '0');
  std::uint64_t value = 0;
  if (std::from_chars(digits.data(), digits.data() + digits.size(), value).ec != std::errc{}) {
    too_large = true;
    return std::nullopt;
  }
  return value;
}

std::string range_text(std::uint64_t lower, std::uint64_t upper) {
  if (upper == kMax) return fmt::format(">= {}", lower);
  return fmt::format("in [{}, {}]", lower, upper);
}

}  // namespace

CLI::Validator whole_number(std::uint64_t lower, std::uint64_t upper) {
  return CLI::Validator(
      [lower, upper](std::string& text) -> std::string {
        bool too_large = false;
        const std::optional<std::uint64_t> value = parse_whole(text, too_large);
        if (!value || *value < lower || *value > upper)
          return fmt::format("expected a whole number {}, got '{}'{}", range_text(lower, upper),
                             shown(text), too_large ? fmt::format(" (at most {})", upper) : "");
        text = std::to_string(*value);
        return "";
      },
      "", "WHOLE");
}

CLI::Validator thread_count(const std::string& option, std::vector<std::string>& notes) {
  return CLI::Validator(
      [option, &notes](std::string& text) -> std::string {
        bool too_large = false;
        const std::optional<std::uint64_t> value = parse_whole(text, too_large);
        if (!value && !too_large)
          return fmt::format("expected a whole number >= 0, got '{}'", shown(text));
        const std::uint64_t requested = value.value_or(kMax);
        if (requested > static_cast<std::uint64_t>(max_threads())) {
          notes.push_back(thread_clamp_note(option, requested));
          text = std::to_string(max_threads());
        } else {
          text = std::to_string(requested);
        }
        return "";
      },
      "", "THREADS");
}

CLI::Validator non_negative_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double value = 0;
        const char* first = text.data();
        const char* last = first + text.size();
        if (first != last && *first == '+') ++first;
        const auto [ptr, ec] = std::from_chars(first, last, value);
        if (ptr != last || ec != std::errc{} || !std::isfinite(value) || !(value >= 0))
          return fmt::format("expected a number >= 0, got '{}'", shown(text));
        return "";
      },
      "", "NONNEGATIVE");
}

void check_output_path(const std::string& output, const std::vector<std::string>& inputs) {
  std::error_code ec;
  for (const std::string& input : inputs) {
    if (input.empty()) continue;
    if (fs::equivalent(output, input, ec))
      throw InputError(output +
                       ": the output would overwrite an input file (choose another output file)");
  }
  if (fs::is_directory(output, ec))
    throw InputError(output + ": cannot write file: " + std::strerror(EISDIR));
  const fs::path parent = fs::path(output).parent_path();
  const fs::path folder = parent.empty() ? fs::path(".") : parent;
  if (!fs::is_directory(folder, ec))
    throw InputError(output + ": cannot write file: " +
                     std::strerror(fs::exists(folder, ec) ? ENOTDIR : ENOENT));
  if (::access(folder.c_str(), W_OK) != 0)
    throw InputError(output + ": cannot write file: " + std::strerror(errno));
}

void check_output_folder(const std::string& folder) {
  std::error_code ec;
  if (fs::exists(folder, ec) && !fs::is_directory(folder, ec))
    throw InputError(folder + ": the output folder is an existing file (choose another --out)");
  fs::create_directories(folder, ec);
  if (ec) throw InputError(folder + ": cannot create the output folder: " + ec.message());
  if (::access(folder.c_str(), W_OK) != 0)
    throw InputError(folder + ": cannot write to the output folder: " + std::strerror(errno));
}

}  // namespace relureg::cli
