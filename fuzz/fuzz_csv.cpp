// libFuzzer target: the CSV dataset reader, with and without a required label column.
#include "fuzz_support.hpp"
#include "relureg/io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = relureg::fuzz::input_file(".csv", data, size);
  relureg::ReadOptions options;
  relureg::fuzz::expect_only_input_errors([&] { relureg::read_csv(path, options); });
  options.require_labels = false;
  options.label_column = "label";
  relureg::fuzz::expect_only_input_errors([&] { relureg::read_csv(path, options); });
  return 0;
}
