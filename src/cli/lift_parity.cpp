// `relureg lift-parity`: a Boolean sparse-parity / LPN data set lifted to Gaussian ReLU regression.
#include <fmt/format.h>

#include "cli.hpp"
#include "option_checks.hpp"
#include "relureg/error.hpp"
#include "relureg/io.hpp"
#include "relureg/parity_lift.hpp"

namespace relureg::cli {

int cmd_lift_parity(const LiftParityOptions& o, const CommonOptions& c, std::ostream& out) {
  detect_format(o.output);  // a bad extension fails before any work
  const std::string truth_path = truth_path_for(o.output);
  const std::string input_labels = o.read.labels.empty() && detect_format(o.data) == FileFormat::npy
                                       ? labels_path_for(o.data).string()
                                       : o.read.labels.string();
  check_output_path(o.output, {o.data, input_labels});
  if (!o.set.empty()) check_output_path(truth_path, {o.data, input_labels});
  const Dataset boolean = read_dataset(o.data, o.read);
  const LiftedParity lifted =
      lift_parity(boolean, c.seed, [&](std::size_t row, std::optional<std::size_t> feature) {
        return cell_location(o.data, o.read, row, feature);
      });
  // The truth is built (and its set checked against d) before anything is written.
  std::optional<GroundTruth> truth;
  if (!o.set.empty()) truth = lifted_parity_truth(o.set, boolean.d, o.eta, c.seed);
  write_dataset(o.output, lifted.data);
  if (truth) write_text_atomically(truth_path, to_json(*truth).dump(2) + "\n");
  if (c.quiet) return 0;
  out << fmt::format("wrote {} ({} rows, {} features; labels {} -> y in {{0, 1}})", o.output,
                     lifted.data.n, lifted.data.d, lifted.label_encoding);
  if (truth)
    out << fmt::format(" and {} (S = {{{}}}, eta = {}: opt = {:.6g}, exact; b0 = {:.6g})",
                       truth_path, fmt::join(o.set, ", "), o.eta, truth->homogeneous->opt,
                       truth->facts["b0"].get<double>());
  out << "\n";
  return 0;
}

}  // namespace relureg::cli
