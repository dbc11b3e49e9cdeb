"""Markdown tables and sections of the benchmarks' output: the passes against d beside the
streaming read (build/bench_engine), their target lines, and the subset-search rates
(build/bench_subsets)."""

import re

PASSES = [("gd-pass", "gd's pass"), ("glmtron-pass", "glmtron's pass"),
          ("gd-double-z", "gd's pass, double z (17 ≤ d ≤ 128)"), ("loss", "loss"),
          ("fused", "both gradients"), ("moment", "moments (d ≤ 100)")]


def pass_rates(bench_text):
    """{(d, threads): {name: (GB/s, ratio to the stream)}} from the `bandwidth` lines."""
    out = {}
    for line in (bench_text or "").splitlines():
        m = re.match(r"bandwidth /n:(\d+)/d:(\d+)/threads:(\d+)\S*\s+stream\s+([\d.]+) GB/s(.*)",
                     line)
        if not m or m.group(1) != "1000000":
            continue
        entry = {"stream": (float(m.group(4)), 1.0)}
        for name, rate, ratio in re.findall(r"(\S+)\s+([\d.]+) GB/s \(([\d.]+)\)", m.group(5)):
            entry[name] = (float(rate), float(ratio))
        out[(int(m.group(2)), int(m.group(3)))] = entry
    return out


def pass_table(bench_text, title):
    """One row per d: the streaming read (GB/s) and each pass's fraction of it, 1 and 2 threads."""
    rates = pass_rates(bench_text)
    if not rates:
        return []
    head = "| d | kernel |" + "".join(
        f" stream, {t} thr. (GB/s) |" + "".join(f" {label}, {t} thr. |" for _, label in PASSES)
        for t in (1, 2))
    out = [title, "", head, "|" + "---:|" * (head.count("|") - 1)]
    # bench_engine names the short-row variant it ran (generic, avx2, avx512).
    variant = re.search(r"^short-row kernels: (\S+)(?: \(d <= (\d+))?", bench_text, re.M)
    short = f"short rows, {variant.group(1)}" if variant else "short rows"
    limit = int(variant.group(2)) if variant and variant.group(2) else 32
    # and the variants of the shorter rows where they differ (AVX-512 on columns, then AVX2).
    narrower = sorted((int(m.group(1)), m.group(2)) for m in
                      re.finditer(r"^short-row kernels for d <= (\d+): (\S+)", bench_text, re.M))
    for d in sorted({d for d, _ in rates}):
        kernel = short if d <= limit else "row-major tiles"
        kernel = next((f"short rows, {name}" for top, name in narrower if d <= top), kernel)
        row = f"| {d} | {kernel} |"
        for t in (1, 2):
            entry = rates.get((d, t), {})
            stream = entry.get("stream")
            row += f" {stream[0]:.2f} |" if stream else " - |"
            for name, _ in PASSES:
                value = entry.get(name)
                row += f" {value[1]:.2f} |" if value else " - |"
        out.append(row)
    return out + [""]


def subset_table(subset_text):
    """The subset-search rates per CPU-second, against 10^9 and the FMA roofline."""
    lines = (subset_text or "").splitlines()
    peak = next((line for line in lines if line.startswith("peak:")), "")
    rows = []
    for line in lines:
        m = re.match(r"(subsets|orthogonal) (\S+)\s+k = (\d+) d = (\d+) threads = (\d+): "
                     r"(\S+) evaluations/s per core \(\S+ x 10\^9, target >= 1: (\w+)\)(.*)", line)
        if not m:
            continue
        roof = re.search(r"roofline (\S+)/s \((\S+) lane ops each\), (\S+) of it", m.group(8))
        learner = "exhaustive-subsets" if m.group(1) == "subsets" else "orthogonal-subsets"
        path = {"reference": "before (old scoring)", "columns": "columns (float)",
                "bits": "bit-packed ±1", "relu": "relu", "sigmoid": "sigmoid"}[m.group(2)]
        rows.append(f"| {learner} | {path} | {m.group(3)} | {m.group(4)} | {m.group(5)} | "
                    f"{float(m.group(6)) / 1e9:.2f} | {m.group(7)} | "
                    + (f"{float(roof.group(1)) / 1e9:.2f} ({roof.group(2)} lane ops) | "
                       f"{roof.group(3)} |" if roof else "- | - |"))
    if not rows:
        return []
    rows.sort(key=lambda row: not row.startswith("| exhaustive"))  # stable: the bench's order
    return [f"`{peak}` (independent FMA chains as wide as the build's vectors: 16 of 8 lanes "
            "with AVX-512, 12 of 4 with AVX2; same run).", "",
            "| learner | path | k | d | threads | 10⁹ evaluations / CPU-s | ≥ 10⁹ | roofline "
            "(10⁹/s) | fraction |", "|---|---|---:|---:|---:|---:|---|---:|---:|", *rows, ""]


def bench_targets(bench_text, build=None):
    """The benchmark's own target lines, as table rows (`build`: the build's name in each row,
    none for this host's own)."""
    rows = []
    names = {"fused": "pass with both gradients (no learner makes it)",
             "gd-pass": "fused pass of `gd` (square-loss gradient)",
             "glmtron-pass": "fused pass of `glmtron` (surrogate gradient)",
             "loss": "loss pass (`relu_loss`)",
             "gd-rows": "`gd`'s pass over the rows, without the column copy (a fit's first 31 "
                        "passes, 15 with the AVX2 kernels)",
             "glmtron-rows": "`glmtron`'s pass over the rows, without the column copy (a fit's "
                             "first 31 passes, 15 with the AVX2 kernels)",
             "loss-rows": "loss pass over the rows, without the column copy"}
    # The (d, threads) whose passes read the column copy: those with a pass over the rows too.
    copied = {line.split()[6].split("/real_time")[0] for line in (bench_text or "").splitlines()
              if line.startswith("target ") and line.split()[1].endswith("-rows")}
    for line in (bench_text or "").splitlines():
        if line.startswith("target "):
            parts = line.split()
            # target <pass> >= <ratio> x stream /n:../d:../threads:T/real_time <ratio>
            # [<lowest>, <highest>] <met|MISSED> (the ratios as the benchmark printed them)
            args = dict(a.split(":") for a in parts[6].split("/") if ":" in a)
            threads = args["threads"]
            low, high = parts[8].strip("[,"), parts[9].strip("]")
            name = names.get(parts[1], parts[1])
            if parts[6].split("/real_time")[0] in copied and not parts[1].endswith("-rows"):
                name += (" reading the column copy (a fit's passes from its 32nd on, 16th with "
                         "the AVX2 kernels)")
            rows.append(f"| {name} ≥ {float(parts[3]):.2f} × streaming "
                        f"read (d = {args['d']}, {threads} thread{'s' if threads != '1' else ''}, "
                        f"{build + ', ' if build else ''}`bench_engine`) | {parts[7]} "
                        f"(repetitions {low}–{high}) | "
                        f"{parts[10]} |")
    return rows


def build_isa(bench_text):
    """The short-row variant the benchmarked build's longest rows took on its host, from
    bench_engine's line "short-row kernels: avx512 (d <= 128; ...)"."""
    for line in bench_text.splitlines():
        if line.startswith("short-row kernels: "):
            return {"avx512": "AVX-512", "avx2": "AVX2"}.get(line.split()[2], "no AVX2")
    return "instruction set not reported"


def bench_section(bench_text, avx2_text=None, subset_text=None, avx2_subset_text=None,
                  isa=None):
    """Sections 4 and 5: the engine's passes against a streaming read (bench_engine) and the
    subset search (bench_subsets), from this host's build and, when given, an AVX2 build."""
    isa = isa or build_isa(bench_text)
    lines = bench_text.strip().splitlines()
    summary = [line for line in lines
               if line.startswith(("short-row kernels", "moments kernels", "short-row prefetch",
                                   "bandwidth", "2 threads", "in cache", "target"))]
    table = [line for line in lines if line.startswith(("BM_", "Benchmark", "---"))
             and not line.split()[0].endswith(("_mean", "_cv", "_min", "_max"))]
    out = ["## 4. The fused pass against a streaming read (`build/bench_engine`)", "",
           "Bytes of X read per second (labels not counted), n = 10⁶, wall clock, median of 5 "
           "repetitions run in random interleaved order (the streaming read alone varies by "
           "±30 % over minutes on this shared VM, so only interleaved medians are compared). "
           "The tables give the streaming read of the same buffer in the same binary (through "
           "the engine's blocks) and each pass's fraction of it: `gd`'s pass (`relu_stats` with "
           "the square-loss gradient), `glmtron`'s (the surrogate gradient), the loss "
           "(`relu_loss`) and the pass with both gradients (no learner makes it). Short rows (d ≤ "
           "32; d ≤ 128 with the AVX2 and AVX-512 variants) take the short-row kernels, longer rows the "
           "row-major tiled kernels (see the notes).", ""]
    out += pass_table(bench_text, f"This host's build (-march=native, {isa}):")
    if avx2_text:
        out += pass_table(
            avx2_text, "The same benchmark built with `-DRELUREG_ARCH=x86-64-v3` (AVX2 and FMA, "
            "no AVX-512: the code an AVX2-only host runs), on this host in the same session "
            "(its memory and caches, not an AVX2 host's):")
    out += ["Every line of the benchmark's summary (`raw`: one OpenMP loop without the engine; "
            "`gd-rows`, `glmtron-rows`, `loss-rows` (where a fit reads the column copy, "
            "`relureg/column_copy.hpp`): the same passes over the rows themselves, each group "
            "of rows transposed in every pass, while `gd-pass`, `glmtron-pass` and `loss` there "
            "read the copy, as a fit does from its 32nd pass on (16th with the AVX2 kernels); "
            "`gd-first`: gd's pass that "
            "makes the copy (its pages' first touch included); `gd-pass` and `glmtron-pass` "
            "take z's dot product in float32 over rows of 9 to 11 (AVX2) or 12 (AVX-512) and "
            "17 to 128 features in the AVX2 and "
            "AVX-512 variants, as gd and glmtron do until a fit nears an exact one, and "
            "`gd-double-z` is gd's pass with the double z there; "
            "`gd-before`, `glmtron-before`, `loss-before` (d ≤ 32): the row-major kernels on "
            "the same rows; `gd-generic`, `glmtron-generic`, `loss-generic` (d ≤ 32): the "
            "generic eight-lane short-row variant, the only one before the AVX2 and AVX-512 "
            "variants; `in cache`: the passes on 512 KB of X with one thread, i.e. the "
            "speed of their arithmetic, twice which bounds a 2-thread pass):", "",
            "```", *summary, "```", "", "<details><summary>Google Benchmark output</summary>",
            "", "```", *table, "```", "", "</details>", ""]
    if subset_text:
        out += ["## 5. Exhaustive subset search (`build/bench_subsets`)", "",
                "Subset-row evaluations (one k-subset scored on one row, both sign patterns of "
                "`exhaustive-subsets` included) per second of CPU time, every k-subset of d = 16 "
                "features over 16,384 rows (four engine blocks; X in cache), median of 5 "
                "interleaved repetitions. `before`: the scoring `exhaustive-subsets` used until "
                "now (z summed afresh per subset), in the same binary; `columns`: prefix sums "
                "shared by the subsets that extend them, eight rows per vector; `bit-packed`: "
                "±1 features as bits, one masked sum of labels per subset for even k (two for "
                "odd k). The roofline is the core's measured FMA rate over the vector-lane "
                "operations one evaluation needs (the prefix's shared work not counted), so "
                "`fraction` is how close the inner loop runs to the arithmetic limit; memory is "
                "no limit (each row is read once per C(d, k) evaluations). The target (10⁹ per "
                "second per core) is read from the 1-thread rows: with 2 threads the CPU time "
                "also counts the engine's threads waiting for each other, which dominates when a "
                "pass is short (small k) and when the machine is loaded.", ""]
        out += subset_table(subset_text)
        if avx2_subset_text:
            out += ["Built with `-DRELUREG_ARCH=x86-64-v3` (AVX2, no AVX-512), same host:", ""]
            out += subset_table(avx2_subset_text)
    return out
