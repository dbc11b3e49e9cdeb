// Entry point of the relureg command-line tool.
#include <iostream>

#include "cli.hpp"

int main(int argc, char** argv) {
  return relureg::cli::run(argc, argv, std::cout, std::cerr);
}
