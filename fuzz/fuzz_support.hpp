// Shared by the fuzz targets: the input as a file, and the rule that only InputError may escape.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>

#include "relureg/error.hpp"

namespace relureg::fuzz {

// A folder of this process's own, removed at exit. Held by a pointer that is never freed, so that
// it outlives the exit handler that removes it.
inline const std::filesystem::path& input_folder() {
  static const std::filesystem::path* const folder = [] {
    const auto* made = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                                 ("relureg_fuzz_" + std::to_string(::getpid())));
    std::filesystem::create_directories(*made);
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(input_folder(), ignored);
    });
    return made;
  }();
  return *folder;
}

// A file in a temporary folder of this process (removed at exit), rewritten for every input.
inline std::filesystem::path input_file(const char* extension, const std::uint8_t* data,
                                        std::size_t size) {
  const std::filesystem::path path = input_folder() / (std::string("input") + extension);
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) std::abort();
  if (size != 0 && std::fwrite(data, 1, size, file) != size) std::abort();
  std::fclose(file);
  return path;
}

// Runs `read`: a clean InputError is the expected outcome for bad input; any other exception is
// a finding (a crash for the fuzzer, with the message on stderr).
template <class Read>
void expect_only_input_errors(Read&& read) {
  try {
    read();
  } catch (const InputError&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "unexpected exception: %s\n", e.what());
    std::abort();
  }
}

}  // namespace relureg::fuzz
