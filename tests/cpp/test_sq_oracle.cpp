// Statistical-query oracles: answers within τ, the null adversary, and learners that only query.
#include <gtest/gtest.h>

#include <cmath>

#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/learner.hpp"
#include "relureg/query_oracle.hpp"
#include "relureg/sources.hpp"

namespace relureg {
namespace {

// Five means: E[x0], E[x0²], E[y], E[y x0], E[y²].
std::vector<double> five_means(const Engine& engine, const DataSource& data) {
  return engine.mean_rows(data, 5, [](const float* x, double y, double* acc) {
    acc[0] += x[0];
    acc[1] += double(x[0]) * x[0];
    acc[2] += y;
    acc[3] += y * x[0];
    acc[4] += y * y;
  });
}

TEST(SqOracle, RandomAnswersStayWithinToleranceAndAreReproducible) {
  const Engine plain(EngineOptions{1});
  const Instance instance = generate_instance("label-noise", 20000, 4, 3, {}, plain);
  const std::vector<double> exact = five_means(plain, instance.data.view());
  std::vector<std::vector<double>> answers;
  for (int threads : {1, 2}) {
    Engine engine(EngineOptions{threads});
    auto oracle = make_query_oracle("random", 0.05, instance.data.y, 9, threads);
    engine.set_query_oracle(oracle);
    answers.push_back(five_means(engine, instance.data.view()));
    answers.push_back(five_means(engine, instance.data.view()));  // a second query: new noise
    EXPECT_EQ(oracle->queries(), 2u);
  }
  double largest = 0;
  for (std::size_t j = 0; j < 5; ++j) {
    EXPECT_LE(std::abs(answers[0][j] - exact[j]), 0.05);
    EXPECT_LE(std::abs(answers[1][j] - exact[j]), 0.05);
    largest = std::max(largest, std::abs(answers[0][j] - exact[j]));
  }
  EXPECT_GT(largest, 0.005);
  EXPECT_NE(answers[0], answers[1]);
  EXPECT_EQ(answers[0], answers[2]);  // same seed, other thread count: the same answers
  EXPECT_EQ(answers[1], answers[3]);
}

TEST(SqOracle, AdversaryAnswersAsIfLabelsWereIndependentWhereverTheToleranceAllows) {
  const Engine plain(EngineOptions{2});
  const Instance instance = generate_instance("sparse-parity", 50000, 6, 4, {"k=2"}, plain);
  const auto S = instance.truth.facts["S"].get<std::vector<std::size_t>>();
  // E[x0²] does not involve y; E[y χ_S] = ½(1 − 2η) = 0.4 under the instance, ≈ 0 under the null.
  auto query = [&](const Engine& engine) {
    return engine.mean_rows(instance.data.view(), 2, [&](const float* x, double y, double* acc) {
      acc[0] += double(x[0]) * x[0];
      acc[1] += y * (x[S[0]] < 0 ? -1 : 1) * (x[S[1]] < 0 ? -1 : 1);
    });
  };
  const std::vector<double> exact = query(plain);
  EXPECT_NEAR(exact[1], 0.4, 0.01);
  Engine engine(EngineOptions{2});
  engine.set_query_oracle(make_query_oracle("adversarial", 0.1, instance.data.y, 1, 2));
  const std::vector<double> tight = query(engine);
  EXPECT_EQ(tight[0], exact[0]);                 // label-free: the null value is the true one
  EXPECT_NEAR(tight[1], exact[1] - 0.1, 1e-15);  // moved by exactly τ towards the null
  engine.set_query_oracle(make_query_oracle("adversarial", 1.0, instance.data.y, 1, 2));
  const std::vector<double> loose = query(engine);
  EXPECT_NEAR(loose[1], 0.0, 0.015);  // within τ of the null: the null's own answer
}

TEST(SqOracle, AdversaryAnswersQueriesOnASliceOrOnRelabelledRowsFromTheirOwnLabels) {
  // gkk19 queries a training slice with thresholded labels and a hold-out slice: the null of
  // such a query permutes the labels of the rows it is about.
  const Engine plain(EngineOptions{2});
  const Instance instance = generate_instance("sparse-parity", 50000, 6, 4, {"k=2"}, plain);
  const auto S = instance.truth.facts["S"].get<std::vector<std::size_t>>();
  const auto all = instance.data.view();
  const SliceSource slice(all, 10000, 40000);
  std::vector<double> signs(slice.rows());
  plain.map(slice, signs, [](const RowBlock& blk, double* out) {
    // The labels are 0/1, (1 + noisy χ_S)/2: thresholds at ½ give ±χ.
    for (std::size_t r = 0; r < blk.rows; ++r) out[r] = blk.y[r] >= 0.5 ? 1.0 : -1.0;
  });
  const RelabelledSource thresholded(slice, signs);
  // E[y], label-only and so the same under any permutation; E[y χ_S], ≈ 0 under the null.
  auto query = [&](const Engine& engine, const DataSource& rows) {
    return engine.mean_rows(rows, 2, [&](const float* x, double y, double* acc) {
      acc[0] += y;
      acc[1] += y * (x[S[0]] < 0 ? -1 : 1) * (x[S[1]] < 0 ? -1 : 1);
    });
  };
  Engine engine(EngineOptions{2});
  auto oracle = make_query_oracle("adversarial", 1.0, instance.data.y, 1, 2);
  engine.set_query_oracle(oracle);
  for (const DataSource* rows :
       {static_cast<const DataSource*>(&slice), static_cast<const DataSource*>(&thresholded)}) {
    const std::vector<double> exact = query(plain, *rows);
    EXPECT_GT(exact[1], 0.3);  // the instance's correlation, on these rows
    const std::vector<double> answer = query(engine, *rows);
    EXPECT_NEAR(answer[0], exact[0], 1e-12);
    EXPECT_NEAR(answer[1], 0.0, 0.02);  // √(1/30000) ≈ 0.006 is the null's own spread
  }
  EXPECT_EQ(oracle->queries(), 2u);
}

TEST(SqOracle, EveryPassALearnerMakesIsAnsweredByTheOracle) {
  // Under an oracle a learner may touch the data only through Engine::mean: its passes must
  // equal the oracle's queries (refit_scale_bias reads raw projections unless it sees an oracle).
  const Engine plain(EngineOptions{1});
  const Instance wide = generate_instance("label-noise", 5000, 6, 5, {"bias=0.2"}, plain);
  const Instance narrow = generate_instance("label-noise", 5000, 2, 5, {"bias=0.2"}, plain);
  for (const LearnerEntry& entry : learner_table()) {
    if (entry.task != Task::relu) continue;
    for (bool bias : {false, true}) {
      const Instance& instance = entry.name == "exhaustive" ? narrow : wide;
      Engine engine(EngineOptions{1});
      auto oracle = make_query_oracle("adversarial", 0.0, instance.data.y, 3, 1);
      engine.set_query_oracle(oracle);
      FitContext context{&engine, 1, {}};
      std::vector<std::string> params;
      if (entry.name == "exhaustive") params = {"grid=64", "max_passes=20"};
      ParamValues values = ParamValues::parse(entry.params, params, entry.name);
      values.set_fit_bias(bias);
      const FitResult fit = fit_learner(entry, values, instance.data.view(), context);
      EXPECT_GT(fit.passes, 0u) << entry.name;
      // Known gap: gkk19 (and its halfspace learners) still read some passes through sum/map, so
      // under an oracle it is not yet a pure SQ algorithm; it is held to "some passes are queries".
      if (entry.name == "gkk19")
        EXPECT_GT(oracle->queries(), 0u);
      else
        EXPECT_EQ(fit.passes, oracle->queries()) << entry.name << " bias " << bias;
    }
  }
}

TEST(SqOracle, BadKindsAndTolerancesAreInputErrors) {
  const std::vector<double> labels{0, 1};
  try {
    make_query_oracle("lazy", 0.1, labels, 0, 1);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "unknown SQ oracle 'lazy' (choose one of: adversarial, random)");
  }
  try {
    make_query_oracle("random", -1, labels, 0, 1);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "SQ tolerance must be a finite number >= 0, got -1");
  }
}

}  // namespace
}  // namespace relureg
