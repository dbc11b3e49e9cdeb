// FitData: which reader a fit's data goes through, and the collective its engine needs.
#include "fit_data.hpp"

#include <stdexcept>

#include "relureg/distributed.hpp"
#include "relureg/error.hpp"
#include "relureg/io.hpp"

namespace relureg::cli {
namespace {

// The rows of a (single-process) mapped source copied into memory.
Dataset copy_rows(const MappedNpySource& source) {
  Dataset data(source.rows(), source.cols(), source.has_labels());
  constexpr std::size_t kRows = 4096;
  for (std::size_t begin = 0; begin < data.n; begin += kRows) {
    const RowBlock block = source.block(begin, std::min(kRows, data.n - begin));
    std::copy(block.X, block.X + block.rows * block.d, data.row(begin));
    if (block.y != nullptr) std::copy(block.y, block.y + block.rows, data.y.begin() + begin);
  }
  return data;
}

}  // namespace

FitData::FitData(const std::string& path, const ReadOptions& read, bool in_memory) {
  const int ranks = process_count();
  if (ranks > 1) {
    if (!is_mappable(path))
      throw InputError(path +
                       ": with several processes, fit reads an .npy file or a directory of .npy "
                       "shards (convert a CSV file with `relureg convert`)");
    if (in_memory)
      throw InputError(path +
                       ": halfspace learners and --sq-tolerance need the data in one process; "
                       "run them without mpirun");
    collective_ = process_collective();
    std::exception_ptr error;
    try {
      mapped_ = std::make_unique<MappedNpySource>(
          path, MappedOptions{read.labels, true, process_rank(), ranks});
    } catch (...) {
      error = std::current_exception();
    }
    collective_->agree(error);
    return;
  }
  if (is_mappable(path)) {
    mapped_ = std::make_unique<MappedNpySource>(path, MappedOptions{read.labels, true, 0, 1});
    if (!in_memory) return;
    memory_ = copy_rows(*mapped_);
    mapped_.reset();
  } else {
    memory_ = read_dataset(path, read);
  }
  view_ = memory_->view();
}

const DataSource& FitData::source() const {
  if (mapped_) return *mapped_;
  return view_;
}

const Dataset& FitData::memory() const {
  if (!memory_) throw std::logic_error("FitData: the data was not read into memory");
  return *memory_;
}

}  // namespace relureg::cli
