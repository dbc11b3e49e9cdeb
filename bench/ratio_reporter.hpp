// RatioReporter: bench_engine's summary of pass rates against the streaming read, and its targets.
#pragma once

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "base/cpu_level.hpp"
#include "kernels/moments.hpp"
#include "kernels/short_rows.hpp"

namespace bench_engine {

// Prints the usual table, then for every (n, d, threads) each pass's bandwidth as a fraction of
// the streaming read, the 2-thread speed-ups, and the target (fused ≥ 80 % of the
// streaming read for d ≥ 100 on 2 threads) for the fused passes the learners make (gd's and
// glmtron's, one gradient each) and for the pass with both gradients (which no learner makes).
// Bytes are those of X (float32); the labels add 8 bytes per row on top (20 % at d = 10, 2 % at d =
// 100), not counted.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  // Colours only on a terminal (a custom reporter does not read --benchmark_color).
  RatioReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_Defaults : OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    // With --benchmark_repetitions the medians are used (the single runs and the other
    // aggregates are skipped); otherwise each run.
    for (const Run& run : runs) {
      const bool aggregate = run.run_type == Run::RT_Aggregate;
      if (run.run_type == Run::RT_Iteration && run.repetitions > 1) continue;
      const std::string name = run.run_name.str();
      const auto slash = name.find('/');
      const auto it = run.counters.find("bytes_per_second");
      if (slash == std::string::npos || it == run.counters.end()) continue;
      const std::string args = name.substr(slash), bench = name.substr(0, slash);
      // The statistics of a rate: min and max of the per-repetition rates.
      if (!aggregate || run.aggregate_name == "median") rates_[args][bench] = it->second.value;
      if (!aggregate || run.aggregate_name == "min") lowest_[args][bench] = it->second.value;
      if (!aggregate || run.aggregate_name == "max") highest_[args][bench] = it->second.value;
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    std::ostream& out = GetOutputStream();
    // The short-row variant the passes took (the longest rows'; the shorter rows' where it
    // differs), and those this CPU runs.
    namespace rd = relureg::detail;
    const std::size_t longest = rd::short_row_features();
    out << "short-row kernels: " << short_row_isa_name(rd::short_row_isa(longest))
        << " (d <= " << longest << "; this CPU and build run:";
    for (const auto isa : rd::runnable_short_row_isas()) out << " " << short_row_isa_name(isa);
    out << ")\n";
    const rd::MomentKernels& moments = rd::moment_kernels();
    out << "moments kernels: " << moments.name << " ("
        << (moments.max_features == rd::kAnyFeatures
                ? std::string("any d")
                : "d <= " + std::to_string(moments.max_features))
        << "; tiled beyond d = " << moments.register_features << ")\n";
    const std::size_t far_chunks = rd::short_row_two_phase_chunks_ahead();
    out << "short-row prefetch for d > 16: ";
    if (rd::short_row_l2_prefetch())
      out << "1 KB ahead into L1 and 8 KB ahead into L2\n";
    else
      out << "no stream into L2 (an AMD CPU); into L1 " << 4 * far_chunks
          << " KB ahead for gd's and glmtron's passes (avx512; avx2 4 KB), 1 KB for the others"
          << (far_chunks > 1 ? "; the avx512 float z at d <= 32 requests each line beside its "
                               "load instead of in a loop per group\n"
                             : "\n");
    out << "short-row prefetch on columns (d <= 12): into L1 "
        << (rd::cpu_is_amd() ? "6 KB ahead for d > 4 and 4 KB below (an AMD CPU: "
                               "short_rows_body.hpp's kAmdColumnL1Bytes)\n"
                             : "4 KB ahead\n");
    const std::size_t narrow = rd::kAvx2RowFeatures, columns = rd::kAvx512ColumnPassFeatures,
                      stats_columns = rd::kAvx512ColumnFeatures;
    if (rd::short_row_isa(columns) == rd::ShortRowIsa::avx512 &&
        rd::short_row_isa(narrow) != rd::ShortRowIsa::avx512 &&
        rd::short_row_isa(longest) == rd::ShortRowIsa::avx512) {
      out << "short-row kernels for d <= " << columns << ": avx512-columns (every pass)\n";
      out << "short-row kernels for d <= " << stats_columns
          << ": avx512-columns/avx2 (gd's and glmtron's passes on avx512 columns, the others "
          << short_row_isa_name(rd::short_row_isa(stats_columns)) << ")\n";
    }
    const std::size_t amd_avx2 = rd::kAmdAvx2PassFeatures;
    // AMD: AVX-512 on columns below amd_avx2, then AVX-512 (Zen 5) at every d, or AVX2 (Zen 4)
    // but for relu_stats up to 16 features.
    const std::size_t zen4_stats = rd::kFloatZAboveFeatures;
    if (rd::short_row_isa(amd_avx2 - 1) == rd::ShortRowIsa::avx512 &&
        rd::short_row_isa(amd_avx2) == rd::ShortRowIsa::avx2 &&
        rd::short_row_isa(narrow) == rd::short_row_isa(longest)) {
      const char* above = short_row_isa_name(rd::short_row_isa(longest));
      const bool zen4 = rd::short_row_stats_isa(zen4_stats) != rd::short_row_isa(zen4_stats);
      out << "short-row kernels for d <= " << amd_avx2 - 1 << ": avx512-columns (every pass)\n";
      out << "short-row kernels for d = " << amd_avx2
          << ": avx512-columns/avx2 (gd's and glmtron's passes on avx512 columns, the others avx2"
          << (zen4 ? ")\n" : fmt::format("; every d above: {})\n", above));
      if (zen4)
        out << "short-row kernels for d <= " << zen4_stats
            << ": avx512/avx2 (gd's and glmtron's passes avx512, the others avx2; every d above: "
            << above << ")\n";
    }
    if (rd::short_row_isa(narrow) != rd::short_row_isa(longest))
      out << "short-row kernels for d <= " << narrow << ": "
          << short_row_isa_name(rd::short_row_isa(narrow))
          << " (gd's and glmtron's passes: " << short_row_isa_name(rd::short_row_stats_isa(16))
          << " where a row fills 8-lane "
          << "pieces as 4-lane ones, d = 13..16, 21..24, 29..32)\n";
    for (const auto& [args, by_name] : rates_) {
      const double stream = rate(by_name, "BM_StreamRead");
      if (stream <= 0) continue;
      out << fmt::format("bandwidth {:<42} stream {:6.2f} GB/s", args, stream / 1e9);
      for (const char* name :
           {"BM_RawStreamRead",    "BM_FusedPass",       "BM_GdPass",
            "BM_GlmtronPass",      "BM_GdPassDoubleZ",   "BM_LossPass",
            "BM_MomentPass",       "BM_GdPassRowMajor",  "BM_GlmtronPassRowMajor",
            "BM_LossPassRowMajor", "BM_GdPassGeneric",   "BM_GlmtronPassGeneric",
            "BM_LossPassGeneric",  "BM_GdPassAvx2",      "BM_GlmtronPassAvx2",
            "BM_LossPassAvx2",     "BM_GdPassAvx512",    "BM_GlmtronPassAvx512",
            "BM_LossPassAvx512",   "BM_GdPassRows",      "BM_GlmtronPassRows",
            "BM_LossPassRows",     "BM_GdPassMakingCopy"}) {
        const double r = rate(by_name, name);
        if (r > 0)
          out << fmt::format("  {} {:6.2f} GB/s ({:.2f})", short_name(name), r / 1e9, r / stream);
      }
      out << "\n";
    }
    for (const auto& [args, by_name] : rates_) {
      const auto pos = args.find("/threads:2");
      if (pos == std::string::npos) continue;
      const std::string one = args.substr(0, pos) + "/threads:1" + args.substr(pos + 10);
      const auto single = rates_.find(one);
      if (single == rates_.end()) continue;
      out << fmt::format("2 threads / 1 thread {:<42}", args.substr(0, pos));
      for (const auto& [name, r2] : by_name) {
        const double r1 = rate(single->second, name);
        if (r1 > 0) out << fmt::format("  {} {:.2f}x", short_name(name), r2 / r1);
      }
      out << "\n";
    }
    // The arithmetic's ceiling: twice the in-cache rate of one core, against the 2-thread
    // streaming read of n = 10^6 rows (where both were measured).
    for (const auto& [args, by_name] : rates_) {
      std::size_t n = 0, d = 0;
      if (std::sscanf(args.c_str(), "/n:%zu/d:%zu", &n, &d) != 2 || n == 1000000) continue;
      const auto big = rates_.find(fmt::format("/n:1000000/d:{}/threads:2/real_time", d));
      if (big == rates_.end()) continue;
      const double stream = rate(big->second, "BM_StreamRead");
      if (stream <= 0) continue;
      out << fmt::format("in cache, 1 thread /d:{:<5}", d);
      for (const auto& [name, r] : by_name)
        out << fmt::format("  {} {:6.2f} GB/s (x2 = {:.2f} of the 2-thread stream)",
                           short_name(name), r / 1e9, 2 * r / stream);
      out << "\n";
    }
    // The targets (issue 18): a pass's rate against the streaming read of the same run (its
    // median), with the range of the pass's repetitions against the read's median.
    for (const auto& [args, by_name] : rates_) {
      std::size_t d = 0;
      int threads = 0;
      if (std::sscanf(args.c_str() + args.find("/d:"), "/d:%zu/threads:%d", &d, &threads) != 2)
        continue;
      const double target = target_ratio(d, threads);
      const double stream = rate(by_name, "BM_StreamRead");
      if (target <= 0 || stream <= 0) continue;
      for (const char* name : {"BM_GdPass", "BM_GlmtronPass", "BM_LossPass", "BM_FusedPass",
                               "BM_GdPassRows", "BM_GlmtronPassRows", "BM_LossPassRows"}) {
        const double fused = rate(by_name, name);
        if (fused <= 0 || (d < 1000 && std::string(name) == "BM_FusedPass")) continue;
        const double lowest = rate(lowest_[args], name), highest = rate(highest_[args], name);
        out << fmt::format("target {} >= {:.2f} x stream {:<42} {:.3f} [{:.3f}, {:.3f}]  {}\n",
                           short_name(name), target, args, fused / stream, lowest / stream,
                           highest / stream, fused >= target * stream ? "met" : "MISSED");
      }
    }
  }

 private:
  static double rate(const std::map<std::string, double>& by_name, const std::string& name) {
    const auto it = by_name.find(name);
    return it == by_name.end() ? 0.0 : it->second;
  }
  // The ratio to the streaming read a pass should reach (0: no target at this d and count).
  static double target_ratio(std::size_t d, int threads) {
    if (threads == 2) return d == 10 ? 0.6 : (d == 32 || d == 100 || d == 1000) ? 0.8 : 0.0;
    return d == 10 ? 0.5 : d == 100 ? 0.7 : 0.0;
  }
  static std::string short_name(const std::string& name) {
    if (name == "BM_StreamRead") return "stream";
    if (name == "BM_RawStreamRead") return "raw";
    if (name == "BM_FusedPass") return "fused";
    if (name == "BM_GdPass") return "gd-pass";
    if (name == "BM_GlmtronPass") return "glmtron-pass";
    if (name == "BM_GdPassDoubleZ") return "gd-double-z";
    if (name == "BM_LossPass") return "loss";
    if (name == "BM_MomentPass") return "moment";
    if (name == "BM_GdPassRowMajor") return "gd-before";
    if (name == "BM_GlmtronPassRowMajor") return "glmtron-before";
    if (name == "BM_LossPassRowMajor") return "loss-before";
    if (name == "BM_GdPassGeneric") return "gd-generic";
    if (name == "BM_GlmtronPassGeneric") return "glmtron-generic";
    if (name == "BM_LossPassGeneric") return "loss-generic";
    if (name == "BM_GdPassAvx2") return "gd-avx2";
    if (name == "BM_GlmtronPassAvx2") return "glmtron-avx2";
    if (name == "BM_LossPassAvx2") return "loss-avx2";
    if (name == "BM_GdPassAvx512") return "gd-avx512";
    if (name == "BM_GlmtronPassAvx512") return "glmtron-avx512";
    if (name == "BM_LossPassAvx512") return "loss-avx512";
    if (name == "BM_GdPassRows") return "gd-rows";
    if (name == "BM_GlmtronPassRows") return "glmtron-rows";
    if (name == "BM_LossPassRows") return "loss-rows";
    if (name == "BM_GdPassMakingCopy") return "gd-first";
    return name;
  }
  // Rates by arguments and benchmark: the median of the repetitions, the lowest and the highest
  // (all three the single run's rate without repetitions).
  std::map<std::string, std::map<std::string, double>> rates_, lowest_, highest_;
};

}  // namespace bench_engine
