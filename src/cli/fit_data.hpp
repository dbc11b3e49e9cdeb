// The data a fit reads: NPY files and shard directories mapped in place (split across MPI ranks),
// CSV files in memory.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "relureg/dataset.hpp"
#include "relureg/engine.hpp"
#include "relureg/io.hpp"
#include "relureg/mapped.hpp"

namespace relureg::cli {

class FitData {
 public:
  // `in_memory`: the caller needs the rows as a Dataset (halfspace label checks, SQ oracles);
  // an NPY input is then copied in, which only one process can do. Under mpirun each rank maps
  // its own rows; a failure on any rank raises RankError on every rank.
  FitData(const std::string& path, const ReadOptions& read, bool in_memory);

  const DataSource& source() const;
  // Throws std::logic_error unless constructed with in_memory.
  const Dataset& memory() const;
  // The collective to give the engine: MPI's with several processes, otherwise null.
  std::shared_ptr<const Collective> collective() const { return collective_; }

 private:
  std::optional<Dataset> memory_;
  std::unique_ptr<MappedNpySource> mapped_;
  DatasetView view_;
  std::shared_ptr<const Collective> collective_;
};

}  // namespace relureg::cli
