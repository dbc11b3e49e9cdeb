// Entry point of the relureg command-line tool.
#include <iostream>

#include "cli.hpp"
#include "relureg/temp_files.hpp"

int main(int argc, char** argv) {
  relureg::remove_temp_files_on_signal();  // Ctrl-C leaves no half-written file behind
  return relureg::cli::run(argc, argv, std::cout, std::cerr);
}
