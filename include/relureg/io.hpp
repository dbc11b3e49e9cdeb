// Reading and writing datasets (CSV, NPY), models' JSON and predictions; atomic file output.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "relureg/dataset.hpp"

namespace relureg {

enum class FileFormat { csv, npy };

// Format from the file name: ".csv" or ".npy" (case-insensitive); anything else is an InputError.
FileFormat detect_format(const std::filesystem::path& path);

struct ReadOptions {
  std::string label_column = "y";  // CSV: the label column's header name
  std::filesystem::path labels;    // NPY: the labels file; empty = "<stem>.labels.npy" if it exists
  bool require_labels = true;      // false for predict: a missing label column/file is allowed
};

// Reads a dataset, auto-detecting the format. Every malformed input throws InputError with a
// one-line message naming the file, the line and (where it applies) the column.
Dataset read_dataset(const std::filesystem::path& path, const ReadOptions& options = {});
Dataset read_csv(const std::filesystem::path& path, const ReadOptions& options = {});
Dataset read_npy(const std::filesystem::path& path, const ReadOptions& options = {});

// Where a cell of a data file is, for messages about its value: "FILE:LINE:COLUMN" for a CSV
// (the line of data row `row`, 0-based, as read_csv counts rows; the column as in the file, the
// label column included), "FILE: row R, column C" for NPY features and "LABELS: row R" for NPY
// labels. `feature` is the feature's index, or nullopt for the row's label.
std::string cell_location(const std::filesystem::path& path, const ReadOptions& options,
                          std::size_t row, std::optional<std::size_t> feature);

// Sample weights for the `rows` rows of `data`, one per row: a 1-D .npy file, or a CSV file of
// one column (an optional header, then one number per line; CRLF line ends and a quoted field
// are accepted). Errors name the file and line. The values are checked by WeightedSource.
std::vector<double> read_weights(const std::filesystem::path& path, std::size_t rows,
                                 const std::filesystem::path& data);

// Writes a dataset. CSV: header x0..x{d-1},y. NPY: features to `path` (float32) and labels to
// `labels_path_for(path)` (float64). Both atomically.
void write_dataset(const std::filesystem::path& path, const Dataset& data);
std::filesystem::path labels_path_for(const std::filesystem::path& npy_path);

// Writes a one-column CSV with header `name`, atomically.
void write_column_csv(const std::filesystem::path& path, const std::string& name,
                      const std::vector<double>& values);

// Calls `write(tmp)` with a temporary path in the same directory and renames it to `path` only
// when `write` returns; on an exception the temporary file is removed and the error rethrown.
void write_atomically(const std::filesystem::path& path,
                      const std::function<void(const std::filesystem::path&)>& write);
void write_text_atomically(const std::filesystem::path& path, const std::string& text);

// Reads a whole text file; InputError "<path>: cannot open file: <reason>" when it cannot.
std::string read_text_file(const std::filesystem::path& path);

}  // namespace relureg
