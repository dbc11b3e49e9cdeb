// Several processes (MPI): how rows are split between ranks, the launch session, the collective.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "relureg/engine.hpp"
#include "relureg/mapped.hpp"  // rank_rows

namespace relureg {

// Whether this build can run on several processes (MPI was found when it was configured).
bool mpi_built();

// Starts MPI when this process was launched by mpirun (and the build has MPI) and finalises it
// when destroyed; otherwise it does nothing and the process is rank 0 of 1. One per process.
class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
};

// This process's rank and the number of processes (0 and 1 without an MPI session).
int process_rank();
int process_count();

// Rank 0 receives every rank's `text` (in rank order); the other ranks get an empty list. A
// single process gets {text}.
std::vector<std::string> gather_texts(const std::string& text);

// The MPI collective of the running session; null (the engine's single-process default) without
// one. Its reduction adds block sums in global block order: see docs/distributed.md.
std::shared_ptr<const Collective> process_collective();

}  // namespace relureg
