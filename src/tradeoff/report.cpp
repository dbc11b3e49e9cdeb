// The laboratory's outputs: results.csv (tidy), results.json and summary.md.
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "relureg/family.hpp"
#include "relureg/io.hpp"
#include "relureg/tradeoff.hpp"

namespace relureg::tradeoff {
namespace {

std::string csv_field(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_float()) return fmt::format("{}", v.get<double>());
  if (v.is_number()) return v.dump();
  std::string text = v.is_string() ? v.get<std::string>() : v.dump();
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char ch : text) {
    if (ch == '"') quoted += '"';
    quoted += ch;
  }
  quoted += '"';
  return quoted;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

double number(const Row& row, const char* column) {
  return row.at(column).get<double>();
}

std::string list_text(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

// The median of `column` over the rows that ran, and the interval over seeds: the lowest and the
// highest of the per-seed medians ("1.0007 [1.0005, 1.0010]"; "–" when no row has a value).
std::string median_over_seeds(const std::vector<const Row*>& rows, const char* column,
                              const char* format, double level = -1) {
  std::vector<double> all;
  std::map<std::uint64_t, std::vector<double>> by_seed;
  for (const Row* row : rows) {
    if ((*row)["status"] != "ok" || (*row)[column].is_null()) continue;
    if (level >= 0 && ((*row)["noise"].is_null() || number(*row, "noise") != level)) continue;
    all.push_back(number(*row, column));
    by_seed[(*row)["seed"].get<std::uint64_t>()].push_back(all.back());
  }
  if (all.empty()) return "–";
  double low = std::numeric_limits<double>::infinity(), high = -low;
  for (const auto& [seed, values] : by_seed) {
    low = std::min(low, median(values));
    high = std::max(high, median(values));
  }
  const auto shown = [&](double v) { return fmt::format(fmt::runtime(format), v); };
  return fmt::format("{} [{}, {}]", shown(median(all)), shown(low), shown(high));
}

// The rows of one family, by learner (in config order).
struct FamilyRows {
  std::vector<std::string> learners;
  std::map<std::string, std::vector<const Row*>> by_learner;
};

void learner_table(std::string& out, const FamilyRows& family, bool opt_is_zero) {
  out += fmt::format(
      "| learner | cells | median ratio_to_opt [seeds] | worst ratio_to_opt | median {} [seeds] "
      "| median time (s) | median passes |\n|---|--:|--:|--:|--:|--:|--:|\n",
      opt_is_zero ? "loss (opt = 0)" : "excess");
  for (const std::string& learner : family.learners) {
    const std::vector<const Row*>& rows = family.by_learner.at(learner);
    std::vector<double> ratio, excess, seconds, passes;
    for (const Row* row : rows) {
      if ((*row)["status"] != "ok") continue;
      if (!(*row)["ratio_to_opt"].is_null()) ratio.push_back(number(*row, "ratio_to_opt"));
      excess.push_back(number(*row, "excess"));
      seconds.push_back(number(*row, "fit_seconds"));
      passes.push_back(number(*row, "passes"));
    }
    if (excess.empty()) {
      out += fmt::format("| {} | 0 | – | – | – | – | – |\n", learner);
      continue;
    }
    const std::string worst_ratio =
        ratio.empty() ? "–" : fmt::format("{:.4f}", *std::max_element(ratio.begin(), ratio.end()));
    out +=
        fmt::format("| {} | {} | {} | {} | {} | {:.3g} | {:g} |\n", learner, excess.size(),
                    median_over_seeds(rows, "ratio_to_opt", "{:.4f}"), worst_ratio,
                    median_over_seeds(rows, "excess", "{:.2e}"), median(seconds), median(passes));
  }
}

// Median ratio_to_opt per learner and noise level (rows: learners; columns: levels).
void level_table(std::string& out, const FamilyRows& family) {
  std::set<double> levels;
  for (const auto& [learner, rows] : family.by_learner)
    for (const Row* row : rows)
      if (!(*row)["noise"].is_null() && !(*row)["ratio_to_opt"].is_null())
        levels.insert(number(*row, "noise"));
  if (levels.size() < 2) return;
  out += "\nMedian ratio_to_opt [seeds] by noise level:\n\n| learner |";
  std::string rule = "|---|";
  for (double level : levels) {
    out += fmt::format(" {:g} |", level);
    rule += "--:|";
  }
  out += '\n';
  out += rule;
  out += '\n';
  for (const std::string& learner : family.learners) {
    out += fmt::format("| {} |", learner);
    for (double level : levels)
      out += fmt::format(" {} |", median_over_seeds(family.by_learner.at(learner), "ratio_to_opt",
                                                    "{:.4f}", level));
    out += "\n";
  }
}

// A table per axis the family ran along besides the noise levels (d, and each family
// parameter given as a list): for d the median excess [seeds] and the median fit time, so a
// cost that grows with d (exhaustive-subsets' C(d, k) candidates) shows beside the excess it
// buys; for a parameter the median ratio_to_opt [seeds] (e.g. the biased teacher's offset, the
// two-point noise's opt levels).
void axis_tables(std::string& out, const FamilyRows& family) {
  std::map<std::string, std::set<nlohmann::json>> values;  // column -> the values it took
  for (const auto& [learner, rows] : family.by_learner)
    for (const Row* row : rows)
      for (const auto& [column, value] : row->items())
        if (column == "d" || (column.rfind("family.", 0) == 0 &&
                              value != (*row)["noise"]))  // not the noise levels' parameter
          values[column].insert(value);
  for (const auto& [column, taken] : values) {
    if (taken.size() < 2) continue;
    const bool by_d = column == "d";
    const std::string name = by_d ? "d" : column.substr(7);
    out += by_d ? "\nMedian excess [seeds] · median fit time by d:\n\n| learner |"
                : fmt::format("\nMedian ratio_to_opt [seeds] by {}:\n\n| learner |", name);
    std::string rule = "|---|";
    for (const nlohmann::json& v : taken) {
      out += fmt::format(" {} = {} |", name, v.is_string() ? v.get<std::string>() : v.dump());
      rule += "--:|";
    }
    out += '\n' + rule + '\n';
    for (const std::string& learner : family.learners) {
      out += fmt::format("| {} |", learner);
      for (const nlohmann::json& v : taken) {
        std::vector<const Row*> at;
        std::vector<double> seconds;
        for (const Row* row : family.by_learner.at(learner))
          if ((*row)[column] == v) {
            at.push_back(row);
            if ((*row)["status"] == "ok") seconds.push_back(number(*row, "fit_seconds"));
          }
        if (seconds.empty())
          out += " – |";
        else if (by_d)
          out += fmt::format(" {} · {:.3g} s |", median_over_seeds(at, "excess", "{:.2e}"),
                             median(seconds));
        else
          out += fmt::format(" {} |", median_over_seeds(at, "ratio_to_opt", "{:.4f}"));
      }
      out += "\n";
    }
  }
}

// Cells that did not end "ok", grouped by learner, status and reason.
void not_ok_notes(std::string& out, const FamilyRows& family) {
  std::map<std::tuple<std::string, std::string, std::string>, int> counts;
  for (const std::string& learner : family.learners)
    for (const Row* row : family.by_learner.at(learner))
      if ((*row)["status"] != "ok")
        ++counts[{learner, (*row)["status"].get<std::string>(),
                  (*row)["reason"].is_string() ? (*row)["reason"].get<std::string>() : ""}];
  if (counts.empty()) return;
  out += "\n";
  for (const auto& [what, count] : counts)
    out += fmt::format("- {}: {} cell{} {}: {}\n", std::get<0>(what), count, count == 1 ? "" : "s",
                       std::get<1>(what), std::get<2>(what));
}

}  // namespace

std::string results_csv(const RunResult& result) {
  std::string out;
  for (std::size_t i = 0; i < result.columns.size(); ++i) {
    if (i) out += ',';
    out += csv_field(result.columns[i]);
  }
  out += "\n";
  for (const Row& row : result.rows) {
    for (std::size_t i = 0; i < result.columns.size(); ++i) {
      const auto it = row.find(result.columns[i]);
      if (i) out += ',';
      if (it != row.end()) out += csv_field(*it);
    }
    out += "\n";
  }
  return out;
}

namespace {

// " (own axes: sparse-parity d ∈ {8, 16})" for the families with their own d or n.
std::string own_axes(const Config& config) {
  std::vector<std::string> own;
  for (const FamilySpec& f : config.families) {
    std::vector<std::string> parts;
    for (const auto& [name, axis] : {std::pair{"d", &f.d}, std::pair{"n", &f.n}}) {
      std::vector<std::string> values;
      for (std::size_t v : *axis) values.push_back(std::to_string(v));
      if (!values.empty()) parts.push_back(fmt::format("{} ∈ {{{}}}", name, list_text(values)));
    }
    if (!parts.empty()) own.push_back(f.name + " " + list_text(parts));
  }
  return own.empty() ? "" : fmt::format(" (own axes: {})", fmt::join(own, "; "));
}

}  // namespace

std::string summary_markdown(const Config& config, const RunResult& result) {
  std::vector<std::string> families;
  std::map<std::string, FamilyRows> by_family;
  std::map<std::string, std::set<std::string>> opt_kinds;
  for (const Row& row : result.rows) {
    const std::string family = row["family"].get<std::string>();
    const std::string learner = row["learner"].get<std::string>();
    if (!by_family.count(family)) families.push_back(family);
    FamilyRows& f = by_family[family];
    if (!f.by_learner.count(learner)) f.learners.push_back(learner);
    f.by_learner[learner].push_back(&row);
    if (row["opt_kind"].is_string()) opt_kinds[family].insert(row["opt_kind"].get<std::string>());
  }
  std::vector<std::string> seeds, ds, ns;
  for (auto s : config.seeds) seeds.push_back(std::to_string(s));
  for (auto d : config.d) ds.push_back(std::to_string(d));
  for (auto n : config.n) ns.push_back(std::to_string(n));
  std::string out = fmt::format(
      "# relureg tradeoff\n\n{} of {} cells finished ({} fitted in this run, {} resumed){}; "
      "d ∈ {{{}}}, n ∈ {{{}}}{}, seeds {{{}}}; {} job{} × {} thread{}. Medians over noise levels, "
      "d, n and seeds of the cells that ran (status ok); [a, b] after a median is its interval "
      "over seeds: the lowest and the highest of the per-seed medians. Loss is the population "
      "loss.\n",
      result.rows.size(), result.total, result.fitted, result.resumed,
      result.interrupted ? ", interrupted" : "", list_text(ds), list_text(ns), own_axes(config),
      list_text(seeds), result.jobs, result.jobs == 1 ? "" : "s", result.threads,
      result.threads == 1 ? "" : "s");
  // Families grouped by task (each task has its own measure and opt, so its own tables), in
  // their order within a task: std::sort on (task, position), the order std::stable_sort would
  // give (libstdc++ 12's stable_sort trips AddressSanitizer: docs/reliability.md).
  std::vector<std::pair<Task, std::size_t>> order;
  for (std::size_t i = 0; i < families.size(); ++i)
    order.emplace_back(find_family(families[i]).task, i);
  std::sort(order.begin(), order.end());
  std::vector<std::string> grouped;
  for (const auto& [task_of_family, i] : order) grouped.push_back(families[i]);
  families = std::move(grouped);
  std::optional<Task> task;
  for (const std::string& family : families) {
    const FamilyRows& f = by_family[family];
    if (task != find_family(family).task) {
      task = find_family(family).task;
      out += fmt::format("\n## Task {}: {} against opt over {}\n", task_name(*task),
                         task_measure(*task), task_models(*task));
    }
    bool opt_is_zero = true;
    for (const auto& [learner, rows] : f.by_learner)
      for (const Row* row : rows)
        if (!(*row)["opt"].is_null() && number(*row, "opt") > 0) opt_is_zero = false;
    out += fmt::format("\n### {} (opt: {})\n\n", family,
                       list_text({opt_kinds[family].begin(), opt_kinds[family].end()}));
    learner_table(out, f, opt_is_zero);
    level_table(out, f);
    axis_tables(out, f);
    not_ok_notes(out, f);
  }
  return out;
}

void write_results(const Config& config, const RunResult& result,
                   const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  write_text_atomically(dir / "results.csv", results_csv(result));
  // Written row by row, without a second copy of the table.
  const nlohmann::json head = {{"config", to_json(config)},
                               {"columns", result.columns},
                               {"total_cells", result.total},
                               {"finished_cells", result.rows.size()},
                               {"interrupted", result.interrupted}};
  std::string json = head.dump(1);
  json.pop_back();  // the closing brace
  json += ",\n \"rows\": [";
  for (std::size_t i = 0; i < result.rows.size(); ++i) {
    json += i ? ",\n  " : "\n  ";
    json += result.rows[i].dump();
  }
  json += "\n ]\n}\n";
  write_text_atomically(dir / "results.json", json);
  write_text_atomically(dir / "summary.md", summary_markdown(config, result));
  write_text_atomically(dir / "config.toml", to_toml(config));
}

}  // namespace relureg::tradeoff
