// Sample-weight files: one weight per row of a data file, as a one-column CSV or a 1-D NPY.
#include <charconv>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "file_util.hpp"
#include "relureg/error.hpp"
#include "relureg/io.hpp"

namespace fs = std::filesystem;

namespace relureg {
namespace {

std::string_view trim_cell(std::string_view cell) {
  while (!cell.empty() && (cell.front() == ' ' || cell.front() == '\t')) cell.remove_prefix(1);
  while (!cell.empty() && (cell.back() == ' ' || cell.back() == '\t' || cell.back() == '\r'))
    cell.remove_suffix(1);
  if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"')
    cell = cell.substr(1, cell.size() - 2);
  return cell;
}

// The number in `cell`, or false when it is not one number.
bool parse_weight(std::string_view cell, double& value) {
  if (cell.empty()) return false;
  const std::string text(cell);
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

std::vector<double> read_csv_weights(const fs::path& path, std::size_t rows, const fs::path& data) {
  const std::string text = read_text_file(path);
  std::vector<double> weights;
  std::size_t line_number = 0, begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    const std::string_view cell = trim_cell(std::string_view(text).substr(begin, end - begin));
    begin = end + 1;
    ++line_number;
    if (cell.empty()) continue;
    if (cell.find(',') != std::string_view::npos)
      throw InputError(path.string() + ":" + std::to_string(line_number) +
                       ": a weights file has one column (one weight per line)");
    double value = 0;
    if (!parse_weight(cell, value)) {
      if (line_number == 1) continue;  // the header
      throw InputError(path.string() + ":" + std::to_string(line_number) + ": '" +
                       std::string(cell) + "' is not a number");
    }
    weights.push_back(value);
  }
  if (weights.size() != rows)
    throw InputError(path.string() + ": " + std::to_string(weights.size()) + " weights for " +
                     std::to_string(rows) + " rows in " + data.string());
  return weights;
}

}  // namespace

std::vector<double> read_weights(const fs::path& path, std::size_t rows, const fs::path& data) {
  if (path.extension() == ".npy") return detail::read_npy_weights(path, rows, data);
  if (path.extension() == ".csv") return read_csv_weights(path, rows, data);
  throw InputError(path.string() + ": a weights file must end in .csv or .npy");
}

}  // namespace relureg
