// Resource bounds: thread clamping from the CPU affinity, available memory, size checks.
#include "relureg/resources.hpp"

#include <fmt/format.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>

#include "relureg/error.hpp"

namespace relureg {
namespace {

// A "Key:   123 kB" line of /proc/meminfo, in bytes; 0 when absent.
std::uint64_t meminfo_bytes(const std::string& key) {
  std::ifstream in("/proc/meminfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) != 0) continue;
    std::istringstream fields(line.substr(key.size() + 1));
    std::uint64_t kib = 0;
    fields >> kib;
    return kib * 1024;
  }
  return 0;
}

// One number from a cgroup v2 file; 0 when absent or "max".
std::uint64_t cgroup_value(const char* file) {
  std::ifstream in(std::string("/sys/fs/cgroup/") + file);
  std::uint64_t value = 0;
  return (in >> value) ? value : 0;
}

}  // namespace

int available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return static_cast<int>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
}

int max_threads() {
  return kThreadsPerCore * available_cores();
}

int clamp_threads(std::uint64_t requested) {
  return static_cast<int>(std::min<std::uint64_t>(requested, max_threads()));
}

std::string thread_clamp_note(const std::string& what, std::uint64_t requested) {
  if (requested <= static_cast<std::uint64_t>(max_threads())) return "";
  const int cores = available_cores();
  return fmt::format("{} {} is more than {} × the {} core{}; using {}", what, requested,
                     kThreadsPerCore, cores, cores == 1 ? "" : "s", max_threads());
}

std::uint64_t available_memory_bytes() {
  std::uint64_t available = meminfo_bytes("MemAvailable");
  if (available == 0) {
    const long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0) available = std::uint64_t(pages) * std::uint64_t(page);
  }
  // A container's memory limit (cgroup v2) binds before the machine's memory does.
  const std::uint64_t limit = cgroup_value("memory.max");
  if (limit > 0) {
    const std::uint64_t used = std::min(limit, cgroup_value("memory.current"));
    available = available == 0 ? limit - used : std::min(available, limit - used);
  }
  return available == 0 ? std::numeric_limits<std::uint64_t>::max() : available;
}

std::string bytes_text(double bytes) {
  static const char* const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 6) {
    bytes /= 1024;
    ++unit;
  }
  if (unit == 0) return fmt::format("{:.0f} bytes", bytes);
  return bytes < 10 ? fmt::format("{:.1f} {}", bytes, units[unit])
                    : fmt::format("{:.0f} {}", bytes, units[unit]);
}

void check_dataset_memory(std::size_t n, std::size_t d, const std::string& what) {
  // In double: n × d may overflow size_t, and the message still gives the size it would need.
  const double needed = static_cast<double>(n) * static_cast<double>(d) * sizeof(float) +
                        static_cast<double>(n) * sizeof(double);
  const std::uint64_t available = available_memory_bytes();
  const bool overflows = d != 0 && n > std::numeric_limits<std::size_t>::max() / sizeof(float) / d;
  if (!overflows && needed <= static_cast<double>(available)) return;
  throw InputError(fmt::format(
      "{}: n × d = {} × {} needs {} of memory (float32 features, float64 labels); {} is "
      "available",
      what, n, d, bytes_text(needed), bytes_text(static_cast<double>(available))));
}

}  // namespace relureg
