// Random streams, block-by-block row sampling and the common parameters of the instance families.
#include "families/sampling.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "relureg/error.hpp"
#include "relureg/gaussian.hpp"
#include "relureg/rng.hpp"

namespace relureg::families {

std::uint64_t stream_seed(std::uint64_t seed, Stream stream) {
  return mix_seed(seed, static_cast<std::uint64_t>(stream));
}

double BlockRandom::uniform() {
  return (static_cast<double>(engine_() >> 11) + 0.5) * 0x1.0p-53;
}

double BlockRandom::normal() {
  // Marsaglia's polar method: two deviates per accepted point of the unit disc.
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u = 0, v = 0, s = 0;
  do {
    u = 2 * uniform() - 1;
    v = 2 * uniform() - 1;
    s = u * u + v * v;
  } while (s >= 1 || s == 0);
  const double factor = std::sqrt(-2 * std::log(s) / s);
  spare_ = v * factor;
  has_spare_ = true;
  return u * factor;
}

double BlockRandom::gamma(double shape) {
  // Marsaglia & Tsang, "A simple method for generating gamma variables" (2000).
  if (shape < 1) return gamma(shape + 1) * std::pow(uniform(), 1 / shape);
  const double d = shape - 1.0 / 3, c = 1 / std::sqrt(9 * d);
  for (;;) {
    double x = 0, v = 0;
    do {
      x = normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = uniform();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (std::log(u) < 0.5 * x * x + d * (1 - v + std::log(v))) return d * v;
  }
}

double upper_normal_quantile(double tail) {
  double lo = -40, hi = 40;  // P(g > x) = Φ(−x) decreases in x
  for (int i = 0; i < 200 && hi - lo > 0; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (mid == lo || mid == hi) break;
    (gaussian::normal_cdf(-mid) > tail ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

std::vector<double> random_unit_vector(std::size_t d, BlockRandom& random) {
  std::vector<double> v(d);
  double norm = 0;
  while (norm == 0) {
    for (double& x : v) x = random.normal();
    norm = std::sqrt(dot(v, v));
  }
  for (double& x : v) x /= norm;
  return v;
}

std::vector<double> side_direction(const std::vector<double>& unit, std::uint64_t seed) {
  BlockRandom random(make_rng(seed, static_cast<std::uint64_t>(Stream::side_direction)));
  std::vector<double> u;
  double u_norm = 0;
  while (u_norm < 1e-3) {
    u = random_unit_vector(unit.size(), random);
    const double along = dot(u, unit);
    for (std::size_t j = 0; j < u.size(); ++j) u[j] -= along * unit[j];
    u_norm = std::sqrt(dot(u, u));
  }
  for (double& v : u) v /= u_norm;
  return u;
}

Dataset draw_dataset(const RowDistribution& rows, std::size_t n, std::uint64_t seed, int threads,
                     RowBlocks blocks) {
  const std::size_t end_block = std::min(blocks.end, block_count(n));
  const std::size_t first_block = std::min(blocks.first, end_block);
  const std::size_t first_row = block_start_row(n, first_block);
  Dataset data(block_start_row(n, end_block) - first_row, rows.d);
  for_blocks(
      end_block - first_block, threads,
      [&](std::size_t local) {
        const std::size_t k = first_block + local;
        BlockRandom random(make_rng(seed, k));
        const std::size_t begin = k * kBlockRows;
        const std::size_t end = std::min(n, begin + kBlockRows);
        for (std::size_t i = begin; i < end; ++i) {
          float* x = data.row(i - first_row);
          for (std::size_t j = 0; j < rows.d; ++j)
            x[j] = static_cast<float>(rows.draw_coordinate(random));
          // The label is computed from the stored float32 features.
          data.y[i - first_row] =
              rows.draw_label
                  ? rows.draw_label(x, random)
                  : rows.label_mean(x) + (rows.draw_noise ? rows.draw_noise(random) : 0.0);
        }
      },
      BlockSchedule::uneven);
  return data;
}

PopulationLoss monte_carlo_loss(const RowDistribution& rows, const ReluModel& model,
                                std::size_t samples, std::uint64_t seed, int threads) {
  return monte_carlo_loss(
      rows, [&model](const float* x) { return model.predict_one(x); }, samples, seed, threads);
}

PopulationLoss monte_carlo_loss(const RowDistribution& rows,
                                const std::function<double(const float*)>& predict,
                                std::size_t samples, std::uint64_t seed, int threads) {
  if (samples < 2) throw InputError("Monte-Carlo population loss needs at least 2 samples");
  struct BlockSums {
    double sum = 0, sum_squares = 0;  // Σ r and Σ r², r = (f(x) − E[y|x])² (+ Var(y | x))
  };
  const std::vector<BlockSums> sums = map_blocks<BlockSums>(
      block_count(samples), threads,
      [&](std::size_t k) {
        BlockRandom random(make_rng(seed, k));
        const std::size_t begin = k * kBlockRows;
        const std::size_t end = std::min(samples, begin + kBlockRows);
        std::vector<float> x(rows.d);
        BlockSums block;
        for (std::size_t i = begin; i < end; ++i) {
          for (float& v : x) v = static_cast<float>(rows.draw_coordinate(random));
          const double gap = predict(x.data()) - rows.label_mean(x.data());
          // With x-dependent label noise the loss given x is gap² + Var(y | x).
          const double term =
              gap * gap + (rows.label_variance ? rows.label_variance(x.data()) : 0.0);
          block.sum += term;
          block.sum_squares += term * term;
        }
        return block;
      },
      BlockSchedule::uneven);
  double sum = 0, sum_squares = 0;
  for (const BlockSums& block : sums) sum += block.sum, sum_squares += block.sum_squares;
  const double m = static_cast<double>(samples);
  const double mean = sum / m;
  const double variance = std::max(0.0, (sum_squares / m - mean * mean) * m / (m - 1));
  return {mean + rows.noise_variance, std::sqrt(variance / m), "monte-carlo", samples};
}

std::function<double(BlockRandom&)> gaussian_coordinate() {
  return [](BlockRandom& random) { return random.normal(); };
}

std::function<double(const float*)> teacher_label(const GroundTruth& truth) {
  return [teacher = teacher_model(truth)](const float* x) { return teacher.predict_one(x); };
}

std::function<double(BlockRandom&)> noise_sampler(const std::string& kind, double variance) {
  if (variance == 0) return {};
  if (kind == "uniform") {
    const double half_width = std::sqrt(3 * variance);
    return [half_width](BlockRandom& r) { return half_width * (2 * r.uniform() - 1); };
  }
  if (kind != "gaussian") throw InputError(fmt::format("unknown noise distribution '{}'", kind));
  const double sd = std::sqrt(variance);
  return [sd](BlockRandom& r) { return sd * r.normal(); };
}

GroundTruth planted_truth(const GenerateRequest& request, const PlantedParams& common,
                          nlohmann::json params) {
  const std::size_t d = request.d;
  const std::uint64_t seed = request.seed;
  const double norm = common.norm;
  const double radius = common.radius;
  if (!(norm > 0)) throw InputError(fmt::format("parameter 'norm' must be positive, got {}", norm));
  if (radius < norm)
    throw InputError(
        fmt::format("parameter 'radius' ({}) must be at least 'norm' ({})", radius, norm));
  GroundTruth truth;
  truth.family = request.family;
  truth.d = d;
  truth.seed = seed;
  BlockRandom random(make_rng(seed, static_cast<std::uint64_t>(Stream::teacher)));
  truth.w_star = random_unit_vector(d, random);
  for (double& w : truth.w_star) w *= norm;
  truth.b_star = common.bias;
  truth.w_opt = truth.w_star;
  truth.b_opt = truth.b_star;
  truth.radius = radius;
  truth.params = std::move(params);
  return truth;
}

GroundTruth blank_truth(const GenerateRequest& request, nlohmann::json params) {
  GroundTruth truth;
  truth.family = request.family;
  truth.d = request.d;
  truth.seed = request.seed;
  truth.w_star.assign(request.d, 0.0);
  truth.w_opt.assign(request.d, 0.0);
  truth.radius = std::numeric_limits<double>::infinity();
  truth.params = std::move(params);
  return truth;
}

GroundTruth noisy_teacher_truth(const GenerateRequest& request, const PlantedParams& common,
                                double noise, nlohmann::json params) {
  GroundTruth truth = planted_truth(request, common, std::move(params));
  truth.opt = noise;
  truth.teacher_loss = noise;
  truth.opt_kind = "exact";
  truth.opt_note = fmt::format(
      "the teacher is E[y|x] and lies within the radius, so opt = noise variance {}", noise);
  return truth;
}

std::string truth_text(const GroundTruth& truth, const std::string& name) {
  const nlohmann::json& params = truth.params;
  if (!params.is_object() || !params.contains(name))
    throw InputError(
        fmt::format("ground truth of family '{}' lacks parameter '{}'", truth.family, name));
  const nlohmann::json& value = params[name];
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "1" : "0";
  if (value.is_number_integer()) return value.dump();
  if (value.is_number()) return fmt::format("{}", value.get<double>());
  throw InputError(fmt::format("ground truth parameter '{}' must be a number or a word, got {}",
                               name, value.dump()));
}

void check_model_dimension(const ReluModel& model, const GroundTruth& truth) {
  if (model.w.size() != truth.d)
    throw InputError(
        fmt::format("model has {} weights but the instance has d = {}", model.w.size(), truth.d));
}

ReluModel teacher_model(const GroundTruth& truth) {
  return ReluModel{truth.w_star, truth.b_star, true};
}

double dot(std::span<const double> u, std::span<const double> v) {
  double s = 0;
  for (std::size_t j = 0; j < u.size() && j < v.size(); ++j) s += u[j] * v[j];
  return s;
}

}  // namespace relureg::families
