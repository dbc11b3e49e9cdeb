// `relureg tradeoff` end to end: the tidy CSV against separate fit + evaluate runs, determinism,
// resume after an interruption (in process and by a real SIGINT), and the figures.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <new>
#include <nlohmann/json.hpp>
#include <thread>

#include "heap_meter.hpp"
#include "relureg/tradeoff.hpp"
#include "tradeoff_test_util.hpp"

extern char** environ;

namespace relureg {
namespace {

using testing::CliRun;
using testing::Csv;
using testing::read_csv_file;
using testing::read_file;
using testing::run_cli;

// realizable (no noise axis) and label-noise at two noise levels, d ∈ {3, 5}, two seeds, three
// learner variants: 2·2·3 + 2·2·2·3 = 36 cells; the exhaustive learner cannot run at d = 5.
const std::string kTinyGrid = R"(seeds = [1, 2]
d = [3, 5]
n = [3000]
noise = [0.01, 0.1]
figures = false

)" + testing::kTwoFamiliesTwoLearners +
                              R"(
[[learners]]
name = "exhaustive"
params = { grid = 64, refine = 2 }
)";
constexpr std::size_t kTinyCells = 36;

// clang-format off
const std::vector<std::string> kFixedColumns = {
    "family", "dataset", "noise", "d", "n", "seed", "bias", "learner", "learner_name",
    "status", "reason", "measure", "opt", "opt_kind", "opt_class", "train_loss", "population_loss",
    "population_loss_method", "population_loss_stderr", "excess", "ratio_to_opt", "passes",
    "iterations", "stop_reason", "instance_mb",
    "fit_seconds", "generate_seconds", "evaluate_seconds", "peak_heap_mb"};
// clang-format on

// The CSV with the measured columns (times, memory) blanked: what must be reproducible.
std::string without_measurements(const Csv& csv) {
  std::string out;
  for (const auto& row : csv.rows) {
    for (const std::string& column : csv.header) {
      const auto& measured = tradeoff::measured_columns();
      const bool skip = std::find(measured.begin(), measured.end(), column) != measured.end();
      out += (skip ? std::string("*") : row.at(column)) + ",";
    }
    out += "\n";
  }
  return out;
}

const std::map<std::string, std::string>& find_row(const Csv& csv, const std::string& family,
                                                   const std::string& noise, const std::string& d,
                                                   const std::string& seed,
                                                   const std::string& learner) {
  for (const auto& row : csv.rows)
    if (row.at("family") == family && row.at("noise") == noise && row.at("d") == d &&
        row.at("seed") == seed && row.at("learner") == learner)
      return row;
  throw std::runtime_error("no row for " + family + " " + learner);
}

class Tradeoff : public testing::TempDirTest {};

TEST_F(Tradeoff, TinyGridMatchesSeparateFitAndEvaluateRuns) {
  const std::string config = write("grid.toml", kTinyGrid);
  const CliRun r = run_cli({"tradeoff", "--config", config, "--out", path("out"), "--jobs", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  const Csv csv = read_csv_file(path("out/results.csv"));
  ASSERT_GE(csv.header.size(), kFixedColumns.size());
  EXPECT_EQ(std::vector<std::string>(csv.header.begin(), csv.header.begin() + kFixedColumns.size()),
            kFixedColumns);
  for (const char* column : {"family.noise", "family.noise_dist", "learner.step", "learner.grid"})
    EXPECT_NE(std::find(csv.header.begin(), csv.header.end(), column), csv.header.end()) << column;
  ASSERT_EQ(csv.rows.size(), kTinyCells);
  // Non-terminal stderr: one line per finished cell.
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), static_cast<long>(kTinyCells)) << r.err;
  EXPECT_NE(r.out.find("## label-noise (opt: exact)"), std::string::npos) << r.out;

  std::size_t skipped = 0;
  for (const auto& row : csv.rows) {
    if (row.at("status") == "skipped") {
      ++skipped;
      EXPECT_EQ(row.at("learner_name"), "exhaustive");
      EXPECT_EQ(row.at("d"), "5");
      EXPECT_EQ(row.at("reason"),
                "exhaustive: d = 5 is too large (the direction grid covers d <= 3)");
      continue;
    }
    ASSERT_EQ(row.at("status"), "ok") << row.at("reason");
    const std::size_t d = std::stoul(row.at("d"));
    // The instance's bytes (float32 features, double labels) and a peak that holds them.
    EXPECT_DOUBLE_EQ(std::stod(row.at("instance_mb")), 3000.0 * (4.0 * d + 8.0) / 1e6);
    EXPECT_GE(std::stod(row.at("peak_heap_mb")), std::stod(row.at("instance_mb")));
    EXPECT_LT(std::stod(row.at("peak_heap_mb")), std::stod(row.at("instance_mb")) + 20);
    if (row.at("family") == "realizable") {
      EXPECT_EQ(row.at("noise"), "");
      EXPECT_EQ(row.at("opt"), "0");
      if (row.at("learner_name") != "moment") {  // descent recovers the teacher
        EXPECT_LT(std::stod(row.at("population_loss")), 1e-6) << row.at("learner");
      }
    } else {
      EXPECT_EQ(row.at("opt"), row.at("noise"));
      EXPECT_EQ(row.at("family.noise"), row.at("noise"));
      // Statistical excess ≈ d·noise/n, 0.17 % of opt here; the one-pass moment estimate is
      // allowed more.
      const double ratio = std::stod(row.at("ratio_to_opt"));
      EXPECT_GE(ratio, 1.0);
      EXPECT_LT(ratio, row.at("learner_name") == "moment" ? 1.06 : 1.006) << row.at("learner");
    }
  }
  EXPECT_EQ(skipped, 6u);  // exhaustive at d = 5: (2 + 4) instances

  // The same cells through generate, fit and evaluate give the same numbers.
  struct Case {
    std::string family, noise, d, seed, learner, fit_learner;
    std::vector<std::string> generate_params, fit_params;
  };
  const std::vector<Case> cases = {
      {"label-noise", "0.1", "5", "2", "gd[step=0.5]", "gd", {"noise=0.1"}, {"step=0.5"}},
      {"label-noise",
       "0.01",
       "3",
       "1",
       "exhaustive[grid=64,refine=2]",
       "exhaustive",
       {"noise=0.01"},
       {"grid=64", "refine=2"}},
      {"realizable", "", "5", "1", "moment", "moment", {}, {}}};
  for (const Case& c : cases) {
    const auto& row = find_row(csv, c.family, c.noise, c.d, c.seed, c.learner);
    std::vector<std::string> gen = {"generate", "--family", c.family, "--n", "3000",          "--d",
                                    c.d,        "--seed",   c.seed,   "-o",  path("data.npy")};
    for (const auto& p : c.generate_params) gen.insert(gen.end(), {"--param", p});
    ASSERT_EQ(run_cli(gen).code, 0);
    std::vector<std::string> fit = {"fit",         path("data.npy"), "--learner",
                                    c.fit_learner, "--seed",         c.seed,
                                    "-o",          path("m.json"),   "--quiet"};
    for (const auto& p : c.fit_params) fit.insert(fit.end(), {"--param", p});
    ASSERT_EQ(run_cli(fit).code, 0);
    const CliRun ev = run_cli({"evaluate", "--model", path("m.json"), path("data.npy"), "--truth",
                               path("data.truth.json")});
    ASSERT_EQ(ev.code, 0) << ev.err;
    const auto j = nlohmann::json::parse(ev.out);
    EXPECT_EQ(std::stod(row.at("population_loss")), j["population_loss"].get<double>())
        << c.learner;
    EXPECT_EQ(std::stod(row.at("opt")), j["opt"].get<double>());
    EXPECT_NEAR(std::stod(row.at("train_loss")), j["loss"].get<double>(),
                1e-12 * j["loss"].get<double>() + 1e-15);
    const auto model = nlohmann::json::parse(read_file(path("m.json")));
    EXPECT_EQ(row.at("passes"), model["metrics"]["passes"].dump());
  }
}

TEST_F(Tradeoff, RowsDoNotDependOnJobsThreadsOrConfigFormat) {
  const std::string toml = write("grid.toml", kTinyGrid);
  ASSERT_EQ(run_cli({"tradeoff", "--config", toml, "--out", path("a"), "--jobs", "1"}).code, 0);
  ASSERT_EQ(
      run_cli({"tradeoff", "--config", toml, "--out", path("b"), "--jobs", "2", "--threads", "2"})
          .code,
      0);
  const std::string json =
      write("grid.json", tradeoff::to_json(tradeoff::read_config(toml)).dump());
  ASSERT_EQ(run_cli({"tradeoff", "--config", json, "--out", path("c"), "--jobs", "2"}).code, 0);
  const std::string a = without_measurements(read_csv_file(path("a/results.csv")));
  EXPECT_EQ(a, without_measurements(read_csv_file(path("b/results.csv"))));
  EXPECT_EQ(a, without_measurements(read_csv_file(path("c/results.csv"))));
  // results.json holds the same rows and the config that produced them.
  const auto j = nlohmann::json::parse(read_file(path("a/results.json")));
  EXPECT_EQ(j["rows"].size(), kTinyCells);
  EXPECT_EQ(j["config"]["n"], nlohmann::json::array({3000}));
  EXPECT_TRUE(std::filesystem::exists(path("a/summary.md")));
}

// Keeps an allocation alive: a compiler may drop a new-expression whose memory is never used.
void keep(const void* p) {
  asm volatile("" : : "r"(p) : "memory");
}

TEST(HeapMeter, CountsPlainAndNothrowNewUntilTheyAreDeleted) {
  // The meter replaces every non-aligned global new and delete, the nothrow forms included (with
  // AddressSanitizer, whose runtime defines those itself, they were not counted and then freed
  // here: an alloc-dealloc mismatch).
  const auto meter = cli::thread_heap_meter();
  const std::int64_t before = meter->current_bytes();
  char* plain = new char[100000];
  keep(plain);
  const std::int64_t with_plain = meter->current_bytes();
  EXPECT_GE(with_plain - before, 100000);
  char* nothrow = new (std::nothrow) char[200000];
  ASSERT_NE(nothrow, nullptr);
  keep(nothrow);
  EXPECT_GE(meter->current_bytes() - with_plain, 200000);
  int* one = new (std::nothrow) int(7);
  keep(one);
  EXPECT_EQ(*one, 7);
  delete one;
  delete[] nothrow;
  EXPECT_EQ(meter->current_bytes(), with_plain);
  delete[] plain;
  EXPECT_EQ(meter->current_bytes(), before);
  EXPECT_GE(meter->peak_bytes(), before + 300000);
}

// A heap meter that holds each fit from the `hold_from`-th on (counted by reset_peak, which the
// workers call as a fit starts) until `stop` is set, or 60 s pass. Without it the workers could
// finish the whole tiny grid before the calling thread's on_cell sees the cells and sets the stop.
class HoldingMeter : public tradeoff::MemoryMeter {
 public:
  HoldingMeter(const std::atomic<bool>& stop, int hold_from) : stop_(stop), hold_from_(hold_from) {}
  std::int64_t current_bytes() const override { return inner_->current_bytes(); }
  std::int64_t peak_bytes() const override { return inner_->peak_bytes(); }
  void reset_peak() override {
    if (++started_ >= hold_from_) {
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      while (!stop_.load() && std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    inner_->reset_peak();
  }

 private:
  std::shared_ptr<tradeoff::MemoryMeter> inner_ = cli::thread_heap_meter();
  const std::atomic<bool>& stop_;
  const int hold_from_;
  std::atomic<int> started_{0};
};

TEST_F(Tradeoff, ResumeAfterInterruptionKeepsFinishedCellsWithoutRefitting) {
  const tradeoff::Config config = tradeoff::parse_config(kTinyGrid, "toml", "tiny");
  std::atomic<bool> stop{false};
  tradeoff::RunOptions first;
  first.out_dir = dir_ / "out";
  first.stop = &stop;
  // Two workers; the 10th fit waits for the stop, so at least 10 - 2 = 8 fits finish before it.
  first.cores = 2;
  first.meter = std::make_shared<HoldingMeter>(stop, 10);
  first.on_cell = [&](const tradeoff::Row&, const tradeoff::RunProgress& p) {
    if (p.done >= 7) stop = true;  // as Ctrl-C does
  };
  const tradeoff::RunResult interrupted = tradeoff::run(config, first);
  ASSERT_TRUE(interrupted.interrupted);
  const std::size_t saved = interrupted.rows.size();
  ASSERT_GE(saved, 7u);
  ASSERT_LT(saved, kTinyCells);
  const std::string journal = read_file(dir_ / "out/cells.jsonl");
  EXPECT_EQ(static_cast<std::size_t>(std::count(journal.begin(), journal.end(), '\n')), saved);

  tradeoff::RunOptions second;
  second.out_dir = dir_ / "out";
  second.meter = cli::thread_heap_meter();
  std::size_t fits = 0;
  second.on_cell = [&](const tradeoff::Row&, const tradeoff::RunProgress&) { ++fits; };
  const tradeoff::RunResult resumed = tradeoff::run(config, second);
  EXPECT_FALSE(resumed.interrupted);
  EXPECT_EQ(resumed.resumed, saved);
  EXPECT_EQ(resumed.fitted, kTinyCells - saved);
  EXPECT_EQ(fits, kTinyCells - saved);
  ASSERT_EQ(resumed.rows.size(), kTinyCells);
  // The saved rows come back unchanged, timings included: they were not fitted again.
  for (const tradeoff::Row& old_row : interrupted.rows)
    EXPECT_NE(std::find(resumed.rows.begin(), resumed.rows.end(), old_row), resumed.rows.end());

  // And the whole table equals an uninterrupted run's, apart from the measurements.
  tradeoff::RunOptions fresh;
  fresh.out_dir = dir_ / "fresh";
  tradeoff::write_results(config, resumed, dir_ / "out");
  tradeoff::write_results(config, tradeoff::run(config, fresh), dir_ / "fresh");
  EXPECT_EQ(without_measurements(read_csv_file(dir_ / "out/results.csv")),
            without_measurements(read_csv_file(dir_ / "fresh/results.csv")));

  // A journal line cut short by a kill is dropped; everything else is still finished.
  std::ofstream(dir_ / "out/cells.jsonl", std::ios::app) << "{\"key\": \"half a rec";
  const tradeoff::RunResult again = tradeoff::run(config, second);
  EXPECT_EQ(again.fitted, 0u);
  EXPECT_EQ(again.resumed, kTinyCells);
  EXPECT_EQ(read_file(dir_ / "out/cells.jsonl").back(), '\n');
}

TEST_F(Tradeoff, LoadedDatasetGivesTheSameNumbersAsTheGeneratedInstance) {
  generate("label-noise", 3000, 5, "data.npy", {"--seed", "2", "--param", "noise=0.1"});
  const std::string config = write("grid.toml",
                                   "seeds = [2]\nfigures = false\nlearners = [{name = \"gd\", "
                                   "params = {step = 0.5}}]\n[[datasets]]\npath = \"data.npy\"\n");
  const CliRun r = run_cli({"tradeoff", "--config", config, "--out", path("out"), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  const Csv loaded = read_csv_file(path("out/results.csv"));
  ASSERT_EQ(loaded.rows.size(), 1u);
  const auto& row = loaded.rows[0];
  EXPECT_EQ(row.at("dataset"), path("data.npy"));
  EXPECT_EQ(row.at("family"), "label-noise");
  EXPECT_EQ(row.at("noise"), "");
  EXPECT_EQ(row.at("n"), "3000");
  EXPECT_EQ(row.at("d"), "5");
  EXPECT_EQ(row.at("family.noise"), "0.1");

  ASSERT_EQ(run_cli({"tradeoff", "--config", write("tiny.toml", kTinyGrid), "--out", path("gen"),
                     "--quiet"})
                .code,
            0);
  const Csv all = read_csv_file(path("gen/results.csv"));
  const auto& generated = find_row(all, "label-noise", "0.1", "5", "2", "gd[step=0.5]");
  for (const char* column : {"population_loss", "train_loss", "opt", "passes"})
    EXPECT_EQ(row.at(column), generated.at(column)) << column;
}

TEST_F(Tradeoff, TimeLimitedFitsAreRecordedAndRetriedUnderALongerLimit) {
  const std::string grid =
      "seeds = [0, 1]\nd = [5]\nn = [2000]\nlearners = [\"gd\"]\n[families.label-noise]\n";
  tradeoff::RunOptions options;
  options.out_dir = dir_ / "out";
  const tradeoff::Config limited = tradeoff::parse_config(grid, "toml", "t");
  tradeoff::Config tight = limited;
  tight.time_limit = 1e-9;  // every iterative fit stops at its first progress report
  const tradeoff::RunResult first = tradeoff::run(tight, options);
  ASSERT_EQ(first.rows.size(), 2u);
  for (const tradeoff::Row& row : first.rows) {
    EXPECT_EQ(row["status"], "time-limit");
    EXPECT_EQ(row["stop_reason"], "time_limit");
    EXPECT_EQ(row["iterations"], 2u);  // the start and one step
    EXPECT_EQ(row["reason"].get<std::string>().rfind("stopped after ", 0), 0u);
  }
  EXPECT_EQ(tradeoff::run(tight, options).fitted, 0u);                  // the same limit: finished
  const tradeoff::RunResult retried = tradeoff::run(limited, options);  // no limit: fitted again
  EXPECT_EQ(retried.fitted, 2u);
  for (const tradeoff::Row& row : retried.rows) EXPECT_EQ(row["status"], "ok");
}

// Starts the real binary with stderr on a pipe; returns its pid and the read end.
pid_t spawn_binary(const std::vector<std::string>& args, int& err_fd) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  EXPECT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  err_fd = fds[0];
  return pid;
}

TEST_F(Tradeoff, CtrlCSavesFinishedCellsAndTheRerunResumes) {
  // 24 instances of about 0.05 s each: far from done when the first cell is reported.
  const std::string config = write("grid.toml",
                                   "seeds = 12\nd = [10]\nn = [20000]\nnoise = [0.01, 0.1]\n"
                                   "figures = false\nlearners = [\"gd\", \"glmtron\"]\n"
                                   "[families.label-noise]\n");
  const std::vector<std::string> args = {RELUREG_BINARY, "tradeoff",  "--config", config,
                                         "--out",        path("out"), "--jobs",   "1"};
  int err_fd = -1;
  const pid_t pid = spawn_binary(args, err_fd);
  std::string err;
  char buffer[512];
  bool signalled = false;
  for (ssize_t got; (got = read(err_fd, buffer, sizeof buffer)) > 0;) {
    err.append(buffer, static_cast<std::size_t>(got));
    if (!signalled && err.find("\n") != std::string::npos) {
      kill(pid, SIGINT);
      signalled = true;
    }
  }
  close(err_fd);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << err;
  EXPECT_EQ(WEXITSTATUS(status), 130) << err;
  EXPECT_NE(err.find("relureg: interrupted: "), std::string::npos) << err;
  const Csv saved = read_csv_file(path("out/results.csv"));
  ASSERT_GE(saved.rows.size(), 1u);
  ASSERT_LT(saved.rows.size(), 48u);
  const std::string journal = read_file(path("out/cells.jsonl"));
  EXPECT_EQ(static_cast<std::size_t>(std::count(journal.begin(), journal.end(), '\n')),
            saved.rows.size());

  const CliRun rerun = run_cli({"tradeoff", "--config", config, "--out", path("out"), "--quiet"});
  ASSERT_EQ(rerun.code, 0) << rerun.err;
  const Csv all = read_csv_file(path("out/results.csv"));
  ASSERT_EQ(all.rows.size(), 48u);
  for (const auto& row : saved.rows)  // finished cells kept, with their original timings
    EXPECT_NE(std::find(all.rows.begin(), all.rows.end(), row), all.rows.end());
}

bool python_has_matplotlib() {
  return std::system("/usr/bin/python3 -c 'import matplotlib, pandas' >/dev/null 2>&1") == 0;
}

bool is_png(const std::string& bytes) {
  return bytes.size() > 24 && bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0 &&
         bytes.compare(12, 4, "IHDR") == 0;
}

TEST_F(Tradeoff, FiguresArePngAndSvg) {
  if (!python_has_matplotlib())
    GTEST_SKIP() << "matplotlib or pandas is missing for /usr/bin/python3, so the figures cannot "
                    "be drawn (apt-get install python3-matplotlib python3-pandas)";
  std::string grid = kTinyGrid;
  grid.replace(grid.find("figures = false"), 15, "figures = true");
  const CliRun r =
      run_cli({"tradeoff", "--config", write("grid.toml", grid), "--out", path("out")});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* name : {"frontier", "loss_vs_opt", "excess_vs_time", "cost_vs_n"}) {
    const std::string png = read_file(path("out/") + name + ".png");
    EXPECT_TRUE(is_png(png)) << name;
    const std::string svg = read_file(path("out/") + name + ".svg");
    EXPECT_EQ(svg.rfind("<?xml", 0), 0u) << name;
    EXPECT_NE(svg.find("<svg"), std::string::npos) << name;
    EXPECT_NE(svg.find("</svg>"), std::string::npos) << name;
    EXPECT_NE(r.out.find(path("out/") + name + ".svg"), std::string::npos) << r.out;
  }
}

TEST_F(Tradeoff, MissingMatplotlibSkipsTheFiguresWithAClearMessage) {
  // A matplotlib that cannot be imported, ahead of the real one on the path.
  std::filesystem::create_directories(dir_ / "fake");
  std::ofstream(dir_ / "fake/matplotlib.py")
      << "raise ImportError('No module named matplotlib', name='matplotlib')\n";
  setenv("PYTHONPATH", (dir_ / "fake").c_str(), 1);
  std::string grid = kTinyGrid;
  grid.replace(grid.find("figures = false"), 15, "figures = true");
  const CliRun r =
      run_cli({"tradeoff", "--config", write("grid.toml", grid), "--out", path("out"), "--quiet"});
  unsetenv("PYTHONPATH");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.err,
            "relureg: figures skipped: matplotlib is not installed for /usr/bin/python3 (Debian: "
            "apt-get install python3-matplotlib python3-pandas)\n");
  EXPECT_TRUE(std::filesystem::exists(path("out/results.csv")));
  EXPECT_FALSE(std::filesystem::exists(path("out/loss_vs_opt.png")));
}

}  // namespace
}  // namespace relureg
