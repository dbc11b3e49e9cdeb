// convert_csv_to_npy: CSV rows streamed into NPY files whose headers are completed at the end.
#include "relureg/convert.hpp"

#include <unistd.h>
#include <cerrno>

#include <cstdio>
#include <optional>
#include <string>

#include "file_util.hpp"
#include "relureg/error.hpp"

namespace fs = std::filesystem;

namespace relureg {
namespace {

constexpr std::size_t kHeaderBytes = 128;  // room for any 64-bit row count; data 64-aligned

// An NPY 1.0 file written row by row: a fixed-size header rewritten with the row count at the end.
class NpyStreamWriter {
 public:
  NpyStreamWriter(const fs::path& path, const fs::path& shown, const char* descr, std::size_t cols,
                  bool matrix)
      : file_(detail::open_file(path, "wb", shown)),
        shown_(shown),
        descr_(descr),
        cols_(cols),
        matrix_(matrix) {
    write_header(0);
  }

  template <class T>
  void append(const T* values, std::size_t count) {
    detail::write_bytes(file_.get(), values, count * sizeof(T), shown_);
  }

  void finish(std::size_t rows) {
    if (std::fseek(file_.get(), 0, SEEK_SET) != 0)
      detail::throw_file_error(shown_, "cannot write file", errno);
    write_header(rows);
    detail::close_output(file_.release(), shown_);
  }

 private:
  void write_header(std::size_t rows) {
    std::string dict = "{'descr': '" + std::string(descr_) +
                       "', 'fortran_order': False, 'shape': (" + std::to_string(rows) +
                       (matrix_ ? ", " + std::to_string(cols_) + ")" : std::string(",)")) + ", }";
    std::string header = std::string("\x93NUMPY\x01\x00", 8);
    const std::size_t len = kHeaderBytes - 10;
    header += static_cast<char>(len & 0xFF);
    header += static_cast<char>(len >> 8);
    dict.append(len - 1 - dict.size(), ' ');
    header += dict + '\n';
    detail::write_bytes(file_.get(), header.data(), header.size(), shown_);
  }

  detail::FilePtr file_;
  fs::path shown_;
  const char* descr_;
  std::size_t cols_;
  bool matrix_;
};

// Writes each batch of rows to the features (and labels) writer as it arrives.
class ConvertSink final : public detail::CsvRowSink {
 public:
  ConvertSink(const fs::path& features_tmp, const fs::path& features, const fs::path& labels_tmp,
              const fs::path& labels)
      : features_tmp_(features_tmp),
        features_(features),
        labels_tmp_(labels_tmp),
        labels_(labels) {}

  void start(std::size_t d, bool labelled, const std::vector<std::string>&) override {
    d_ = d;
    x_.emplace(features_tmp_, features_, "<f4", d, true);
    if (labelled) y_.emplace(labels_tmp_, labels_, "<f8", 1, false);
  }
  void rows(const float* X, const double* y, std::size_t count) override {
    x_->append(X, count * d_);
    if (y_) y_->append(y, count);
    n_ += count;
  }
  void finish() {
    x_->finish(n_);
    if (y_) y_->finish(n_);
  }
  std::size_t n() const { return n_; }
  std::size_t d() const { return d_; }
  bool labelled() const { return y_.has_value(); }

 private:
  fs::path features_tmp_, features_, labels_tmp_, labels_;
  std::size_t d_ = 0, n_ = 0;
  std::optional<NpyStreamWriter> x_, y_;
};

fs::path temporary_name(const fs::path& path) {
  std::string name = ".";
  name += path.filename().string();
  name += ".convert.";
  name += std::to_string(static_cast<long>(::getpid()));
  return path.parent_path() / name;
}

void rename_into_place(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) detail::throw_file_error(to, "cannot write file", ec.value());
}

void require_npy(const fs::path& path, const char* what) {
  if (path.extension() != ".npy")
    throw InputError(path.string() + ": the " + what + " file must end in .npy");
}

}  // namespace

ConvertSummary convert_csv_to_npy(const fs::path& csv, const fs::path& npy,
                                  const fs::path& labels_path, const ReadOptions& options) {
  require_npy(npy, "features");
  const fs::path labels = labels_path.empty() ? labels_path_for(npy) : labels_path;
  require_npy(labels, "labels");
  if (fs::weakly_canonical(labels) == fs::weakly_canonical(npy))
    throw InputError(labels.string() + ": the labels file must differ from the features file");
  // Both are written to temporary names; the labels are renamed into place once the whole CSV
  // is read, then the features (as write_dataset does). An error removes both.
  const fs::path features_tmp = temporary_name(npy), labels_tmp = temporary_name(labels);
  ConvertSummary summary;
  try {
    ConvertSink sink(features_tmp, npy, labels_tmp, labels);
    detail::stream_csv(csv, options, sink);
    sink.finish();
    summary = {sink.n(), sink.d(), sink.labelled(), npy, sink.labelled() ? labels : fs::path()};
    if (sink.labelled()) rename_into_place(labels_tmp, labels);
    rename_into_place(features_tmp, npy);
  } catch (...) {
    std::error_code ignored;
    fs::remove(features_tmp, ignored);
    fs::remove(labels_tmp, ignored);
    throw;
  }
  return summary;
}

}  // namespace relureg
