// File-level I/O: format detection, dispatch to the CSV/NPY codecs, atomic writes, text files.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <system_error>

#include "file_util.hpp"
#include "relureg/error.hpp"
#include "relureg/io.hpp"
#include "relureg/temp_files.hpp"

namespace fs = std::filesystem;

namespace relureg {

using detail::FilePtr;
using detail::open_file;
namespace {}  // namespace

namespace detail {

void throw_file_error(const fs::path& shown, const char* what, int err) {
  throw InputError(shown.string() + ": " + what + ": " + std::strerror(err));
}

// Opens `path` with the fopen `mode`; errors name `shown` (the path the user knows about).
// Directories are refused up front: fopen("r") succeeds on them on Linux and fread fails later.
std::FILE* open_file(const fs::path& path, const char* mode, const fs::path& shown) {
  std::FILE* file = std::fopen(path.c_str(), mode);
  if (file == nullptr) throw_file_error(shown, "cannot open file", errno);
  struct stat info {};
  if (::fstat(::fileno(file), &info) == 0 && S_ISDIR(info.st_mode)) {
    std::fclose(file);
    throw_file_error(shown, "cannot open file", EISDIR);
  }
  return file;
}

// Flushes and closes an output file, reporting a failed flush (full disk, quota) as an error.
void close_output(std::FILE* file, const fs::path& shown) {
  const bool failed = std::ferror(file) != 0;
  const int err = errno;
  if (std::fclose(file) != 0 || failed)
    throw_file_error(shown, "cannot write file", failed ? err : errno);
}

void write_bytes(std::FILE* file, const void* data, std::size_t size, const fs::path& shown) {
  if (size != 0 && std::fwrite(data, 1, size, file) != size) {
    throw_file_error(shown, "cannot write file", errno);
  }
}

}  // namespace detail

FileFormat detect_format(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".csv") return FileFormat::csv;
  if (ext == ".npy") return FileFormat::npy;
  throw InputError(path.string() + ": unknown file format (expected .csv or .npy)");
}

Dataset read_dataset(const fs::path& path, const ReadOptions& options) {
  switch (detect_format(path)) {
    case FileFormat::csv:
      return read_csv(path, options);
    case FileFormat::npy:
      return read_npy(path, options);
  }
  return {};  // unreachable
}

void write_dataset(const fs::path& path, const Dataset& data) {
  switch (detect_format(path)) {
    case FileFormat::csv:
      detail::write_csv_dataset(path, data);
      return;
    case FileFormat::npy:
      detail::write_npy_dataset(path, data);
      return;
  }
}

fs::path labels_path_for(const fs::path& npy_path) {
  return npy_path.parent_path() / (npy_path.stem().string() + ".labels.npy");
}

void write_atomically(const fs::path& path, const std::function<void(const fs::path&)>& write) {
  remove_stale_temp_files(path);  // left by a killed earlier write to the same path
  const fs::path tmp = temp_path_for(path);
  const bool registered = register_temp_file(tmp);  // a SIGINT/SIGTERM removes it
  try {
    write(tmp);
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) throw InputError(path.string() + ": cannot write file: " + ec.message());
  } catch (...) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    if (registered) unregister_temp_file(tmp);
    throw;
  }
  if (registered) unregister_temp_file(tmp);
}

void write_text_atomically(const fs::path& path, const std::string& text) {
  write_atomically(path, [&](const fs::path& tmp) {
    FilePtr file(open_file(tmp, "wb", path));
    detail::write_bytes(file.get(), text.data(), text.size(), path);
    detail::close_output(file.release(), path);
  });
}

std::string read_text_file(const fs::path& path) {
  FilePtr file(open_file(path, "rb", path));
  std::string text;
  char buffer[1 << 16];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) text.append(buffer, got);
  if (std::ferror(file.get())) detail::throw_file_error(path, "cannot read file", errno);
  return text;
}

}  // namespace relureg
