// FitMonitor and the composable progress callbacks: stop reasons, tolerance, divergence, budget.
#include <gtest/gtest.h>

#include <thread>

#include "relureg/fit_monitor.hpp"
#include "test_support.hpp"

namespace relureg {
namespace {

using testing::two_threads;

FitContext context_with(ProgressCallback progress) {
  return FitContext{&two_threads(), 0, std::move(progress)};
}

TEST(FitMonitor, RecordsReportsAndStopsOnTheCallback) {
  std::vector<FitProgress> seen;
  const FitContext context = context_with([&](const FitProgress& p) {
    seen.push_back(p);
    return p.iteration < 2;
  });
  FitResult result;
  FitMonitor monitor(context, {"gd", 50}, result);
  monitor.stop("max_passes");
  monitor.record(4.0);
  EXPECT_TRUE(monitor.report(1, 3.0));
  EXPECT_EQ(result.stop_reason, "max_passes");
  EXPECT_FALSE(monitor.report(2, 2.0, 0.5));
  EXPECT_EQ(result.stop_reason, "callback");
  EXPECT_EQ(result.loss_history, (std::vector<double>{4.0, 3.0, 2.0}));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].iteration, 2u);
  EXPECT_EQ(seen[1].max_iterations, 50u);
  EXPECT_EQ(seen[1].passes, 0u);
  EXPECT_EQ(seen[1].loss, 2.0);
  EXPECT_EQ(seen[1].fraction, 0.5);
  EXPECT_EQ(seen[0].fraction, -1);
}

TEST(FitMonitor, CountsPassesFromItsStartAndChecksTheBudget) {
  const Engine engine(EngineOptions{1});
  Dataset data(10, 1);
  const FitContext context{&engine, 0, {}};
  engine.sum_rows(data.view(), 1, [](const float*, double, double*) {});
  FitResult result;
  FitMonitor monitor(context, {"gd", 2}, result);
  EXPECT_EQ(monitor.passes(), 0u);
  engine.sum_rows(data.view(), 1, [](const float*, double, double*) {});
  EXPECT_EQ(monitor.passes(), 1u);
  EXPECT_TRUE(monitor.within(2));
  engine.sum_rows(data.view(), 1, [](const float*, double, double*) {});
  EXPECT_FALSE(monitor.within(2));
  monitor.count_passes_from(0);
  EXPECT_EQ(monitor.passes(), 3u);
}

TEST(FitMonitor, ToleranceIsRelativeToTheDeclaredLoss) {
  const FitContext context = context_with({});
  FitResult a, b;
  FitMonitor previous(context, {"gd", 10, 0.1}, a);
  FitMonitor current(context, {"ste-cgd", 10, 0.1, MonitorSettings::RelativeTo::current}, b);
  // |1.0 − 0.905| = 0.095: within 0.1 · 1.0, not within 0.1 · 0.905 = 0.0905.
  EXPECT_TRUE(previous.converged(1.0, 0.905));
  EXPECT_EQ(a.stop_reason, "converged");
  EXPECT_FALSE(current.converged(1.0, 0.905));
  EXPECT_EQ(b.stop_reason, "");
  FitResult c;
  FitMonitor never(context, {"gd", 10, 0.0}, c);
  EXPECT_FALSE(never.converged(1.0, 1.0));
  EXPECT_FALSE(current.converged(std::numeric_limits<double>::infinity(), 1.0));
}

TEST(FitMonitor, DivergenceNamesTheLearnerAndTheStep) {
  const FitContext context = context_with({});
  FitResult result;
  const FitMonitor gd(context, {"gd", 10}, result);
  EXPECT_STREQ(gd.divergence(3, std::numeric_limits<double>::infinity()).what(),
               "gd diverged at iteration 3: training loss is inf (try a smaller step)");
  const FitMonitor ste(
      context, {"ste-cgd", 10, 0, MonitorSettings::RelativeTo::current, "in epoch"}, result);
  try {
    ste.check_finite(2, std::nan(""));
    ADD_FAILURE() << "no DivergenceError";
  } catch (const DivergenceError& e) {
    EXPECT_STREQ(e.what(),
                 "ste-cgd diverged in epoch 2: training loss is nan (try a smaller step)");
  }
  EXPECT_THROW(gd.check_finite(1, 1.0, -std::numeric_limits<double>::infinity()), DivergenceError);
  EXPECT_NO_THROW(gd.check_finite(1, 1.0, 2.0));
}

TEST(ProgressCallbacks, CombineCallsEveryCallbackAndStopsWhenAnyDoes) {
  EXPECT_FALSE(combine({}));
  EXPECT_FALSE(combine({ProgressCallback{}, stop_after(0), stop_when({})}));
  int calls = 0;
  bool flag = false, fired = false;
  const ProgressCallback observer = [&](const FitProgress&) { return ++calls, true; };
  const ProgressCallback both =
      combine({stop_when([&] { return flag; }, &fired), observer, stop_after(0)});
  EXPECT_TRUE(both(FitProgress{}));
  EXPECT_FALSE(fired);
  flag = true;
  EXPECT_FALSE(both(FitProgress{}));
  EXPECT_TRUE(fired);
  EXPECT_EQ(calls, 2);  // the observer saw the report that stopped the fit too
}

TEST(ProgressCallbacks, NestedProgressReportsAnInnerFitAsPartOfTheOuterOne) {
  EXPECT_FALSE(nested_progress(context_with({}), 0, 3, 4, 0, nullptr));
  std::vector<FitProgress> seen;
  const FitContext outer = context_with([&](const FitProgress& p) {
    seen.push_back(p);
    return p.loss > 0.5;
  });
  bool stopped = false;
  const ProgressCallback inner = nested_progress(outer, 1, 3, 4, outer.engine->passes(), &stopped);
  EXPECT_TRUE(inner({7, 10, 0, 0.75}));
  EXPECT_FALSE(stopped);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].iteration, 2u);             // part 1 of 3, counted from 1
  EXPECT_EQ(seen[0].max_iterations, 3u * 14u);  // 3 parts of (10 inner + 4 extra) passes
  EXPECT_EQ(seen[0].passes, 0u);
  EXPECT_EQ(seen[0].loss, 0.75);
  EXPECT_FALSE(inner({8, 10, 0, 0.25}));  // the outer callback asks to stop
  EXPECT_TRUE(stopped);
}

TEST(ProgressCallbacks, StopAtPassesEnforcesAPassBudget) {
  EXPECT_FALSE(stop_at_passes(0));
  const ProgressCallback budget = stop_at_passes(3);
  FitProgress p;
  p.passes = 2;
  EXPECT_TRUE(budget(p));
  p.passes = 3;
  EXPECT_FALSE(budget(p));
}

TEST(ProgressCallbacks, RecordTimelineKeepsEachReportsPassesAndClock) {
  FitTimeline timeline;
  const ProgressCallback record = record_timeline(&timeline);
  FitProgress p;
  p.passes = 2;
  EXPECT_TRUE(record(p));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  p.passes = 7;
  EXPECT_TRUE(record(p));  // an observer: never stops the fit
  EXPECT_EQ(timeline.passes, (std::vector<std::size_t>{2, 7}));
  ASSERT_EQ(timeline.seconds.size(), 2u);
  EXPECT_GE(timeline.seconds[0], 0.0);
  EXPECT_GE(timeline.seconds[1] - timeline.seconds[0], 0.005);
}

TEST(ProgressCallbacks, StopAfterFiresOnceTheTimeHasPassed) {
  bool fired = false;
  const ProgressCallback hour = stop_after(3600, &fired);
  ASSERT_TRUE(hour);
  EXPECT_TRUE(hour(FitProgress{}));
  EXPECT_FALSE(fired);
  const ProgressCallback instant = stop_after(1e-9, &fired);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_FALSE(instant(FitProgress{}));
  EXPECT_TRUE(fired);
}

}  // namespace
}  // namespace relureg
