// libFuzzer target: the model file reader (relu, halfspace, net2 and binact2 models).
#include "fuzz_support.hpp"
#include "relureg/model_ops.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = relureg::fuzz::input_file(".json", data, size);
  relureg::fuzz::expect_only_input_errors([&] { relureg::read_model_file(path); });
  return 0;
}
