// The CLI's one progress line: bar, percentage, detail, elapsed time and ETA, throttled.
#include "progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace relureg::cli {

bool stderr_is_terminal() {
  return isatty(STDERR_FILENO) == 1;
}

std::string duration_text(double seconds) {
  if (seconds < 0) return "?";
  if (seconds < 60) return fmt::format("{:.0f}s", seconds);
  return fmt::format("{:.0f}m{:02.0f}s", std::floor(seconds / 60), std::fmod(seconds, 60));
}

ProgressLine::ProgressLine(std::ostream& err, bool enabled, double delay_seconds)
    : err_(err),
      enabled_(enabled),
      delay_(delay_seconds),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressLine::~ProgressLine() {
  finish();
}

void ProgressLine::draw(const std::string& label, double fraction, const std::string& detail,
                        bool force) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double done = std::clamp(fraction, 0.0, 1.0);
  draw(label, fraction, detail, elapsed, done > 0 ? elapsed * (1 - done) / done : -1, force);
}

void ProgressLine::draw(const std::string& label, double fraction, const std::string& detail,
                        double elapsed, double eta, bool force) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const double since_start = std::chrono::duration<double>(now - start_).count();
  if (!force && since_start < delay_) return;
  if (!force && drawn_ && std::chrono::duration<double>(now - last_draw_).count() < 0.1) return;
  last_draw_ = now;
  fraction = std::clamp(fraction, 0.0, 1.0);
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(std::round(fraction * kWidth));
  const std::string line =
      fmt::format("{} [{}{}] {:3.0f}% {}{}elapsed {} eta {}   ", label, std::string(filled, '#'),
                  std::string(kWidth - filled, '.'), 100 * fraction, detail,
                  detail.empty() ? "" : " ", duration_text(elapsed), duration_text(eta));
  width_ = std::max(width_, line.size());
  err_ << "\r" << line << std::flush;
  drawn_ = true;
}

void ProgressLine::finish() {
  if (drawn_) err_ << "\r" << std::string(width_, ' ') << "\r" << std::flush;
  drawn_ = false;
}

double fit_fraction(const FitProgress& p) {
  if (p.fraction >= 0) return std::min(1.0, p.fraction);
  return p.max_iterations > 0 ? std::min(1.0, double(p.passes) / double(p.max_iterations)) : 0.0;
}

ProgressBar::ProgressBar(std::ostream& err, bool enabled, std::string label, double delay_seconds)
    : line_(err, enabled, delay_seconds), label_(std::move(label)) {}

ProgressCallback ProgressBar::callback() {
  if (!line_.enabled()) return {};
  return [this](const FitProgress& p) {
    line_.draw(label_, fit_fraction(p), fmt::format("pass {} loss {:.4g}", p.passes, p.loss));
    return true;
  };
}

}  // namespace relureg::cli
