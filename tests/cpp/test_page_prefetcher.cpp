// PagePrefetcher: a mapping that stays in memory is populated once, then left to the pass alone;
// one released behind the pass is read ahead on every pass.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
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

}  // namespace
