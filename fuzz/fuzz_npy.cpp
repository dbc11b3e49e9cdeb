// libFuzzer target: the NPY reader, the input as features (labels optional) and as labels.
#include <filesystem>

#include "fuzz_support.hpp"
#include "relureg/io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = relureg::fuzz::input_file(".npy", data, size);
  relureg::ReadOptions options;
  options.require_labels = false;
  relureg::fuzz::expect_only_input_errors([&] { relureg::read_npy(path, options); });
  // The same bytes as the labels of a valid 2 × 1 feature file.
  static const std::filesystem::path features = [] {
    const std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1), }";
    std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
    const std::size_t total = (10 + header.size() + 1 + 63) / 64 * 64;  // data 64-byte aligned
    const std::string padded = header + std::string(total - 10 - header.size() - 1, ' ') + "\n";
    bytes += static_cast<char>(padded.size() & 0xFF);
    bytes += static_cast<char>(padded.size() >> 8);
    bytes += padded + std::string(8, '\0');
    const auto* raw = reinterpret_cast<const std::uint8_t*>(bytes.data());
    const auto file = relureg::fuzz::input_file(".features.npy", raw, bytes.size());
    return file;
  }();
  options.labels = path;
  options.require_labels = true;
  relureg::fuzz::expect_only_input_errors([&] { relureg::read_npy(features, options); });
  return 0;
}
