// NPY codec: reads float32/float64 C-order arrays (features and labels), writes NPY 1.0 files.
#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include "file_util.hpp"
#include "relureg/error.hpp"
#include "relureg/io.hpp"
#include "relureg/resources.hpp"

namespace fs = std::filesystem;

namespace relureg {

using detail::FilePtr;
using detail::open_file;

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;
constexpr std::size_t kChunk = std::size_t{1} << 16;  // values converted per step

struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<std::size_t> shape;
};

[[noreturn]] void invalid(const fs::path& path) {
  throw InputError(path.string() + ": not a valid NPY file");
}

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i != 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + (shape.size() == 1 ? ",)" : ")");
}

// A parser for the Python-literal dict of an NPY header, e.g.
// {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const fs::path& path) : text_(text), path_(path) {}

  NpyHeader parse() {
    NpyHeader header;
    bool seen_descr = false, seen_order = false, seen_shape = false;
    expect('{');
    while (!accept('}')) {
      const std::string key = string_literal();
      expect(':');
      if (key == "descr") {
        skip_space();
        // Structured dtypes are lists; keep their text for the error message.
        header.descr = peek() == '[' ? raw_bracketed() : string_literal();
        seen_descr = true;
      } else if (key == "fortran_order") {
        header.fortran_order = boolean();
        seen_order = true;
      } else if (key == "shape") {
        header.shape = tuple();
        seen_shape = true;
      } else {
        invalid(path_);
      }
      if (!accept(',')) {
        expect('}');
        break;
      }
    }
    if (!seen_descr || !seen_order || !seen_shape) invalid(path_);
    return header;
  }

 private:
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  bool accept(char c) {
    skip_space();
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  void expect(char c) {
    if (!accept(c)) invalid(path_);
  }
  std::string string_literal() {
    skip_space();
    const char quote = peek();
    if (quote != '\'' && quote != '"') invalid(path_);
    const std::size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) invalid(path_);
    std::string value(text_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    return value;
  }
  std::string raw_bracketed() {
    const std::size_t start = pos_;
    int depth = 0;
    do {
      if (pos_ >= text_.size()) invalid(path_);
      depth += text_[pos_] == '[' ? 1 : text_[pos_] == ']' ? -1 : 0;
      ++pos_;
    } while (depth > 0);
    return std::string(text_.substr(start, pos_ - start));
  }
  bool boolean() {
    skip_space();
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      if (text_.substr(pos_).starts_with(word)) {
        pos_ += std::strlen(word);
        return value;
      }
    }
    invalid(path_);
  }
  std::vector<std::size_t> tuple() {
    std::vector<std::size_t> values;
    expect('(');
    while (!accept(')')) {
      skip_space();
      std::size_t value = 0;
      const char* first = text_.data() + pos_;
      const auto [ptr, ec] = std::from_chars(first, text_.data() + text_.size(), value);
      if (ec != std::errc{}) invalid(path_);
      pos_ += ptr - first;
      if (peek() == 'L') ++pos_;  // Python 2 longs: (3L, 4L)
      values.push_back(value);
      if (!accept(',')) {
        expect(')');
        break;
      }
    }
    return values;
  }

  std::string_view text_;
  const fs::path& path_;
  std::size_t pos_ = 0;
};

template <class T>
void to_little_endian(T* values, std::size_t count) {
  if constexpr (std::endian::native == std::endian::big) {
    for (std::size_t i = 0; i < count; ++i) {
      auto* bytes = reinterpret_cast<unsigned char*>(values + i);
      std::reverse(bytes, bytes + sizeof(T));
    }
  }
}

// An open NPY file positioned at the start of its data.
struct NpyInput {
  FilePtr file;
  NpyHeader header;
  std::size_t itemsize = 0;
  std::size_t available = 0;  // bytes of data in the file after the header
  std::size_t offset = 0;     // where the data starts
};

NpyInput open_npy(const fs::path& path) {
  NpyInput in;
  in.file.reset(open_file(path, "rb", path));
  std::FILE* file = in.file.get();
  unsigned char preamble[12];
  if (std::fread(preamble, 1, 10, file) != 10 || std::memcmp(preamble, kMagic, kMagicSize) != 0) {
    invalid(path);
  }
  const unsigned major = preamble[6];
  std::size_t header_len = preamble[8] | (std::size_t{preamble[9]} << 8);
  std::size_t offset = 10;
  if (major == 2 || major == 3) {
    if (std::fread(preamble + 10, 1, 2, file) != 2) invalid(path);
    header_len |= (std::size_t{preamble[10]} << 16) | (std::size_t{preamble[11]} << 24);
    offset = 12;
  } else if (major != 1) {
    invalid(path);
  }
  // numpy refuses headers above 10000 bytes by default; so do we, before allocating one.
  constexpr std::size_t kMaxHeader = 10000;
  if (header_len > kMaxHeader)
    throw InputError(path.string() + ": NPY header of " + std::to_string(header_len) +
                     " bytes is longer than " + std::to_string(kMaxHeader) +
                     " (not a valid NPY file)");
  std::string text(header_len, '\0');
  if (std::fread(text.data(), 1, header_len, file) != header_len) invalid(path);
  in.header = HeaderParser(text, path).parse();
  offset += header_len;
  in.offset = offset;

  std::error_code ec;
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) {
    in.available = SIZE_MAX;  // not a regular file: short reads still report truncation
  } else {
    in.available = size < offset ? 0 : static_cast<std::size_t>(size - offset);
  }
  return in;
}

[[noreturn]] void truncated(const fs::path& path, std::size_t expected, std::size_t found) {
  throw InputError(path.string() + ": NPY file is truncated (expected " + std::to_string(expected) +
                   " bytes of data, found " + std::to_string(found) + ")");
}

// Checks the dtype and the memory order.
void check_format(NpyInput& in, const fs::path& path) {
  const std::string& descr = in.header.descr;
  if (descr != "<f4" && descr != "<f8") {
    throw InputError(path.string() + ": unsupported NPY dtype '" + descr +
                     "' (need float32 '<f4' or float64 '<f8')");
  }
  if (in.header.fortran_order) {
    throw InputError(path.string() +
                     ": Fortran-ordered NPY arrays are not supported (save in C order)");
  }
  in.itemsize = descr == "<f4" ? 4 : 8;
}

// Checks that the file holds `count` values.
void check_size(const NpyInput& in, const fs::path& path, std::size_t count) {
  if (count > SIZE_MAX / in.itemsize) invalid(path);
  if (in.available < count * in.itemsize) truncated(path, count * in.itemsize, in.available);
}

// Reads `count` values (after check_size) as T, checking they are finite (and, for float, in
// range); errors name the row and column in a layout with `cols` columns.
template <class T>
std::vector<T> read_values(NpyInput& in, const fs::path& path, std::size_t count,
                           std::size_t cols) {
  const std::size_t expected = count * in.itemsize;
  const auto bad_value = [&](std::size_t index, const char* what) {
    throw InputError(path.string() + ": row " + std::to_string(index / cols + 1) + ", column " +
                     std::to_string(index % cols + 1) + ": " + what);
  };

  std::vector<T> values;
  if constexpr (std::is_same_v<T, float>)
    resize_features(values, count);  // read straight into the features' (huge-page) buffer
  else
    values.resize(count);
  if (in.itemsize == sizeof(T)) {
    const std::size_t got = std::fread(values.data(), sizeof(T), count, in.file.get());
    if (got != count) truncated(path, expected, got * sizeof(T));
    to_little_endian(values.data(), count);
    for (std::size_t i = 0; i < count; ++i) {
      if (!std::isfinite(values[i])) bad_value(i, "value is not finite");
    }
    return values;
  }
  // Convert through a small buffer of the file's type.
  using Other = std::conditional_t<std::is_same_v<T, float>, double, float>;
  std::vector<Other> buffer(std::min(count, kChunk));
  for (std::size_t done = 0; done < count;) {
    const std::size_t want = std::min(count - done, kChunk);
    const std::size_t got = std::fread(buffer.data(), sizeof(Other), want, in.file.get());
    if (got != want) truncated(path, expected, (done + got) * sizeof(Other));
    to_little_endian(buffer.data(), got);
    for (std::size_t k = 0; k < got; ++k) {
      const Other v = buffer[k];
      if (!std::isfinite(v)) bad_value(done + k, "value is not finite");
      if constexpr (std::is_same_v<T, float>) {
        // FLT_MAX plus half an ulp rounds (to even) to infinity.
        if (std::abs(v) >= 0x1.ffffffp+127) bad_value(done + k, "value is out of float32 range");
      }
      values[done + k] = static_cast<T>(v);
    }
    done += got;
  }
  return values;
}

// One double per row of `features` (labels or weights: `what` names them in errors).
std::vector<double> read_column(const fs::path& labels, const fs::path& features, std::size_t rows,
                                const std::string& what) {
  NpyInput in = open_npy(labels);
  check_format(in, labels);
  const std::vector<std::size_t>& shape = in.header.shape;
  if (shape.empty() || shape.size() > 2 || (shape.size() == 2 && shape[1] != 1)) {
    throw InputError(labels.string() + ": " + what + " must have shape (n,) or (n, 1), found " +
                     shape_text(shape));
  }
  if (shape[0] != rows) {
    throw InputError(labels.string() + ": " + std::to_string(shape[0]) + " " + what + " for " +
                     std::to_string(rows) + " rows in " + features.string());
  }
  check_size(in, labels, rows);
  return read_values<double>(in, labels, rows, 1);
}

std::vector<double> read_labels(const fs::path& labels, const fs::path& features,
                                std::size_t rows) {
  return read_column(labels, features, rows, "labels");
}

// Writes an NPY 1.0 file to `path` (not atomically); errors name `shown`.
template <class T>
void write_npy_file(const fs::path& path, const fs::path& shown, const char* descr,
                    const std::vector<std::size_t>& shape, const T* values, std::size_t count) {
  std::string header = "{'descr': '" + std::string(descr) +
                       "', 'fortran_order': False, 'shape': " + shape_text(shape) + ", }";
  // Pad with spaces so that the data starts on a 64-byte boundary; end with a newline.
  const std::size_t total = (10 + header.size() + 1 + 63) / 64 * 64;
  header.append(total - 10 - header.size() - 1, ' ');
  header += '\n';
  const std::size_t len = header.size();
  if (len > 0xFFFF) throw std::length_error("NPY header too long");
  std::string preamble(kMagic, kMagicSize);
  preamble += {'\x01', '\x00', static_cast<char>(len & 0xFF), static_cast<char>(len >> 8)};

  FilePtr file(open_file(path, "wb", shown));
  detail::write_bytes(file.get(), preamble.data(), preamble.size(), shown);
  detail::write_bytes(file.get(), header.data(), header.size(), shown);
  if constexpr (std::endian::native == std::endian::little) {
    detail::write_bytes(file.get(), values, count * sizeof(T), shown);
  } else {
    std::vector<T> buffer;
    for (std::size_t done = 0; done < count; done += buffer.size()) {
      buffer.assign(values + done, values + std::min(count, done + kChunk));
      to_little_endian(buffer.data(), buffer.size());
      detail::write_bytes(file.get(), buffer.data(), buffer.size() * sizeof(T), shown);
    }
  }
  detail::close_output(file.release(), shown);
}

}  // namespace

Dataset read_npy(const fs::path& path, const ReadOptions& options) {
  NpyInput in = open_npy(path);
  check_format(in, path);
  const std::vector<std::size_t>& shape = in.header.shape;
  if (shape.empty() || shape.size() > 2) {
    throw InputError(path.string() + ": unsupported NPY shape " + shape_text(shape) +
                     " (need (n, d))");
  }
  Dataset data;
  data.n = shape[0];
  data.d = shape.size() == 2 ? shape[1] : 1;
  if (data.n == 0) throw InputError(path.string() + ": no data rows");
  if (data.d == 0) {
    throw InputError(path.string() + ": no feature columns (shape " + shape_text(shape) + ")");
  }
  if (data.n > SIZE_MAX / data.d) invalid(path);
  check_size(in, path, data.n * data.d);
  check_dataset_memory(data.n, data.d, path.string());

  fs::path labels = options.labels;
  if (labels.empty()) {
    const fs::path guess = labels_path_for(path);
    std::error_code ec;
    if (fs::exists(guess, ec)) {
      labels = guess;
    } else if (options.require_labels) {
      throw InputError(path.string() +
                       ": NPY features need a labels file: pass --labels FILE (looked for " +
                       guess.string() + ")");
    }
  }
  // Labels first: a wrong labels file fails before a large feature matrix is read.
  if (!labels.empty()) data.y = read_labels(labels, path, data.n);
  data.X = read_values<float>(in, path, data.n * data.d, data.d);
  return data;
}

namespace detail {

NpyLayout read_npy_layout(const fs::path& path, bool labels) {
  NpyInput in = open_npy(path);
  check_format(in, path);
  const std::vector<std::size_t>& shape = in.header.shape;
  if (labels && (shape.empty() || shape.size() > 2 || (shape.size() == 2 && shape[1] != 1)))
    throw InputError(path.string() + ": labels must have shape (n,) or (n, 1), found " +
                     shape_text(shape));
  if (!labels && (shape.empty() || shape.size() > 2))
    throw InputError(path.string() + ": unsupported NPY shape " + shape_text(shape) +
                     " (need (n, d))");
  NpyLayout layout{shape[0], shape.size() == 2 ? shape[1] : 1, in.itemsize, in.offset};
  if (!labels && layout.cols == 0)
    throw InputError(path.string() + ": no feature columns (shape " + shape_text(shape) + ")");
  if (layout.rows > SIZE_MAX / layout.cols) invalid(path);
  check_size(in, path, layout.rows * layout.cols);
  return layout;
}

void write_npy_dataset(const fs::path& path, const Dataset& data) {
  const bool labelled = !data.y.empty();
  if (data.X.size() != data.n * data.d || (labelled && data.y.size() != data.n)) {
    throw std::invalid_argument("write_dataset: Dataset sizes do not match n and d");
  }
  // The labels are renamed into place only once the features are written, and the features
  // only after the labels.
  const fs::path labels = labels_path_for(path);
  write_atomically(path, [&](const fs::path& tmp) {
    write_npy_file(tmp, path, "<f4", {data.n, data.d}, data.X.data(), data.X.size());
    if (!labelled) return;
    write_atomically(labels, [&](const fs::path& labels_tmp) {
      write_npy_file(labels_tmp, labels, "<f8", {data.n}, data.y.data(), data.n);
    });
  });
}

}  // namespace detail
namespace detail {

std::vector<double> read_npy_weights(const fs::path& path, std::size_t rows, const fs::path& data) {
  return read_column(path, data, rows, "weights");
}

}  // namespace detail

}  // namespace relureg
