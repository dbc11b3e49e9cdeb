// `relureg convert`: a CSV data file streamed into NPY features and labels.
#include <fmt/format.h>

#include "cli.hpp"
#include "relureg/convert.hpp"
#include "relureg/distributed.hpp"

namespace relureg::cli {

int cmd_convert(const ConvertOptions& o, const CommonOptions& c, std::ostream& out) {
  if (process_rank() != 0) return 0;  // under mpirun one process converts
  ReadOptions options;
  options.label_column = o.label;
  // An explicit labels file needs the label column; otherwise a CSV without one converts to
  // features only.
  options.require_labels = !o.labels_out.empty();
  const ConvertSummary s = convert_csv_to_npy(o.data, o.output, o.labels_out, options);
  if (!c.quiet) {
    out << fmt::format("wrote {} ({} rows, {} features)", s.features.string(), s.rows, s.cols);
    if (s.labelled) out << fmt::format(" and {} (labels)", s.labels.string());
    out << "\n";
  }
  return 0;
}

}  // namespace relureg::cli
