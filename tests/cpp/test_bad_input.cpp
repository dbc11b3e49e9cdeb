// The bad-input table: each hostile input gets its exact message, its exit code, no crash, and
// leaves no output or temporary file behind.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "relureg/resources.hpp"
#include "tradeoff_test_util.hpp"

namespace relureg::testing {
namespace {

namespace fs = std::filesystem;

class BadInput : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    std::string csv = "x0,x1,y\n";
    for (int i = 0; i < 5000; ++i)  // more rows than one engine block (4096)
      csv +=
          std::to_string(i % 7) + "," + std::to_string(i % 3) + "," + std::to_string(i % 5) + "\n";
    write("d.csv", csv);
    write("m.json", R"({"type": "relu", "d": 2, "w": [0.5, -1], "b": 0, "bias": false})");
  }

  // The folder's file names, temporary files included.
  std::set<std::string> files() const {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_))
      names.insert(entry.path().filename().string());
    return names;
  }

  // Runs the CLI; checks the exit code, stderr (a regex when `pattern`), and that the folder
  // holds the same files afterwards.
  void expect_error(std::vector<std::string> args, int code, const std::string& message,
                    bool pattern = false) {
    const std::set<std::string> before = files();
    const CliRun r = run_cli(args);
    std::string joined;
    for (const std::string& a : args) joined += a + " ";
    EXPECT_EQ(r.code, code) << joined << "\n" << r.err;
    if (pattern)
      EXPECT_TRUE(std::regex_match(r.err, std::regex(message))) << joined << "\n" << r.err;
    else
      EXPECT_EQ(r.err, message) << joined;
    EXPECT_EQ(r.out, "") << joined;
    EXPECT_EQ(files(), before) << joined << ": a file was left behind";
  }
};

std::string usage(const std::string& what) {
  return "relureg: error: " + what + " (run `relureg --help`)\n";
}

TEST_F(BadInput, NumbersOnTheCommandLineAreWholeAndInRange) {
  const std::vector<std::string> gen = {"generate", "--family", "label-noise", "-o", path("x.csv")};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = gen;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  expect_error(with({"--n", "-5"}), 2, usage("--n: expected a whole number >= 1, got '-5'"));
  expect_error(with({"--n", "0"}), 2, usage("--n: expected a whole number >= 1, got '0'"));
  expect_error(with({"--n", "2.5"}), 2, usage("--n: expected a whole number >= 1, got '2.5'"));
  expect_error(with({"--d", "1e-3"}), 2, usage("--d: expected a whole number >= 1, got '1e-3'"));
  expect_error(with({"--seed", "-1"}), 2, usage("--seed: expected a whole number >= 0, got '-1'"));
  expect_error(with({"--seed", "99999999999999999999999"}), 2,
               usage("--seed: expected a whole number >= 0, got '99999999999999999999999' (at "
                     "most 18446744073709551615)"));
  expect_error(with({"--threads", "-1"}), 2,
               usage("--threads: expected a whole number >= 0, got '-1'"));
  expect_error({"tradeoff", "--jobs", "-3", "--out", path("t")}, 2,
               usage("--jobs: expected a whole number >= 0, got '-3'"));
  expect_error(
      {"fit", path("d.csv"), "--learner", "gd", "-o", path("f.json"), "--sq-tolerance", "-1"}, 2,
      usage("--sq-tolerance: expected a number >= 0, got '-1'"));
  // A control character in a value is escaped, a long value cut.
  expect_error(
      with({"--n", std::string("1\x01") + std::string(60, '9')}), 2,
      usage("--n: expected a whole number >= 1, got '1\\x01" + std::string(38, '9') + "...'"));
}

TEST_F(BadInput, WholeNumbersMayBeWrittenInScientificNotation) {
  const CliRun r = run_cli({"generate", "--family", "realizable", "--n", "1e3", "--d", "2.0",
                            "--seed", "18446744073709551615", "-o", path("x.csv"), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string text = read_file(path("x.csv"));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1001);  // header + 1000 rows
  const auto truth = nlohmann::json::parse(read_file(path("x.truth.json")));
  EXPECT_EQ(truth["seed"].get<std::uint64_t>(), 18446744073709551615ULL);
}

TEST_F(BadInput, ThreadCountsAreClampedWithANote) {
  const std::string note = "relureg: note: " + thread_clamp_note("--threads", 1000000) + "\n";
  EXPECT_NE(note, "relureg: note: \n");
  const CliRun fit = run_cli({"fit", path("d.csv"), "--learner", "gd", "--threads", "1000000", "-o",
                              path("f.json"), "--quiet"});
  ASSERT_EQ(fit.code, 0) << fit.err;
  EXPECT_EQ(fit.err, note);
  const CliRun gen = run_cli({"generate", "--family", "label-noise", "--n", "100000", "--d", "5",
                              "--threads", "1000000", "-o", path("x.csv"), "--quiet"});
  ASSERT_EQ(gen.code, 0) << gen.err;
  EXPECT_EQ(gen.err, note);
  // Beyond 64 bits too.
  const CliRun huge = run_cli({"fit", path("d.csv"), "--learner", "moment", "--threads",
                               "99999999999999999999999", "-o", path("g.json"), "--quiet"});
  ASSERT_EQ(huge.code, 0) << huge.err;
  EXPECT_EQ(huge.err,
            "relureg: note: " +
                thread_clamp_note("--threads", std::numeric_limits<std::uint64_t>::max()) + "\n");
  EXPECT_EQ(Engine(EngineOptions{1000000}).threads(), max_threads());
}

TEST_F(BadInput, SizesBeyondMemoryAreRefusedBeforeAnyWork) {
  const std::string available = R"(\d+(\.\d)? (bytes|KiB|MiB|GiB|TiB))";
  expect_error({"generate", "--family", "label-noise", "--n", "10000000000", "--d", "100", "-o",
                path("x.csv")},
               1,
               R"(relureg: error: family 'label-noise': n × d = 10000000000 × 100 needs 3\.7 TiB )"
               R"(of memory \(float32 features, float64 labels\); )" +
                   available + " is available\n",
               true);
  // n × d beyond 64 bits.
  expect_error({"generate", "--family", "label-noise", "--n", "18446744073709551615", "--d", "4",
                "-o", path("x.csv")},
               1,
               R"(relureg: error: family 'label-noise': n × d = 18446744073709551615 × 4 needs )"
               R"(384 EiB of memory \(float32 features, float64 labels\); )" +
                   available + " is available\n",
               true);
  // An NPY header declaring 4 GiB of header text.
  write("big.npy", std::string("\x93NUMPY\x02\x00\xff\xff\xff\xff", 12) + std::string(31, ' '));
  expect_error({"fit", path("big.npy"), "--learner", "gd", "-o", path("f.json")}, 1,
               "relureg: error: " + path("big.npy") +
                   ": NPY header of 4294967295 bytes is longer than 10000 (not a valid NPY "
                   "file)\n");
}

TEST_F(BadInput, ModelFilesWithWrongTypesNameTheFileAndKey) {
  const auto model = [&](const std::string& text) {
    write("bad.json", text);
    return std::vector<std::string>{"evaluate", "--model", path("bad.json"), path("d.csv")};
  };
  expect_error(model(R"({"w": [1, 2], "bias": "yes"})"), 1,
               "relureg: error: " + path("bad.json") + ": key 'bias' must be true or false\n");
  expect_error(model(R"({"w": [1, 2], "learner": 5})"), 1,
               "relureg: error: " + path("bad.json") + ": key 'learner' must be a string\n");
  expect_error(model(R"({"w": [1e999, 2]})"), 1,
               "relureg: error: " + path("bad.json") +
                   ": not valid JSON (number overflow parsing '1e999')\n");
  expect_error(model(R"({"type": "net2", "d": 2, "units": "x"})"), 1,
               "relureg: error: " + path("bad.json") +
                   ": key 'W' must be a non-empty array of weight arrays\n");
}

TEST_F(BadInput, OutputsAreCheckedBeforeTheWork) {
  const std::string missing = path("no/such/folder/x.csv");
  expect_error({"generate", "--family", "label-noise", "-o", missing}, 1,
               "relureg: error: " + missing + ": cannot write file: No such file or directory\n");
  expect_error(
      {"fit", path("d.csv"), "--learner", "gd", "-o", path("no/m.json")}, 1,
      "relureg: error: " + path("no/m.json") + ": cannot write file: No such file or directory\n");
  write("file", "x");
  expect_error({"fit", path("d.csv"), "--learner", "gd", "-o", path("file/m.json")}, 1,
               "relureg: error: " + path("file/m.json") + ": cannot write file: Not a directory\n");
  // An output that is one of the inputs.
  expect_error({"predict", "--model", path("m.json"), path("d.csv"), "-o", path("m.json")}, 1,
               "relureg: error: " + path("m.json") +
                   ": the output would overwrite an input file (choose another output file)\n");
  expect_error({"predict", "--model", path("m.json"), path("d.csv"), "-o", path("d.csv")}, 1,
               "relureg: error: " + path("d.csv") +
                   ": the output would overwrite an input file (choose another output file)\n");
  expect_error({"tradeoff", "--out", path("file"), "--quiet"}, 1,
               "relureg: error: " + path("file") +
                   ": the output folder is an existing file (choose another --out)\n");
}

TEST_F(BadInput, CsvErrorsShowWhatTheFileLooksLike) {
  const auto fit = [&](const std::string& name) {
    return std::vector<std::string>{"fit", path(name), "--learner", "gd", "-o", path("f.json")};
  };
  const std::string error = "relureg: error: ";
  write("gz.csv", std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10) + "abc,\n");
  expect_error(fit("gz.csv"), 1,
               error + path("gz.csv") + ":1: the file is gzip-compressed (decompress it first)\n");
  write("semi.csv", "x0;x1;y\n1;2;3\n");
  expect_error(fit("semi.csv"), 1,
               error + path("semi.csv") +
                   ":1: the header is separated by semicolons, not commas (relureg reads "
                   "comma-separated values)\n");
  write("cr.csv", "x0,x1,y\r1,2,3\r4,5,6\r");
  expect_error(fit("cr.csv"), 1,
               error + path("cr.csv") +
                   ":1: lines end in CR only (old Mac line ends; convert them to LF)\n");
  write("huge.csv", "x0,y\n" + std::string(10'000'000, '7') + "x,1\n");
  expect_error(fit("huge.csv"), 1,
               error + path("huge.csv") + ":2:1: not a number: '" + std::string(40, '7') +
                   "... (10000001 bytes)'\n");
  write("nul.csv", std::string("x0,y\n1\0002,3\n", 11));
  expect_error(fit("nul.csv"), 1, error + path("nul.csv") + ":2:1: not a number: '1\\x002'\n");
}

TEST_F(BadInput, TradeoffConfigBoundsSeedsThreadsAndCells) {
  const std::string error = "relureg: error: ";
  write("big.json", "{\"seeds\": [1e50555]}");  // found by fuzz_tradeoff_config
  expect_error({"tradeoff", "--config", path("big.json"), "--out", path("t")}, 1,
               error + path("big.json") + ": not valid JSON: number overflow parsing '1e50555'\n");
  write("seeds.toml", "seeds = 1000000000000\n");
  expect_error(
      {"tradeoff", "--config", path("seeds.toml"), "--out", path("t")}, 1,
      error + path("seeds.toml") + ":1: key 'seeds': at most 100000 seeds, got 1000000000000\n");
  std::string ns = "n = [";
  for (int i = 1; i <= 200; ++i) ns += std::to_string(i * 10) + (i < 200 ? ", " : "]\n");
  write("cells.toml",
        "seeds = 100000\nd = 2\nfamilies = [\"realizable\"]\nlearners = [\"gd\"]\n" + ns);
  expect_error({"tradeoff", "--config", path("cells.toml"), "--out", path("t")}, 1,
               error + path("cells.toml") +
                   ": the grid has 20000000 cells ((1 family × 1 d × 200 n) × 100000 seeds × 1 "
                   "learner); at most 10000000: use fewer seeds, n, d, noise levels or learners\n");
  write("threads.toml",
        "threads = 5000000000\njobs = 5000000000\nseeds = 1\nd = 2\nn = 100\nfamilies = "
        "[\"realizable\"]\nlearners = [\"gd\"]\n");
  const CliRun r =
      run_cli({"tradeoff", "--config", path("threads.toml"), "--print-config", "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "relureg: note: " + thread_clamp_note("config jobs", 2147483647) +
                       "\nrelureg: note: " + thread_clamp_note("config threads", 2147483647) +
                       "\n");
  EXPECT_NE(r.out.find("threads = " + std::to_string(max_threads())), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(path("t")));
}

TEST_F(BadInput, LargeGridsAreAnnouncedWithAnEstimate) {
  write("grid.toml",
        "seeds = 5000\nd = [2, 3]\nn = 100\ntime_limit = 30\njobs = 2\nfamilies = "
        "[\"realizable\"]\nlearners = [\"gd\", \"moment\"]\n");
  const CliRun r = run_cli({"tradeoff", "--config", path("grid.toml"), "--print-config"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err,
            "relureg: note: the grid has 20000 cells: (1 family × 2 d × 1 n) × 5000 seeds × 2 "
            "learners; at time_limit = 30 s per fit that is up to 7 days of fitting (3 days on 2 "
            "jobs). To cut it: fewer seeds, n, d, noise levels or learners, or a lower "
            "time_limit\n");
  // The built-in grid (720 cells at 30 s per fit) starts without a note.
  EXPECT_EQ(run_cli({"tradeoff", "--print-config"}).err, "");
}

}  // namespace
}  // namespace relureg::testing
