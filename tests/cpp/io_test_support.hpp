// Shared helpers and fixtures of the data I/O tests (temp dirs, hand-made NPY bytes, errors).
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "relureg/dataset.hpp"
#include "relureg/error.hpp"
#include "relureg/io.hpp"

namespace fs = std::filesystem;
using relureg::Dataset;
using relureg::DatasetView;
using relureg::InputError;
using relureg::ReadOptions;

namespace io_test {

// The message of the InputError that `f` throws, or a marker when it throws none.
template <class F>
inline std::string input_error(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError thrown)";
}

inline std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

template <class T>
inline bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

template <class T>
inline std::string bytes_of(const std::vector<T>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

// A hand-made NPY 1.0 file: magic, version, header dict padded to 64 bytes, then `payload`.
inline std::string npy_bytes(const std::string& dict, const std::string& payload) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xFF);
  out += static_cast<char>(header.size() >> 8);
  return out + header + payload;
}

inline std::string npy_dict(const std::string& descr, const std::string& shape,
                            bool fortran = false) {
  return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
         ", 'shape': " + shape + ", }";
}

// ReadOptions variants (designated initializers trip -Wmissing-field-initializers on GCC 12).
inline ReadOptions optional_labels() {
  ReadOptions options;
  options.require_labels = false;
  return options;
}
inline ReadOptions label_named(const std::string& name) {
  ReadOptions options;
  options.label_column = name;
  return options;
}
inline ReadOptions labels_file(const fs::path& path) {
  ReadOptions options;
  options.labels = path;
  return options;
}

// Each test gets its own empty directory under the system temp directory.
class IoTestBase : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("relureg_io_" + std::to_string(::getpid()) + "_" +
                                        info->test_suite_name() + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  fs::path file(const std::string& name, const std::string& contents) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << contents;
    return path;
  }

  std::vector<std::string> listing() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  fs::path dir_;
};

class CsvIoTest : public IoTestBase {};
class NpyIoTest : public IoTestBase {};
class FilesIoTest : public IoTestBase {};

// A dataset full of values that are hard to print and parse back exactly.
inline Dataset tricky_dataset() {
  const std::vector<float> floats = {
      0.1f,          -0.0f,
      7.038531e-26f,  // parsing via double would round twice
      FLT_MAX,       -FLT_MAX,    FLT_MIN,      std::numeric_limits<float>::denorm_min(),
      1.0f / 3.0f,   16777217.0f, -123456.789f, 1e-10f,
      3.0f};
  const std::vector<double> doubles = {
      0.1, -0.0, DBL_MAX, std::numeric_limits<double>::denorm_min(), 1.0 / 3.0, -1e300};
  Dataset data(6, 4);
  std::uint32_t state = 12345;
  for (std::size_t i = 0; i < data.X.size(); ++i) {
    state = state * 1664525u + 1013904223u;
    std::uint32_t bits = state;
    float random;
    std::memcpy(&random, &bits, sizeof random);
    data.X[i] = i < floats.size() ? floats[i] : (std::isfinite(random) ? random : 1.5f);
  }
  data.y = doubles;
  return data;
}

}  // namespace io_test

using namespace io_test;  // NOLINT: test helpers
