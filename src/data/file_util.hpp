// Low-level file helpers shared by the CSV, NPY and dispatch code of src/data (not public API).
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>

#include <string>
#include <vector>

#include "relureg/dataset.hpp"
#include "relureg/io.hpp"

namespace relureg::detail {

struct CloseFile {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
// An open C file closed on scope exit.
using FilePtr = std::unique_ptr<std::FILE, CloseFile>;

// Throws InputError "<shown>: <what>: <strerror(err)>".
[[noreturn]] void throw_file_error(const std::filesystem::path& shown, const char* what, int err);
// fopen with errors naming `shown` (the path the user knows); refuses directories.
std::FILE* open_file(const std::filesystem::path& path, const char* mode,
                     const std::filesystem::path& shown);
// Flushes and closes an output file, reporting a failed flush (full disk, quota) as an error.
void close_output(std::FILE* file, const std::filesystem::path& shown);
void write_bytes(std::FILE* file, const void* data, std::size_t size,
                 const std::filesystem::path& shown);

// Where an NPY file's values are: a checked float32/float64 C-order header and the file's size.
struct NpyLayout {
  std::size_t rows = 0, cols = 0;  // shape (rows, cols); (rows,) has one column
  std::size_t itemsize = 0;        // 4 (float32) or 8 (float64)
  std::size_t offset = 0;          // byte offset of the first value
};
// Throws InputError as read_npy does (format, shape, truncation). `labels`: shape (n,) or (n, 1).
NpyLayout read_npy_layout(const std::filesystem::path& path, bool labels);

// Receives a CSV data file's rows in batches, as read_csv parses them (same checks and errors).
class CsvRowSink {
 public:
  virtual ~CsvRowSink() = default;
  virtual void start(std::size_t d, bool labelled, const std::vector<std::string>& names) = 0;
  // `count` rows: X row-major (count × d), y one label per row (null when unlabelled).
  virtual void rows(const float* X, const double* y, std::size_t count) = 0;
};
// Parses `path` as read_csv does, in bounded memory, handing the rows to `sink` in file order.
void stream_csv(const std::filesystem::path& path, const ReadOptions& options, CsvRowSink& sink);

// One weight per row of `data` from a 1-D (or n × 1) float NPY file.
std::vector<double> read_npy_weights(const std::filesystem::path& path, std::size_t rows,
                                     const std::filesystem::path& data);

void write_csv_dataset(const std::filesystem::path& path, const Dataset& data);
void write_npy_dataset(const std::filesystem::path& path, const Dataset& data);

}  // namespace relureg::detail
