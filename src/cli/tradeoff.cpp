// `relureg tradeoff`: runs the grid with progress and Ctrl-C handling, writes results and figures.
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <iostream>

#include "cli.hpp"
#include "figures.hpp"
#include "heap_meter.hpp"
#include "option_checks.hpp"
#include "progress.hpp"
#include "relureg/distributed.hpp"
#include "relureg/resources.hpp"
#include "relureg/tradeoff.hpp"
#include "relureg/tradeoff_size.hpp"

namespace relureg::cli {
namespace {

std::atomic<bool> interrupt_requested{false};

extern "C" void on_interrupt(int) {
  interrupt_requested = true;
  static const char message[] =
      "\nrelureg: interrupted; finishing the cells' bookkeeping (Ctrl-C again to kill)\n";
  [[maybe_unused]] const ssize_t ignored = write(STDERR_FILENO, message, sizeof message - 1);
}

// Sets interrupt_requested on the first SIGINT (the second one kills: SA_RESETHAND) while alive.
class InterruptGuard {
 public:
  InterruptGuard() {
    interrupt_requested = false;
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &action, &previous_);
  }
  ~InterruptGuard() { sigaction(SIGINT, &previous_, nullptr); }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  struct sigaction previous_ {};
};

std::string number(const tradeoff::Row& row, const char* column, const char* format) {
  return row[column].is_number() ? fmt::format(fmt::runtime(format), row[column].get<double>())
                                 : "-";
}

// "[ 12/180] label-noise noise=0.01 d=20 n=10000 seed=1 gd: ratio_to_opt 1.0002, ..."
std::string cell_line(const tradeoff::Row& row, const tradeoff::RunProgress& p) {
  const int width = static_cast<int>(std::to_string(p.total).size());
  std::string where = row["family"].get<std::string>();
  if (row["noise"].is_number()) where += fmt::format(" noise={}", row["noise"].get<double>());
  where += fmt::format(" d={} n={} seed={}", row["d"].dump(), row["n"].dump(), row["seed"].dump());
  std::string what;
  const std::string status = row["status"].get<std::string>();
  if (status == "ok" || status == "time-limit") {
    what = row["ratio_to_opt"].is_number()
               ? "ratio_to_opt " + number(row, "ratio_to_opt", "{:.4f}")
               : "loss " + number(row, "population_loss", "{:.3e}") + " (opt 0)";
    what += fmt::format(", excess {}, {} passes, {} s", number(row, "excess", "{:.2e}"),
                        row["passes"].dump(), number(row, "fit_seconds", "{:.3f}"));
    if (status != "ok") what += " (" + status + ")";
  } else {
    what = status + ": " + row["reason"].get<std::string>();
  }
  return fmt::format("[{:>{}}/{}] {} {}: {}\n", p.done, width, p.total, where,
                     row["learner"].get<std::string>(), what);
}

}  // namespace

int cmd_tradeoff(const TradeoffOptions& o, const CommonOptions& c, std::ostream& out,
                 std::ostream& err) {
  // Every key and value is checked here, before any instance is generated.
  if (o.print_keys) {
    out << tradeoff::config_keys_markdown();
    return 0;
  }
  tradeoff::Config config =
      o.config.empty() ? tradeoff::default_config() : tradeoff::read_config(o.config);
  if (o.jobs >= 0) config.jobs = o.jobs;
  if (c.threads > 0) config.threads = c.threads;
  if (o.no_figures) config.figures = false;
  // A config's jobs and threads are clamped like the options (which are clamped already).
  for (auto [key, value] : {std::pair{"jobs", &config.jobs}, std::pair{"threads", &config.threads}})
    if (*value > max_threads()) {
      err << "relureg: note: " << thread_clamp_note(std::string("config ") + key, *value) << "\n";
      *value = max_threads();
    }
  if (!c.quiet) {  // a large grid says what it costs before it starts
    const int jobs = config.jobs > 0 ? config.jobs : available_cores();
    if (const std::string note = tradeoff::grid_size_note(config, jobs); !note.empty())
      err << "relureg: note: " << note << "\n";
  }
  if (o.print_config) {
    out << tradeoff::to_toml(config);
    return 0;
  }
  check_output_folder(o.out);

  const std::filesystem::path dir(o.out);
  // The bar only when `err` is the process's stderr and that is a terminal.
  const bool bar = !c.quiet && &err == &std::cerr && stderr_is_terminal();
  bool announced = false;
  auto announce = [&](const tradeoff::RunProgress& p) {
    if (announced || c.quiet) return;
    announced = true;
    if (p.resumed > 0)
      err << fmt::format("resuming: {} of {} cells are already in {}\n", p.resumed, p.total,
                         (dir / "cells.jsonl").string());
  };
  ProgressLine line(err, bar, 0.0);
  auto draw_bar = [&](const tradeoff::RunProgress& p) {  // at most ten times a second
    line.draw("tradeoff", p.total ? double(p.done) / double(p.total) : 1.0,
              fmt::format("{}/{} cells", p.done, p.total), p.elapsed, p.eta, p.done >= p.total);
  };
  tradeoff::RunOptions options;
  options.out_dir = dir;
  options.stop = &interrupt_requested;
  options.meter = thread_heap_meter();
  options.on_cell = [&](const tradeoff::Row& row, const tradeoff::RunProgress& p) {
    announce(p);
    if (bar)
      draw_bar(p);
    else if (!c.quiet)
      err << cell_line(row, p) << std::flush;
  };
  options.on_tick = [&](const tradeoff::RunProgress& p) {
    announce(p);
    if (bar) draw_bar(p);
  };

  options.rank = process_rank();  // under mpirun, the ranks share the grid's instances
  options.ranks = process_count();
  tradeoff::RunResult result;
  {
    const InterruptGuard guard;
    result = tradeoff::run(config, options);
  }
  line.finish();
  if (options.rank != 0) return 0;  // rank 0 holds every row and writes the results
  tradeoff::write_results(config, result, dir);
  if (result.interrupted) {
    err << fmt::format(
        "relureg: interrupted: {} of {} cells are saved in {}; run the same command again to "
        "resume\n",
        result.rows.size(), result.total, dir.string());
    return 130;
  }
  out << tradeoff::summary_markdown(config, result);
  out << fmt::format("\nwrote {}, {}, {}\n", (dir / "results.csv").string(),
                     (dir / "results.json").string(), (dir / "summary.md").string());
  if (!config.figures || result.rows.empty()) return 0;
  const FigureRun figures = draw_figures(dir);
  switch (figures.outcome) {
    case FigureRun::Outcome::drawn:
      out << "figures:";
      for (const std::string& file : figures.files) out << " " << file;
      out << "\n";
      return 0;
    case FigureRun::Outcome::skipped:
      err << "relureg: figures skipped: " << figures.message << "\n";
      return 0;
    case FigureRun::Outcome::failed:
      err << "relureg: error: drawing the figures failed: " << figures.message << "\n";
      return 1;
  }
  return 0;
}

}  // namespace relureg::cli
