// Streaming conversion of a CSV data file into NPY files, in bounded memory.
#pragma once

#include <cstddef>
#include <filesystem>

#include "relureg/io.hpp"

namespace relureg {

struct ConvertSummary {
  std::size_t rows = 0, cols = 0;
  bool labelled = false;
  std::filesystem::path features, labels;  // labels empty when the CSV has no label column
};

// Reads `csv` as read_csv does (same checks, errors "file:line:column: ...") and writes its
// features to `npy` (float32, (n, d)) and its labels to `labels` (float64, (n,); empty path =
// labels_path_for(npy)), streaming: memory stays bounded whatever the file's size. With
// `options.require_labels` false a CSV without the label column gives features only. Both
// files appear only when the whole CSV converted (atomic renames); on an error neither does.
ConvertSummary convert_csv_to_npy(const std::filesystem::path& csv,
                                  const std::filesystem::path& npy,
                                  const std::filesystem::path& labels = {},
                                  const ReadOptions& options = {});

}  // namespace relureg
