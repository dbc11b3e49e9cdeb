// relureg._core: the thin pybind11 layer between the C++ core and the pure-Python package.
//
// Arrays cross without copies: features must arrive as C-contiguous float32 and labels as
// contiguous float64 (the Python package converts other inputs once); results leave as numpy
// arrays that own the C++ vectors. The GIL is released during fits, generation and evaluation.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "relureg/auto_learner.hpp"
#include "relureg/dataset.hpp"
#include "relureg/engine.hpp"
#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/fit_monitor.hpp"
#include "relureg/kernels.hpp"
#include "relureg/learner.hpp"
#include "relureg/model.hpp"
#include "relureg/model_ops.hpp"
#include "relureg/params.hpp"
#include "relureg/resources.hpp"
#include "relureg/score.hpp"
#include "relureg/sources.hpp"
#include "relureg/standardize.hpp"
#include "relureg/tradeoff.hpp"

namespace py = pybind11;

namespace relureg::python {
namespace {

using Features = py::array_t<float, py::array::c_style>;
using Labels = py::array_t<double, py::array::c_style>;
using Weights = py::array_t<double, py::array::c_style | py::array::forcecast>;
using Assignments = std::map<std::string, std::string>;

// A numpy array that takes ownership of `values` (no copy).
template <class T>
py::array_t<T> to_numpy(std::vector<T>&& values, std::vector<py::ssize_t> shape) {
  auto* owner = new std::vector<T>(std::move(values));
  py::capsule release(owner, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(shape, owner->data(), release);
}

py::object from_json(const nlohmann::json& j) {
  return py::module_::import("json").attr("loads")(j.dump());
}

// A view over the numpy buffers themselves: the engine reads the caller's memory.
DatasetView view_of(const Features& X, const double* labels) {
  if (X.ndim() != 2) throw InputError("X must be a 2-D array (n_samples, n_features)");
  return {X.data(), labels, static_cast<std::size_t>(X.shape(0)),
          static_cast<std::size_t>(X.shape(1))};
}

ReluModel model_of(const Weights& w, double b) {
  if (w.ndim() != 1) throw InputError("w must be a 1-D array");
  ReluModel model;
  model.w.assign(w.data(), w.data() + w.shape(0));
  model.b = b;
  model.bias = b != 0;
  return model;
}

py::object param_default(const ParamSpec& spec) {
  switch (spec.kind) {
    case ParamKind::integer:
      return py::int_(static_cast<long long>(spec.default_value));
    case ParamKind::flag:
      return py::bool_(spec.default_value != 0);
    case ParamKind::choice:
      return py::str(spec.text_default);
    default:
      return py::float_(spec.default_value);
  }
}

py::list param_table(const ParamTable& table) {
  static const char* const kinds[] = {"real", "integer", "choice", "flag"};
  py::list out;
  for (const ParamSpec& spec : table) {
    py::dict p;
    p["name"] = spec.name;
    p["kind"] = kinds[static_cast<int>(spec.kind)];
    p["default"] = param_default(spec);
    p["lower"] = spec.lower;
    p["upper"] = spec.upper;
    p["choices"] = spec.choices;
    p["description"] = spec.description;
    p["default_text"] = spec.default_text();
    p["range_text"] = spec.range_text();
    out.append(p);
  }
  return out;
}

// The learner or family table as a list of dicts: name, task, description, the learner's
// reference, and the parameter table.
template <class Entry>
py::list catalogue(const std::vector<Entry>& table) {
  py::list out;
  for (const Entry& e : table) {
    py::dict entry;
    entry["name"] = e.name;
    entry["task"] = task_name(e.task);
    entry["description"] = e.description;
    if constexpr (requires { e.reference; }) entry["reference"] = e.reference;
    entry["params"] = param_table(e.params);
    if constexpr (requires { e.takes_weights; }) entry["takes_weights"] = e.takes_weights;
    out.append(entry);
  }
  return out;
}

// Lets Ctrl-C stop a long fit started from Python's main thread: between iterations, at most
// every 0.1 s, it takes the GIL back and runs Python's signal handlers; a raised exception stops
// the fit (a stop_when callback) and is re-raised once the fit has returned.
class InterruptCheck {
 public:
  InterruptCheck() {
    const py::module_ threading = py::module_::import("threading");
    active_ = threading.attr("current_thread")().is(threading.attr("main_thread")());
  }
  ProgressCallback callback() {
    if (!active_) return {};
    return stop_when(
        [this] {
          const auto now = std::chrono::steady_clock::now();
          if (now - last_check_ < std::chrono::milliseconds(100)) return false;
          last_check_ = now;
          py::gil_scoped_acquire acquire;
          // On a signal the Python error stays set in this thread until we raise it.
          return PyErr_CheckSignals() != 0;
        },
        &interrupted_);
  }
  bool interrupted() const { return interrupted_; }

 private:
  bool active_ = false;
  bool interrupted_ = false;
  std::chrono::steady_clock::time_point last_check_ = std::chrono::steady_clock::now();
};

// The fraction of the rows of `view` where max(0, w·x + b) is active (one pass).
double active_fraction(const Engine& engine, const DatasetView& view, const std::vector<double>& w,
                       double b) {
  py::gil_scoped_release release;
  return engine.mean_rows(view, 1, [&](const float* x, double, double* acc) {
    acc[0] += affine_value(x, w.data(), view.cols(), b) > 0 ? 1.0 : 0.0;
  })[0];
}

// The moment direction cov(x_j, y) / std(x_j) (the direction the first descent step from zero
// follows, in standardised units) and the column scales std(x_j), in one pass (no copy of X).
py::tuple moment_direction(const Features& X, const Labels& y, int threads) {
  if (y.ndim() != 1 || y.shape(0) != X.shape(0))
    throw InputError("y must be a 1-D array with one label per row of X");
  const DatasetView view = view_of(X, y.data());
  const std::size_t d = view.cols();
  const Engine engine(EngineOptions{threads});
  std::vector<double> m;  // means of: y, x_j, x_j², y·x_j
  {
    py::gil_scoped_release release;
    m = engine.mean_rows(view, 1 + 3 * d, [d](const float* x, double label, double* acc) {
      acc[0] += label;
      for (std::size_t j = 0; j < d; ++j) {
        const double v = x[j];
        acc[1 + j] += v;
        acc[1 + d + j] += v * v;
        acc[1 + 2 * d + j] += label * v;
      }
    });
  }
  std::vector<double> moment(d), scale(d);
  for (std::size_t j = 0; j < d; ++j) {
    const double mean = m[1 + j], variance = m[1 + d + j] - mean * mean;
    scale[j] = variance > 0 && std::isfinite(variance) ? std::sqrt(variance) : 1.0;
    moment[j] = (m[1 + 2 * d + j] - m[0] * mean) / scale[j];
  }
  const auto size = static_cast<py::ssize_t>(d);
  return py::make_tuple(to_numpy(std::move(moment), {size}), to_numpy(std::move(scale), {size}));
}

py::dict fit(const Features& X, const Labels& y, const std::string& learner,
             const Assignments& params, bool bias, std::uint64_t seed, int threads,
             bool standardize, const std::optional<Weights>& initial_w, double initial_b,
             const std::optional<Weights>& sample_weight) {
  if (y.ndim() != 1 || y.shape(0) != X.shape(0))
    throw InputError("y must be a 1-D array with one label per row of X");
  // "auto" (fit_auto): its candidates check their own parameters.
  const bool automatic = learner == kAutoLearner;
  const LearnerEntry* entry = &find_learner(automatic ? "gd" : learner);
  ParamValues values;
  if (!automatic)
    values = ParamValues::from_map(entry->params, params, "learner '" + learner + "'");
  values.set_fit_bias(bias);
  const DatasetView view = view_of(X, y.data());
  // Sample weights: the rows weighed in every pass of the learners that take them.
  std::optional<WeightedSource> weighted;
  if (sample_weight) {
    if (sample_weight->ndim() != 1)
      throw InputError("sample_weight must be a 1-D array with one weight per row of X, got " +
                       std::to_string(sample_weight->ndim()) + " dimensions");
    weighted.emplace(view,
                     std::span<const double>(sample_weight->data(),
                                             static_cast<std::size_t>(sample_weight->shape(0))),
                     "sample_weight");
  }
  const DataSource& data = weighted ? static_cast<const DataSource&>(*weighted) : view;
  const Engine engine(EngineOptions{threads});
  InterruptCheck interrupt;
  FitTimeline timeline;
  FitContext context{&engine, seed, combine({interrupt.callback(), record_timeline(&timeline)})};
  context.standardize = standardize;
  std::optional<ReluModel> initial;
  if (initial_w) {  // a warm start from the previous fit
    initial = model_of(*initial_w, bias ? initial_b : 0.0);
    check_dimension(*initial, view.cols(), "X");
    context.initial = &*initial;
  }
  FitResult result;
  {
    py::gil_scoped_release release;
    if (automatic) {
      std::vector<std::string> assignments;
      for (const auto& [name, value] : params) assignments.push_back(name + "=" + value);
      AutoFit choice = fit_auto(assignments, bias, data, context);
      result = std::move(choice.result);
      entry = choice.entry;
      values = std::move(choice.params);
    } else {
      result = fit_learner_standardized(*entry, values, data, context);
    }
  }
  if (interrupt.interrupted()) throw py::error_already_set();

  // Every task's model as in the CLI's model file (the network estimators keep and predict it).
  const nlohmann::json model_json = to_json(ModelFile{result.model, entry->name, {}, {}});
  double active = -1;
  if (const auto* relu = std::get_if<ReluModel>(&result.model))
    active = active_fraction(engine, view, relu->w, relu->b);
  py::dict out;
  out["type"] = task_name(task_of(result.model));
  out["learner"] = entry->name;  // the learner kept, for "auto"
  if (auto* linear = std::get_if<ReluModel>(&result.model)) {
    const auto d = static_cast<py::ssize_t>(linear->w.size());
    out["w"] = to_numpy(std::move(linear->w), {d});
    out["b"] = linear->b;
  } else if (auto* halfspace = std::get_if<HalfspaceModel>(&result.model)) {
    const auto d = static_cast<py::ssize_t>(halfspace->w.size());
    out["w"] = to_numpy(std::move(halfspace->w), {d});
    out["b"] = halfspace->b;
  }
  out["model"] = from_json(model_json);
  const auto iterations = static_cast<py::ssize_t>(result.loss_history.size());
  out["loss_history"] = to_numpy(std::move(result.loss_history), {iterations});
  out["passes"] = result.passes;
  out["seconds"] = result.seconds;
  const auto reports = static_cast<py::ssize_t>(timeline.passes.size());
  out["timeline_passes"] = to_numpy(std::move(timeline.passes), {reports});
  out["timeline_seconds"] = to_numpy(std::move(timeline.seconds), {reports});
  out["stop_reason"] = result.stop_reason;
  out["details"] = from_json(result.details);
  out["params"] = from_json(values.to_json());
  out["threads"] = engine.threads();
  if (active >= 0) out["active_fraction"] = active;
  // Where the engine read the data from: equal to the numpy buffers (no copy was made).
  out["features_address"] = reinterpret_cast<std::uintptr_t>(view.features());
  out["labels_address"] = reinterpret_cast<std::uintptr_t>(view.labels());
  return out;
}

py::array_t<double> predict(const Features& X, const Weights& w, double b, int threads) {
  const ReluModel model = model_of(w, b);
  const DatasetView view = view_of(X, nullptr);
  check_dimension(model, view.cols(), "X");
  const Engine engine(EngineOptions{threads});
  std::vector<double> out;
  {
    py::gil_scoped_release release;
    out = relureg::predict(engine, model, view);
  }
  return to_numpy(std::move(out), {static_cast<py::ssize_t>(view.rows())});
}

// Predictions of a model given as the JSON of a model file (any task: the network estimators).
py::array_t<double> predict_model(const Features& X, const std::string& model_json, int threads) {
  const nlohmann::json j = nlohmann::json::parse(model_json, nullptr, false);
  if (j.is_discarded()) throw InputError("model: not valid JSON");
  const ModelFile file = model_file_from_json(j, "model");
  const DatasetView view = view_of(X, nullptr);
  check_dimension(file.model, view.cols(), "X");
  const Engine engine(EngineOptions{threads});
  std::vector<double> out;
  {
    py::gil_scoped_release release;
    out = relureg::predict(engine, file.model, view);
  }
  return to_numpy(std::move(out), {static_cast<py::ssize_t>(view.rows())});
}

py::array_t<double> affine(const Features& X, const Weights& w, double b, int threads) {
  const ReluModel model = model_of(w, b);
  const DatasetView view = view_of(X, nullptr);
  check_dimension(model, view.cols(), "X");
  const Engine engine(EngineOptions{threads});
  std::vector<double> out(view.rows());
  {
    py::gil_scoped_release release;
    engine.map(view, out, [&model](const RowBlock& blk, double* o) {
      for (std::size_t r = 0; r < blk.rows; ++r)
        o[r] = affine_value(blk.X + r * blk.d, model.w.data(), blk.d, model.b);
    });
  }
  return to_numpy(std::move(out), {static_cast<py::ssize_t>(view.rows())});
}

py::tuple make_instance(const std::string& family, std::size_t n, std::size_t d, std::uint64_t seed,
                        const Assignments& params, int threads) {
  std::vector<std::string> assignments;
  for (const auto& [name, value] : params) assignments.push_back(name + "=" + value);
  const Engine engine(EngineOptions{threads});
  Instance instance;
  {
    py::gil_scoped_release release;
    instance = generate_instance(family, n, d, seed, assignments, engine);
  }
  const auto rows = static_cast<py::ssize_t>(instance.data.n);
  const auto cols = static_cast<py::ssize_t>(instance.data.d);
  return py::make_tuple(to_numpy(std::move(instance.data.X), {rows, cols}),
                        to_numpy(std::move(instance.data.y), {rows}),
                        from_json(to_json(instance.truth)));
}

GroundTruth truth_of(const std::string& truth_json) {
  const nlohmann::json j = nlohmann::json::parse(truth_json, nullptr, false);
  if (j.is_discarded()) throw InputError("truth: not valid JSON");
  return ground_truth_from_json(j, "truth");
}

py::dict population_loss(const Weights& w, double b, const std::string& truth_json, int threads) {
  const GroundTruth truth = truth_of(truth_json);
  const Model model = model_of(w, b);
  check_dimension(model, truth.d, "truth");
  const Engine engine(EngineOptions{threads});
  PopulationLoss loss;
  {
    py::gil_scoped_release release;
    loss = relureg::population_loss(model, truth, engine);
  }
  py::dict out;
  out["value"] = loss.value;
  out["stderr"] = loss.stderr_;
  out["method"] = loss.method;
  out["samples"] = loss.samples;
  return out;
}

// The score (score.hpp) of a model given as model-file JSON on a truth's instance, as a dict.
py::object score_model(const std::string& model_json, const std::string& truth_json, int threads) {
  const nlohmann::json j = nlohmann::json::parse(model_json, nullptr, false);
  if (j.is_discarded()) throw InputError("model: not valid JSON");
  const ModelFile file = model_file_from_json(j, "model");
  const GroundTruth truth = truth_of(truth_json);
  check_dimension(file.model, truth.d, "truth");
  const Engine engine(EngineOptions{threads});
  Score s;
  {
    py::gil_scoped_release release;
    s = score(file.model, truth, engine);
  }
  return from_json(to_json(s));
}

// Runs the time/accuracy laboratory on a config text in `format` ("toml" or "json"; "" = the
// built-in grid), `origin` naming it in messages; with `out_dir`,
// keeps the journal there (resume) and writes results.csv/json and summary.md. Returns
// (columns, rows as a JSON string).
py::tuple tradeoff_run(const std::string& config_text, const std::string& format,
                       const std::string& origin, const std::string& out_dir) {
  const tradeoff::Config config =
      config_text.empty() ? tradeoff::default_config()
                          : tradeoff::parse_config(config_text, format, origin,
                                                   std::filesystem::path(origin).parent_path());
  tradeoff::RunOptions options;
  options.out_dir = out_dir;
  tradeoff::RunResult result;
  {
    py::gil_scoped_release release;
    result = tradeoff::run(config, options);
    if (!out_dir.empty()) tradeoff::write_results(config, result, out_dir);
  }
  return py::make_tuple(result.columns, nlohmann::json(result.rows).dump());
}

// The built-in grid as a JSON string (the config schema of docs/tradeoff.md).
std::string tradeoff_default_config() {
  return tradeoff::to_json(tradeoff::default_config()).dump();
}

// InputError and DivergenceError become the package's exception classes (defined, with their
// docstrings, in relureg/_errors.py as subclasses of ValueError and FloatingPointError).
void translate_errors(std::exception_ptr error) {
  try {
    if (error) std::rethrow_exception(error);
  } catch (const InputError& e) {
    const py::object type = py::module_::import("relureg._errors").attr("InputError");
    PyErr_SetString(type.ptr(), e.what());
  } catch (const DivergenceError& e) {
    const py::object type = py::module_::import("relureg._errors").attr("DivergenceError");
    PyErr_SetString(type.ptr(), e.what());
  }
}

}  // namespace
}  // namespace relureg::python

PYBIND11_MODULE(_core, m) {
  using namespace relureg::python;
  m.doc() = "relureg's C++ core (private: use the relureg package).";
  m.attr("__version__") = RELUREG_VERSION;
  py::register_exception_translator(&translate_errors);

  m.def("max_threads", &relureg::max_threads,
        "The most engine threads: a few per core of this process's CPU affinity.");
  m.def(
      "learner_table", [] { return catalogue(relureg::learner_table()); },
      "The learner table: one dict per learner.");
  m.def(
      "family_table", [] { return catalogue(relureg::family_table()); },
      "The family table: one dict per instance family.");
  m.def("fit", &fit, py::arg("X").noconvert(), py::arg("y").noconvert(), py::arg("learner"),
        py::arg("params"), py::arg("bias"), py::arg("seed"), py::arg("threads"),
        py::arg("standardize") = false, py::arg("initial_w") = py::none(),
        py::arg("initial_b") = 0.0, py::arg("sample_weight") = py::none(),
        "Fit a learner on C-contiguous float32 X and float64 y (no copy); returns a dict. "
        "standardize: descend in standardised coordinates (gd, glmtron); initial_w/initial_b: "
        "a warm start; sample_weight: one weight >= 0 per row (the learners that take them).");
  m.def("predict", &predict, py::arg("X").noconvert(), py::arg("w"), py::arg("b"),
        py::arg("threads"), "max(0, X w + b) through the engine.");
  m.def("moment_direction", &moment_direction, py::arg("X").noconvert(), py::arg("y").noconvert(),
        py::arg("threads"), "(cov(x_j, y) / std(x_j), std(x_j)) through the engine, one pass.");
  m.def("predict_model", &predict_model, py::arg("X").noconvert(), py::arg("model_json"),
        py::arg("threads"), "Predictions of a model file's model (JSON) through the engine.");
  m.def("affine", &affine, py::arg("X").noconvert(), py::arg("w"), py::arg("b"), py::arg("threads"),
        "X w + b through the engine (float features, double sums).");
  m.def("make_instance", &make_instance, py::arg("family"), py::arg("n"), py::arg("d"),
        py::arg("seed"), py::arg("params"), py::arg("threads"),
        "Generate an instance: (X float32, y float64, truth dict).");
  m.def("tradeoff_run", &tradeoff_run, py::arg("config_text"), py::arg("format"), py::arg("origin"),
        py::arg("out_dir"), "Run the laboratory's grid; returns (columns, rows as JSON).");
  m.def("tradeoff_default_config", &tradeoff_default_config,
        "The built-in tradeoff grid as a JSON string.");
  m.def("population_loss", &population_loss, py::arg("w"), py::arg("b"), py::arg("truth_json"),
        py::arg("threads"), "Population square loss of max(0, w.x + b) on a truth's distribution.");
  m.def("score", &score_model, py::arg("model_json"), py::arg("truth_json"), py::arg("threads"),
        "The score of a model (model-file JSON) against a truth: population loss, opt, excess.");
}
