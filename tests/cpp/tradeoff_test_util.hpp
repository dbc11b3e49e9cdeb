// Shared test helpers: the CLI run in process, a temporary folder per test, a CSV reader.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "relureg/tradeoff.hpp"

namespace relureg::testing {

struct CliRun {
  int code;
  std::string out, err;
};

inline CliRun run_cli(std::vector<std::string> args) {
  args.insert(args.begin(), "relureg");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  const int code = cli::run(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

// The small grids' families and learners: realizable and label-noise, fitted by moment and by gd
// with step 0.5 (tests append a header of axes, and further learners).
inline const std::string kTwoFamiliesTwoLearners = R"([families.realizable]
[families.label-noise]

[[learners]]
name = "moment"

[[learners]]
name = "gd"
params = { step = 0.5 }
)";

// Runs a small grid written as TOML (`origin` names it in messages) with the default options.
inline tradeoff::RunResult run_grid(const std::string& toml, const std::string& origin) {
  return tradeoff::run(tradeoff::parse_config(toml, "toml", origin), {});
}

// run_grid for a grid whose every cell must run: `cells` rows, each with status "ok".
inline tradeoff::RunResult run_grid_ok(const std::string& toml, const std::string& origin,
                                       std::size_t cells) {
  tradeoff::RunResult result = run_grid(toml, origin);
  EXPECT_EQ(result.rows.size(), cells);
  for (const tradeoff::Row& row : result.rows) EXPECT_EQ(row["status"], "ok") << row.dump();
  return result;
}

// A fresh folder per test (named by the process too, so that two test runs at once do not share
// it), removed afterwards.
class TempDirTest : public ::testing::Test {
 protected:
  using CliRun = testing::CliRun;
  static CliRun run(std::vector<std::string> args) { return run_cli(std::move(args)); }
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           (std::string("relureg_") + std::to_string(::getpid()) + "_" + info->test_suite_name() +
            "_" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name) << text;
    return path(name);
  }
  // `relureg generate --family F --n N --d D [extra...] -o NAME --quiet` into the folder; the
  // test fails unless it exits 0. Returns the data file's path.
  std::string generate(const std::string& family, std::size_t n, std::size_t d,
                       const std::string& name, std::vector<std::string> extra = {}) const {
    std::vector<std::string> args{"generate",        "--family", family,           "--n",
                                  std::to_string(n), "--d",      std::to_string(d)};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), {"-o", path(name), "--quiet"});
    const CliRun r = run_cli(args);
    EXPECT_EQ(r.code, 0) << r.err;
    return path(name);
  }
  std::filesystem::path dir_;
};

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The lines of a text file, the last one's newline not making an empty line.
inline std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// results.csv as a header and rows of named fields (RFC 4180 quoting).
struct Csv {
  std::vector<std::string> header;
  std::vector<std::map<std::string, std::string>> rows;
};

inline std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quoted) {
      if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        fields.back() += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      fields.emplace_back();
    } else {
      fields.back() += ch;
    }
  }
  return fields;
}

inline Csv read_csv_file(const std::filesystem::path& path) {
  Csv csv;
  std::istringstream in(read_file(path));
  std::string line;
  std::getline(in, line);
  csv.header = csv_fields(line);
  while (std::getline(in, line)) {
    const std::vector<std::string> fields = csv_fields(line);
    EXPECT_EQ(fields.size(), csv.header.size()) << line;
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < fields.size() && i < csv.header.size(); ++i)
      row[csv.header[i]] = fields[i];
    csv.rows.push_back(row);
  }
  return csv;
}

}  // namespace relureg::testing
