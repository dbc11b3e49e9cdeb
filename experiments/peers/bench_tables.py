"""Markdown tables of the benchmarks' summary lines: the passes against d beside the streaming
read (build/bench_engine) and the subset-search rates (build/bench_subsets)."""

import re

PASSES = [("gd-pass", "gd's pass"), ("glmtron-pass", "glmtron's pass"), ("loss", "loss"),
          ("fused", "both gradients"), ("moment", "moments (d ≤ 64)")]


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
