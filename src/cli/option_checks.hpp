// Command-line value checks with short, exact messages: whole numbers, bounds, output paths.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace relureg::cli {

// A whole number in [lower, upper], also written like 1e6 or 2.5e3; negative numbers, fractions
// and out-of-range values are refused ("expected a whole number >= 1, got '-5'"). The text is
// rewritten to plain digits for CLI11's conversion.
CLI::Validator whole_number(std::uint64_t lower = 0,
                            std::uint64_t upper = std::numeric_limits<std::uint64_t>::max());

// A thread or job count: a whole number >= 0; counts above max_threads() become max_threads()
// and a note for the user is appended to `notes`.
CLI::Validator thread_count(const std::string& option, std::vector<std::string>& notes);

// A finite number >= 0 ("expected a number >= 0, got '-1'").
CLI::Validator non_negative_number();

// Before any work: the output's folder exists and is writable, and the output is none of the
// inputs. Errors name the path the user gave.
void check_output_path(const std::string& output, const std::vector<std::string>& inputs);

// Before any work: `folder` is a folder or can be created as one (the tradeoff's --out).
void check_output_folder(const std::string& folder);

}  // namespace relureg::cli
