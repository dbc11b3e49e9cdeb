// The relureg command line: one entry point shared by the binary and the in-process tests.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "relureg/dataset.hpp"
#include "relureg/engine.hpp"
#include "relureg/io.hpp"
#include "relureg/learner.hpp"
#include "relureg/model.hpp"
#include "relureg/parity_reduction.hpp"
#include "relureg/query_oracle.hpp"

namespace relureg::cli {

// Runs `relureg ARGS...`; output to `out`, messages and the progress bar to `err`. Returns the
// exit code: 0 success, 1 bad input or failure, 2 bad usage (unknown option), 3 divergence.
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

// Options shared by every subcommand.
struct CommonOptions {
  int threads = 0;
  std::uint64_t seed = 0;
  bool quiet = false;
};

struct GenerateOptions {
  std::string family;
  std::size_t n = 10000;
  std::size_t d = 10;
  std::vector<std::string> params;
  std::string output;
};

// The data commands bind --label/--labels to the library's ReadOptions directly.
struct FitOptions {
  std::string data;
  std::string learner;
  std::string task;  // "relu" or "halfspace"; empty: the learner's
  std::vector<std::string> params;
  bool bias = false;
  bool raw_features = false;  // with --bias: fit on the features as they are
  ReadOptions read;
  std::string weights;  // a sample-weights file (.csv or .npy), one weight per row; empty: none
  std::string truth;    // a ground truth (.truth.json) for the oracles that read it; empty: none
  std::string output;
  double sq_tolerance = 0;  // > 0: run the learner under a statistical-query oracle
  std::string sq_oracle = kDefaultQueryOracle;
};

struct EvaluateOptions {
  std::string model;
  std::string data;
  std::string truth;
  ReadOptions read;
};

struct PredictOptions {
  std::string model;
  std::string data;
  ReadOptions read;  // labels are not needed to predict (require_labels is ignored)
  std::string output;
};

struct DemoOptions {
  std::string family = "label-noise";
  std::size_t n = 100000;
  std::size_t d = 20;
  std::vector<std::string> params;
  bool bias = false;
};

// The flags bind to the library's RecoveryOptions (learner, params, budget, holdout, SQ) and
// ReadOptions directly; k and eta fall back to the ground truth, seed and threads are common.
struct RecoverParityOptions {
  std::string data;
  RecoveryOptions recovery;
  std::size_t k = 0;  // 0 = from the ground truth, if any
  double eta = -1;    // < 0 = from the ground truth, if any
  std::string truth;  // default: <stem>.truth.json when it exists
  ReadOptions read;
  std::string output;
};

int cmd_generate(const GenerateOptions& o, const CommonOptions& c, std::ostream& out);
int cmd_fit(const FitOptions& o, const CommonOptions& c, std::ostream& out, std::ostream& err);
int cmd_evaluate(const EvaluateOptions& o, const CommonOptions& c, std::ostream& out);
int cmd_predict(const PredictOptions& o, const CommonOptions& c, std::ostream& out);
int cmd_learners(std::ostream& out);
int cmd_families(std::ostream& out);
int cmd_demo(const DemoOptions& o, const CommonOptions& c, std::ostream& out, std::ostream& err);
int cmd_recover_parity(const RecoverParityOptions& o, const CommonOptions& c, std::ostream& out,
                       std::ostream& err);

// `relureg lift-parity DATA -o OUT [--set I,J,... --eta ETA]` (lift_parity.cpp).
struct LiftParityOptions {
  std::string data;
  ReadOptions read;
  std::string output;
  std::vector<std::size_t> set;  // the planted set S, when known: writes <stem>.truth.json
  double eta = 0;                // its label noise rate (with `set`)
};
int cmd_lift_parity(const LiftParityOptions& o, const CommonOptions& c, std::ostream& out);

struct TradeoffOptions {
  std::string config;  // empty: the built-in default grid
  std::string out = "out/tradeoff";
  int jobs = -1;  // -1: as the config says
  bool no_figures = false;
  bool print_config = false;
  bool print_keys = false;
};
// Exit code 130 when interrupted (Ctrl-C): the finished cells are saved and a rerun resumes.
int cmd_tradeoff(const TradeoffOptions& o, const CommonOptions& c, std::ostream& out,
                 std::ostream& err);

struct ConvertOptions {
  std::string data;
  std::string output;
  std::string labels_out;  // empty: <stem>.labels.npy next to the output
  std::string label = "y";
};
// `relureg convert DATA.csv -o DATA.npy [--labels-out LABELS.npy]` (convert_command.cpp).
int cmd_convert(const ConvertOptions& o, const CommonOptions& c, std::ostream& out);

// Tasks in the data commands (task_checks.cpp): the --task check, and the ±1 label check
// of a halfspace naming the file.
void check_task(const LearnerEntry& entry, const std::string& task);
void require_halfspace_labels(const Engine& engine, const Dataset& data, const std::string& path);

// "data.csv" -> "data.truth.json" (same folder).
std::string truth_path_for(const std::string& data_path);

}  // namespace relureg::cli
