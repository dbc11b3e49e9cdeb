// Runs the figures' matplotlib code (relureg.plot) as a child process (no shell) and collects what
// it printed.
#include "figures.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

extern char** environ;

namespace relureg::cli {
namespace {

// The exit status the script uses for "a Python package is missing" (see plot.py).
constexpr int kMissingDependency = 3;

struct ChildResult {
  int status = -1;     // exit status, -1 when it could not run or was killed
  std::string output;  // stdout and stderr together
};

ChildResult run_child(const std::vector<std::string>& args) {
  ChildResult result;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return result;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (spawned == 0) {
    char buffer[4096];
    for (ssize_t got; (got = read(fds[0], buffer, sizeof buffer)) != 0;) {
      if (got < 0) {
        if (errno == EINTR) continue;
        break;
      }
      result.output.append(buffer, static_cast<std::size_t>(got));
    }
  }
  close(fds[0]);
  if (spawned != 0) return result;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

// The folder of the running executable (empty when /proc is unavailable).
std::filesystem::path executable_dir() {
  std::error_code error;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::filesystem::path() : exe.parent_path();
}

std::string plot_python() {
  const char* env = std::getenv("RELUREG_PYTHON");
  if (env && *env) return env;
  // Installed by pip into an environment (a venv's bin/): that environment's interpreter, which
  // can import the installed relureg package.
  const std::filesystem::path dir = executable_dir();
  if (!dir.empty() && !std::filesystem::exists(dir / "CMakeCache.txt") &&
      access((dir / "python3").c_str(), X_OK) == 0)
    return (dir / "python3").string();
  return "/usr/bin/python3";
}

std::string plot_script() {
  const char* env = std::getenv("RELUREG_PLOT_SCRIPT");
  if (env && *env) return env;
  // The build tree: the package copy next to the executable (build/python/relureg/plot.py).
  const std::filesystem::path dir = executable_dir();
  if (!dir.empty() && std::filesystem::exists(dir / "python/relureg/plot.py"))
    return (dir / "python/relureg/plot.py").string();
  return "";  // installed: run the module relureg.plot of the installed package
}

FigureRun draw_figures(const std::filesystem::path& dir) {
  FigureRun run;
  const std::string python = plot_python(), script = plot_script();
  if (access(python.c_str(), X_OK) != 0) {
    run.message = python + " not found (install python3-matplotlib and python3-pandas)";
    return run;
  }
  if (!script.empty() && !std::filesystem::exists(script)) {
    run.message = "the plotting script " + script + " is missing (set RELUREG_PLOT_SCRIPT)";
    return run;
  }
  std::vector<std::string> command{python};
  if (script.empty())
    command.insert(command.end(), {"-m", "relureg.plot"});
  else
    command.push_back(script);
  command.insert(command.end(), {(dir / "results.csv").string(), dir.string()});
  const ChildResult child = run_child(command);
  if (script.empty() && child.status != 0 &&
      child.output.find("No module named relureg") != std::string::npos) {
    run.message = "the relureg Python package is not installed for " + python +
                  " (pip install it, or set RELUREG_PYTHON or RELUREG_PLOT_SCRIPT)";
    return run;
  }
  if (child.status == kMissingDependency) {
    run.message = trimmed(child.output);
    return run;
  }
  if (child.status != 0) {
    run.outcome = FigureRun::Outcome::failed;
    run.message = trimmed(child.output);
    return run;
  }
  run.outcome = FigureRun::Outcome::drawn;
  std::istringstream lines(child.output);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty() && std::filesystem::exists(line)) run.files.push_back(line);
  return run;
}

}  // namespace relureg::cli
