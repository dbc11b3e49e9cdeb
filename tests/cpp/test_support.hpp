// Shared test helpers: a two-thread engine, seeded Gaussian data and the message of an expected
// InputError.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "relureg/dataset.hpp"
#include "relureg/engine.hpp"
#include "relureg/error.hpp"

namespace relureg::testing {

// The Euclidean distance ‖a − b‖ (of a recovered weight vector from the teacher's, say).
inline double distance(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (std::size_t j = 0; j < a.size(); ++j) s += (a[j] - b[j]) * (a[j] - b[j]);
  return std::sqrt(s);
}

// One engine with two threads for a whole test binary (results do not depend on the count).
inline const Engine& two_threads() {
  static const Engine engine(EngineOptions{2});
  return engine;
}

// One seeded stream of N(0, 1) draws that a test's teacher, features and noise all come from, in
// the order they are asked for.
struct GaussianDraws {
  std::mt19937_64 rng;
  std::normal_distribution<double> normal;

  explicit GaussianDraws(std::uint64_t seed) : rng(seed) {}
  double operator()() { return normal(rng); }

  // A direction uniform on the unit sphere of R^d.
  std::vector<double> unit_vector(std::size_t d) {
    std::vector<double> w(d);
    double norm2 = 0;
    for (double& v : w) v = (*this)(), norm2 += v * v;
    for (double& v : w) v /= std::sqrt(norm2);
    return w;
  }

  // n rows x ~ N(0, I_d) (float32), each labelled label(w·x) right after its features are drawn
  // (w·x summed in double over the stored float features).
  template <class Label>
  Dataset single_index_rows(std::size_t n, const std::vector<double>& w, Label label) {
    Dataset data(n, w.size());
    for (std::size_t i = 0; i < n; ++i) {
      float* x = data.row(i);
      double s = 0;
      for (std::size_t j = 0; j < w.size(); ++j) {
        x[j] = static_cast<float>((*this)());
        s += w[j] * static_cast<double>(x[j]);
      }
      data.y[i] = label(s);
    }
    return data;
  }

  // n rows of N(0, I_d) features and independent N(0, 1) labels: all features first, then labels.
  Dataset noise_rows(std::size_t n, std::size_t d) {
    Dataset data(n, d);
    for (float& v : data.X) v = static_cast<float>((*this)());
    for (double& v : data.y) v = (*this)();
    return data;
  }
};

// The rows the relu_stats kernel tests share: `n` noise rows of d features (seed `seed`), sample
// weights with zeros among them (every seventh row, the others 0.25·(i mod 5)), and a fixed w.
struct StatsRows {
  Dataset data;
  std::vector<double> weights;
  std::vector<double> w;
  StatsRows(std::size_t n, std::size_t d, unsigned seed)
      : data(GaussianDraws(seed).noise_rows(n, d)), weights(n), w(d) {
    for (std::size_t i = 0; i < n; ++i) weights[i] = (i % 7 == 0) ? 0.0 : 0.25 * (i % 5);
    for (std::size_t j = 0; j < d; ++j) w[j] = (j % 3 == 0 ? 0.3 : -0.2) / (1.0 + 0.1 * j);
  }
};

// The message of the InputError that fn() throws, or "(no InputError)".
template <class Fn>
std::string input_error_of(Fn fn) {
  try {
    fn();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

// The InputError message of read(j') for j' = a copy of j with change(j') applied.
template <class Read, class Change>
std::string input_error_after(const nlohmann::json& j, Change change, Read read) {
  nlohmann::json changed = j;
  change(changed);
  return input_error_of([&] { read(changed); });
}

}  // namespace relureg::testing
