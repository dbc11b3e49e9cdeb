// Runs the grid: instances in parallel workers, their cells in turn, every finished cell
// appended to the journal at once so that an interrupted run resumes where it stopped.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "relureg/distributed.hpp"
#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/fit_monitor.hpp"
#include "relureg/io.hpp"
#include "relureg/resources.hpp"
#include "relureg/score.hpp"
#include "tradeoff/grid.hpp"

namespace relureg::tradeoff {
namespace {

using Clock = std::chrono::steady_clock;
using detail::CellSpec;
using detail::Grid;
using detail::InstanceSpec;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// cells.jsonl: one {"key": ..., "row": {...}} per line. A last line cut short by a kill is
// dropped (and cut from the file, so that the next line starts clean); rows of cells that are not
// in this grid are kept in the file but not used.
std::map<std::string, Row> read_journal(const std::filesystem::path& path, const Grid& grid) {
  std::map<std::string, Row> rows;
  if (!std::filesystem::exists(path)) return rows;
  std::map<std::string, bool> wanted;
  for (const CellSpec& cell : grid.cells) wanted[cell.key] = true;
  const std::string text = read_text_file(path);
  std::size_t line_start = 0, line_number = 0;
  while (line_start < text.size()) {
    const std::size_t end = text.find('\n', line_start);
    ++line_number;
    if (end == std::string::npos) {  // an unfinished last line
      std::filesystem::resize_file(path, line_start);
      break;
    }
    const std::string line = text.substr(line_start, end - line_start);
    line_start = end + 1;
    if (line.empty()) continue;
    nlohmann::json record;
    try {
      record = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error&) {
      throw InputError(fmt::format("{}:{}: not a journal record (delete the file to start over)",
                                   path.string(), line_number));
    }
    if (!record.is_object() || !record.contains("key") || !record.contains("row"))
      throw InputError(fmt::format("{}:{}: not a journal record (delete the file to start over)",
                                   path.string(), line_number));
    const std::string key = record["key"].get<std::string>();
    if (wanted.count(key)) rows[key] = record["row"];
  }
  return rows;
}

std::string journal_name(int rank) {
  return rank == 0 ? "cells.jsonl" : "cells.rank-" + std::to_string(rank) + ".jsonl";
}

// An exclusive lock on the journal for the run, so that two runs cannot share one folder.
class JournalLock {
 public:
  JournalLock() = default;
  JournalLock(const JournalLock&) = delete;
  JournalLock& operator=(const JournalLock&) = delete;
  ~JournalLock() {
    if (fd_ >= 0) close(fd_);  // also releases the lock
  }
  void acquire(const std::filesystem::path& path) {
    fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw InputError(path.string() + ": cannot open the journal");
    if (flock(fd_, LOCK_EX | LOCK_NB) != 0)
      throw InputError(
          path.string() +
          ": another `relureg tradeoff` is writing to this folder (use another --out)");
  }

 private:
  int fd_ = -1;
};

// What the workers hand to the coordinating thread.
struct Shared {
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::pair<std::size_t, Row>> finished;  // (cell index, row)
  int active = 0;
  std::exception_ptr error;
  std::atomic<bool> abort{false};  // set on an internal error
};

class Worker {
 public:
  Worker(const Config& config, const Grid& grid, const RunOptions& options, Shared& shared,
         int threads)
      : config_(config),
        grid_(grid),
        options_(options),
        shared_(shared),
        engine_(EngineOptions{threads}) {}

  bool stopping() const { return (options_.stop && options_.stop->load()) || shared_.abort.load(); }

  // Runs the cells of one instance that are not finished yet.
  void run_instance(const InstanceSpec& instance, const std::vector<std::size_t>& cells) {
    if (stopping()) return;
    const std::int64_t baseline = options_.meter ? options_.meter->current_bytes() : 0;
    const auto start = Clock::now();
    Instance data;
    try {
      if (instance.dataset) {
        ReadOptions read;
        read.label_column = instance.dataset->label;
        data.data = read_dataset(instance.dataset->path, read);
        data.truth =
            ground_truth_from_json(nlohmann::json::parse(read_text_file(instance.dataset->truth)),
                                   instance.dataset->truth);
      } else {
        data = generate_instance(instance.family, instance.n, instance.d, instance.seed,
                                 instance.assignments, engine_);
      }
    } catch (const std::exception& e) {
      const bool bad_input = dynamic_cast<const InputError*>(&e) != nullptr;
      for (std::size_t c : cells) {
        Row row = detail::identity_row(config_, grid_, grid_.cells[c]);
        row["status"] = bad_input ? "skipped" : "failed";
        row["reason"] = std::string("generate: ") + e.what();
        post(c, std::move(row));
      }
      return;
    }
    const double generate_seconds = seconds_since(start);
    for (std::size_t c : cells) {
      if (stopping()) return;
      Row row = detail::identity_row(config_, grid_, grid_.cells[c]);
      row["generate_seconds"] = generate_seconds;
      if (fit_cell(grid_.cells[c], data, baseline, row)) post(c, std::move(row));
    }
  }

 private:
  // Fits and evaluates one cell into `row`; false when the fit was stopped by a stop request.
  bool fit_cell(const CellSpec& cell, const Instance& instance, std::int64_t baseline, Row& row) {
    const detail::LearnerVariant& learner = grid_.learners[cell.learner];
    const GroundTruth& truth = instance.truth;
    row["n"] = instance.data.n;
    row["d"] = instance.data.d;
    row["measure"] = task_measure(find_family(truth.family).task);
    row["opt"] = truth.opt;
    row["opt_kind"] = truth.opt_kind;
    row["instance_mb"] = static_cast<double>(instance.data.X.size() * sizeof(float) +
                                             instance.data.y.size() * sizeof(double)) /
                         1e6;
    if (options_.meter) options_.meter->reset_peak();
    bool interrupted = false, timed_out = false;
    FitContext context{&engine_, grid_.instances[cell.instance].seed, {}};
    context.truth = &truth;  // read only by reference oracles (hs-adversarial)
    context.progress = combine({stop_when([this] { return stopping(); }, &interrupted),
                                stop_after(config_.time_limit, &timed_out)});
    FitResult fit;
    try {
      fit = fit_learner(*learner.entry, learner.params, instance.data.view(), context);
    } catch (const InputError& e) {
      row["status"] = "skipped";
      row["reason"] = e.what();
      return true;
    } catch (const DivergenceError& e) {
      row["status"] = "diverged";
      row["reason"] = e.what();
      return true;
    } catch (const std::exception& e) {
      row["status"] = "failed";
      row["reason"] = e.what();
      return true;
    }
    if (interrupted) return false;
    row["status"] = timed_out ? "time-limit" : "ok";
    if (timed_out)
      row["reason"] = fmt::format("stopped after {:.1f} s (time_limit = {} s)", fit.seconds,
                                  config_.time_limit);
    row["fit_seconds"] = fit.seconds;
    row["passes"] = fit.passes;
    row["iterations"] = fit.loss_history.size();
    row["stop_reason"] = timed_out ? "time_limit" : fit.stop_reason;
    if (!fit.loss_history.empty()) row["train_loss"] = fit.loss_history.back();
    const auto evaluate_start = Clock::now();
    try {
      row.update(to_json(score(fit.model, truth, engine_)));
    } catch (const std::exception& e) {
      row["status"] = "failed";
      row["reason"] = std::string("population loss: ") + e.what();
    }
    row["evaluate_seconds"] = seconds_since(evaluate_start);
    if (options_.meter)
      row["peak_heap_mb"] = static_cast<double>(options_.meter->peak_bytes() - baseline) / 1e6;
    return true;
  }

  void post(std::size_t cell, Row row) {
    {
      std::lock_guard lock(shared_.mutex);
      shared_.finished.emplace_back(cell, std::move(row));
    }
    shared_.wake.notify_one();
  }

  const Config& config_;
  const Grid& grid_;
  const RunOptions& options_;
  Shared& shared_;
  Engine engine_;
};

}  // namespace

RunResult run(const Config& config, const RunOptions& options) {
  const auto start = Clock::now();
  const Grid grid = detail::expand(config);
  // Under MPI every rank journals its own cells (rank 0 in cells.jsonl, rank r in
  // cells.rank-r.jsonl) and every rank reads all journals, before any rank appends to one.
  const std::filesystem::path journal_path = options.out_dir.empty()
                                                 ? std::filesystem::path()
                                                 : options.out_dir / journal_name(options.rank);
  std::map<std::string, Row> done;
  JournalLock lock;
  if (!journal_path.empty()) {
    std::filesystem::create_directories(options.out_dir);
    lock.acquire(journal_path);
    done = read_journal(options.out_dir / journal_name(0), grid);
    for (const auto& entry : std::filesystem::directory_iterator(options.out_dir)) {
      const std::string name = entry.path().filename().string();
      if (name.starts_with("cells.rank-") && name.ends_with(".jsonl"))
        done.merge(read_journal(entry.path(), grid));
    }
  }
  const auto collective = options.ranks > 1 ? process_collective() : nullptr;
  if (collective) collective->agree(nullptr);
  // Failed cells (an unexpected error) are tried again, and so are cells stopped by a time limit
  // shorter than the current one.
  for (auto it = done.begin(); it != done.end();) {
    const Row& row = it->second;
    const std::string status = row.value("status", "");
    const bool retry =
        status == "failed" ||
        (status == "time-limit" &&
         (config.time_limit <= 0 || row.value("fit_seconds", 0.0) < config.time_limit));
    it = retry ? done.erase(it) : std::next(it);
  }

  RunResult result;
  result.columns = grid.columns;
  result.total = grid.cells.size();
  result.resumed = done.size();
  std::vector<std::pair<std::size_t, std::vector<std::size_t>>> todo;  // instance, its cells
  double total_work = 0;
  std::size_t instances_left = 0;
  for (std::size_t i = 0; i < grid.instances.size(); ++i) {
    std::vector<std::size_t> cells;
    for (std::size_t c : grid.instances[i].cells)
      if (!done.count(grid.cells[c].key)) cells.push_back(c);
    if (cells.empty()) continue;
    // Instances go round-robin to the ranks (every rank computes the same list).
    if (instances_left++ % static_cast<std::size_t>(options.ranks) !=
        static_cast<std::size_t>(options.rank))
      continue;
    total_work += grid.instances[i].work * static_cast<double>(cells.size());
    todo.emplace_back(i, std::move(cells));
  }

  const int cores = options.cores > 0
                        ? options.cores
                        : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  result.jobs = clamp_threads(static_cast<std::uint64_t>(config.jobs > 0 ? config.jobs : cores));
  result.jobs = std::max(1, std::min<int>(result.jobs, static_cast<int>(todo.size())));
  result.threads = config.threads > 0 ? clamp_threads(static_cast<std::uint64_t>(config.threads))
                                      : std::max(1, cores / result.jobs);

  std::ofstream journal;
  if (!journal_path.empty()) {
    journal.open(journal_path, std::ios::app);
    if (!journal) throw InputError(journal_path.string() + ": cannot open the journal for writing");
  }
  Shared shared;
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> workers;
  shared.active = todo.empty() ? 0 : result.jobs;
  for (int w = 0; w < (todo.empty() ? 0 : result.jobs); ++w)
    workers.emplace_back([&] {
      try {
        Worker worker(config, grid, options, shared, result.threads);
        for (std::size_t i = next++; i < todo.size() && !worker.stopping(); i = next++)
          worker.run_instance(grid.instances[todo[i].first], todo[i].second);
      } catch (...) {
        std::lock_guard lock(shared.mutex);
        if (!shared.error) shared.error = std::current_exception();
        shared.abort = true;
      }
      {
        std::lock_guard lock(shared.mutex);
        --shared.active;
      }
      shared.wake.notify_one();
    });

  std::vector<std::string> fitted_keys;  // by this process
  RunProgress progress;
  progress.total = result.total;
  progress.resumed = progress.done = result.resumed;
  double work_done = 0;
  auto stop_workers = [&] {
    shared.abort = true;
    for (std::thread& t : workers) t.join();
  };
  try {
    for (;;) {
      std::deque<std::pair<std::size_t, Row>> batch;
      bool finished = false;
      {
        std::unique_lock lock(shared.mutex);
        shared.wake.wait_for(lock, std::chrono::milliseconds(250),
                             [&] { return !shared.finished.empty() || shared.active == 0; });
        batch.swap(shared.finished);
        finished = shared.active == 0;
      }
      for (auto& [cell, row] : batch) {
        const CellSpec& spec = grid.cells[cell];
        if (journal.is_open()) {
          journal << nlohmann::json{{"key", spec.key}, {"row", row}}.dump() << '\n';
          journal.flush();
          if (!journal) throw InputError(journal_path.string() + ": cannot write the journal");
        }
        work_done += grid.instances[spec.instance].work;
        ++progress.done;
        ++progress.fitted;
        progress.elapsed = seconds_since(start);
        progress.eta = progress.elapsed * (total_work - work_done) / work_done;
        if (options.on_cell) options.on_cell(row, progress);
        fitted_keys.push_back(spec.key);
        done[spec.key] = std::move(row);
      }
      progress.elapsed = seconds_since(start);
      if (work_done > 0) progress.eta = progress.elapsed * (total_work - work_done) / work_done;
      if (options.on_tick) options.on_tick(progress);
      if (finished && batch.empty()) break;
    }
  } catch (...) {
    stop_workers();
    throw;
  }
  for (std::thread& t : workers) t.join();
  if (collective) {
    // Rank 0 gathers the rows the other ranks fitted (they are in the ranks' journals too).
    collective->agree(shared.error);
    nlohmann::json mine = nlohmann::json::array();
    for (const std::string& key : fitted_keys) mine.push_back({{"key", key}, {"row", done[key]}});
    const std::vector<std::string> texts = gather_texts(mine.dump());
    for (std::size_t r = 1; r < texts.size(); ++r)
      for (const nlohmann::json& record : nlohmann::json::parse(texts[r])) {
        done[record["key"].get<std::string>()] = record["row"];
        ++progress.fitted;
      }
  }
  if (shared.error) std::rethrow_exception(shared.error);

  result.fitted = progress.fitted;
  result.interrupted = done.size() < grid.cells.size();
  for (const CellSpec& cell : grid.cells) {
    const auto it = done.find(cell.key);
    if (it == done.end()) continue;
    Row row = std::move(it->second);
    row["learner"] = grid.learners[cell.learner].label;  // labels may change between runs
    result.rows.push_back(std::move(row));
  }
  return result;
}

}  // namespace relureg::tradeoff
