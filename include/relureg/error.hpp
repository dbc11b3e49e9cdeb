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

// A process of a multi-process (MPI) run failed: raised on every process, with the message
// "rank R: <cause>" of the first failing rank, so that all stop together and none writes output.
class RankError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace relureg
