// Grid size before expansion: saturating cell counts, the cap, and the note shown before a run.
#include <fmt/format.h>

#include <limits>

#include "relureg/family.hpp"
#include "relureg/learner.hpp"
#include "relureg/tradeoff_size.hpp"

namespace relureg::tradeoff {
namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
// Grids above either size get a note before they start (the built-in grid, 720 cells at a 30 s
// time limit, stays below both).
constexpr std::uint64_t kAnnouncedCells = 5000;
constexpr double kAnnouncedSeconds = 24 * 3600;

std::uint64_t times(std::uint64_t a, std::uint64_t b) {
  return a != 0 && b > kMax / a ? kMax : a * b;
}

std::string plural(std::uint64_t count, const char* one, const char* many) {
  return fmt::format("{} {}", count, count == 1 ? one : many);
}

std::string hours_text(double seconds) {
  const double hours = seconds / 3600;
  if (hours < 48) return fmt::format("{:.1f} hours", hours);
  if (hours < 24 * 365 * 2) return fmt::format("{:.0f} days", hours / 24);
  return fmt::format("{:.0f} years", hours / (24 * 365));
}

}  // namespace

GridSize grid_size(const Config& config) {
  GridSize size;
  // Each learner runs on the instances of its task (a dataset's task is known once its truth is
  // read: every learner counts, an upper bound).
  const auto learners_of = [&](Task task) {
    std::uint64_t count = 0;
    for (const LearnerSpec& l : config.learners) count += find_learner(l.name).task == task;
    return count;
  };
  const auto add = [](std::uint64_t a, std::uint64_t b) { return a > kMax - b ? kMax : a + b; };
  bool noise_axis = false;
  for (const FamilySpec& family : config.families) {
    std::uint64_t combinations = 1;
    for (const auto& [key, value] : family.params.items())
      if (value.is_array()) combinations = times(combinations, value.size());
    const bool noisy = !family.noise_param.empty() && !config.noise.empty();
    noise_axis = noise_axis || noisy;
    combinations = times(combinations, noisy ? config.noise.size() : 1);
    const std::uint64_t instances =
        times(times(times(combinations, (family.d.empty() ? config.d : family.d).size()),
                    (family.n.empty() ? config.n : family.n).size()),
              config.seeds.size());
    size.instances = add(size.instances, instances);
    size.cells = add(size.cells, times(instances, family.learners.empty()
                                                      ? learners_of(find_family(family.name).task)
                                                      : family.learners.size()));
  }
  const std::uint64_t loaded = times(config.datasets.size(), config.seeds.size());
  size.instances = add(size.instances, loaded);
  size.cells = add(size.cells, times(loaded, config.learners.size()));
  std::string text;
  if (!config.families.empty()) {
    text = plural(config.families.size(), "family", "families");
    if (noise_axis) text += " × " + plural(config.noise.size(), "noise level", "noise levels");
    text += fmt::format(" × {} d × {} n", config.d.size(), config.n.size());
  }
  if (!config.datasets.empty())
    text += (text.empty() ? "" : " + ") + plural(config.datasets.size(), "dataset", "datasets");
  size.breakdown = fmt::format("{} × {} × {}", text.empty() ? "nothing" : "(" + text + ")",
                               plural(config.seeds.size(), "seed", "seeds"),
                               plural(config.learners.size(), "learner", "learners"));
  return size;
}

std::string grid_size_note(const Config& config, int jobs) {
  const GridSize size = grid_size(config);
  const double worst_cpu = static_cast<double>(size.cells) * config.time_limit;
  const double worst_wall = worst_cpu / std::max(1, jobs);
  if (size.cells <= kAnnouncedCells && worst_wall <= kAnnouncedSeconds) return "";
  std::string note = fmt::format("the grid has {} cells: {}", size.cells, size.breakdown);
  if (config.time_limit > 0)
    note +=
        fmt::format("; at time_limit = {} s per fit that is up to {} of fitting ({} on {} job{})",
                    config.time_limit, hours_text(worst_cpu), hours_text(worst_wall), jobs,
                    jobs == 1 ? "" : "s");
  else
    note += "; with no time_limit a fit is not bounded in time";
  return note + ". To cut it: fewer seeds, n, d, noise levels or learners, or a lower time_limit";
}

}  // namespace relureg::tradeoff
