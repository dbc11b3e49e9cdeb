// Isotonic (PAV) and Lipschitz-isotonic link fits, and the Isotron loop of isotron and l-isotron.
#include "isotonic.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "relureg/error.hpp"
#include "relureg/fit_monitor.hpp"

namespace relureg::detail {
namespace {

// Points with equal projections pooled: their z, label sum and count, in increasing z.
struct Group {
  double z = 0, sum = 0, count = 0;
};

std::vector<Group> pool_ties(const std::vector<double>& z, const std::vector<double>& y) {
  std::vector<Group> groups;
  for (std::size_t i = 0; i < z.size(); ++i) {
    if (groups.empty() || z[i] != groups.back().z) groups.push_back({z[i], 0, 0});
    groups.back().sum += y[i];
    groups.back().count += 1;
  }
  return groups;
}

}  // namespace

LinkFit pool_adjacent_violators(const std::vector<double>& z, const std::vector<double>& y) {
  const std::vector<Group> groups = pool_ties(z, y);
  struct Block {
    double sum = 0, count = 0, z_sum = 0;
    std::size_t points = 0;
  };
  std::vector<Block> blocks;
  std::size_t point = 0;
  for (const Group& g : groups) {
    blocks.push_back({g.sum, g.count, g.z * g.count, static_cast<std::size_t>(g.count)});
    point += static_cast<std::size_t>(g.count);
    while (blocks.size() > 1) {
      Block& last = blocks.back();
      Block& before = blocks[blocks.size() - 2];
      if (before.sum * last.count < last.sum * before.count) break;  // means increase: no violation
      before.sum += last.sum, before.count += last.count, before.z_sum += last.z_sum;
      before.points += last.points;
      blocks.pop_back();
    }
  }
  LinkFit fit;
  fit.fitted.reserve(point);
  for (const Block& b : blocks) {
    const double mean = b.sum / b.count;
    fit.fitted.insert(fit.fitted.end(), b.points, mean);
    fit.knots.push_back(b.z_sum / b.count);
    fit.values.push_back(mean);
  }
  return fit;
}

LinkFit lipschitz_isotonic(const std::vector<double>& z, const std::vector<double>& y,
                           std::size_t bins, double lipschitz) {
  const std::size_t n = z.size();
  // Groups of consecutive points with equal counts, merged while their mean z coincide.
  std::vector<Group> groups;
  const std::size_t count = std::max<std::size_t>(1, std::min(bins, n));
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t begin = k * n / count, end = (k + 1) * n / count;
    Group g;
    for (std::size_t i = begin; i < end; ++i) g.z += z[i], g.sum += y[i], g.count += 1;
    if (g.count == 0) continue;
    g.z /= g.count;
    if (!groups.empty() && !(g.z > groups.back().z)) {
      Group& last = groups.back();
      last.z = (last.z * last.count + g.z * g.count) / (last.count + g.count);
      last.sum += g.sum, last.count += g.count;
    } else {
      groups.push_back(g);
    }
  }
  const std::size_t m = groups.size();
  std::vector<double> target(m), weight(m), upper(m > 0 ? m - 1 : 0), increment(upper.size());
  for (std::size_t k = 0; k < m; ++k) target[k] = groups[k].sum / groups[k].count;
  for (std::size_t k = 0; k < m; ++k) weight[k] = groups[k].count / static_cast<double>(n);
  for (std::size_t k = 0; k + 1 < m; ++k) {
    upper[k] = lipschitz * (groups[k + 1].z - groups[k].z);
    increment[k] = std::clamp(target[k + 1] - target[k], 0.0, upper[k]);
  }
  // residual[k] = u_k − ȳ_k with u_k = u_0 + Σ_{j<k} increment[j].
  std::vector<double> residual(m);
  double u0 = m > 0 ? target[0] : 0.0;
  auto rebuild = [&] {
    double u = u0;
    for (std::size_t k = 0; k < m; ++k) {
      if (k > 0) u += increment[k - 1];
      residual[k] = u - target[k];
    }
  };
  rebuild();
  double scale = 1e-300;
  for (double t : target) scale = std::max(scale, std::abs(t));
  for (int sweep = 0; sweep < 20000 && m > 0; ++sweep) {
    // Increments from the last to the first: increment j shifts u_k for every k > j, so with
    // S = Σ_{k>j} c_k r_k and H = Σ_{k>j} c_k each exact coordinate step costs O(1).
    double largest = 0, s_sum = 0, h_sum = 0;
    for (std::size_t j = m - 1; j-- > 0;) {
      s_sum += weight[j + 1] * residual[j + 1];
      h_sum += weight[j + 1];
      const double next = std::clamp(increment[j] - s_sum / h_sum, 0.0, upper[j]);
      const double delta = next - increment[j];
      increment[j] = next;
      s_sum += delta * h_sum;
      largest = std::max(largest, std::abs(delta));
    }
    // Then u_0, which shifts every u_k: the weighted mean residual goes to 0.
    s_sum += weight[0] * residual[0];
    h_sum += weight[0];
    const double delta = -s_sum / h_sum;
    u0 += delta;
    largest = std::max(largest, std::abs(delta));
    rebuild();
    if (largest <= 1e-13 * scale) break;
  }
  SimModel link;
  for (std::size_t k = 0; k < m; ++k) {
    link.knots.push_back(groups[k].z);
    link.values.push_back(residual[k] + target[k]);
  }
  for (std::size_t k = 1; k < m; ++k)  // rounding must not make the link decrease
    link.values[k] = std::max(link.values[k], link.values[k - 1]);
  LinkFit fit;
  fit.fitted.resize(n);
  for (std::size_t i = 0; i < n; ++i) fit.fitted[i] = link.link(z[i]);
  fit.knots = std::move(link.knots);
  fit.values = std::move(link.values);
  return fit;
}

namespace {

// Projections w·x of every row (one pass), their order and the link fitted on them.
struct Projection {
  std::vector<double> z;
  std::vector<std::size_t> order;
  LinkFit fit;
};

Projection project_and_fit(const Engine& engine, const DataSource& data,
                           const std::vector<double>& w, const std::vector<double>& labels,
                           const IsotronSettings& settings) {
  const std::size_t n = data.rows(), d = data.cols();
  Projection p;
  p.z.resize(n);
  engine.map(data, p.z, [&w, d](const RowBlock& blk, double* out) {
    for (std::size_t r = 0; r < blk.rows; ++r) {
      const float* x = blk.X + r * d;
      double s = 0;
      for (std::size_t j = 0; j < d; ++j) s += w[j] * static_cast<double>(x[j]);
      out[r] = s;
    }
  });
  p.order.resize(n);
  std::iota(p.order.begin(), p.order.end(), std::size_t{0});
  std::sort(p.order.begin(), p.order.end(), [&p](std::size_t a, std::size_t b) {
    return p.z[a] < p.z[b] || (p.z[a] == p.z[b] && a < b);
  });
  std::vector<double> zs(n), ys(n);
  for (std::size_t i = 0; i < n; ++i) zs[i] = p.z[p.order[i]], ys[i] = labels[p.order[i]];
  p.fit = settings.bins == 0 ? pool_adjacent_violators(zs, ys)
                             : lipschitz_isotonic(zs, ys, settings.bins, settings.lipschitz);
  return p;
}

}  // namespace

FitResult run_isotron(const DataSource& data, const FitContext& context,
                      const IsotronSettings& settings) {
  const Engine& engine = *context.engine;
  const std::size_t n = data.rows(), d = data.cols();
  std::vector<double> labels(n);
  engine.map(data, labels, [](const RowBlock& blk, double* out) {
    for (std::size_t r = 0; r < blk.rows; ++r) out[r] = blk.y[r];
  });
  FitResult result;
  FitMonitor monitor(context, {settings.name, settings.max_passes, settings.tol}, result);
  monitor.stop("max_passes");
  std::vector<double> w(d, 0.0), residual(n);
  double previous = NAN;
  std::size_t iteration = 0;
  Projection p;
  while (true) {
    p = project_and_fit(engine, data, w, labels, settings);
    double loss = 0;
    for (std::size_t i = 0; i < n; ++i) {
      residual[p.order[i]] = labels[p.order[i]] - p.fit.fitted[i];
      loss += residual[p.order[i]] * residual[p.order[i]];
    }
    loss /= static_cast<double>(n);
    monitor.check_finite(iteration, loss);
    if (iteration == 0) {
      monitor.record(loss);
    } else if (!monitor.report(iteration, loss) || monitor.converged(previous, loss)) {
      break;
    }
    if (!monitor.within(settings.max_passes)) break;
    previous = loss;
    ++iteration;
    // w += step·Ê[(y − û(w·x)) x]: the perceptron-like half of the Isotron step.
    const std::vector<double> g =
        engine.mean(data, d, [&residual, d](const RowBlock& blk, double* acc) {
          for (std::size_t r = 0; r < blk.rows; ++r) {
            const double res = residual[blk.first_row + r];
            const float* x = blk.X + r * d;
            for (std::size_t j = 0; j < d; ++j) acc[j] += res * static_cast<double>(x[j]);
          }
        });
    for (std::size_t j = 0; j < d; ++j) w[j] += settings.step * g[j];
  }
  // The model: unit direction, knots in units of the unit direction's projections.
  double norm = 0;
  for (double v : w) norm += v * v;
  norm = std::sqrt(norm);
  SimModel model;
  model.knots = p.fit.knots;
  model.values = p.fit.values;
  model.w = w;
  if (norm > 0) {
    for (double& v : model.w) v /= norm;
    for (double& t : model.knots) t /= norm;
  }
  // The returned model's own training loss closes the history (isotron's link interpolates
  // between its blocks, so it differs slightly from the isotonic fit's).
  const std::vector<double> final_loss =
      engine.mean_rows(data, 1, [&model](const float* x, double y, double* acc) {
        const double r = model.predict_one(x) - y;
        acc[0] += r * r;
      });
  monitor.check_finite(iteration, final_loss[0]);
  monitor.record(final_loss[0]);
  result.details["iterations"] = iteration;
  result.details["knots"] = model.knots.size();
  result.details["direction_norm"] = norm;
  result.model = std::move(model);
  return result;
}

}  // namespace relureg::detail
