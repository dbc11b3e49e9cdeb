// CSV reader: a streaming, from_chars-based parser of data files with located errors.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>

#include "file_util.hpp"
#include "relureg/decimal_text.hpp"
#include "relureg/error.hpp"
#include "relureg/io.hpp"

namespace fs = std::filesystem;

namespace relureg {

using detail::FilePtr;
using detail::open_file;

namespace {

constexpr std::size_t kBufferSize = std::size_t{4} << 20;
constexpr std::size_t kMinBuffer = std::size_t{4} << 10;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), is_space);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Splits one line into fields as RFC 4180 writes them (spreadsheets, R's write.csv, pandas with
// quoting): a field may be quoted, with "" for a quote inside, and a comma inside quotes belongs
// to the field. Spaces around a field are dropped. Returns false when a quote is left open (a
// quoted field spanning lines is not supported).
bool split_fields(std::string_view line, std::vector<std::string>& fields) {
  fields.clear();
  std::size_t i = 0;
  for (;;) {
    while (i < line.size() && is_space(line[i])) ++i;
    std::string field;
    if (i < line.size() && line[i] == '"') {
      for (++i;; ++i) {
        if (i == line.size()) return false;
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            ++i;
          } else {
            ++i;
            break;
          }
        } else {
          field += line[i];
        }
      }
      while (i < line.size() && line[i] != ',') field += line[i++];  // text after the quotes
      field = std::string(trim(field));
    } else {
      const std::size_t comma = std::min(line.find(',', i), line.size());
      field = std::string(trim(line.substr(i, comma - i)));
      i = comma;
    }
    fields.push_back(std::move(field));
    if (i >= line.size()) return true;
    ++i;  // the comma
  }
}

// Splits a file into physical lines through one large buffer (grown for very long lines).
// A line is a view into the buffer, valid until the next call.
class LineReader {
 public:
  // `size_hint`: the file's size when known (a small file gets a small buffer), else 0.
  LineReader(std::FILE* file, const fs::path& path, std::size_t size_hint = 0)
      : file_(file),
        path_(path),
        buffer_(size_hint == 0 ? kBufferSize : std::clamp(size_hint + 1, kMinBuffer, kBufferSize)) {
  }

  // The next line without its "\n" or "\r\n"; false at the end of the file.
  bool next(std::string_view& line) {
    for (;;) {
      const char* start = buffer_.data() + begin_;
      if (const void* newline = std::memchr(start, '\n', end_ - begin_)) {
        line = std::string_view(start, static_cast<const char*>(newline) - start);
        begin_ += line.size() + 1;
        return finish(line);
      }
      if (eof_) {
        if (begin_ == end_) return false;
        line = std::string_view(start, end_ - begin_);
        begin_ = end_;
        return finish(line);
      }
      refill();
    }
  }

  // 1-based number of the line last returned by next().
  std::size_t line_number() const { return line_number_; }

 private:
  bool finish(std::string_view& line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++line_number_;
    return true;
  }

  void refill() {
    const std::size_t kept = end_ - begin_;
    if (begin_ != 0) std::memmove(buffer_.data(), buffer_.data() + begin_, kept);
    begin_ = 0;
    end_ = kept;
    if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
    const std::size_t got = std::fread(buffer_.data() + end_, 1, buffer_.size() - end_, file_);
    end_ += got;
    if (got == 0) {
      if (std::ferror(file_)) detail::throw_file_error(path_, "cannot read file", errno);
      eof_ = true;
    }
  }

  std::FILE* file_;
  const fs::path& path_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::size_t line_number_ = 0;
  bool eof_ = false;
};

// For a decimal number that from_chars found out of range (it then rounds to zero or to
// infinity): whether it is too large, from the decimal exponent of its leading nonzero digit.
bool too_large(std::string_view number) {
  const DecimalText parts = split_decimal(number);
  long long exponent = 0;
  if (parts.has_exponent) {
    const std::string_view digits = parts.exponent_digits;
    const bool negative = parts.negative_exponent;
    unsigned long long magnitude = 0;
    if (std::from_chars(digits.data(), digits.data() + digits.size(), magnitude).ec !=
        std::errc{}) {
      return !negative;  // an exponent beyond 64 bits
    }
    magnitude = std::min(magnitude, 1ULL << 40);
    exponent = negative ? -static_cast<long long>(magnitude) : static_cast<long long>(magnitude);
  }
  const std::string_view mantissa = parts.mantissa;
  const std::size_t point = std::min(mantissa.find('.'), mantissa.size());
  const std::size_t lead = mantissa.find_first_of("123456789");
  if (lead == std::string_view::npos) return false;
  const long long lead_exponent = lead < point ? static_cast<long long>(point - lead - 1)
                                               : -static_cast<long long>(lead - point);
  return exponent + lead_exponent > 0;
}

enum class Parse { ok, not_a_number, not_finite, out_of_range };

// Parses a whole (trimmed) cell as a float or double, correctly rounded to T (float features
// are not parsed via double: that rounds twice and, e.g., 7.038531e-26 would not round-trip).
// A leading '+' is accepted. Magnitudes beyond T's range are out_of_range; underflow gives zero.
template <class T>
Parse parse_number(std::string_view cell, T& value) {
  const char* first = cell.data();
  const char* last = first + cell.size();
  if (first != last && *first == '+') {
    ++first;
    if (first != last && *first == '-') return Parse::not_a_number;
  }
  const auto [ptr, ec] = std::from_chars(first, last, value);
  if (ptr != last || ec == std::errc::invalid_argument) return Parse::not_a_number;
  if (ec == std::errc::result_out_of_range) {
    if (too_large(std::string_view(first, last - first))) return Parse::out_of_range;
    value = std::copysign(T{0}, *first == '-' ? T{-1} : T{1});
  }
  return std::isfinite(value) ? Parse::ok : Parse::not_finite;
}

// Text from the file as shown in an error: control characters (NUL, CR, ...) escaped and at most
// 40 characters, so that a huge or binary cell cannot flood the terminal.
std::string shown_text(std::string_view text) {
  constexpr std::size_t kShown = 40;
  std::string out;
  for (const char c : text.substr(0, kShown)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      static const char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[byte >> 4];
      out += hex[byte & 15];
    } else {
      out += c;
    }
  }
  if (text.size() > kShown) out += "... (" + std::to_string(text.size()) + " bytes)";
  return out;
}

// What a first line that is not a comma-separated header looks like: a compressed file, another
// separator, old Mac line ends (CR only). Empty when nothing stands out.
std::string layout_hint(std::string_view first) {
  const auto starts = [&](std::string_view magic) { return first.starts_with(magic); };
  if (starts("\x1f\x8b")) return "the file is gzip-compressed (decompress it first)";
  if (starts("BZh")) return "the file is bzip2-compressed (decompress it first)";
  if (starts("\xfd\x37zXZ")) return "the file is xz-compressed (decompress it first)";
  if (starts("\x28\xb5\x2f\xfd")) return "the file is zstd-compressed (decompress it first)";
  if (starts("PK\x03\x04")) return "the file is a zip archive (extract it first)";
  if (first.find('\0') != std::string_view::npos) return "the file is binary, not CSV text";
  if (first.find('\r') != std::string_view::npos)
    return "lines end in CR only (old Mac line ends; convert them to LF)";
  if (first.find(',') == std::string_view::npos) {
    for (const char separator : {';', '\t', '|'})
      if (first.find(separator) != std::string_view::npos)
        return std::string("the header is separated by ") +
               (separator == ';'    ? "semicolons"
                : separator == '\t' ? "tabs"
                                    : "'|'") +
               ", not commas (relureg reads comma-separated values)";
  }
  return "";
}

[[noreturn]] void cell_error(const fs::path& path, std::size_t line, std::size_t column,
                             Parse result, bool is_label, std::string_view cell) {
  const char* what = result == Parse::not_a_number ? "not a number"
                     : result == Parse::not_finite ? "value is not finite"
                     : is_label                    ? "value is out of float64 range"
                                                   : "value is out of float32 range";
  throw InputError(path.string() + ":" + std::to_string(line) + ":" + std::to_string(column) +
                   ": " + what + ": '" + shown_text(cell) + "'");
}

}  // namespace

namespace {

// Parses a CSV data file and hands its header and cells to `sink` (start, reserve, feature,
// label, end_row) in file order: one parser for read_csv and the streaming converter.
template <class Sink>
void parse_csv(const fs::path& path, const ReadOptions& options, Sink& sink) {
  FilePtr file(open_file(path, "rb", path));
  const std::string shown = path.string();
  struct stat info {};
  const std::size_t file_size =
      ::fstat(::fileno(file.get()), &info) == 0 ? static_cast<std::size_t>(info.st_size) : 0;
  LineReader reader(file.get(), path, file_size);

  std::string_view line;
  bool have_header = false;
  while (reader.next(line)) {
    if (reader.line_number() == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
    if (!is_blank(line)) {
      have_header = true;
      break;
    }
  }
  if (!have_header) throw InputError(shown + ": empty file (no header row)");
  const std::string header_at = shown + ":" + std::to_string(reader.line_number()) + ": ";

  std::vector<std::string> names;
  if (!split_fields(line, names))
    throw InputError(header_at + "a quoted column name is not closed");
  std::unordered_set<std::string_view> seen;
  seen.reserve(names.size());
  for (const std::string& name : names) {
    if (!seen.insert(name).second) {
      throw InputError(header_at + "duplicate column name '" + shown_text(name) + "'");
    }
  }
  const std::size_t columns = names.size();
  const std::size_t label = static_cast<std::size_t>(
      std::find(names.begin(), names.end(), options.label_column) - names.begin());
  const bool labelled = label < columns;
  const std::string hint = layout_hint(line);
  if (!hint.empty() && (!labelled || columns == 1)) throw InputError(header_at + hint);
  if (!labelled && options.require_labels) {
    throw InputError(header_at + "no label column '" + shown_text(options.label_column) +
                     "' in header (use --label NAME)");
  }

  const std::size_t d = columns - (labelled ? 1 : 0);
  if (d == 0) throw InputError(header_at + "no feature columns in header");
  std::vector<std::string> feature_names;
  for (std::size_t c = 0; c < columns; ++c) {
    if (c != label) feature_names.push_back(names[c]);
  }
  sink.start(d, labelled, std::move(feature_names));

  std::size_t n = 0;
  // Parses cell c of a row into the label or the features.
  auto store = [&](std::size_t line_number, std::size_t c, std::string_view cell) {
    if (c == label) {
      double value = 0.0;
      const Parse result = parse_number(cell, value);
      if (result != Parse::ok) cell_error(path, line_number, c + 1, result, true, cell);
      sink.label(value);
    } else {
      float value = 0.0f;
      const Parse result = parse_number(cell, value);
      if (result != Parse::ok) cell_error(path, line_number, c + 1, result, false, cell);
      sink.feature(value);
    }
  };
  std::vector<std::string> quoted;  // the fields of a row with quotes
  while (reader.next(line)) {
    if (is_blank(line)) continue;
    const std::size_t line_number = reader.line_number();
    if (std::memchr(line.data(), '"', line.size()) != nullptr) {
      if (!split_fields(line, quoted))
        throw InputError(shown + ":" + std::to_string(line_number) +
                         ": a quoted field is not closed on its line");
      if (quoted.size() != columns) {
        throw InputError(shown + ":" + std::to_string(line_number) + ": expected " +
                         std::to_string(columns) + " columns, found " +
                         std::to_string(quoted.size()));
      }
      if (n == 0) sink.reserve(file_size / (line.size() + 1) + 1);
      for (std::size_t c = 0; c < columns; ++c) store(line_number, c, quoted[c]);
      sink.end_row();
      ++n;
      continue;
    }
    const auto found = static_cast<std::size_t>(std::count(line.begin(), line.end(), ',')) + 1;
    if (found != columns) {
      throw InputError(shown + ":" + std::to_string(line_number) + ": expected " +
                       std::to_string(columns) + " columns, found " + std::to_string(found));
    }
    // Reserve from the first row's length (reserved but untouched pages cost nothing).
    if (n == 0) sink.reserve(file_size / (line.size() + 1) + 1);
    const char* p = line.data();
    const char* const end = p + line.size();
    for (std::size_t c = 0; c < columns; ++c) {
      const char* stop =
          c + 1 < columns ? static_cast<const char*>(std::memchr(p, ',', end - p)) : end;
      store(line_number, c, trim(std::string_view(p, stop - p)));
      p = stop + 1;
    }
    sink.end_row();
    ++n;
  }
  if (n == 0) throw InputError(shown + ": no data rows");
}

// read_csv's sink: the rows appended to a Dataset.
struct DatasetSink {
  Dataset& data;
  bool labelled = false;
  void start(std::size_t d, bool has_labels, std::vector<std::string> names) {
    data.d = d;
    data.feature_names = std::move(names);
    labelled = has_labels;
  }
  void reserve(std::size_t rows) {
    data.X.reserve(rows * data.d);
    if (labelled) data.y.reserve(rows);
  }
  void feature(float v) { data.X.push_back(v); }
  void label(double v) { data.y.push_back(v); }
  void end_row() { ++data.n; }
};

// stream_csv's sink: rows gathered into batches of kBatchRows for a CsvRowSink.
class BatchSink {
 public:
  static constexpr std::size_t kBatchRows = 4096;
  explicit BatchSink(detail::CsvRowSink& out) : out_(out) {}
  void start(std::size_t d, bool labelled, std::vector<std::string> names) {
    d_ = d;
    labelled_ = labelled;
    X_.reserve(kBatchRows * d);
    if (labelled) y_.reserve(kBatchRows);
    out_.start(d, labelled, names);
  }
  void reserve(std::size_t) {}
  void feature(float v) { X_.push_back(v); }
  void label(double v) { y_.push_back(v); }
  void end_row() {
    if (++rows_ == kBatchRows) flush();
  }
  void flush() {
    if (rows_ > 0) out_.rows(X_.data(), labelled_ ? y_.data() : nullptr, rows_);
    rows_ = 0;
    X_.clear();
    y_.clear();
  }

 private:
  detail::CsvRowSink& out_;
  std::size_t d_ = 0, rows_ = 0;
  bool labelled_ = false;
  std::vector<float> X_;
  std::vector<double> y_;
};

}  // namespace

Dataset read_csv(const fs::path& path, const ReadOptions& options) {
  Dataset data;
  DatasetSink sink{data};
  parse_csv(path, options, sink);
  return data;
}

namespace detail {

void stream_csv(const fs::path& path, const ReadOptions& options, CsvRowSink& sink) {
  BatchSink batches(sink);
  parse_csv(path, options, batches);
  batches.flush();
}

}  // namespace detail

}  // namespace relureg

namespace relureg {

std::string cell_location(const fs::path& path, const ReadOptions& options, std::size_t row,
                          std::optional<std::size_t> feature) {
  if (detect_format(path) == FileFormat::npy) {
    if (feature) return fmt::format("{}: row {}, column {}", path.string(), row + 1, *feature + 1);
    const fs::path labels = options.labels.empty() ? labels_path_for(path) : options.labels;
    return fmt::format("{}: row {}", labels.string(), row + 1);
  }
  // CSV: the header is the first non-blank line and row r the (r + 1)-th non-blank line after it,
  // as parse_csv reads them; the column counts the label column where the header has it.
  FilePtr file(open_file(path, "rb", path));
  LineReader reader(file.get(), path);
  std::string_view line;
  std::size_t label = 0, seen = 0;
  bool header = false;
  while (reader.next(line)) {
    if (is_blank(line)) continue;
    if (!header) {
      if (line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
      std::vector<std::string> names;
      split_fields(line, names);
      label = static_cast<std::size_t>(std::find(names.begin(), names.end(), options.label_column) -
                                       names.begin());
      header = true;
      continue;
    }
    if (seen++ == row) break;
  }
  const std::size_t column = !feature ? label : *feature < label ? *feature : *feature + 1;
  return fmt::format("{}:{}:{}", path.string(), reader.line_number(), column + 1);
}

}  // namespace relureg
