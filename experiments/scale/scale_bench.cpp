// Scale measurements for docs/distributed.md: an out-of-core pass against a plain sequential read
// of the same file, and time per pass / reduction share under mpirun (run.sh drives it).
#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "relureg/distributed.hpp"
#include "relureg/engine.hpp"
#include "relureg/io.hpp"
#include "relureg/kernels.hpp"
#include "relureg/mapped.hpp"

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::size_t anonymous_kb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("RssAnon:", 0) == 0) return std::stoul(line.substr(8));
  return 0;
}

// Drops the file's pages from the page cache (clean pages: no root needed).
void drop_cache(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw std::runtime_error(path + ": cannot open");
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
}

// A plain sequential read of the file in 4 MiB chunks; returns the bytes read.
std::size_t sequential_read(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw std::runtime_error(path + ": cannot open");
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  std::vector<char> buffer(std::size_t{4} << 20);
  std::size_t total = 0;
  for (ssize_t got; (got = ::read(fd, buffer.data(), buffer.size())) > 0;) total += got;
  ::close(fd);
  return total;
}

// The disk's limit: the file read with O_DIRECT (no page cache) in 64 MiB requests.
std::size_t direct_read(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECT);
  if (fd < 0) throw std::runtime_error(path + ": cannot open with O_DIRECT");
  constexpr std::size_t kChunk = std::size_t{64} << 20;
  void* buffer = std::aligned_alloc(4096, kChunk);
  std::size_t total = 0;
  for (ssize_t got; (got = ::read(fd, buffer, kChunk)) > 0;) total += got;
  std::free(buffer);
  ::close(fd);
  return total;
}

// Writes n rows of d float32 features and float64 labels (a cheap deterministic hash), in chunks.
void write_data(const std::string& path, std::size_t n, std::size_t d) {
  const auto header = [](const std::string& descr, const std::string& shape) {
    std::string dict =
        "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    while ((10 + dict.size() + 1) % 64 != 0) dict += ' ';
    dict += '\n';
    std::string out("\x93NUMPY\x01\x00", 8);
    out += static_cast<char>(dict.size() & 0xFF);
    out += static_cast<char>(dict.size() >> 8);
    return out + dict;
  };
  std::FILE* x = std::fopen(path.c_str(), "wb");
  std::FILE* y = std::fopen(relureg::labels_path_for(path).c_str(), "wb");
  if (!x || !y) throw std::runtime_error(path + ": cannot write");
  const std::string hx = header("<f4", fmt::format("({}, {})", n, d));
  const std::string hy = header("<f8", fmt::format("({},)", n));
  std::fwrite(hx.data(), 1, hx.size(), x);
  std::fwrite(hy.data(), 1, hy.size(), y);
  std::vector<float> row_block(4096 * d);
  std::vector<double> labels(4096);
  std::uint64_t state = 12345;
  for (std::size_t begin = 0; begin < n; begin += 4096) {
    const std::size_t rows = std::min<std::size_t>(4096, n - begin);
    for (std::size_t i = 0; i < rows * d; ++i) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      row_block[i] =
          static_cast<float>(static_cast<std::int64_t>(state >> 40) % 2001) / 1000.0f - 1;
    }
    for (std::size_t r = 0; r < rows; ++r) labels[r] = std::max(0.0f, row_block[r * d]);
    std::fwrite(row_block.data(), sizeof(float), rows * d, x);
    std::fwrite(labels.data(), sizeof(double), rows, y);
  }
  std::fclose(x);
  std::fclose(y);
}

// Times the collective's calls (the reduction share of a pass).
class TimedCollective final : public relureg::Collective {
 public:
  explicit TimedCollective(std::shared_ptr<const relureg::Collective> inner)
      : inner_(std::move(inner)) {}
  void allreduce_sum(std::span<double> v) const override { inner_->allreduce_sum(v); }
  int rank() const override { return inner_->rank(); }
  int size() const override { return inner_->size(); }
  void ordered_sum(std::span<const double> sums, std::size_t width, std::size_t first,
                   std::span<double> total, std::exception_ptr error) const override {
    const auto t = Clock::now();
    inner_->ordered_sum(sums, width, first, total, error);
    seconds_ += seconds_since(t);
  }
  void share_rows(std::span<double> out, std::size_t a, std::size_t b,
                  std::exception_ptr e) const override {
    inner_->share_rows(out, a, b, e);
  }
  void agree(std::exception_ptr e) const override { inner_->agree(e); }
  mutable double seconds_ = 0;

 private:
  std::shared_ptr<const relureg::Collective> inner_;
};

// One gd pass: the fused loss and square-loss gradient at a fixed w.
void one_pass(const relureg::Engine& engine, const relureg::DataSource& data) {
  std::vector<double> w(data.cols(), 0.01);
  relureg::relu_stats(engine, data, w, 0.0, false, 1.0, relureg::ReluGradients::square);
}

int outofcore(const std::string& path, int threads, int repeats) {
  const relureg::Engine engine(relureg::EngineOptions{threads});
  const std::string labels = relureg::labels_path_for(path).string();
  std::vector<double> read_s, pass_s, direct_s;
  std::size_t bytes = 0, peak_growth = 0;
  for (int rep = 0; rep < repeats; ++rep) {  // interleaved: read, pass, read, pass, ...
    drop_cache(path);
    drop_cache(labels);
    auto t = Clock::now();
    bytes = sequential_read(path) + sequential_read(labels);
    read_s.push_back(seconds_since(t));
    t = Clock::now();
    direct_read(path);
    direct_read(labels);
    direct_s.push_back(seconds_since(t));
    drop_cache(path);
    drop_cache(labels);
    const relureg::MappedNpySource source(path);
    const std::size_t before = anonymous_kb();
    std::atomic<bool> done{false};
    std::size_t peak = before;
    std::thread sampler([&] {
      while (!done) {
        peak = std::max(peak, anonymous_kb());
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
    t = Clock::now();
    one_pass(engine, source);
    pass_s.push_back(seconds_since(t));
    done = true;
    sampler.join();
    peak_growth = std::max(peak_growth, peak - before);
  }
  std::sort(read_s.begin(), read_s.end());
  std::sort(pass_s.begin(), pass_s.end());
  std::sort(direct_s.begin(), direct_s.end());
  const double read = read_s[read_s.size() / 2], pass = pass_s[pass_s.size() / 2];
  const double direct = direct_s[direct_s.size() / 2];
  fmt::print(
      "{{\"bytes\": {}, \"threads\": {}, \"repeats\": {}, \"read_s_median\": {:.3f}, "
      "\"pass_s_median\": {:.3f}, \"read_MBps\": {:.0f}, \"pass_MBps\": {:.0f}, "
      "\"pass_over_read_throughput\": {:.3f}, \"direct_read_MBps\": {:.0f}, "
      "\"pass_over_direct_throughput\": {:.3f}, \"read_s\": [{:.1f}], \"pass_s\": [{:.1f}], "
      "\"anon_growth_kB_max\": {}}}\n",
      bytes, threads, repeats, read, pass, bytes / read / 1e6, bytes / pass / 1e6, read / pass,
      bytes / direct / 1e6, direct / pass, fmt::join(read_s, ", "), fmt::join(pass_s, ", "),
      peak_growth);
  return 0;
}

int mpi(const std::string& path, int threads, int passes) {
  const int rank = relureg::process_rank(), ranks = relureg::process_count();
  relureg::Engine engine(relureg::EngineOptions{threads});
  std::shared_ptr<TimedCollective> timed;
  if (ranks > 1) {
    timed = std::make_shared<TimedCollective>(relureg::process_collective());
    engine.set_collective(timed);
  }
  relureg::MappedOptions options;
  options.rank = rank;
  options.ranks = ranks;
  const relureg::MappedNpySource source(path, options);
  one_pass(engine, source);  // warm the page cache and the value checks
  if (timed) timed->seconds_ = 0;
  const auto t = Clock::now();
  for (int p = 0; p < passes; ++p) one_pass(engine, source);
  const double per_pass = seconds_since(t) / passes;
  const double reduce = timed ? timed->seconds_ / passes : 0.0;
  // The reduction alone (no rows): its latency for this width.
  double latency = 0;
  if (ranks > 1) {
    const std::size_t width = source.cols() + 4;
    std::vector<double> total(width);
    const auto t2 = Clock::now();
    constexpr int kCalls = 2000;
    for (int i = 0; i < kCalls; ++i) {
      std::fill(total.begin(), total.end(), 0.0);
      relureg::process_collective()->ordered_sum({}, width, 0, total, nullptr);
    }
    latency = seconds_since(t2) / kCalls;
  }
  if (rank == 0)
    fmt::print(
        "{{\"processes\": {}, \"threads\": {}, \"rows\": {}, \"d\": {}, \"pass_ms\": {:.3f}, "
        "\"reduce_ms\": {:.4f}, \"reduce_share\": {:.4f}, \"empty_reduce_us\": {:.1f}}}\n",
        ranks, threads, source.rows(), source.cols(), per_pass * 1e3, reduce * 1e3,
        reduce / per_pass, latency * 1e6);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const relureg::MpiSession session(&argc, &argv);
  const std::vector<std::string> args(argv + 1, argv + argc);
  const auto option = [&](const std::string& name, long fallback) {
    for (std::size_t i = 0; i + 1 < args.size(); ++i)
      if (args[i] == name) return std::stol(args[i + 1]);
    return fallback;
  };
  if (args.size() < 2) {
    std::fprintf(stderr,
                 "usage: scale_bench write FILE --n N --d D | outofcore FILE [--threads T] "
                 "[--repeats R] | mpi FILE [--threads T] [--passes K]\n");
    return 2;
  }
  const int threads = static_cast<int>(option("--threads", 1));
  if (args[0] == "write") {
    write_data(args[1], option("--n", 1000000), option("--d", 100));
    return 0;
  }
  if (args[0] == "outofcore") return outofcore(args[1], threads, option("--repeats", 3));
  if (args[0] == "mpi") return mpi(args[1], threads, option("--passes", 10));
  return 2;
}
