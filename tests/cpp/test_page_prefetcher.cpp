// PagePrefetcher: a mapping that stays in memory is populated once, then left to the pass alone;
// one released behind the pass is read ahead on every pass; a pass whose rows are off the page
// boundaries gets every page mapped.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "data/page_prefetcher.hpp"

namespace fs = std::filesystem;
using relureg::detail::PagePrefetcher;

namespace {

class PrefetcherTest : public ::testing::Test {
 protected:
  static constexpr std::size_t kBytes = std::size_t{24} << 20;  // three populate steps

  void SetUp() override {
    path_ = fs::temp_directory_path() / ("relureg_prefetch_" + std::to_string(::getpid()) + ".bin");
    std::ofstream out(path_, std::ios::binary);
    const std::vector<char> bytes(kBytes, 7);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    file_ = std::fopen(path_.c_str(), "rb");
    ASSERT_NE(file_, nullptr);
    base_ = static_cast<char*>(::mmap(nullptr, kBytes, PROT_READ, MAP_SHARED, ::fileno(file_), 0));
    ASSERT_NE(base_, MAP_FAILED);
  }
  void TearDown() override {
    ::munmap(base_, kBytes);
    std::fclose(file_);
    fs::remove(path_);
  }
  // Reports a pass over the whole mapping, block by block, reading each block's first byte.
  long pass(PagePrefetcher& prefetcher) const {
    long sum = 0;
    for (std::size_t at = 0; at < kBytes; at += std::size_t{1} << 20) {
      prefetcher.at(at);
      sum += base_[at];
    }
    return sum;
  }
  // Waits (at most 10 s) until the prefetcher calls the mapping resident.
  static bool becomes_resident(const PagePrefetcher& prefetcher) {
    for (int i = 0; i < 1000 && !prefetcher.resident(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return prefetcher.resident();
  }

  fs::path path_;
  std::FILE* file_ = nullptr;
  char* base_ = nullptr;
};

TEST_F(PrefetcherTest, MappingKeptInMemoryIsResidentAfterOnePass) {
  PagePrefetcher prefetcher(base_, kBytes, -1, 0, false);
  EXPECT_FALSE(prefetcher.resident());
  EXPECT_EQ(pass(prefetcher), 24 * 7);
  EXPECT_TRUE(becomes_resident(prefetcher));
  EXPECT_EQ(pass(prefetcher), 24 * 7);  // later passes read the same bytes without the thread
  EXPECT_TRUE(prefetcher.resident());
}

TEST_F(PrefetcherTest, MappingReleasedBehindIsNeverResident) {
  PagePrefetcher prefetcher(base_, kBytes, ::fileno(file_), 0, true);
  EXPECT_EQ(pass(prefetcher), 24 * 7);
  EXPECT_EQ(pass(prefetcher), 24 * 7);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(prefetcher.resident());
}

// How many pages of [base, base + bytes) are not mapped in this process's page tables: bit 63 of
// their /proc/self/pagemap entries (a page only in the page cache has it clear).
std::size_t unmapped_pages(const char* base, std::size_t bytes) {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t first = reinterpret_cast<std::uintptr_t>(base) / page;
  std::vector<std::uint64_t> entries((bytes + page - 1) / page);
  const std::size_t length = entries.size() * sizeof(std::uint64_t);
  const int pagemap = ::open("/proc/self/pagemap", O_RDONLY);
  const auto got =
      ::pread(pagemap, entries.data(), length, static_cast<off_t>(first * sizeof(std::uint64_t)));
  if (pagemap >= 0) ::close(pagemap);
  if (got != static_cast<ssize_t>(length)) ADD_FAILURE() << "cannot read /proc/self/pagemap";
  std::size_t unmapped = 0;
  for (const std::uint64_t entry : entries) unmapped += (entry >> 63) == 0 ? 1 : 0;
  return unmapped;
}

// A pass over NPY rows reports where its blocks start: 128 bytes of header, then rows of 400 bytes
// (d = 100), rarely on a page boundary. The window mapped ahead (128 MiB past the pass) then ends
// inside a page; when the next step started there, madvise refused it and every later request, so
// the pass's threads faulted on each page of the rest. The mapping is longer than the window: a
// sparse file of 136 MiB, read as zeros.
TEST(PrefetcherPass, RowsOffPageBoundariesGetEveryPageMapped) {
  constexpr std::size_t kBytes = std::size_t{136} << 20, kWindow = std::size_t{128} << 20;
  constexpr std::size_t kHeader = 128, kRow = 400;
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const fs::path path =
      fs::temp_directory_path() / ("relureg_prefetch_rows_" + std::to_string(::getpid()) + ".bin");
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  const struct Removed {
    fs::path path;
    ~Removed() { fs::remove(path); }
  } removed{path};  // also when an assertion below ends the test
  ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(kBytes)), 0);
  auto* base = static_cast<char*>(::mmap(nullptr, kBytes, PROT_READ, MAP_SHARED, fd, 0));
  ASSERT_NE(base, MAP_FAILED);
  {
    PagePrefetcher prefetcher(base, kBytes, -1, 0, false);
    prefetcher.at(kHeader);  // the first block: the window ends 128 MiB past it
    for (int i = 0; i < 1000 && unmapped_pages(base + kWindow - page, page) != 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_EQ(unmapped_pages(base, kWindow), 0u)
        << "the first window was not populated (MADV_POPULATE_READ needs Linux 5.14)";
    std::this_thread::sleep_for(std::chrono::milliseconds(100));     // the step to the window's end
    prefetcher.at(kHeader + (std::size_t{64} << 20) / kRow * kRow);  // a block half way through
    for (int i = 0; i < 1000 && !prefetcher.resident(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_TRUE(prefetcher.resident());
    EXPECT_EQ(unmapped_pages(base, kBytes), 0u);  // the last 8 MiB too, without the pass's reads
  }
  ::munmap(base, kBytes);
  ::close(fd);
}

}  // namespace
