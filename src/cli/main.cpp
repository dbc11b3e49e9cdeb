// Entry point of the relureg command-line tool (one process, or one MPI rank under mpirun).
#include <cstring>
#include <iostream>
#include <sstream>

#include "cli.hpp"
#include "relureg/distributed.hpp"
#include "relureg/temp_files.hpp"

namespace {

// The subcommand, if any: the first argument that is not an option.
const char* subcommand(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (argv[i][0] != '-') return argv[i];
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  const relureg::MpiSession mpi(&argc, &argv);
  relureg::remove_temp_files_on_signal();  // Ctrl-C leaves no half-written file behind
  if (relureg::process_rank() == 0) return relureg::cli::run(argc, argv, std::cout, std::cerr);
  // Other ranks take part only in the commands that split work across processes, silently:
  // every message (errors included) is rank 0's to print. The others run on rank 0 alone.
  const char* command = subcommand(argc, argv);
  if (std::strcmp(command, "fit") != 0 && std::strcmp(command, "tradeoff") != 0 &&
      std::strcmp(command, "generate") != 0)
    return 0;
  std::ostringstream out, err;
  return relureg::cli::run(argc, argv, out, err);
}
