// Tests for the NPY reader/writer, format detection and atomic file writes.
#include "io_test_support.hpp"

namespace {
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
