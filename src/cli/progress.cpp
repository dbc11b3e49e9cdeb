// Progress bar with elapsed time and ETA for fits that run longer than a second.
#include "progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>

namespace relureg::cli {

bool stderr_is_terminal() {
  return isatty(STDERR_FILENO) == 1;
}

ProgressBar::ProgressBar(std::ostream& err, bool enabled, std::string label, double delay_seconds)
    : err_(err),
      enabled_(enabled),
      label_(std::move(label)),
      delay_(delay_seconds),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() {
  finish();
}

ProgressCallback ProgressBar::callback() {
  if (!enabled_) return {};
  return [this](const FitProgress& p) {
    draw(p);
    return true;
  };
}

void ProgressBar::draw(const FitProgress& p) {
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  if (elapsed < delay_) return;
  if (drawn_ && std::chrono::duration<double>(now - last_draw_).count() < 0.1) return;
  last_draw_ = now;
  const double fraction = p.fraction >= 0 ? std::min(1.0, p.fraction)
                          : p.max_iterations > 0
                              ? std::min(1.0, double(p.passes) / double(p.max_iterations))
                              : 0.0;
  const int width = 30;
  const int filled = static_cast<int>(std::round(fraction * width));
  const std::string eta =
      fraction > 0 ? fmt::format("{:.0f}s", elapsed * (1 - fraction) / fraction) : "?";
  err_ << fmt::format("\r{} [{}{}] {:3.0f}% pass {} loss {:.4g} elapsed {:.0f}s eta {}   ", label_,
                      std::string(filled, '#'), std::string(width - filled, '.'), 100 * fraction,
                      p.passes, p.loss, elapsed, eta)
       << std::flush;
  drawn_ = true;
}

void ProgressBar::finish() {
  if (drawn_) err_ << "\r" << std::string(100, ' ') << "\r" << std::flush;
  drawn_ = false;
}

}  // namespace relureg::cli
