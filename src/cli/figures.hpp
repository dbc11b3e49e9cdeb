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

// Runs `<python> <plot.py> DIR/results.csv DIR`, or `<python> -m relureg.plot ...` when the
// package is installed. The interpreter is $RELUREG_PYTHON, else the `python3` next to the
// executable (a venv's bin/ after `pip install`), else /usr/bin/python3 (Debian's, with
// python3-matplotlib). The script is $RELUREG_PLOT_SCRIPT, else the build tree's copy next to the
// executable (build/python/relureg/plot.py), else none: the installed module relureg.plot. A
// missing interpreter, script, package or matplotlib is `skipped`.
FigureRun draw_figures(const std::filesystem::path& dir);

// The interpreter and script draw_figures would use.
std::string plot_python();
std::string plot_script();  // empty: `python -m relureg.plot`

}  // namespace relureg::cli
