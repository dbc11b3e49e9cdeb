// FitMonitor: history, stop reasons, divergence and tolerance tests in one place; stop callbacks.
#include "relureg/fit_monitor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace relureg {

FitMonitor::FitMonitor(const FitContext& context, MonitorSettings settings,
                       std::vector<double>& history, std::string& stop_reason)
    : context_(context),
      settings_(std::move(settings)),
      history_(history),
      stop_reason_(stop_reason),
      first_pass_(context.engine->passes()) {}

std::size_t FitMonitor::passes() const {
  return context_.engine->passes() - first_pass_;
}

DivergenceError FitMonitor::divergence(std::size_t step, double loss) const {
  return DivergenceError(fmt::format("{} diverged {} {}: training loss is {} (try a smaller step)",
                                     settings_.learner, settings_.step, step, loss));
}

void FitMonitor::check_finite(std::size_t step, double loss, double other) const {
  if (!std::isfinite(loss) || !std::isfinite(other)) throw divergence(step, loss);
}

bool FitMonitor::report(std::size_t step, double loss, double fraction) {
  record(loss);
  return progress(step, loss, fraction);
}

bool FitMonitor::progress(std::size_t step, double loss, double fraction) {
  if (!context_.progress) return true;
  FitProgress p{step, settings_.budget, passes(), loss};
  p.fraction = fraction;
  if (context_.progress(p)) return true;
  stop_reason_ = "callback";
  return false;
}

bool FitMonitor::converged(double previous, double current) {
  const double reference =
      settings_.relative_to == MonitorSettings::RelativeTo::previous ? previous : current;
  if (!(settings_.tol > 0 &&
        std::abs(previous - current) <= settings_.tol * std::max(reference, 1e-300)))
    return false;
  stop_reason_ = "converged";
  return true;
}

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

ProgressCallback stop_after(double seconds, bool* fired) {
  if (!(seconds > 0)) return {};
  const auto start = Clock::now();
  return [start, seconds, fired](const FitProgress&) {
    if (seconds_since(start) <= seconds) return true;
    if (fired) *fired = true;
    return false;
  };
}

ProgressCallback stop_when(std::function<bool()> should_stop, bool* fired) {
  if (!should_stop) return {};
  return [should_stop = std::move(should_stop), fired](const FitProgress&) {
    if (!should_stop()) return true;
    if (fired) *fired = true;
    return false;
  };
}

ProgressCallback stop_at_passes(std::size_t passes) {
  if (passes == 0) return {};
  return [passes](const FitProgress& p) { return p.passes < passes; };
}

ProgressCallback record_timeline(FitTimeline* timeline) {
  const auto start = Clock::now();
  return [start, timeline](const FitProgress& p) {
    timeline->passes.push_back(p.passes);
    timeline->seconds.push_back(seconds_since(start));
    return true;
  };
}

ProgressCallback combine(std::vector<ProgressCallback> callbacks) {
  std::erase_if(callbacks, [](const ProgressCallback& c) { return !c; });
  if (callbacks.empty()) return {};
  if (callbacks.size() == 1) return std::move(callbacks.front());
  return [callbacks = std::move(callbacks)](const FitProgress& p) {
    bool go_on = true;
    for (const ProgressCallback& callback : callbacks) go_on = callback(p) && go_on;
    return go_on;
  };
}

ProgressCallback nested_progress(const FitContext& outer, std::size_t part, std::size_t parts,
                                 std::size_t extra_passes, std::size_t first_pass, bool* stopped) {
  if (!outer.progress) return {};
  return [&outer, part, parts, extra_passes, first_pass, stopped](const FitProgress& p) {
    const bool go_on = outer.progress({part + 1, parts * (p.max_iterations + extra_passes),
                                       outer.engine->passes() - first_pass, p.loss});
    if (!go_on && stopped != nullptr) *stopped = true;
    return go_on;
  };
}

}  // namespace relureg
