// `relureg tradeoff` under mpirun: instances handed to the ranks, rows gathered on rank 0, and a
// resumed run (with another number of processes) gives the single-process table.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>

#include "../tradeoff_test_util.hpp"
#include "relureg/tradeoff.hpp"

namespace relureg {
namespace {

const std::string kGrid = R"(seeds = [SEEDS]
d = [3]
n = [3000]
noise = [0.1]
figures = false
jobs = 1
threads = 1

)" + testing::kTwoFamiliesTwoLearners;

std::string grid(const std::string& seeds) {
  std::string text = kGrid;
  text.replace(text.find("SEEDS"), 5, seeds);
  return text;
}

// results.csv with the measured columns (times, memory) blanked.
std::string reproducible(const std::filesystem::path& csv_path) {
  const testing::Csv csv = testing::read_csv_file(csv_path);
  const auto& measured = tradeoff::measured_columns();
  std::string out;
  for (const auto& row : csv.rows) {
    for (const std::string& column : csv.header)
      out +=
          (std::find(measured.begin(), measured.end(), column) != measured.end() ? std::string("*")
                                                                                 : row.at(column)) +
          ",";
    out += "\n";
  }
  return out;
}

class MpiTradeoff : public testing::TempDirTest {
 protected:
  int mpirun(int processes, const std::vector<std::string>& args, std::string* err) {
    std::string command = std::string(RELUREG_MPIEXEC) +
                          " --oversubscribe --allow-run-as-root -np " + std::to_string(processes) +
                          " " + RELUREG_BINARY;
    for (const std::string& a : args) command += " '" + a + "'";
    command += " >" + path("stdout") + " 2>" + path("stderr");
    const int status = std::system(command.c_str());
    *err = testing::read_file(path("stderr"));
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
};

}  // namespace

TEST_F(MpiTradeoff, RanksShareTheGridAndAResumedRunGivesTheSingleProcessTable) {
  const std::string full = write("full.toml", grid("1, 2"));
  const testing::CliRun single =
      testing::run_cli({"tradeoff", "--config", full, "--out", path("single"), "--quiet"});
  ASSERT_EQ(single.code, 0) << single.err;
  const std::string expected = reproducible(path("single/results.csv"));
  EXPECT_EQ(std::count(expected.begin(), expected.end(), '\n'), 8);

  // Seed 1 on two processes, then both seeds on three: the first four cells are resumed.
  std::string err;
  ASSERT_EQ(mpirun(2,
                   {"tradeoff", "--config", write("half.toml", grid("1")), "--out", path("mpi"),
                    "--quiet"},
                   &err),
            0)
      << err;
  EXPECT_GT(std::filesystem::file_size(path("mpi/cells.rank-1.jsonl")), 0u);
  ASSERT_EQ(mpirun(3, {"tradeoff", "--config", full, "--out", path("mpi")}, &err), 0) << err;
  EXPECT_NE(err.find("resuming: 4 of 8 cells"), std::string::npos) << err;
  EXPECT_EQ(reproducible(path("mpi/results.csv")), expected);
}

}  // namespace relureg
