// The time/accuracy laboratory: a grid of instances × learners × seeds, run, resumed, tabulated.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "relureg/io.hpp"

namespace relureg::tradeoff {

// One instance family of the grid: its fixed parameters (as written in the config: numbers,
// booleans or words) and the parameter the grid's noise levels set ("" = no noise axis).
struct FamilySpec {
  std::string name;
  nlohmann::json params = nlohmann::json::object();
  std::string noise_param;
  // The family's own axes and learners (keys d, n and learners of its table): empty = the
  // grid's d and n, and every learner of the family's task; otherwise the labels of the grid's
  // learners that run on it.
  std::vector<std::size_t> d, n;
  std::vector<std::string> learners;
};

// A learner variant: a learner of the table with some parameters set, shown as `label`.
struct LearnerSpec {
  std::string name;
  std::string label;
  nlohmann::json params = nlohmann::json::object();
  std::optional<bool> bias;  // fit a bias b: this variant's own setting (unset: the grid's `bias`)
};

// A data file with its ground truth (`<stem>.truth.json` unless `truth` is given), loaded instead
// of generated; the d, n and noise axes do not apply to it.
struct DatasetSpec {
  std::string path;
  std::string truth;
  std::string label = ReadOptions().label_column;  // CSV label column
};

// The grid: families × noise levels × d × n × learners × seeds (+ datasets × learners × seeds).
// The schema, with every key, is in docs/tradeoff.md.
struct Config {
  std::vector<std::uint64_t> seeds = {0, 1, 2};
  std::vector<std::size_t> d = {10};
  std::vector<std::size_t> n = {10000};
  std::vector<double> noise;  // empty: every family at its own parameters
  bool bias = false;
  std::vector<FamilySpec> families;
  std::vector<DatasetSpec> datasets;
  std::vector<LearnerSpec> learners;
  int jobs = 0;           // cells run in parallel (0 = one per core)
  int threads = 0;        // engine threads per fit (0 = cores / jobs)
  double time_limit = 0;  // seconds per fit; a longer fit is stopped and recorded (0 = no limit)
  bool figures = true;
};

// The built-in grid of `relureg tradeoff`: every family and every ReLU learner of the tables.
Config default_config();
// Parses and fully validates a config (every family, learner and parameter value is checked,
// datasets must exist). `format` is "toml" or "json"; errors are InputErrors of the form
// "<origin>:<line>: key 'families.adversarial.etaa': unknown parameter ... (known: ...)".
// Relative dataset paths are taken from `base_dir`.
Config parse_config(const std::string& text, const std::string& format, const std::string& origin,
                    const std::filesystem::path& base_dir = {});
Config read_config(const std::filesystem::path& path);  // format from the extension
nlohmann::json to_json(const Config& config);           // parse_config(dump, "json") gives it back
std::string to_toml(const Config& config);              // the same, as an editable TOML file
// The table of the config's top-level keys (key, values, default, meaning) in Markdown, from the
// one declaration of the keys that the readers and writers use; docs/tradeoff.md holds a copy
// (`relureg tradeoff --print-keys`), checked by a test.
std::string config_keys_markdown();

// Peak heap use of the calling thread. The CLI installs an allocation counter; without one, the
// peak-memory column stays empty.
class MemoryMeter {
 public:
  virtual ~MemoryMeter() = default;
  virtual std::int64_t current_bytes() const = 0;  // bytes allocated minus freed by this thread
  virtual void reset_peak() = 0;                   // peak := current
  virtual std::int64_t peak_bytes() const = 0;
};

struct RunProgress {
  std::size_t total = 0;    // cells of the grid (cell × seed)
  std::size_t done = 0;     // finished, including resumed ones
  std::size_t resumed = 0;  // found finished in the journal
  std::size_t fitted = 0;   // finished by this run
  double elapsed = 0;       // seconds
  double eta = -1;          // seconds, from the work estimate (-1 before the first cell)
};

// A finished cell: one row of results.csv, keyed by `columns()` names (null = empty).
using Row = nlohmann::json;

struct RunOptions {
  std::filesystem::path out_dir;            // journal (cells.jsonl); empty = no journal
  const std::atomic<bool>* stop = nullptr;  // set to stop: running fits abort, unsaved
  std::shared_ptr<MemoryMeter> meter;       // may be null
  int cores = 0;                            // 0 = hardware concurrency
  // Called on the calling thread, in completion order, after the row is in the journal.
  std::function<void(const Row&, const RunProgress&)> on_cell;
  // Called on the calling thread about four times a second.
  std::function<void(const RunProgress&)> on_tick;
  // Under MPI (relureg/distributed.hpp): this rank runs every ranks-th instance still to do and
  // rank 0 gathers the rows; `out_dir` must be the same folder for every rank.
  int rank = 0;
  int ranks = 1;
};

struct RunResult {
  std::vector<std::string> columns;  // fixed columns, then family.* and learner.* parameters
  std::vector<Row> rows;             // finished cells in grid order
  std::size_t total = 0, resumed = 0, fitted = 0;
  bool interrupted = false;
  int jobs = 1, threads = 1;
};

// Runs every cell that the journal in `options.out_dir` does not already hold. Cells of one
// instance run one after another in one worker (one instance in memory per worker); workers run
// instances in parallel. The rows do not depend on jobs or threads, apart from the measured
// columns (measured_columns()).
RunResult run(const Config& config, const RunOptions& options);

// The columns whose values are measurements (wall times, memory), not functions of the config.
const std::vector<std::string>& measured_columns();

// results.csv (tidy), results.json (config + rows) and summary.md, each written atomically.
void write_results(const Config& config, const RunResult& result, const std::filesystem::path& dir);
std::string results_csv(const RunResult& result);
// Markdown: per family, per learner, the median ratio_to_opt, excess, time and passes.
std::string summary_markdown(const Config& config, const RunResult& result);

}  // namespace relureg::tradeoff
