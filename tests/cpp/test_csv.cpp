// Tests for dataset views and the CSV reader/writer: round trips and every error message.
#include "io_test_support.hpp"

namespace {
// ---------------------------------------------------------------------------------------------
// DatasetView

TEST(DatasetViewTest, BlockPointsIntoTheDataWithoutCopying) {
  Dataset data(5, 3);
  for (std::size_t i = 0; i < data.X.size(); ++i) data.X[i] = static_cast<float>(i);
  for (std::size_t i = 0; i < data.n; ++i) data.y[i] = static_cast<double>(i) * 10.0;
  const DatasetView view = data.view();
  EXPECT_EQ(view.rows(), 5u);
  EXPECT_EQ(view.cols(), 3u);
  const relureg::RowBlock block = view.block(1, 3);
  EXPECT_EQ(block.X, data.X.data() + 3);
  EXPECT_EQ(block.y, data.y.data() + 1);
  EXPECT_EQ(block.rows, 3u);
  EXPECT_EQ(block.d, 3u);
  EXPECT_EQ(block.first_row, 1u);
  EXPECT_EQ(block.X[0], 3.0f);
  EXPECT_EQ(block.y[2], 30.0);
  const relureg::RowBlock empty = view.block(5, 0);
  EXPECT_EQ(empty.rows, 0u);
  EXPECT_EQ(empty.first_row, 5u);
  EXPECT_THROW(view.block(4, 2), std::out_of_range);
  EXPECT_THROW(view.block(6, 0), std::out_of_range);
  EXPECT_THROW(view.block(1, SIZE_MAX), std::out_of_range);
}

TEST(DatasetViewTest, BlockOfUnlabelledDataHasNullLabels) {
  Dataset data(4, 2, /*labelled=*/false);
  const DatasetView view = data.view();
  EXPECT_FALSE(view.has_labels());
  const relureg::RowBlock block = view.block(2, 2);
  EXPECT_EQ(block.X, data.X.data() + 4);
  EXPECT_EQ(block.y, nullptr);
}

TEST(DatasetViewTest, SliceIsZeroCopy) {
  Dataset data(6, 2);
  const DatasetView view = data.view();
  const DatasetView slice = view.slice(2, 5);
  EXPECT_EQ(slice.rows(), 3u);
  EXPECT_EQ(slice.cols(), 2u);
  EXPECT_EQ(slice.features(), data.X.data() + 4);
  EXPECT_EQ(slice.labels(), data.y.data() + 2);
  EXPECT_EQ(slice.row(1), data.X.data() + 6);
  const DatasetView inner = slice.slice(1, 3);
  EXPECT_EQ(inner.features(), data.X.data() + 6);
  EXPECT_EQ(inner.labels(), data.y.data() + 3);
  EXPECT_EQ(inner.rows(), 2u);
  EXPECT_EQ(inner.block(1, 1).X, data.X.data() + 8);
  EXPECT_EQ(view.slice(6, 6).rows(), 0u);
  EXPECT_THROW(view.slice(3, 2), std::out_of_range);
  EXPECT_THROW(view.slice(0, 7), std::out_of_range);
  EXPECT_THROW(slice.slice(0, 4), std::out_of_range);

  Dataset unlabelled(3, 2, false);
  EXPECT_EQ(unlabelled.view().slice(1, 3).labels(), nullptr);
}

// ---------------------------------------------------------------------------------------------
// CSV

TEST_F(CsvIoTest, RoundTripIsBitIdentical) {
  const Dataset data = tricky_dataset();
  const fs::path path = dir_ / "data.csv";
  relureg::write_dataset(path, data);
  EXPECT_EQ(slurp(path).substr(0, 12), "x0,x1,x2,x3,");
  const Dataset back = relureg::read_csv(path);
  EXPECT_EQ(back.n, data.n);
  EXPECT_EQ(back.d, data.d);
  EXPECT_TRUE(same_bits(back.X, data.X));
  EXPECT_TRUE(same_bits(back.y, data.y));
  EXPECT_EQ(back.feature_names, (std::vector<std::string>{"x0", "x1", "x2", "x3"}));
  EXPECT_EQ(listing(), std::vector<std::string>{"data.csv"});
}

TEST_F(CsvIoTest, WritesShortestRoundTripText) {
  Dataset data(2, 2);
  data.X = {1.5f, -2.0f, 0.1f, 3.0f};
  data.y = {0.1, -1e300};
  const fs::path path = dir_ / "small.csv";
  relureg::write_dataset(path, data);
  EXPECT_EQ(slurp(path), "x0,x1,y\n1.5,-2,0.1\n0.1,3,-1e+300\n");

  Dataset unlabelled(1, 3, false);
  unlabelled.X = {1.0f, 2.0f, 0.25f};
  relureg::write_dataset(dir_ / "u.csv", unlabelled);
  EXPECT_EQ(slurp(dir_ / "u.csv"), "x0,x1,x2\n1,2,0.25\n");
  const Dataset back = relureg::read_csv(dir_ / "u.csv", optional_labels());
  EXPECT_TRUE(back.y.empty());
  EXPECT_EQ(back.X, unlabelled.X);
}

TEST_F(CsvIoTest, LabelColumnIsChosenByName) {
  const fs::path path = file("t.csv", "a, b ,target,c\n1,2,3,4\n5, 6 ,7,8\n");
  const Dataset data = relureg::read_csv(path, label_named("target"));
  EXPECT_EQ(data.n, 2u);
  EXPECT_EQ(data.d, 3u);
  EXPECT_EQ(data.feature_names, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(data.X, (std::vector<float>{1, 2, 4, 5, 6, 8}));
  EXPECT_EQ(data.y, (std::vector<double>{3, 7}));
}

TEST_F(CsvIoTest, BlankLinesCrlfAndSpacesAreTolerated) {
  const fs::path path =
      file("b.csv", "\r\n\n  x , y\r\n 1 ,+2.5\r\n   \r\n\t\n-3e0,\t4 \r\n\r\n5,6");
  const Dataset data = relureg::read_dataset(path);
  EXPECT_EQ(data.n, 3u);
  EXPECT_EQ(data.d, 1u);
  EXPECT_EQ(data.feature_names, std::vector<std::string>{"x"});
  EXPECT_EQ(data.X, (std::vector<float>{1, -3, 5}));
  EXPECT_EQ(data.y, (std::vector<double>{2.5, 4, 6}));
  // Physical line numbers count the blank lines.
  const fs::path bad = file("bad.csv", "\n\nx,y\n\n1,2\n\n3,zz\n");
  EXPECT_EQ(input_error([&] { relureg::read_csv(bad); }),
            bad.string() + ":7:2: not a number: 'zz'");
}

TEST_F(CsvIoTest, LinesLongerThanTheReadBufferAreRead) {
  // The header (about 5 MB of long names) is longer than the reader's initial 4 MiB buffer.
  const std::size_t columns = 40000;
  const std::string stem(120, 'c');
  std::string text;
  for (std::size_t j = 0; j < columns; ++j) text += stem + std::to_string(j) + ",";
  text += "y\n";
  for (int row = 0; row < 2; ++row) {
    for (std::size_t j = 0; j < columns; ++j) text += j % 2 == 0 ? "0.5," : "-1,";
    text += std::to_string(row) + "\r\n";
  }
  ASSERT_GT(text.size(), std::size_t{5} << 20);
  const Dataset data = relureg::read_csv(file("wide.csv", text));
  EXPECT_EQ(data.n, 2u);
  EXPECT_EQ(data.d, columns);
  EXPECT_EQ(data.feature_names.back(), stem + "39999");
  EXPECT_EQ(data.X[columns + 2], 0.5f);
  EXPECT_EQ(data.X[2 * columns - 1], -1.0f);
  EXPECT_EQ(data.y, (std::vector<double>{0, 1}));
}

TEST_F(CsvIoTest, LabelsAreOptionalWhenNotRequired) {
  const fs::path path = file("p.csv", "a,b\n1,2\n3,4\n");
  const Dataset data = relureg::read_csv(path, optional_labels());
  EXPECT_EQ(data.d, 2u);
  EXPECT_TRUE(data.y.empty());
  EXPECT_FALSE(data.view().has_labels());
  EXPECT_EQ(data.X, (std::vector<float>{1, 2, 3, 4}));
  // A label column present is still read.
  const Dataset labelled = relureg::read_csv(file("q.csv", "a,y\n1,2\n"), optional_labels());
  EXPECT_EQ(labelled.y, std::vector<double>{2});
}

TEST_F(CsvIoTest, TinyValuesUnderflowAndHugeLabelsAreKept) {
  const Dataset data = relureg::read_csv(file("u.csv", "x,y\n1e-50,1e300\n-1e-400,-1e-400\n"));
  EXPECT_EQ(data.X[0], 0.0f);
  EXPECT_TRUE(std::signbit(data.X[1]));
  EXPECT_EQ(data.y[0], 1e300);
  EXPECT_EQ(data.y[1], 0.0);
}

TEST_F(CsvIoTest, FileErrors) {
  const fs::path missing = dir_ / "missing.csv";
  EXPECT_THROW(relureg::read_csv(missing), InputError);
  EXPECT_EQ(input_error([&] { relureg::read_csv(missing); }),
            missing.string() + ": cannot open file: No such file or directory");
  EXPECT_EQ(input_error([&] { relureg::read_dataset(missing); }),
            missing.string() + ": cannot open file: No such file or directory");
  const fs::path empty = file("empty.csv", "");
  EXPECT_EQ(input_error([&] { relureg::read_csv(empty); }),
            empty.string() + ": empty file (no header row)");
  const fs::path blank = file("blank.csv", "\n  \r\n\t\n");
  EXPECT_EQ(input_error([&] { relureg::read_csv(blank); }),
            blank.string() + ": empty file (no header row)");
  const fs::path header = file("header.csv", "x,y\n\n   \n");
  EXPECT_EQ(input_error([&] { relureg::read_csv(header); }), header.string() + ": no data rows");
}

TEST_F(CsvIoTest, HeaderErrors) {
  const fs::path no_y = file("noy.csv", "\n a , b \n1,2\n");
  EXPECT_EQ(input_error([&] { relureg::read_csv(no_y); }),
            no_y.string() + ":2: no label column 'y' in header (use --label NAME)");
  const fs::path named = file("named.csv", "a,y\n1,2\n");
  EXPECT_EQ(input_error([&] { relureg::read_csv(named, label_named("target")); }),
            named.string() + ":1: no label column 'target' in header (use --label NAME)");
  const fs::path dup = file("dup.csv", "x0,x1, x1 ,y\n1,2,3,4\n");
  EXPECT_EQ(input_error([&] { relureg::read_csv(dup); }),
            dup.string() + ":1: duplicate column name 'x1'");
}

TEST_F(CsvIoTest, RowAndCellErrors) {
  const std::string head = "x0,x1,y\n1,2,3\n\n4,5,6\n";  // the next line is line 5
  const auto check = [&](const std::string& row, const std::string& expected) {
    const fs::path path = file("cells.csv", head + row + "\n7,8,9\n");
    EXPECT_EQ(input_error([&] { relureg::read_csv(path); }), path.string() + expected) << row;
  };
  check("1,2", ":5: expected 3 columns, found 2");
  check("1,2,3,", ":5: expected 3 columns, found 4");
  check("1,2,abc", ":5:3: not a number: 'abc'");
  check("1, ,3", ":5:2: not a number: ''");
  check("1,,3", ":5:2: not a number: ''");
  check("1,2x,3", ":5:2: not a number: '2x'");
  check("+-1,2,3", ":5:1: not a number: '+-1'");
  check("0x10,2,3", ":5:1: not a number: '0x10'");
  check("1,nan,3", ":5:2: value is not finite: 'nan'");
  check("1,2, -inf ", ":5:3: value is not finite: '-inf'");
  check("1e300,2,3", ":5:1: value is out of float32 range: '1e300'");
  check("1,-3.5e38,3", ":5:2: value is out of float32 range: '-3.5e38'");
  check("1e400,2,3", ":5:1: value is out of float32 range: '1e400'");
  check("1,2,1e400", ":5:3: value is out of float64 range: '1e400'");
}

TEST_F(CsvIoTest, WriteColumnCsv) {
  const fs::path path = dir_ / "pred.csv";
  relureg::write_column_csv(path, "prediction", {0.1, -2.0, 1e300, 1.0 / 3.0});
  EXPECT_EQ(slurp(path), "prediction\n0.1\n-2\n1e+300\n0.3333333333333333\n");
  EXPECT_EQ(listing(), std::vector<std::string>{"pred.csv"});
}

}  // namespace
