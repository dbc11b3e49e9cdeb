// `relureg convert`: CSV streamed into NPY bit for bit, every CSV error with no partial output.
#include <gtest/gtest.h>

#include "cli.hpp"
#include "io_test_support.hpp"
#include "relureg/convert.hpp"
#include "tradeoff_test_util.hpp"

namespace {

class ConvertTest : public io_test::IoTestBase {
 protected:
  using Outcome = relureg::testing::CliRun;
  // `relureg convert ARGS`, in process (the shared CLI runner).
  Outcome convert(std::vector<std::string> args) {
    args.insert(args.begin(), "convert");
    return relureg::testing::run_cli(std::move(args));
  }
};

}  // namespace

TEST_F(ConvertTest, RoundTripIsBitIdentical) {
  // More rows than one batch (4096), with the hard-to-print values of the CSV tests.
  Dataset data(9000, 4);
  const Dataset tricky = io_test::tricky_dataset();
  for (std::size_t i = 0; i < data.X.size(); ++i) data.X[i] = tricky.X[i % tricky.X.size()];
  for (std::size_t i = 0; i < data.n; ++i)
    data.y[i] = tricky.y[i % tricky.y.size()] + static_cast<double>(i);
  relureg::write_dataset(dir_ / "data.csv", data);
  const Outcome r = convert({(dir_ / "data.csv").string(), "-o", (dir_ / "data.npy").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "wrote " + (dir_ / "data.npy").string() + " (9000 rows, 4 features) and " +
                       (dir_ / "data.labels.npy").string() + " (labels)\n");
  const Dataset back = relureg::read_npy(dir_ / "data.npy");
  EXPECT_EQ(back.n, 9000u);
  EXPECT_EQ(back.d, 4u);
  EXPECT_TRUE(io_test::same_bits(back.X, data.X));
  EXPECT_TRUE(io_test::same_bits(back.y, data.y));
  // The same bytes as write_dataset's NPY files apart from the header's padding.
  EXPECT_EQ(io_test::slurp(dir_ / "data.npy").size(), 128 + data.X.size() * 4);

  // An explicit labels file, a named label column; a CSV without labels gives features only.
  std::ofstream(dir_ / "named.csv") << "a,target,b\n1,2,3\n4,5,6\n";
  const Outcome named = convert({(dir_ / "named.csv").string(), "-o", (dir_ / "n.npy").string(),
                                 "--labels-out", (dir_ / "t.npy").string(), "--label", "target"});
  ASSERT_EQ(named.code, 0) << named.err;
  const Dataset n = relureg::read_npy(dir_ / "n.npy", io_test::labels_file(dir_ / "t.npy"));
  EXPECT_EQ(n.X, (std::vector<float>{1, 3, 4, 6}));
  EXPECT_EQ(n.y, (std::vector<double>{2, 5}));
  std::ofstream(dir_ / "unlabelled.csv") << "a,b\n1,2\n";
  const Outcome unlabelled =
      convert({(dir_ / "unlabelled.csv").string(), "-o", (dir_ / "u.npy").string()});
  ASSERT_EQ(unlabelled.code, 0) << unlabelled.err;
  EXPECT_EQ(unlabelled.out, "wrote " + (dir_ / "u.npy").string() + " (1 rows, 2 features)\n");
  EXPECT_FALSE(fs::exists(dir_ / "u.labels.npy"));
}

// Every error of the CSV reader, with its file:line:column, and nothing written.
TEST_F(ConvertTest, CsvErrorsLeaveNoOutput) {
  std::string big = "x0,x1,y\n";
  for (int i = 0; i < 6000; ++i) big += "1,2,3\n";  // past the first 4096-row batch
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", ": empty file (no header row)"},
      {"x0,x1,y\n", ": no data rows"},
      {"a,b\n1,2\n", ":1: no label column 'y' in header (use --label NAME)"},  // --labels-out
      {"x0,x0,y\n1,2,3\n", ":1: duplicate column name 'x0'"},
      {"y\n1\n", ":1: no feature columns in header"},
      {big + "1,2\n", ":6002: expected 3 columns, found 2"},
      {big + "1,2,abc\n", ":6002:3: not a number: 'abc'"},
      {big + "1,nan,3\n", ":6002:2: value is not finite: 'nan'"},
      {big + "1e300,2,3\n", ":6002:1: value is out of float32 range: '1e300'"},
      {big + "1,2,1e400\n", ":6002:3: value is out of float64 range: '1e400'"},
  };
  for (const auto& [text, expected] : cases) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const fs::path csv = file("bad.csv", text);
    const Outcome r = convert({csv.string(), "-o", (dir_ / "out.npy").string(), "--labels-out",
                               (dir_ / "out.labels.npy").string()});
    EXPECT_EQ(r.code, 1) << expected;
    EXPECT_EQ(r.err, "relureg: error: " + csv.string() + expected + "\n");
    EXPECT_EQ(listing(), std::vector<std::string>{"bad.csv"}) << expected;
  }
  const Outcome missing = convert({(dir_ / "none.csv").string(), "-o", (dir_ / "o.npy").string()});
  EXPECT_EQ(missing.err, "relureg: error: " + (dir_ / "none.csv").string() +
                             ": cannot open file: No such file or directory\n");
  const Outcome wrong = convert({(dir_ / "bad.csv").string(), "-o", (dir_ / "o.csv").string()});
  EXPECT_EQ(wrong.err, "relureg: error: " + (dir_ / "o.csv").string() +
                           ": the features file must end in .npy\n");
  EXPECT_EQ(listing(), std::vector<std::string>{"bad.csv"});
}
