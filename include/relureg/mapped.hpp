// Memory-mapped NPY data: one file or a directory of shards, read in place and never copied.
#pragma once

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "relureg/dataset.hpp"

namespace relureg {

// Rows [first, last) of `n` that rank `rank` of `size` holds: contiguous runs of whole engine
// blocks of `block_rows` rows (the last block may be short), as even as whole blocks allow.
std::pair<std::size_t, std::size_t> rank_rows(std::size_t n, int rank, int size,
                                              std::size_t block_rows = 4096);

struct MappedOptions {
  std::filesystem::path labels;  // one file only: the labels; empty = "<stem>.labels.npy"
  bool require_labels = true;    // false: unlabelled data is allowed (blocks then have y = null)
  int rank = 0;                  // with `ranks` > 1: map only this rank's rows (rank_rows)
  int ranks = 1;
};

// The rows of an NPY file (float32 or float64 features, C order) or of a directory of NPY shards
// with the same number of columns, read in file-name order as one data set; each shard's labels
// are "<stem>.labels.npy". Only the rows this process holds are mapped (madvise sequential), so a
// pass streams the file through the page cache and the resident anonymous memory stays
// O(d · blocks in flight) whatever n is. Float32 features and float64 labels inside one file are
// handed to kernels in place; other dtypes and blocks that span two shards are converted into a
// per-thread buffer. Every value is checked to be finite the first time its block is read;
// a bad value throws InputError "<file>: row R, column C: value is not finite".
class MappedNpySource final : public DataSource {
 public:
  // Throws InputError naming the file for a missing/unreadable/malformed file or shard.
  explicit MappedNpySource(const std::filesystem::path& path, const MappedOptions& options = {});
  ~MappedNpySource() override;
  MappedNpySource(const MappedNpySource&) = delete;
  MappedNpySource& operator=(const MappedNpySource&) = delete;

  std::size_t rows() const override { return n_; }
  std::size_t cols() const override { return d_; }
  // Rows must lie in local_rows(). A converted block stays valid until this thread's next call.
  RowBlock block(std::size_t begin, std::size_t count) const override;
  std::pair<std::size_t, std::size_t> local_rows() const override { return {first_, last_}; }

  bool has_labels() const { return labelled_; }
  std::size_t shards() const;

 private:
  struct Mapping;
  struct Shard;

  const Shard& shard_of(std::size_t row) const;
  void check_rows(std::size_t begin, std::size_t count) const;
  void check_shard_rows(const Shard& shard, std::size_t begin, std::size_t end) const;

  std::vector<Shard> shards_;
  std::size_t n_ = 0, d_ = 0;
  std::size_t first_ = 0, last_ = 0;
  bool labelled_ = false;
  std::unique_ptr<std::atomic<bool>[]> checked_;  // per 4096-row chunk of the local rows
};

// Whether `path` names a data set the mapped source reads (an .npy file or a directory).
bool is_mappable(const std::filesystem::path& path);

}  // namespace relureg
