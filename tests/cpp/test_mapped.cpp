// Memory-mapped NPY sources (files, shard directories, rank ranges): same fits as in memory,
// errors naming the file and row, and anonymous memory that does not grow with n.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "io_test_support.hpp"
#include "relureg/distributed.hpp"
#include "relureg/family.hpp"
#include "relureg/learner.hpp"
#include "relureg/mapped.hpp"

using relureg::Engine;
using relureg::EngineOptions;
using relureg::MappedNpySource;
using relureg::MappedOptions;

namespace {

class MappedTest : public io_test::IoTestBase {
 protected:
  // Writes rows [begin, end) of `data` as an NPY shard with its labels.
  void write_shard(const Dataset& data, std::size_t begin, std::size_t end, const fs::path& path) {
    Dataset part(end - begin, data.d);
    std::copy(data.X.begin() + begin * data.d, data.X.begin() + end * data.d, part.X.begin());
    std::copy(data.y.begin() + begin, data.y.begin() + end, part.y.begin());
    relureg::write_dataset(path, part);
  }
};

relureg::FitResult fit(const std::string& learner, const relureg::DataSource& data, int threads,
                       std::vector<std::string> params = {}) {
  const relureg::LearnerEntry& entry = relureg::find_learner(learner);
  const Engine engine(EngineOptions{threads});
  relureg::ParamValues values = relureg::ParamValues::parse(entry.params, params, learner);
  values.set_fit_bias(true);
  return relureg::fit_learner(entry, values, data, relureg::FitContext{&engine, 3, {}});
}

// The RssAnon line of /proc/self/status, in kB.
std::size_t anonymous_kb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("RssAnon:", 0) == 0) return std::stoul(line.substr(8));
  return 0;
}

}  // namespace

// Blocks straddle shard boundaries (5000 and 9000 are not multiples of 4096), one shard holds
// float64 features: every fit matches the in-memory one bit for bit.
TEST_F(MappedTest, FileAndShardsFitExactlyAsInMemory) {
  const relureg::Instance instance =
      relureg::generate_instance("label-noise", 13288, 6, 21, {"noise=0.3"}, Engine());
  const Dataset& data = instance.data;
  relureg::write_dataset(dir_ / "all.npy", data);
  fs::create_directories(dir_ / "shards");
  write_shard(data, 0, 5000, dir_ / "shards" / "part-0.npy");
  write_shard(data, 5000, 9000, dir_ / "shards" / "part-1.npy");
  // part-2 with float64 features (exact: the values are float32 to begin with).
  std::vector<double> x64(data.X.begin() + 9000 * data.d, data.X.end());
  std::vector<double> y64(data.y.begin() + 9000, data.y.end());
  file("shards/part-2.npy",
       io_test::npy_bytes(io_test::npy_dict("<f8", "(4288, 6)"), io_test::bytes_of(x64)));
  file("shards/part-2.labels.npy",
       io_test::npy_bytes(io_test::npy_dict("<f8", "(4288,)"), io_test::bytes_of(y64)));

  const MappedNpySource file_source(dir_ / "all.npy");
  const MappedNpySource shard_source(dir_ / "shards");
  EXPECT_EQ(file_source.rows(), 13288u);
  EXPECT_EQ(shard_source.rows(), 13288u);
  EXPECT_EQ(shard_source.shards(), 3u);
  // In place: the block's features are the mapped file's bytes.
  const relureg::RowBlock b = file_source.block(4096, 10);
  EXPECT_EQ(b.X[0], data.X[4096 * 6]);
  EXPECT_EQ(b.y[9], data.y[4105]);

  for (const std::string learner : {"gd", "glmtron", "moment"}) {
    for (const int threads : {1, 2}) {
      const relureg::FitResult memory = fit(learner, data.view(), threads);
      const relureg::FitResult mapped = fit(learner, file_source, threads);
      const relureg::FitResult sharded = fit(learner, shard_source, threads);
      const auto& in_memory = std::get<relureg::ReluModel>(memory.model);
      const auto& from_file = std::get<relureg::ReluModel>(mapped.model);
      const auto& from_shards = std::get<relureg::ReluModel>(sharded.model);
      EXPECT_TRUE(io_test::same_bits(in_memory.w, from_file.w)) << learner << threads;
      EXPECT_TRUE(io_test::same_bits(in_memory.w, from_shards.w)) << learner << threads;
      EXPECT_EQ(in_memory.b, from_file.b);
      EXPECT_EQ(in_memory.b, from_shards.b);
      EXPECT_TRUE(io_test::same_bits(memory.loss_history, sharded.loss_history)) << learner;
      EXPECT_GT(memory.loss_history.size(), 0u);
    }
  }
}

TEST_F(MappedTest, RankRangesAreWholeBlocksAndOnlyThoseRowsAreServed) {
  // 5 blocks on 3 ranks: 1, 2 and 2 blocks; the last block is short.
  EXPECT_EQ(relureg::rank_rows(20000, 0, 3), (std::pair<std::size_t, std::size_t>{0, 4096}));
  EXPECT_EQ(relureg::rank_rows(20000, 1, 3), (std::pair<std::size_t, std::size_t>{4096, 12288}));
  EXPECT_EQ(relureg::rank_rows(20000, 2, 3), (std::pair<std::size_t, std::size_t>{12288, 20000}));
  // More ranks than blocks: some ranks hold nothing.
  EXPECT_EQ(relureg::rank_rows(5000, 0, 3), (std::pair<std::size_t, std::size_t>{0, 0}));
  EXPECT_EQ(relureg::rank_rows(5000, 2, 3), (std::pair<std::size_t, std::size_t>{4096, 5000}));
  EXPECT_EQ(relureg::rank_rows(20000, 1, 2), (std::pair<std::size_t, std::size_t>{8192, 20000}));
  EXPECT_EQ(relureg::rank_rows(20000, 0, 1), (std::pair<std::size_t, std::size_t>{0, 20000}));

  Dataset data(10000, 3);
  for (std::size_t i = 0; i < data.X.size(); ++i) data.X[i] = static_cast<float>(i % 97);
  relureg::write_dataset(dir_ / "d.npy", data);
  MappedOptions options;
  options.rank = 2;
  options.ranks = 3;
  const MappedNpySource source(dir_ / "d.npy", options);
  EXPECT_EQ(source.rows(), 10000u);
  EXPECT_EQ(source.local_rows(), (std::pair<std::size_t, std::size_t>{8192, 10000}));
  EXPECT_EQ(source.block(8192, 1808).X[3], data.X[8192 * 3 + 3]);
  EXPECT_THROW(source.block(4096, 10), std::out_of_range);
  EXPECT_THROW(source.block(9000, 1001), std::out_of_range);
}

// The vectorised check finds an infinity in the features and a NaN in the labels too, and names
// the first bad value of the chunk.
TEST_F(MappedTest, InfinitiesAndBadLabelsAreNamedByRowAndColumn) {
  Dataset data(5000, 3);
  data.X[4000 * 3 + 2] = -std::numeric_limits<float>::infinity();
  data.X[4999 * 3] = std::numeric_limits<float>::infinity();
  relureg::write_dataset(dir_ / "inf.npy", data);
  EXPECT_EQ(io_test::input_error([&] { fit("gd", MappedNpySource(dir_ / "inf.npy"), 2); }),
            (dir_ / "inf.npy").string() + ": row 4001, column 3: value is not finite");
  Dataset labels(5000, 3);
  labels.y[4321] = std::numeric_limits<double>::quiet_NaN();
  relureg::write_dataset(dir_ / "nan_y.npy", labels);
  EXPECT_EQ(io_test::input_error([&] { fit("gd", MappedNpySource(dir_ / "nan_y.npy"), 2); }),
            (dir_ / "nan_y.labels.npy").string() + ": row 4322, column 1: value is not finite");
}

TEST_F(MappedTest, ErrorsNameTheShardRowAndColumn) {
  Dataset data(5000, 2);
  relureg::write_dataset(dir_ / "s" / "a.npy", (fs::create_directories(dir_ / "s"), data));
  data.X[4500 * 2 + 1] = std::numeric_limits<float>::quiet_NaN();
  relureg::write_dataset(dir_ / "s" / "b.npy", data);
  const MappedNpySource source(dir_ / "s");  // values are checked when first read
  EXPECT_EQ(io_test::input_error([&] { fit("gd", source, 2); }),
            (dir_ / "s" / "b.npy").string() + ": row 4501, column 2: value is not finite");

  Dataset wide(10, 3);
  relureg::write_dataset(dir_ / "s" / "c.npy", wide);
  EXPECT_EQ(io_test::input_error([&] { MappedNpySource bad(dir_ / "s"); }),
            (dir_ / "s" / "c.npy").string() + ": 3 columns, but " +
                (dir_ / "s" / "a.npy").string() + " has 2");
  fs::remove(dir_ / "s" / "c.npy");
  fs::remove(dir_ / "s" / "b.labels.npy");
  EXPECT_EQ(io_test::input_error([&] { MappedNpySource bad(dir_ / "s"); }),
            (dir_ / "s" / "b.npy").string() +
                ": NPY features need a labels file: pass --labels FILE (looked for " +
                (dir_ / "s" / "b.labels.npy").string() + ")");
  fs::create_directories(dir_ / "empty");
  EXPECT_EQ(io_test::input_error([&] { MappedNpySource bad(dir_ / "empty"); }),
            (dir_ / "empty").string() + ": no .npy shards in directory");
  EXPECT_EQ(io_test::input_error([&] { MappedNpySource bad(dir_ / "missing.npy"); }),
            (dir_ / "missing.npy").string() + ": cannot open file: No such file or directory");
}

// The features stay in the page cache (file-backed pages): a fit's anonymous memory is the
// engine's blocks in flight and the learner's O(d) state, whatever n is.
TEST_F(MappedTest, AnonymousMemoryDoesNotGrowWithRows) {
  std::vector<std::size_t> growth_kb;
  for (const std::size_t n : {std::size_t{100000}, std::size_t{1000000}}) {
    {
      Dataset data(n, 20);
      for (std::size_t i = 0; i < data.X.size(); ++i) data.X[i] = static_cast<float>(i % 13) - 6;
      for (std::size_t i = 0; i < n; ++i) data.y[i] = static_cast<double>(i % 7);
      relureg::write_dataset(dir_ / "big.npy", data);
    }  // freed before measuring
    const MappedNpySource source(dir_ / "big.npy");
    const std::size_t before = anonymous_kb();
    std::size_t peak = before;
    const relureg::LearnerEntry& entry = relureg::find_learner("gd");
    const Engine engine(EngineOptions{2});
    relureg::FitContext context{&engine, 1, [&](const relureg::FitProgress&) {
                                  peak = std::max(peak, anonymous_kb());
                                  return true;
                                }};
    relureg::fit_learner(entry, relureg::ParamValues::parse(entry.params, {"max_passes=4"}, "gd"),
                         source, context);
    peak = std::max(peak, anonymous_kb());
    growth_kb.push_back(peak - before);
    ASSERT_GT(before, 0u);
  }
  // 1e6 rows × 20 features are 80 MB of features (and 8 MB of labels) that stay file-backed.
  EXPECT_LT(growth_kb[0], 8u * 1024) << growth_kb[0];
  EXPECT_LT(growth_kb[1], 8u * 1024) << growth_kb[1];
}
