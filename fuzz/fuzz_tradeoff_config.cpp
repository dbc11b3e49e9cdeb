// libFuzzer target: the tradeoff grid config (TOML, or JSON when the input starts with '{').
#include <string>

#include "fuzz_support.hpp"
#include "relureg/tradeoff.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const char* format = !text.empty() && text.front() == '{' ? "json" : "toml";
  relureg::fuzz::expect_only_input_errors(
      [&] { relureg::tradeoff::parse_config(text, format, "fuzz.config"); });
  return 0;
}
