// Shared helpers of the networks experiments: argument parsing, timing, fits and markdown output.
#pragma once

#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "relureg/io.hpp"
#include "relureg/learner.hpp"

namespace relureg::experiments {

// `--quick` (a seconds-long smoke run), `--threads N`, and an optional output path (markdown; the
// report is always printed to stdout as well).
struct Options {
  bool quick = false;
  int threads = 2;
  std::string output;
};

inline Options parse_options(int argc, char** argv, const std::string& default_output,
                             int default_threads = 2) {
  Options o;
  o.output = default_output;
  o.threads = default_threads;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      o.quick = true;
      o.output.clear();
    } else if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
      o.threads = std::stoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
      o.output = argv[++i];
    } else {
      std::cerr << "usage: " << argv[0] << " [--quick] [--threads N] [--out FILE.md]\n";
      std::exit(2);
    }
  }
  return o;
}

inline FitResult run_learner(const std::string& name, const std::vector<std::string>& params,
                             const DataSource& data, const Engine& engine, std::uint64_t seed,
                             bool bias = false) {
  const LearnerEntry& entry = find_learner(name);
  ParamValues values = ParamValues::parse(entry.params, params, name);
  values.set_fit_bias(bias);
  FitContext context{&engine, seed, {}};
  return fit_learner(entry, values, data, context);
}

// Writes the report to stdout and, unless empty, to `path` (atomically).
inline void publish(const std::string& report, const std::string& path) {
  std::cout << report;
  if (!path.empty()) {
    write_text_atomically(path, report);
    std::cerr << "wrote " << path << "\n";
  }
}

}  // namespace relureg::experiments
