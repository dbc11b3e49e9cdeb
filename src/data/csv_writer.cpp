// CSV writers: datasets and prediction columns with shortest round-trip numbers, written
// atomically.
#include <charconv>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "file_util.hpp"
#include "relureg/io.hpp"

namespace fs = std::filesystem;

namespace relureg {

using detail::FilePtr;
using detail::open_file;

namespace {

// Buffered output of text and shortest round-trip numbers.
class CsvWriter {
 public:
  CsvWriter(std::FILE* file, const fs::path& shown)
      : file_(file), shown_(shown), buffer_(std::size_t{1} << 20) {}

  void text(std::string_view s) {
    if (buffer_.size() - used_ < s.size()) flush();
    if (buffer_.size() < s.size()) {
      detail::write_bytes(file_, s.data(), s.size(), shown_);
      return;
    }
    std::memcpy(buffer_.data() + used_, s.data(), s.size());
    used_ += s.size();
  }

  void put(char c) {
    if (used_ == buffer_.size()) flush();
    buffer_[used_++] = c;
  }

  template <class T>
  void number(T value) {
    if (buffer_.size() - used_ < 64) flush();
    char* first = buffer_.data() + used_;
    used_ += std::to_chars(first, first + 64, value).ptr - first;
  }

  void flush() {
    detail::write_bytes(file_, buffer_.data(), used_, shown_);
    used_ = 0;
  }

 private:
  std::FILE* file_;
  const fs::path& shown_;
  std::vector<char> buffer_;
  std::size_t used_ = 0;
};

}  // namespace

namespace detail {

void write_csv_dataset(const fs::path& path, const Dataset& data) {
  const bool labelled = !data.y.empty();
  if (data.X.size() != data.n * data.d || (labelled && data.y.size() != data.n)) {
    throw std::invalid_argument("write_dataset: Dataset sizes do not match n and d");
  }
  write_atomically(path, [&](const fs::path& tmp) {
    FilePtr file(open_file(tmp, "wb", path));
    CsvWriter out(file.get(), path);
    for (std::size_t j = 0; j < data.d; ++j) {
      if (j != 0) out.put(',');
      out.put('x');
      out.number(j);
    }
    if (labelled) out.text(data.d == 0 ? "y" : ",y");
    out.put('\n');
    for (std::size_t i = 0; i < data.n; ++i) {
      const float* row = data.X.data() + i * data.d;
      for (std::size_t j = 0; j < data.d; ++j) {
        if (j != 0) out.put(',');
        out.number(row[j]);
      }
      if (labelled) {
        if (data.d != 0) out.put(',');
        out.number(data.y[i]);
      }
      out.put('\n');
    }
    out.flush();
    close_output(file.release(), path);
  });
}

}  // namespace detail

void write_column_csv(const fs::path& path, const std::string& name,
                      const std::vector<double>& values) {
  write_atomically(path, [&](const fs::path& tmp) {
    FilePtr file(open_file(tmp, "wb", path));
    CsvWriter out(file.get(), path);
    out.text(name);
    out.put('\n');
    for (const double value : values) {
      out.number(value);
      out.put('\n');
    }
    out.flush();
    detail::close_output(file.release(), path);
  });
}

}  // namespace relureg
