// for_blocks: every block once, results in block order, worker exceptions rethrown on the caller.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "families/sampling.hpp"
#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/learner.hpp"
#include "relureg/parallel.hpp"

namespace relureg {
namespace {

constexpr BlockSchedule kSchedules[] = {BlockSchedule::even, BlockSchedule::uneven};

TEST(ForBlocks, RunsEveryBlockOnceOnAnyThreadCount) {
  for (const BlockSchedule schedule : kSchedules)
    for (const int threads : {0, 1, 2, 5}) {
      std::vector<std::atomic<int>> runs(37);
      for_blocks(
          runs.size(), threads, [&](std::size_t k) { ++runs[k]; }, schedule);
      for (std::size_t k = 0; k < runs.size(); ++k)
        EXPECT_EQ(runs[k].load(), 1) << "block " << k << ", " << threads << " threads";
    }
  for_blocks(0, 4, [](std::size_t) { FAIL() << "no block to run"; });
}

TEST(ForBlocks, RunsEveryBlockOnceWhenThreadsTakeBlocksFromEachOther) {
  for (const int threads : {2, 3, 8})
    for (const std::size_t blocks : {2u, 3u, 7u, 64u, 1000u}) {
      std::vector<std::atomic<int>> runs(blocks);
      for_blocks(blocks, threads, [&](std::size_t k) {
        if (k % 5 == 0) std::this_thread::sleep_for(std::chrono::microseconds(50));
        ++runs[k];
      });
      for (std::size_t k = 0; k < runs.size(); ++k)
        ASSERT_EQ(runs[k].load(), 1)
            << "block " << k << " of " << blocks << ", " << threads << " threads";
    }
}

// Block 0 waits until every other block has run. Thread 0's run of the even schedule holds
// blocks 0 to 31, so the loop can end only if the other thread takes those behind block 0 from it
// (with OpenMP's static schedule the wait ran out).
TEST(ForBlocks, EvenScheduleLetsAThreadTakeTheBlocksOfAStalledOne) {
  constexpr std::size_t kBlocks = 64;
  std::atomic<std::size_t> others_done{0};
  std::size_t seen = 0;
  bool waited_out = false;
  for_blocks(kBlocks, 2, [&](std::size_t k) {
    if (k != 0) {
      ++others_done;
      return;
    }
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while ((seen = others_done.load()) < kBlocks - 1 && !waited_out)
      waited_out = std::chrono::steady_clock::now() > give_up;
  });
  EXPECT_FALSE(waited_out) << "after 10 s, " << seen << " of " << kBlocks - 1
                           << " other blocks had run";
  EXPECT_EQ(others_done.load(), kBlocks - 1);
}

TEST(ForBlocks, MapBlocksReturnsResultsInBlockOrder) {
  for (const int threads : {1, 3}) {
    const std::vector<std::size_t> squares =
        map_blocks<std::size_t>(10, threads, [](std::size_t k) { return k * k; });
    ASSERT_EQ(squares.size(), 10u);
    for (std::size_t k = 0; k < squares.size(); ++k) EXPECT_EQ(squares[k], k * k);
  }
}

struct CustomFailure {
  int block;
};

TEST(ForBlocks, AWorkerExceptionReachesTheCallerWithItsTypeAndMessage) {
  for (const BlockSchedule schedule : kSchedules)
    for (const int threads : {1, 2, 4}) {
      // Blocks 7 and 9 fail: the caller sees block 7's exception, as a serial run would.
      try {
        for_blocks(
            64, threads,
            [](std::size_t k) {
              if (k == 7 || k == 9) throw InputError("block " + std::to_string(k) + " is bad");
            },
            schedule);
        ADD_FAILURE() << "no exception with " << threads << " threads";
      } catch (const InputError& e) {
        EXPECT_STREQ(e.what(), "block 7 is bad") << threads << " threads";
      }
      EXPECT_THROW(for_blocks(
                       8, threads,
                       [](std::size_t k) {
                         if (k == 3) throw DivergenceError("nan loss");
                       },
                       schedule),
                   DivergenceError);
      try {
        for_blocks(
            8, threads, [](std::size_t k) { throw CustomFailure{static_cast<int>(k)}; }, schedule);
        ADD_FAILURE() << "no exception with " << threads << " threads";
      } catch (const CustomFailure& failure) {
        EXPECT_EQ(failure.block, 0);
      }
    }
}

// Sampling runs its blocks through for_blocks: a failing generator surfaces as its own error
// instead of terminating the process from an OpenMP worker.
TEST(ForBlocks, SamplingErrorsInWorkersReachTheCaller) {
  families::RowDistribution rows;
  rows.d = 2;
  std::atomic<int> draws{0};
  rows.draw_coordinate = [&](families::BlockRandom& random) {
    if (++draws > 5000) throw InputError("coordinate generator failed");
    return random.normal();
  };
  rows.label_mean = [](const float*) { return 0.0; };
  EXPECT_THROW(
      {
        try {
          families::draw_dataset(rows, 10 * kBlockRows, 1, 3);
        } catch (const InputError& e) {
          EXPECT_STREQ(e.what(), "coordinate generator failed");
          throw;
        }
      },
      InputError);
  draws = 0;
  EXPECT_THROW(families::monte_carlo_loss(
                   rows, [](const float*) -> double { throw DivergenceError("predictor failed"); },
                   10 * kBlockRows, 1, 3),
               DivergenceError);
}

// net2-enum splits its tuples over for_blocks: the fit is the same on 1, 2 and 3 threads.
TEST(ForBlocks, Net2EnumIsBitIdenticalOnOneTwoAndThreeThreads) {
  const Engine one(EngineOptions{1}), two(EngineOptions{2}), three(EngineOptions{3});
  const Instance instance =
      generate_instance("teacher-net2", 5000, 2, 3, {"units=2", "noise=0.05"}, two);
  const LearnerEntry& entry = find_learner("net2-enum");
  const ParamValues params = ParamValues::parse(entry.params, {"grid=21", "dim=2"}, "net2-enum");
  std::vector<FitResult> fits;
  for (const Engine* engine : {&one, &two, &three})
    fits.push_back(fit_learner(entry, params, instance.data.view(), FitContext{engine, 7, {}}));
  for (std::size_t i = 1; i < fits.size(); ++i) {
    EXPECT_EQ(fits[i].as<Net2Model>().W, fits[0].as<Net2Model>().W);
    EXPECT_EQ(fits[i].as<Net2Model>().a, fits[0].as<Net2Model>().a);
    EXPECT_EQ(fits[i].loss_history, fits[0].loss_history);
    EXPECT_EQ(fits[i].details["moment_loss"], fits[0].details["moment_loss"]);
  }
}

}  // namespace
}  // namespace relureg
