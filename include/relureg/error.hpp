// Exception types shared by the library, the CLI and the Python binding.
#pragma once

#include <stdexcept>
#include <string>

namespace relureg {

// Bad input from a user: malformed file, unknown option, wrong dimension. Maps to ValueError.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An iterative learner produced a NaN or infinite loss. Maps to FloatingPointError.
class DivergenceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The message of a JSON library exception without its "[json.exception.type_error.302] " tag.
inline std::string json_error_text(const std::exception& e) {
  std::string text = e.what();
  if (text.starts_with("[json.exception.")) {
    const std::size_t end = text.find("] ");
    if (end != std::string::npos) text.erase(0, end + 2);
  }
  return text;
}

// A process of a multi-process (MPI) run failed: raised on every process, with the message
// "rank R: <cause>" of the first failing rank, so that all stop together and none writes output.
class RankError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace relureg
