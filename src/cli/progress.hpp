// A terminal progress bar for long fits, drawn on stderr only when it is a terminal.
#pragma once

#include <chrono>
#include <ostream>
#include <string>

#include "relureg/learner.hpp"

namespace relureg::cli {

class ProgressBar {
 public:
  // Draws nothing unless `enabled`; starts drawing once the fit has run for `delay_seconds`.
  ProgressBar(std::ostream& err, bool enabled, std::string label, double delay_seconds = 1.0);
  ~ProgressBar();
  ProgressCallback callback();
  void finish();  // clears the bar's line

 private:
  void draw(const FitProgress& p);
  std::ostream& err_;
  bool enabled_;
  bool drawn_ = false;
  std::string label_;
  double delay_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// Whether stderr is a terminal (the progress bar is for people, not logs).
bool stderr_is_terminal();

}  // namespace relureg::cli
