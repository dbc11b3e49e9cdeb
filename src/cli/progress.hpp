// The CLI's one progress line (fits, the parity reduction, the laboratory), drawn on a terminal.
#pragma once

#include <chrono>
#include <ostream>
#include <string>

#include "relureg/learner.hpp"

namespace relureg::cli {

// "12s", "3m05s"; "?" for a negative time (unknown).
std::string duration_text(double seconds);

// The one progress formatter of the CLI:
//   "\r<label> [#########.....................]  30% <detail> elapsed 12s eta 28s   "
// drawn on `err` only when enabled, once `delay_seconds` have passed, at most ten times a second
// (a forced draw skips both waits); finish() (and the destructor) clears the line.
class ProgressLine {
 public:
  ProgressLine(std::ostream& err, bool enabled, double delay_seconds = 1.0);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  bool enabled() const { return enabled_; }
  // `fraction` of the work done (clipped to [0, 1]); the ETA assumes a steady rate.
  void draw(const std::string& label, double fraction, const std::string& detail = "",
            bool force = false);
  // The same with the caller's elapsed time and ETA (seconds; negative: unknown).
  void draw(const std::string& label, double fraction, const std::string& detail, double elapsed,
            double eta, bool force = false);
  void finish();

 private:
  std::ostream& err_;
  bool enabled_;
  bool drawn_ = false;
  double delay_;
  std::size_t width_ = 0;  // of the longest line drawn, for finish()
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// The share of a fit done: FitProgress::fraction when the learner knows it, otherwise passes
// over the budget (0 when there is none).
double fit_fraction(const FitProgress& p);

// A progress line for one fit: "<label> [...] 42% pass 120 loss 0.0123 elapsed 3s eta 4s".
class ProgressBar {
 public:
  // Draws nothing unless `enabled`; starts drawing once the fit has run for `delay_seconds`.
  ProgressBar(std::ostream& err, bool enabled, std::string label, double delay_seconds = 1.0);
  ProgressCallback callback();  // empty when not enabled
  void finish() { line_.finish(); }

 private:
  ProgressLine line_;
  std::string label_;
};

// Whether stderr is a terminal (the progress line is for people, not logs).
bool stderr_is_terminal();

}  // namespace relureg::cli
