// Multi-process fits on localhost (mpirun --oversubscribe): the same model file for any number of
// processes, threads and data layout; a failing rank stops every rank with one message.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "../io_test_support.hpp"
#include "../tradeoff_test_util.hpp"
#include "cli.hpp"
#include "relureg/family.hpp"

namespace {

using Outcome = relureg::testing::CliRun;

class MpiTest : public io_test::IoTestBase {
 protected:
  // `mpirun -np P relureg ARGS` on this host (as root too, as CI runs it); -q: without mpirun's
  // own notice about a non-zero exit status.
  Outcome mpirun(int processes, const std::vector<std::string>& args) {
    std::string command = std::string(RELUREG_MPIEXEC) +
                          " -q --oversubscribe --allow-run-as-root -np " +
                          std::to_string(processes) + " " + RELUREG_BINARY;
    for (const std::string& a : args) command += " '" + a + "'";
    command += " >" + (dir_ / "stdout").string() + " 2>" + (dir_ / "stderr").string();
    const int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, io_test::slurp(dir_ / "stdout"),
            io_test::slurp(dir_ / "stderr")};
  }

  // The instance every test fits: 13288 rows (four blocks, the last one short), d = 6, as one
  // NPY file, as three shards cut inside blocks, and as CSV (read into memory).
  void write_data() {
    const relureg::Instance instance =
        relureg::generate_instance("label-noise", 13288, 6, 31, {"noise=0.3"}, relureg::Engine());
    data_ = instance.data;
    relureg::write_dataset(dir_ / "data.npy", data_);
    relureg::write_dataset(dir_ / "data.csv", data_);
    fs::create_directories(dir_ / "shards");
    const std::size_t cuts[] = {0, 5000, 9000, 13288};
    for (int s = 0; s < 3; ++s) {
      Dataset part(cuts[s + 1] - cuts[s], data_.d);
      std::copy(data_.X.begin() + cuts[s] * data_.d, data_.X.begin() + cuts[s + 1] * data_.d,
                part.X.begin());
      std::copy(data_.y.begin() + cuts[s], data_.y.begin() + cuts[s + 1], part.y.begin());
      relureg::write_dataset(dir_ / "shards" / ("part-" + std::to_string(s) + ".npy"), part);
    }
  }

  // The model file without its wall times (the fit's and its progress reports', the only fields
  // that differ between runs; the passes of the reports stay).
  static nlohmann::json model_without_time(const fs::path& path) {
    nlohmann::json model = nlohmann::json::parse(io_test::slurp(path));
    model["metrics"].erase("seconds");
    model["metrics"]["timeline"].erase("seconds");
    return model;
  }

  Dataset data_;
};

}  // namespace

TEST_F(MpiTest, ModelFilesAreIdenticalForAnyProcessesThreadsAndLayout) {
  write_data();
  struct Layout {
    int processes;
    const char* threads;
    const char* data;
  };
  const Layout layouts[] = {
      {1, "2", "data.npy"}, {2, "1", "data.npy"}, {3, "2", "shards"}, {2, "2", "shards"}};
  for (const std::string learner : {"gd", "glmtron", "moment"}) {
    // The reference: one process, one thread, the CSV copy read into memory.
    const fs::path reference = dir_ / (learner + "-memory.json");
    const Outcome memory = relureg::testing::run_cli(
        {"fit", (dir_ / "data.csv").string(), "--learner", learner, "--bias", "--threads", "1",
         "--seed", "5", "-o", reference.string(), "--quiet"});
    ASSERT_EQ(memory.code, 0) << memory.err;
    const nlohmann::json expected = model_without_time(reference);
    EXPECT_GT(expected["metrics"]["passes"].get<int>(), 0);
    for (const Layout& layout : layouts) {
      const fs::path model = dir_ / (learner + "-mpi.json");
      fs::remove(model);
      const Outcome r = mpirun(
          layout.processes, {"fit", (dir_ / layout.data).string(), "--learner", learner, "--bias",
                             "--threads", layout.threads, "--seed", "5", "-o", model.string()});
      const std::string what = learner + " P=" + std::to_string(layout.processes) +
                               " threads=" + layout.threads + " " + layout.data;
      ASSERT_EQ(r.code, 0) << what << "\n" << r.err;
      EXPECT_EQ(model_without_time(model), expected) << what;
      // Rank 0 alone prints: one summary line.
      EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << what << "\n" << r.out;
      EXPECT_EQ(r.out.rfind(learner + ": train loss", 0), 0u) << r.out;
    }
  }
}

TEST_F(MpiTest, AFailingRankStopsEveryRankWithOneMessage) {
  write_data();
  // A NaN in the last shard: only rank 2 of 3 maps those rows, and finds it in the first pass.
  Dataset part = relureg::read_npy(dir_ / "shards" / "part-2.npy");
  part.X[4000 * 6 + 2] = std::numeric_limits<float>::quiet_NaN();
  relureg::write_dataset(dir_ / "shards" / "part-2.npy", part);
  const fs::path model = dir_ / "model.json";
  const Outcome r =
      mpirun(3, {"fit", (dir_ / "shards").string(), "--learner", "gd", "-o", model.string()});
  EXPECT_NE(r.code, 0);
  const std::string message =
      "relureg: error: rank 2: " + (dir_ / "shards" / "part-2.npy").string() +
      ": row 4001, column 3: value is not finite\n";
  EXPECT_EQ(r.err, message);
  EXPECT_FALSE(fs::exists(model));

  // A missing file fails on every rank: the first one reports it.
  const Outcome missing =
      mpirun(2, {"fit", (dir_ / "none.npy").string(), "--learner", "gd", "-o", model.string()});
  EXPECT_NE(missing.code, 0);
  EXPECT_EQ(missing.err, "relureg: error: rank 0: " + (dir_ / "none.npy").string() +
                             ": cannot open file: No such file or directory\n");
  // CSV needs converting first: every rank finds it, rank 0 says so.
  const Outcome csv =
      mpirun(2, {"fit", (dir_ / "data.csv").string(), "--learner", "gd", "-o", model.string()});
  EXPECT_EQ(csv.code, 1);
  EXPECT_EQ(csv.err, "relureg: error: " + (dir_ / "data.csv").string() +
                         ": with several processes, fit reads an .npy file or a directory of .npy "
                         "shards (convert a CSV file with `relureg convert`)\n");
  EXPECT_FALSE(fs::exists(model));
}

// The rows of a shard folder in file-name order, as one data set.
static Dataset read_shards(const fs::path& folder, std::vector<std::size_t>& sizes) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(folder))
    if (entry.path().filename().string().find(".labels.") == std::string::npos)
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  Dataset all(0, 0);
  for (const fs::path& file : files) {
    const Dataset part = relureg::read_npy(file);
    sizes.push_back(part.n);
    all.d = part.d;
    all.n += part.n;
    all.X.insert(all.X.end(), part.X.begin(), part.X.end());
    all.y.insert(all.y.end(), part.y.begin(), part.y.end());
  }
  return all;
}

TEST_F(MpiTest, GenerateWritesOneShardPerRankHoldingTheSingleProcessRows) {
  const std::vector<std::string> args = {
      "generate", "--family", "label-noise", "--n",       "13288",     "--d", "6",
      "--seed",   "31",       "--param",     "noise=0.3", "--threads", "2"};
  std::vector<std::string> single = args;
  single.insert(single.end(), {"-o", (dir_ / "one.npy").string(), "--quiet"});
  ASSERT_EQ(relureg::testing::run_cli(single).code, 0);
  const Dataset expected = relureg::read_npy(dir_ / "one.npy");
  // P processes give P shards of whole blocks (the split `fit` reads back), and together the
  // single-process rows and truth, bit for bit; one process with a folder gives one shard.
  const std::vector<std::vector<std::size_t>> shard_rows = {
      {13288}, {8192, 5096}, {4096, 4096, 5096}};
  for (int processes = 1; processes <= 3; ++processes) {
    const fs::path folder = dir_ / ("shards-" + std::to_string(processes));
    std::vector<std::string> run = args;
    run.insert(run.end(), {"-o", folder.string()});
    const Outcome r = mpirun(processes, run);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "wrote " + std::to_string(processes) + " shard(s) to " + folder.string() +
                         " (13288 rows, 6 features) and " + folder.string() +
                         ".truth.json (opt = 0.3, exact; with bias 0.3, exact)\n");
    EXPECT_EQ(r.err, "");
    std::vector<std::size_t> sizes;
    const Dataset shards = read_shards(folder, sizes);
    EXPECT_EQ(sizes, shard_rows[processes - 1]) << processes;
    EXPECT_TRUE(io_test::same_bits(shards.X, expected.X)) << processes;
    EXPECT_TRUE(io_test::same_bits(shards.y, expected.y)) << processes;
    EXPECT_EQ(io_test::slurp(folder.string() + ".truth.json"),
              io_test::slurp(dir_ / "one.truth.json"));
    EXPECT_TRUE(fs::exists(folder / "part-000.labels.npy"));
  }
  // Fitting the folder is fitting the file.
  const fs::path a = dir_ / "a.json", b = dir_ / "b.json";
  ASSERT_EQ(
      mpirun(2, {"fit", (dir_ / "one.npy").string(), "--learner", "gd", "-o", a.string()}).code, 0);
  ASSERT_EQ(
      mpirun(3, {"fit", (dir_ / "shards-2").string(), "--learner", "gd", "-o", b.string()}).code,
      0);
  EXPECT_EQ(model_without_time(a), model_without_time(b));
}

TEST_F(MpiTest, AFailingRankWhileGeneratingLeavesNoShard) {
  // Rank 1 alone cannot write its shard (a folder stands in its way): every rank stops, with one
  // message, and the shards the others had written are removed.
  const fs::path folder = dir_ / "shards";
  fs::create_directories(folder / "part-001.npy");
  const std::vector<std::string> args = {"generate", "--family", "realizable", "--n",
                                         "13288",    "--d",      "4",          "-o"};
  std::vector<std::string> run = args;
  run.push_back(folder.string());
  const Outcome r = mpirun(3, run);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "relureg: error: rank 1: " + (folder / "part-001.npy").string() +
                       ": cannot write file: Is a directory\n");
  EXPECT_EQ(r.out, "");
  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(folder))
    left.push_back(entry.path().filename().string());
  EXPECT_EQ(left, std::vector<std::string>{"part-001.npy"});
  EXPECT_FALSE(fs::exists(dir_ / "shards.truth.json"));

  // A folder that already holds data, and too few blocks for the processes.
  fs::create_directories(dir_ / "old");
  relureg::write_dataset(dir_ / "old" / "part-000.npy", Dataset(3, 4));
  run = args;
  run.push_back((dir_ / "old").string());
  EXPECT_EQ(mpirun(2, run).err, "relureg: error: rank 0: " + (dir_ / "old").string() +
                                    ": the folder already holds .npy files (generate writes its "
                                    "shards into a new or empty folder)\n");
  run = args;
  run[4] = "8000";
  run.push_back((dir_ / "new").string());
  const Outcome few = mpirun(3, run);
  EXPECT_EQ(few.code, 1);
  EXPECT_EQ(few.err, "relureg: error: " + (dir_ / "new").string() +
                         ": n = 8000 rows make 2 block(s) of 4096 rows, fewer than the 3 "
                         "processes (one shard per process needs at least one block each)\n");
  EXPECT_FALSE(fs::exists(dir_ / "new"));
}
