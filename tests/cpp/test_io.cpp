// Tests for src/data: dataset views, CSV/NPY readers and writers, error messages, atomic writes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "relureg/dataset.hpp"
#include "relureg/error.hpp"
#include "relureg/io.hpp"

namespace fs = std::filesystem;
using relureg::Dataset;
using relureg::DatasetView;
using relureg::InputError;
using relureg::ReadOptions;

namespace {

// The message of the InputError that `f` throws, or a marker when it throws none.
template <class F>
std::string input_error(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError thrown)";
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

template <class T>
std::string bytes_of(const std::vector<T>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

// A hand-made NPY 1.0 file: magic, version, header dict padded to 64 bytes, then `payload`.
std::string npy_bytes(const std::string& dict, const std::string& payload) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xFF);
  out += static_cast<char>(header.size() >> 8);
  return out + header + payload;
}

std::string npy_dict(const std::string& descr, const std::string& shape, bool fortran = false) {
  return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
         ", 'shape': " + shape + ", }";
}

// ReadOptions variants (designated initializers trip -Wmissing-field-initializers on GCC 12).
ReadOptions optional_labels() {
  ReadOptions options;
  options.require_labels = false;
  return options;
}
ReadOptions label_named(const std::string& name) {
  ReadOptions options;
  options.label_column = name;
  return options;
}
ReadOptions labels_file(const fs::path& path) {
  ReadOptions options;
  options.labels = path;
  return options;
}

// Each test gets its own empty directory under the system temp directory.
class IoTestBase : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("relureg_io_" + std::to_string(::getpid()) + "_" +
                                        info->test_suite_name() + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  fs::path file(const std::string& name, const std::string& contents) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << contents;
    return path;
  }

  std::vector<std::string> listing() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  fs::path dir_;
};

class CsvIoTest : public IoTestBase {};
class NpyIoTest : public IoTestBase {};
class FilesIoTest : public IoTestBase {};

// A dataset full of values that are hard to print and parse back exactly.
Dataset tricky_dataset() {
  const std::vector<float> floats = {
      0.1f,          -0.0f,
      7.038531e-26f,  // parsing via double would round twice
      FLT_MAX,       -FLT_MAX,    FLT_MIN,      std::numeric_limits<float>::denorm_min(),
      1.0f / 3.0f,   16777217.0f, -123456.789f, 1e-10f,
      3.0f};
  const std::vector<double> doubles = {
      0.1, -0.0, DBL_MAX, std::numeric_limits<double>::denorm_min(), 1.0 / 3.0, -1e300};
  Dataset data(6, 4);
  std::uint32_t state = 12345;
  for (std::size_t i = 0; i < data.X.size(); ++i) {
    state = state * 1664525u + 1013904223u;
    std::uint32_t bits = state;
    float random;
    std::memcpy(&random, &bits, sizeof random);
    data.X[i] = i < floats.size() ? floats[i] : (std::isfinite(random) ? random : 1.5f);
  }
  data.y = doubles;
  return data;
}

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

// ---------------------------------------------------------------------------------------------
// NPY

TEST_F(NpyIoTest, RoundTripWithDefaultLabelsPath) {
  const Dataset data = tricky_dataset();
  const fs::path path = dir_ / "data.npy";
  relureg::write_dataset(path, data);
  EXPECT_EQ(listing(), (std::vector<std::string>{"data.labels.npy", "data.npy"}));

  const std::string bytes = slurp(path);
  ASSERT_GE(bytes.size(), 10u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  const std::size_t header_len =
      static_cast<unsigned char>(bytes[8]) |
      (static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8);
  EXPECT_EQ((10 + header_len) % 64, 0u);
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (6, 4), }";
  EXPECT_EQ(bytes.substr(10, dict.size()), dict);
  EXPECT_EQ(bytes[10 + header_len - 1], '\n');
  EXPECT_EQ(bytes.size(), 10 + header_len + data.X.size() * 4);
  EXPECT_EQ(bytes.substr(10 + header_len), bytes_of(data.X));
  const std::string labels = slurp(dir_ / "data.labels.npy");
  EXPECT_NE(labels.find("{'descr': '<f8', 'fortran_order': False, 'shape': (6,), }"),
            std::string::npos);

  const Dataset back = relureg::read_dataset(path);
  EXPECT_EQ(back.n, 6u);
  EXPECT_EQ(back.d, 4u);
  EXPECT_TRUE(same_bits(back.X, data.X));
  EXPECT_TRUE(same_bits(back.y, data.y));
}

TEST_F(NpyIoTest, Float64FeaturesAreConvertedToFloat32) {
  const std::vector<double> values = {0.1, 2.0, -3.25, 1e-50, 1.0 / 3.0, 1e30};
  const fs::path path = file("f8.npy", npy_bytes(npy_dict("<f8", "(3, 2)"), bytes_of(values)));
  // Labels in float32, shape (n, 1), named explicitly.
  const fs::path labels = file("lab.npy", npy_bytes(npy_dict("<f4", "(3, 1)"),
                                                    bytes_of(std::vector<float>{1.5f, 0.1f, -2})));
  const Dataset data = relureg::read_npy(path, labels_file(labels));
  EXPECT_EQ(data.n, 3u);
  EXPECT_EQ(data.d, 2u);
  ASSERT_EQ(data.X.size(), 6u);
  for (std::size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(data.X[i], static_cast<float>(values[i])) << i;
  }
  EXPECT_EQ(data.y, (std::vector<double>{1.5, static_cast<double>(0.1f), -2.0}));
}

TEST_F(NpyIoTest, OneDimensionalFeaturesHaveOneColumn) {
  const fs::path path =
      file("x.npy", npy_bytes(npy_dict("<f4", "(3,)"), bytes_of(std::vector<float>{1, 2, 3})));
  const Dataset data = relureg::read_npy(path, optional_labels());
  EXPECT_EQ(data.n, 3u);
  EXPECT_EQ(data.d, 1u);
  EXPECT_TRUE(data.y.empty());
  EXPECT_EQ(data.X, (std::vector<float>{1, 2, 3}));
}

TEST_F(NpyIoTest, LabelsPathFor) {
  EXPECT_EQ(relureg::labels_path_for("data.npy"), fs::path("data.labels.npy"));
  EXPECT_EQ(relureg::labels_path_for("dir/sub/x.npy"), fs::path("dir/sub/x.labels.npy"));
}

TEST_F(NpyIoTest, FormatErrors) {
  const std::string six_floats = bytes_of(std::vector<float>(6, 1.0f));
  const auto error_for = [&](const std::string& bytes) {
    const fs::path path = file("e.npy", bytes);
    return input_error([&] { relureg::read_npy(path, optional_labels()); });
  };
  const std::string p = (dir_ / "e.npy").string();
  EXPECT_EQ(error_for("PK\x03\x04 not numpy at all"), p + ": not a valid NPY file");
  EXPECT_EQ(error_for(std::string("\x93NUMPY\x01", 7)), p + ": not a valid NPY file");
  EXPECT_EQ(error_for(npy_bytes(npy_dict("<f4", "(3, 2)"), "").substr(0, 40)),
            p + ": not a valid NPY file");
  EXPECT_EQ(error_for(npy_bytes("{'descr': '<f4', 'shape': (3, 2), }", six_floats)),
            p + ": not a valid NPY file");
  EXPECT_EQ(error_for(npy_bytes(npy_dict("<f4", "(3, 2)"), six_floats.substr(0, 20))),
            p + ": NPY file is truncated (expected 24 bytes of data, found 20)");
  EXPECT_EQ(error_for(npy_bytes(npy_dict("<i8", "(3, 2)"), six_floats + six_floats)),
            p + ": unsupported NPY dtype '<i8' (need float32 '<f4' or float64 '<f8')");
  EXPECT_EQ(error_for(npy_bytes(npy_dict(">f4", "(3, 2)"), six_floats)),
            p + ": unsupported NPY dtype '>f4' (need float32 '<f4' or float64 '<f8')");
  EXPECT_EQ(error_for(npy_bytes(npy_dict("<f4", "(3, 2)", true), six_floats)),
            p + ": Fortran-ordered NPY arrays are not supported (save in C order)");
  EXPECT_EQ(error_for(npy_bytes(npy_dict("<f4", "(3, 4, 5)"), six_floats)),
            p + ": unsupported NPY shape (3, 4, 5) (need (n, d))");
  EXPECT_EQ(error_for(npy_bytes(npy_dict("<f4", "()"), six_floats)),
            p + ": unsupported NPY shape () (need (n, d))");
  EXPECT_EQ(error_for(npy_bytes(npy_dict("<f4", "(0, 3)"), "")), p + ": no data rows");
}

TEST_F(NpyIoTest, NonFiniteAndOutOfRangeValues) {
  const auto error_for = [&](const std::string& bytes) {
    const fs::path path = file("v.npy", bytes);
    return input_error([&] { relureg::read_npy(path, optional_labels()); });
  };
  const std::string p = (dir_ / "v.npy").string();
  std::vector<float> f4(6, 1.0f);
  f4[5] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(error_for(npy_bytes(npy_dict("<f4", "(3, 2)"), bytes_of(f4))),
            p + ": row 3, column 2: value is not finite");
  std::vector<double> f8(21, 0.5);
  f8[19] = -std::numeric_limits<double>::infinity();  // row 7, column 2 of (7, 3)
  EXPECT_EQ(error_for(npy_bytes(npy_dict("<f8", "(7, 3)"), bytes_of(f8))),
            p + ": row 7, column 2: value is not finite");
  f8[19] = 1e300;
  EXPECT_EQ(error_for(npy_bytes(npy_dict("<f8", "(7, 3)"), bytes_of(f8))),
            p + ": row 7, column 2: value is out of float32 range");
}

TEST_F(NpyIoTest, LabelErrors) {
  const fs::path x =
      file("x.npy", npy_bytes(npy_dict("<f4", "(4, 2)"), bytes_of(std::vector<float>(8, 1.0f))));
  const fs::path q = dir_ / "x.labels.npy";
  EXPECT_EQ(input_error([&] { relureg::read_npy(x); }),
            x.string() + ": NPY features need a labels file: pass --labels FILE (looked for " +
                q.string() + ")");
  EXPECT_EQ(input_error([&] { relureg::read_dataset(x); }),
            x.string() + ": NPY features need a labels file: pass --labels FILE (looked for " +
                q.string() + ")");
  const fs::path other = dir_ / "other.npy";
  EXPECT_EQ(input_error([&] { relureg::read_npy(x, labels_file(other)); }),
            other.string() + ": cannot open file: No such file or directory");

  file("x.labels.npy", npy_bytes(npy_dict("<f8", "(3,)"), bytes_of(std::vector<double>(3, 1.0))));
  EXPECT_EQ(input_error([&] { relureg::read_npy(x); }),
            q.string() + ": 3 labels for 4 rows in " + x.string());
  file("x.labels.npy", npy_bytes(npy_dict("<f8", "(4, 2)"), bytes_of(std::vector<double>(8, 1.0))));
  EXPECT_EQ(input_error([&] { relureg::read_npy(x); }),
            q.string() + ": labels must have shape (n,) or (n, 1), found (4, 2)");
  file("x.labels.npy", npy_bytes(npy_dict("<i8", "(4,)"), bytes_of(std::vector<double>(4, 1.0))));
  EXPECT_EQ(input_error([&] { relureg::read_npy(x); }),
            q.string() + ": unsupported NPY dtype '<i8' (need float32 '<f4' or float64 '<f8')");
  std::vector<double> y(4, 1.0);
  y[2] = std::numeric_limits<double>::quiet_NaN();
  file("x.labels.npy", npy_bytes(npy_dict("<f8", "(4,)"), bytes_of(y)));
  EXPECT_EQ(input_error([&] { relureg::read_npy(x); }),
            q.string() + ": row 3, column 1: value is not finite");
  y[2] = 2.0;
  file("x.labels.npy", npy_bytes(npy_dict("<f8", "(4,)"), bytes_of(y)));
  EXPECT_EQ(relureg::read_npy(x).y, (std::vector<double>{1, 1, 2, 1}));
}

// ---------------------------------------------------------------------------------------------
// Files

TEST_F(FilesIoTest, DetectFormat) {
  EXPECT_EQ(relureg::detect_format("a.csv"), relureg::FileFormat::csv);
  EXPECT_EQ(relureg::detect_format("dir/a.CSV"), relureg::FileFormat::csv);
  EXPECT_EQ(relureg::detect_format("b.Npy"), relureg::FileFormat::npy);
  EXPECT_THROW(relureg::detect_format("c.txt"), InputError);
  EXPECT_EQ(input_error([] { relureg::detect_format("data/c.txt"); }),
            "data/c.txt: unknown file format (expected .csv or .npy)");
  EXPECT_EQ(input_error([] { relureg::detect_format("noext"); }),
            "noext: unknown file format (expected .csv or .npy)");
  EXPECT_EQ(input_error([] { relureg::read_dataset("x.json"); }),
            "x.json: unknown file format (expected .csv or .npy)");
  EXPECT_EQ(input_error([] { relureg::write_dataset("x.json", Dataset(1, 1)); }),
            "x.json: unknown file format (expected .csv or .npy)");
}

TEST_F(FilesIoTest, WriteAtomicallyUsesTempFileInSameDirectory) {
  const fs::path path = dir_ / "out.txt";
  fs::path seen;
  relureg::write_atomically(path, [&](const fs::path& tmp) {
    seen = tmp;
    std::ofstream(tmp) << "hello";
    EXPECT_FALSE(fs::exists(path));
  });
  EXPECT_EQ(seen.parent_path(), dir_);
  EXPECT_EQ(seen.filename().string(), ".out.txt.tmp." + std::to_string(::getpid()));
  EXPECT_EQ(slurp(path), "hello");
  EXPECT_EQ(listing(), std::vector<std::string>{"out.txt"});
}

TEST_F(FilesIoTest, WriteAtomicallyLeavesNothingWhenWriterThrows) {
  const fs::path path = dir_ / "out.txt";
  EXPECT_THROW(relureg::write_atomically(path,
                                         [&](const fs::path& tmp) {
                                           std::ofstream(tmp) << "partial";
                                           throw std::runtime_error("boom");
                                         }),
               std::runtime_error);
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(listing().empty());
}

TEST_F(FilesIoTest, WriteAtomicallyKeepsOldFileWhenWriterThrows) {
  const fs::path path = file("out.txt", "old contents");
  try {
    relureg::write_atomically(path, [&](const fs::path& tmp) {
      std::ofstream(tmp) << "new";
      throw InputError("writer failed");
    });
    ADD_FAILURE() << "no exception";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "writer failed");
  }
  EXPECT_EQ(slurp(path), "old contents");
  EXPECT_EQ(listing(), std::vector<std::string>{"out.txt"});
}

TEST_F(FilesIoTest, TextFilesRoundTrip) {
  const fs::path path = dir_ / "t.json";
  constexpr char raw[] = "{\"a\": 1}\r\n\0binary\xff";
  const std::string text(raw, sizeof raw - 1);
  relureg::write_text_atomically(path, text);
  EXPECT_EQ(relureg::read_text_file(path), text);
  relureg::write_text_atomically(path, "replaced");
  EXPECT_EQ(relureg::read_text_file(path), "replaced");
  EXPECT_EQ(listing(), std::vector<std::string>{"t.json"});
  const fs::path missing = dir_ / "nope.json";
  EXPECT_EQ(input_error([&] { relureg::read_text_file(missing); }),
            missing.string() + ": cannot open file: No such file or directory");
  EXPECT_EQ(input_error([&] { relureg::read_text_file(dir_); }),
            dir_.string() + ": cannot open file: Is a directory");
  const fs::path no_dir = dir_ / "no" / "such" / "out.csv";
  EXPECT_THROW(relureg::write_column_csv(no_dir, "y", {1.0}), InputError);
  EXPECT_EQ(listing(), std::vector<std::string>{"t.json"});
}

}  // namespace
