// Drawing the laboratory's figures with matplotlib: runs python/relureg/plot.py on results.csv.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace relureg::cli {

struct FigureRun {
  enum class Outcome { drawn, skipped, failed } outcome = Outcome::skipped;
  std::vector<std::string> files;  // written figures (drawn)
  std::string message;             // why it was skipped or how it failed
};

// Runs `<python> <plot.py> DIR/results.csv DIR`. The interpreter is $RELUREG_PYTHON or
// /usr/bin/python3 (Debian's, with python3-matplotlib); the script is $RELUREG_PLOT_SCRIPT or the
// source tree's python/relureg/plot.py. A missing interpreter, script or matplotlib is `skipped`.
FigureRun draw_figures(const std::filesystem::path& dir);

// The interpreter and script draw_figures would use.
std::string plot_python();
std::string plot_script();

}  // namespace relureg::cli
