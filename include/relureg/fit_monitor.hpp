// The fit monitor every iterative learner reports to, and the composable progress callbacks.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "relureg/error.hpp"
#include "relureg/learner.hpp"

namespace relureg {

// How an iterative learner stops, declared once per learner.
struct MonitorSettings {
  std::string learner;     // for messages: "gd diverged at iteration 3: ..."
  std::size_t budget = 0;  // FitProgress::max_iterations (the pass or epoch budget; 0 unknown)
  double tol = 0;          // relative loss change that counts as converged (0: never)
  // The loss the change is relative to: the one before the step or the one after it.
  enum class RelativeTo { previous, current } relative_to = RelativeTo::previous;
  std::string step = "at iteration";  // how the divergence message names a step ("in epoch")
};

// The stop bookkeeping of one fit: the loss history, the stop reason, the divergence check, the
// tolerance test, the pass budget and the progress callback. The learner decides what a step is
// and calls the monitor after it; the history and stop reason are written straight into the
// learner's result (`history`, `stop_reason`), so a learner that restarts can monitor each run.
class FitMonitor {
 public:
  FitMonitor(const FitContext& context, MonitorSettings settings, std::vector<double>& history,
             std::string& stop_reason);
  FitMonitor(const FitContext& context, MonitorSettings settings, FitResult& result)
      : FitMonitor(context, std::move(settings), result.loss_history, result.stop_reason) {}

  // Passes over the data since the monitor started, and whether fewer than `max_passes` were made.
  std::size_t passes() const;
  bool within(std::size_t max_passes) const { return passes() < max_passes; }

  // DivergenceError "<learner> diverged <step> <k>: training loss is <loss> (try a smaller step)".
  DivergenceError divergence(std::size_t step, double loss) const;
  // Throws divergence(step, loss) unless every value is finite.
  void check_finite(std::size_t step, double loss, double other = 0) const;

  // Appends `loss` to the history (no progress report: starting and closing losses).
  void record(double loss) { history_.push_back(loss); }
  // Appends `loss` and reports step k to the progress callback; false when the callback asks to
  // stop (the stop reason is then "callback").
  bool report(std::size_t step, double loss, double fraction = -1);
  // Reports without recording (for learners whose history holds other values than the progress).
  bool progress(std::size_t step, double loss, double fraction = -1);
  // Whether |previous − current| ≤ tol · max(reference, 1e-300), the reference being the loss
  // named by settings.relative_to; sets the stop reason "converged" when so.
  bool converged(double previous, double current);

  // Counts passes from the engine's pass `engine_pass` (a fit's start) instead of the monitor's.
  void count_passes_from(std::size_t engine_pass) { first_pass_ = engine_pass; }

  void stop(std::string reason) { stop_reason_ = std::move(reason); }
  const std::string& stop_reason() const { return stop_reason_; }

 private:
  const FitContext& context_;
  MonitorSettings settings_;
  std::vector<double>& history_;
  std::string& stop_reason_;
  std::size_t first_pass_;
};

// Composable progress callbacks: stop rules and observers that the laboratory, the CLI and
// Python combine into FitContext::progress.

// Stops the fit once `seconds` have passed since this call (never when seconds ≤ 0); sets *fired
// (when given) when it does.
ProgressCallback stop_after(double seconds, bool* fired = nullptr);
// Stops the fit when should_stop() returns true (a stop flag, Ctrl-C); sets *fired when it does.
ProgressCallback stop_when(std::function<bool()> should_stop, bool* fired = nullptr);
// Stops the fit once it has made `passes` passes over the data (never when passes = 0).
ProgressCallback stop_at_passes(std::size_t passes);
// When a fit reported: after each report, the passes over the data it had made and the seconds
// since record_timeline was called. Two reports' difference is the time of the passes between
// them, without what the fit did before its first report (the first pass's page faults on a
// mapped file, for one).
struct FitTimeline {
  std::vector<std::size_t> passes;
  std::vector<double> seconds;
};
// An observer (never asks to stop) that appends each report to *timeline.
ProgressCallback record_timeline(FitTimeline* timeline);
// Calls every non-empty callback on each report, in order (every observer sees every report);
// asks to stop when any of them does. Empty when all are empty.
ProgressCallback combine(std::vector<ProgressCallback> callbacks);

// The callback of an inner fit that is part `part` (from 0) of `parts` like it inside an outer fit
// (a reduction that runs another learner per candidate): each inner report reaches `outer`'s
// callback as step part + 1 of parts·(inner budget + extra_passes), with the passes counted from
// the engine's pass `first_pass`. Sets *stopped when the outer callback asks to stop (the inner
// fit stops too). Empty when `outer` has no callback.
ProgressCallback nested_progress(const FitContext& outer, std::size_t part, std::size_t parts,
                                 std::size_t extra_passes, std::size_t first_pass, bool* stopped);

}  // namespace relureg
