// Shared test helpers: a two-thread engine and the message of an expected InputError.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "relureg/engine.hpp"
#include "relureg/error.hpp"

namespace relureg::testing {

// One engine with two threads for a whole test binary (results do not depend on the count).
inline const Engine& two_threads() {
  static const Engine engine(EngineOptions{2});
  return engine;
}

// The message of the InputError that fn() throws, or "(no InputError)".
template <class Fn>
std::string input_error_of(Fn fn) {
  try {
    fn();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

// The InputError message of read(j') for j' = a copy of j with change(j') applied.
template <class Read, class Change>
std::string input_error_after(const nlohmann::json& j, Change change, Read read) {
  nlohmann::json changed = j;
  change(changed);
  return input_error_of([&] { read(changed); });
}

}  // namespace relureg::testing
