"""Markdown report of a peers.py run: one table per question, then the targets."""

import datetime
import os

import bench_tables  # noqa: E402  (same directory)

HERE = os.path.dirname(os.path.abspath(__file__))
MIB = 1024.0


def fmt_s(seconds):
    if seconds is None:
        return "-"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


def peer_name(row):
    blas = row.get("blas")
    return row["tool"] + (f" ({'OpenBLAS' if blas == 'openblas' else 'Debian BLAS'})"
                          if blas else "")


def relureg_row(rows, n=None):
    for row in rows:
        if row["tool"] == "relureg gd" and (n is None or row["n"] == n):
            return row
    return None


def epoch_table(r):
    rows = r["per_epoch"]
    ours = relureg_row(rows)
    x_bytes = r["n"] * r["d"] * 4
    out = [f"## 1. One full-batch epoch of gradient descent (n = {r['n']:,}, d = {r['d']})", "",
           "Same data (label-noise, written once as NPY), same iteration for every tool: "
           f"{r['epochs']} epochs of w ← w − 0.5·∇ from w = 0 with ReLU'(0) = 1 "
           "(PyTorch: `clamp(min=0)`), "
           "float32 features; relureg runs `relureg fit --learner gd --param "
           f"max_passes={r['epochs']} --param tol=0 --param backtrack=0 --param step=0.5`. "
           f"Threads: {r['threads']} for relureg and `torch.set_num_threads`; numpy's BLAS is "
           "single-threaded unless it is OpenBLAS. Time per epoch is the best of the repeats "
           "(relureg: the fit's own clock; peers: a timer around the loop after one warm-up "
           "epoch; data already in memory for all). \"Final loss\" is the training loss at the "
           "last epoch: equal losses show that every tool ran the same algorithm; the float32 "
           "accumulation of the peers' BLAS moves it (next column).", "",
           "| tool | time / epoch | relureg faster by | final loss | differs from relureg's by "
           "| peak RSS | RSS / X |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        speed = row["seconds_per_epoch"] / ours["seconds_per_epoch"]
        rss = row["rss_kib"] / MIB
        diff = abs(row["final_loss"] - ours["final_loss"]) / ours["final_loss"]
        out.append(f"| {peer_name(row)} | {fmt_s(row['seconds_per_epoch'])} | "
                   f"{'—' if row is ours else f'{speed:.1f}×'} | {row['final_loss']:.7f} | "
                   f"{'—' if row is ours else f'{diff:.1e}'} | "
                   f"{rss:.0f} MiB | {row['rss_kib'] * 1024 / x_bytes:.2f} |")
    out += ["", f"X is {x_bytes / 2**20:.0f} MiB of float32. relureg's process, reading the NPY "
            f"files and fitting, took {ours['wall']:.2f} s end to end. Peers' peak RSS includes "
            "the Python interpreter and the imported libraries.", ""]
    return out


def scaling_table(r):
    rows = r["scaling"]
    tools = []
    for row in rows:
        if row["tool"] != "relureg gd" and peer_name(row) not in tools:
            tools.append(peer_name(row))
    ns = sorted({row["n"] for row in rows})
    out = ["## 2. Cost against n·d (d = 100)", "",
           "Seconds per epoch and, for relureg, nanoseconds per (row × feature) and the bandwidth "
           "of X it implies. Linear cost means a flat ns/(n·d) column; at n = 10⁴ (4 MB) X stays "
           "in the caches.", "",
           "| n | relureg / epoch | ns per n·d | X GB/s | relureg peak RSS / X | "
           + " | ".join(tools) + " |",
           "|---:|---:|---:|---:|---:|" + "---:|" * len(tools)]
    for n in ns:
        ours = relureg_row(rows, n)
        cells = []
        for tool in tools:
            match = [row for row in rows if row["n"] == n and peer_name(row) == tool]
            cells.append(fmt_s(match[0]["seconds_per_epoch"]) if match else "-")
        per = ours["seconds_per_epoch"]
        out.append(f"| {n:,} | {fmt_s(per)} | {per / (n * r['d']) * 1e9:.3f} | "
                   f"{n * r['d'] * 4 / per / 1e9:.1f} | "
                   f"{ours['rss_kib'] * 1024 / (n * r['d'] * 4):.2f} | " + " | ".join(cells) + " |")
    return out + [""]


def accuracy_tables(r):
    out = ["## 3. Time to population loss ≤ 1.1·opt", "",
           "relureg's learners with default parameters (fit time from the model file; population "
           "loss exact, from `relureg evaluate --truth`) against PyTorch Adam on the MSE of "
           "`relu(w·x)` from PyTorch's default random init (lr 0.01, cosine decay over the epoch "
           "budget, full batch), restarts run one after the other. Adam's clock stops at the "
           "first epoch whose exact population loss is ≤ 1.1·opt (found by checking every few "
           "epochs, then going back; checks not timed): the most favourable reading for Adam, "
           "as a practitioner would not know opt and would run the whole budget. "
           "scikit-learn's `MLPRegressor(hidden_layer_sizes=(1,))` fits c + a·relu(w·x + b), a "
           "larger class, so only its training and hold-out losses are shown.", ""]
    for acc in r["accuracy"]:
        opt = acc["opt"]
        out += [f"### {acc['family']} (n = {acc['n']:,}, d = {acc['d']}, opt = {opt:.6g}, "
                f"{acc['opt_kind']})", "",
                "| method | time | passes / epochs | population loss / opt | hold-out loss / opt |",
                "|---|---:|---:|---:|---:|"]
        for row in acc["relureg"]:
            out.append(f"| relureg {row['learner']} | {fmt_s(row['seconds'])} | {row['passes']} | "
                       f"{row['ratio']:.4f}{'' if row['reached'] else ' (not ≤ 1.1)'} | "
                       f"{row['holdout_loss'] / opt:.4f} |")
        for adam in acc["adam"]:
            hit = adam["hit"]
            name = f"PyTorch Adam ({'OpenBLAS' if adam['blas'] == 'openblas' else 'Debian BLAS'})"
            if hit:
                out.append(f"| {name}, to first hit | {fmt_s(hit['seconds'])} | {hit['epoch']} "
                           f"(restart {hit['restart'] + 1}) | "
                           f"{hit['population_loss'] / opt:.4f} | - |")
            else:
                out.append(f"| {name} | {fmt_s(adam['seconds_total'])} | {adam['epochs_run']} | "
                           "never ≤ 1.1 | - |")
            out.append(f"| {name}, whole protocol (estimate) | "
                       f"{fmt_s(adam['protocol_seconds_estimate'])} | "
                       f"{r['args']['restarts']} × {r['args']['adam_epochs']} | - | - |")
        if acc["mlp"]:
            m = acc["mlp"]
            each = ", ".join(f"{f['train_loss'] / opt:.2f}" for f in m["fits"])
            out.append(f"| scikit-learn MLPRegressor (L-BFGS), best of {len(m['fits'])} seeds "
                       f"(train loss / opt of each: {each}) | {fmt_s(m['seconds_total'])} | "
                       f"{m['iterations']} | (train {m['train_loss'] / opt:.4f}) | "
                       f"{m['holdout_loss'] / opt:.4f} |")
        out.append("")
    return out


def best_relureg(acc):
    reached = [row for row in acc["relureg"] if row["reached"]]
    return min(reached, key=lambda row: row["seconds"]) if reached else None


def bench_targets(bench_text):
    """The benchmark's own target lines, as table rows."""
    rows = []
    names = {"fused": "pass with both gradients (no learner makes it)",
             "gd-pass": "fused pass of `gd` (square-loss gradient)",
             "glmtron-pass": "fused pass of `glmtron` (surrogate gradient)",
             "loss": "loss pass (`relu_loss`)"}
    for line in (bench_text or "").splitlines():
        if line.startswith("target "):
            parts = line.split()
            # target <pass> >= <ratio> x stream /n:../d:../threads:T/real_time <ratio> <met|MISSED>
            args = dict(a.split(":") for a in parts[6].split("/") if ":" in a)
            threads = args["threads"]
            rows.append(f"| {names.get(parts[1], parts[1])} ≥ {float(parts[3]):.2f} × streaming "
                        f"read (d = {args['d']}, {threads} thread{'s' if threads != '1' else ''}, "
                        f"`bench_engine`) | {float(parts[7]):.2f} | {parts[8]} |")
    return rows


def bench_section(bench_text, avx2_text=None, subset_text=None, avx2_subset_text=None,
                  isa="AVX-512"):
    """Sections 4 and 5: the engine's passes against a streaming read (bench_engine) and the
    subset search (bench_subsets), from this host's build and, when given, an AVX2 build."""
    lines = bench_text.strip().splitlines()
    summary = [line for line in lines
               if line.startswith(("short-row kernels", "bandwidth", "2 threads", "in cache",
                                   "target"))]
    table = [line for line in lines if line.startswith(("BM_", "Benchmark", "---"))
             and not line.split()[0].endswith(("_mean", "_cv"))]
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
    out += bench_tables.pass_table(bench_text, f"This host's build (-march=native, {isa}):")
    if avx2_text:
        out += bench_tables.pass_table(
            avx2_text, "The same benchmark built with `-DRELUREG_ARCH=x86-64-v3` (AVX2 and FMA, "
            "no AVX-512: the code an AVX2-only host runs), on this host in the same session "
            "(its memory and caches, not an AVX2 host's):")
    out += ["Every line of the benchmark's summary (`raw`: one OpenMP loop without the engine; "
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
        out += bench_tables.subset_table(subset_text)
        if avx2_subset_text:
            out += ["Built with `-DRELUREG_ARCH=x86-64-v3` (AVX2, no AVX-512), same host:", ""]
            out += bench_tables.subset_table(avx2_subset_text)
    return out


def targets(r, bench_text=None):
    ours = relureg_row(r["per_epoch"])
    size = f"n = {r['n']:,}, d = {r['d']}"
    out = ["## Targets", "", "| target | measured | |", "|---|---|---|"]
    for row in r["per_epoch"]:
        if row["tool"].startswith("PyTorch"):
            speed = row["seconds_per_epoch"] / ours["seconds_per_epoch"]
            out.append(f"| epoch ≥ 3× faster than {peer_name(row)} ({size}) | "
                       f"{speed:.1f}× | {'met' if speed >= 3 else 'MISSED'} |")
    for acc in r["accuracy"]:
        best = best_relureg(acc)
        for adam in acc["adam"]:
            name = f"PyTorch Adam ({'OpenBLAS' if adam['blas'] == 'openblas' else 'Debian BLAS'})"
            if best and adam["hit"]:
                ratio = adam["hit"]["seconds"] / best["seconds"]
                out.append(f"| time to 1.1·opt ≥ 10× faster than {name}, {acc['family']} | "
                           f"{ratio:.0f}× (relureg {best['learner']}) | "
                           f"{'met' if ratio >= 10 else 'MISSED'} |")
            elif best:
                out.append(f"| time to 1.1·opt vs {name}, {acc['family']} | Adam never reached "
                           f"it in {fmt_s(adam['seconds_total'])} | met |")
    rss = ours["rss_kib"] * 1024 / (r["n"] * r["d"] * 4)
    out.append(f"| `fit` peak memory ≤ 1.2× X (NPY input, {size}) | {rss:.3f}× | "
               f"{'met' if rss <= 1.2 else 'MISSED'} |")
    big = sorted((row for row in r["scaling"] if row["tool"] == "relureg gd"),
                 key=lambda row: row["n"])
    for row in big:
        if row["n"] >= 10**7:
            rss = row["rss_kib"] * 1024 / (row["n"] * r["d"] * 4)
            out.append(f"| `fit` peak memory ≤ 1.2× X (n = {row['n']:,}, d = {r['d']}) | "
                       f"{rss:.3f}× | {'met' if rss <= 1.2 else 'MISSED'} |")
    if len(big) >= 2:
        per = [row["seconds_per_epoch"] / (row["n"] * r["d"]) for row in big if row["n"] >= 10**5]
        if per:
            spread = max(per) / min(per)
            sizes = ", ".join(f"{row['n']:,}" for row in big if row["n"] >= 10**5)
            out.append(f"| cost linear in n·d (n ≥ 10⁵, out of cache) | per-element cost within "
                       f"{spread:.2f}× over n = {sizes} | {'met' if spread <= 1.5 else 'MISSED'} |")
    return out + bench_targets(bench_text) + [""]


def summary_table(r):
    """One row per tool: time per epoch, time to 1.1 opt per family, peak memory; ratios are
    the peer's time over relureg's."""
    ours = relureg_row(r["per_epoch"])
    families = [acc["family"] for acc in r["accuracy"]]
    best = {acc["family"]: best_relureg(acc) for acc in r["accuracy"]}
    head = ("| tool | time / epoch | " +
            " | ".join(f"time to 1.1·opt, {f}" for f in families) + " | peak RSS |")
    out = ["## Summary", "",
           f"Ratios are the peer's time over relureg's (n = {r['n']:,}, d = {r['d']} for the "
           f"epochs; n = {r['args']['tta_n']:,}, d = {r['args']['tta_d']} for the time to "
           "1.1·opt; peak RSS of the per-epoch run).", "", head,
           "|---|---:|" + "---:|" * len(families) + "---:|"]
    cells = [fmt_s(ours["seconds_per_epoch"])]
    for f in families:
        b = best[f]
        cells.append(f"{fmt_s(b['seconds'])} ({b['learner']})" if b else "not reached")
    out.append(f"| relureg | " + " | ".join(cells) + f" | {ours['rss_kib'] / MIB:.0f} MiB |")
    for row in r["per_epoch"]:
        if row is ours:
            continue
        cells = [f"{fmt_s(row['seconds_per_epoch'])} "
                 f"({row['seconds_per_epoch'] / ours['seconds_per_epoch']:.1f}×)"]
        for acc in r["accuracy"]:
            adam = [a for a in acc["adam"] if a["blas"] == row.get("blas")]
            if row["tool"] == "PyTorch nn.Linear+SGD" and adam and adam[0]["hit"]:
                t = adam[0]["hit"]["seconds"]
                b = best[acc["family"]]
                cells.append(f"Adam {fmt_s(t)}" + (f" ({t / b['seconds']:.0f}×)" if b else ""))
            elif row["tool"] == "PyTorch nn.Linear+SGD" and adam:
                cells.append("Adam: not reached")
            else:
                cells.append("-")
        out.append(f"| {peer_name(row)} | " + " | ".join(cells) +
                   f" | {row['rss_kib'] / MIB:.0f} MiB |")
    mlp = [acc["mlp"] for acc in r["accuracy"] if acc["mlp"]]
    if mlp:
        cells = ["-"]
        for acc in r["accuracy"]:
            m = acc["mlp"]
            ratio = m["holdout_loss"] / acc["opt"] if m else 0
            cells.append(f"{fmt_s(m['seconds_total'])}, hold-out {ratio:.2f}·opt" if m else "-")
        out.append("| scikit-learn MLPRegressor (sanity) | " + " | ".join(cells) + " | - |")
    return out + [""]


def machine_section(r):
    m = r["machine"]
    lb, la = r["load_before"], r["load_after"]
    return ["## Machine", "",
            f"- CPU: {m['cpu']}, {m['cores']} cores ({m['caches']}), hypervisor: {m['hypervisor']}",
            f"- memory: {m['memory_gib']} GiB; kernel {m['kernel']}; {m['compiler']}",
            f"- Python {m['python']}, numpy {m['numpy']}, PyTorch {m['torch']}, scikit-learn "
            f"{m['sklearn']}; system BLAS: {m['blas']}",
            f"- load average (1, 5, 15 min) before the run: {lb[0]:.2f}, {lb[1]:.2f}, {lb[2]:.2f};"
            f" after: {la[0]:.2f}, {la[1]:.2f}, {la[2]:.2f}; the run took {r['minutes']:.1f} min",
            ""]


def markdown(r, bench_text=None, extra=None):
    """The whole page; `extra` holds bench_section's optional texts (avx2_text, subset_text,
    avx2_subset_text)."""
    flags = " ".join(f"--{k.replace('_', '-')}" for k, v in r["args"].items()
                     if isinstance(v, bool) and v)
    out = ["# Performance: relureg against numpy, PyTorch and scikit-learn", "",
           f"Written by `bash experiments/peers/run.sh{(' ' + flags) if flags else ''}` on "
           f"{datetime.date.today().isoformat()} (everything below comes from that one run; the "
           "profiling notes at the end are written by hand).", ""]
    out += machine_section(r) + summary_table(r) + targets(r, bench_text)
    out += epoch_table(r) + scaling_table(r) + accuracy_tables(r)
    if bench_text:
        out += bench_section(bench_text, **(extra or {}))
    notes = os.path.join(HERE, "notes.md")
    if os.path.exists(notes):
        with open(notes) as f:
            out += [f.read().strip(), ""]
    return "\n".join(out)
