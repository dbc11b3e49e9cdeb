// Low-level file helpers shared by the CSV, NPY and dispatch code of src/data (not public API).
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>

#include "relureg/dataset.hpp"

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

void write_csv_dataset(const std::filesystem::path& path, const Dataset& data);
void write_npy_dataset(const std::filesystem::path& path, const Dataset& data);

}  // namespace relureg::detail
