// Temporary files of atomic writes: a signal-safe registry removed on SIGINT/SIGTERM, stale sweeps.
#include "relureg/temp_files.hpp"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>
#include <string>
#include <system_error>

namespace fs = std::filesystem;

namespace relureg {
namespace {

// A fixed table that the signal handler can read without allocating or locking.
enum SlotState : int { kFree = 0, kBusy = 1, kReady = 2 };
struct Slot {
  std::atomic<int> state{kFree};
  char path[PATH_MAX] = {};
};
std::array<Slot, 32> slots;

extern "C" void remove_temp_files_and_reraise(int signal_number) {
  for (Slot& slot : slots)
    if (slot.state.load() == kReady) ::unlink(slot.path);
  // SA_RESETHAND restored the default action; SA_NODEFER lets it run now.
  ::raise(signal_number);
}

std::string temp_prefix(const fs::path& path) {
  std::string prefix = ".";
  prefix += path.filename().string();
  prefix += ".tmp.";
  return prefix;
}

}  // namespace

fs::path temp_path_for(const fs::path& path) {
  std::string name = temp_prefix(path);
  name += std::to_string(static_cast<long>(::getpid()));
  return path.parent_path() / name;
}

bool register_temp_file(const fs::path& tmp) {
  const std::string text = fs::absolute(tmp).string();
  if (text.size() >= PATH_MAX) return false;
  for (Slot& slot : slots) {
    int expected = kFree;
    if (!slot.state.compare_exchange_strong(expected, kBusy)) continue;
    std::memcpy(slot.path, text.c_str(), text.size() + 1);
    slot.state.store(kReady);
    return true;
  }
  return false;
}

void unregister_temp_file(const fs::path& tmp) {
  const std::string text = fs::absolute(tmp).string();
  for (Slot& slot : slots) {
    int expected = kReady;
    if (slot.state.load() != kReady || text != slot.path) continue;
    if (slot.state.compare_exchange_strong(expected, kBusy)) {
      slot.path[0] = '\0';
      slot.state.store(kFree);
      return;
    }
  }
}

void remove_temp_files_on_signal() {
  struct sigaction action {};
  action.sa_handler = remove_temp_files_and_reraise;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND | SA_NODEFER;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

void remove_stale_temp_files(const fs::path& path) {
  const std::string prefix = temp_prefix(path);
  const fs::path parent = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  std::error_code ec;
  for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(prefix)) continue;
    const std::string_view digits = std::string_view(name).substr(prefix.size());
    long pid = 0;
    const auto [ptr, error] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
    if (error != std::errc{} || ptr != digits.data() + digits.size() || pid <= 0) continue;
    if (pid == static_cast<long>(::getpid())) continue;  // ours, still being written
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // still running
    std::error_code ignored;
    fs::remove(it->path(), ignored);
  }
}

}  // namespace relureg
