"""Markdown report of a peers.py run: one table per question, then the targets."""

import datetime
import os

import bench_tables  # noqa: E402  (same directory)
from machine import AVX2_BUILD, AVX2_PEERS  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
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
    x_bytes = r["n"] * r["d"] * 4
    out = [f"## 1. One full-batch epoch of gradient descent (n = {r['n']:,}, d = {r['d']})", "",
           "Same data (label-noise, written once as NPY), same iteration for every tool: "
           f"{r['epochs']} epochs of w ← w − 0.5·∇ from w = 0 with ReLU'(0) = 1 "
           "(PyTorch: `clamp(min=0)`), "
           "float32 features; relureg runs `relureg fit --learner gd --param "
           f"max_passes={r['epochs']} --param tol=0 --param backtrack=0 --param step=0.5`. "
           f"Threads: {r['threads']} for relureg and `torch.set_num_threads`; numpy's BLAS is "
           "single-threaded unless it is OpenBLAS. Time per epoch is the best of the repeats "
           "(relureg: each fit's own clock, from its first progress report to its last, "
           "`metrics.timeline` of the model file, which leaves out its first two passes and "
           "with them the first pass's faults on the mapped file; peers: a timer around the "
           "loop after one warm-up epoch; data already in memory for all). \"relureg beside "
           "it\" is relureg's epoch timed next to that peer, the faster of a fit just before "
           "the peer's process and one just after; \"relureg faster by\" divides by it, not by "
           "relureg's row, because this guest's memory bandwidth drifts by up to 2× within "
           "minutes and a ratio should compare tools that met the same bandwidth; "
           "\"streaming read of X beside it\" is `bench_engine`'s read of an X of the same size, "
           "timed likewise just before and just after the peer (the memory limit that the "
           "targets' remarks divide by). "
           "\"Final loss\" is the training loss at the "
           "last epoch: equal losses show that every tool ran the same algorithm; the float32 "
           "accumulation of the peers' BLAS moves it (next column).", ""]
    out += epoch_rows(r["per_epoch"], x_bytes)
    ours = relureg_row(r["per_epoch"])
    out += ["", f"X is {x_bytes / 2**20:.0f} MiB of float32. relureg's process, reading the NPY "
            f"files and fitting, took {ours['wall']:.2f} s end to end. Peers' peak RSS includes "
            "the Python interpreter and the imported libraries.", ""]
    if r.get("per_epoch_avx2"):
        out += ["The same comparison as an AVX2-only host runs it: relureg built with "
                "`-DRELUREG_ARCH=x86-64-v3` (no AVX-512 instruction), the peers on their AVX2 code "
                "paths (" + ", ".join(f"`{k}={v}`" for k, v in AVX2_PEERS.items()) + "; Debian's "
                "reference BLAS has no run-time choice), on this host's cores and memory:", ""]
        out += epoch_rows(r["per_epoch_avx2"], x_bytes) + [""]
    return out


def relureg_beside(row, ours):
    """relureg's seconds per epoch timed beside a peer's row (peers.per_epoch): the faster of the
    fits just before and just after the peer's process; results without it: relureg's row."""
    return row.get("relureg_beside", ours["seconds_per_epoch"])


def epoch_rows(rows, x_bytes):
    """The per-epoch table of one set of runs (relureg's row first); where the peers' rows have
    `stream_beside` (peers.per_epoch with bench_engine), a column with that streaming read."""
    ours = relureg_row(rows)
    streams = any(row.get("stream_beside") for row in rows)
    out = ["| tool | time / epoch | relureg beside it | " +
           ("streaming read of X beside it | " if streams else "") +
           "relureg faster by | final loss | differs from relureg's by | peak RSS | RSS / X |",
           "|---|---:|---:|" + ("---:|" if streams else "") + "---:|---:|---:|---:|---:|"]
    for row in rows:
        beside = relureg_beside(row, ours)
        speed = row["seconds_per_epoch"] / beside
        rss = row["rss_kib"] / MIB
        diff = abs(row["final_loss"] - ours["final_loss"]) / ours["final_loss"]
        stream = row.get("stream_beside")
        out.append(f"| {peer_name(row)} | {fmt_s(row['seconds_per_epoch'])} | "
                   f"{'—' if row is ours else fmt_s(beside)} | " +
                   ((f"{fmt_s(stream) if stream else '—'} | ") if streams else "") +
                   f"{'—' if row is ours else f'{speed:.1f}×'} | {row['final_loss']:.7f} | "
                   f"{'—' if row is ours else f'{diff:.1e}'} | "
                   f"{rss:.0f} MiB | {row['rss_kib'] * 1024 / x_bytes:.2f} |")
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


def blas_name(row):
    return "OpenBLAS" if row.get("blas") == "openblas" else "Debian BLAS"


def reached(to):
    """'passes (time)' of a target entry, or a dash."""
    if not to:
        return "-", "-"
    mark = "" if to.get("swept", True) else " (whole fit)"
    return f"{to['passes']}{mark}", fmt_s(to["seconds"])


def peer_rows(name, runs, args, budget):
    out = []
    for run in runs:
        cells = []
        for factor in ("1.1", "1.01"):
            hit = run["hits"].get(factor)
            if hit:
                cells += [f"{hit['epoch']} (restart {hit['restart'] + 1})",
                          fmt_s(hit["seconds"])]
            else:
                cells += [f"not in {run['epochs_run']}", "-"]
        last = run["restarts"][-1]
        out.append(f"| PyTorch {name} ({blas_name(run)}) | " + " | ".join(cells) +
                   f" | {run['epochs_run']} | {fmt_s(run['seconds_total'])} | "
                   f"{last['population_loss'] / run.get('opt', 1):.4f} | - |")
        out.append(f"| PyTorch {name} ({blas_name(run)}), whole protocol (estimate) | - | - | - "
                   f"| - | {budget} | {fmt_s(run['protocol_seconds_estimate'])} | - | - |")
    return out


def accuracy_tables(r):
    a = r["args"]
    out = ["## 3. Time and passes to population loss ≤ 1.1·opt and ≤ 1.01·opt", "",
           "relureg's learners with default parameters (fit time from the model file, its data "
           "file read through once before each fit so that, like the peers' data, it starts in "
           "memory (the page cache; the fit maps it, and mapping its pages is inside its clock); "
           "population loss from `relureg evaluate --truth`: exact, except isotron's single-index "
           "model, Monte Carlo) against PyTorch Adam (lr 0.01, cosine decay over the epoch "
           "budget) and PyTorch L-BFGS (`torch.optim.LBFGS`, lr 1, history 10, "
           "`line_search_fn=\"strong_wolfe\"`)"
           " on the MSE of `relu(w·x)`, full batch, from PyTorch's default random init, restarts "
           "run one after the other. A pass of relureg, an epoch of Adam and one evaluation of "
           "the loss and its gradient by L-BFGS (line-search trials included) each read the data "
           "once. For relureg, the passes to a target are the fewest with which the fit reaches "
           "it (refits with `max_passes = k`, binary search; the time is that fit's); \"whole "
           "fit\" marks learners whose passes are not descent steps (the default fit's passes "
           "and time). The peers' clocks stop at the first epoch (iterate) whose exact "
           "population loss is ≤ the target (checked every few epochs, then going back; checks "
           "not timed): the most favourable reading for them, as a practitioner would not know "
           "opt. Each relureg row's opt is that of its model's class (gv25 fits a bias; on "
           "label-noise both are the same). scikit-learn's `MLPRegressor(hidden_layer_sizes=(1,))` "
           "fits c + a·relu(w·x + b), a larger class, so only its training and hold-out losses "
           "are shown.", ""]
    for acc in r["accuracy"]:
        opt = acc["opt"]
        out += [f"### {acc['family']} (n = {acc['n']:,}, d = {acc['d']}, opt = {opt:.6g}, "
                f"{acc['opt_kind']})", "",
                "| method | passes to 1.1·opt | time | passes to 1.01·opt | time | passes (default "
                "fit) | time | population loss / opt | hold-out loss / opt |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for row in acc["relureg"]:
            p11, t11 = reached(row["to"]["1.1"])
            p101, t101 = reached(row["to"]["1.01"])
            hold = ("-" if row.get("holdout_loss") is None
                    else f"{row['holdout_loss'] / row['opt']:.4f}")
            method = "" if row.get("method", "exact") == "exact" else " (Monte Carlo)"
            out.append(f"| relureg {row['learner']} | {p11} | {t11} | {p101} | {t101} | "
                       f"{row['passes']} | {fmt_s(row['seconds'])} | {row['ratio']:.4f}{method} "
                       f"| {hold} |")
        for run in acc["adam"] + acc.get("lbfgs", []):
            run["opt"] = opt
        out += peer_rows("Adam", acc["adam"], a, f"{a['restarts']} × {a['adam_epochs']}")
        out += peer_rows("L-BFGS", acc.get("lbfgs", []), a,
                         f"{a['restarts']} × {a.get('lbfgs_evals', '?')}")
        if acc["mlp"]:
            m = acc["mlp"]
            each = ", ".join(f"{f['train_loss'] / opt:.2f}" for f in m["fits"])
            out.append(f"| scikit-learn MLPRegressor (L-BFGS) on the first {m.get('rows', 0):,} "
                       f"rows, best of {len(m['fits'])} seeds (train loss / opt of each: {each}) "
                       f"| - | - | - | - | {m['iterations']} | {fmt_s(m['seconds_total'])} | "
                       f"(train {m['train_loss'] / opt:.4f}) | {m['holdout_loss'] / opt:.4f} |")
        out.append("")
    return out


def best_relureg(acc, factor="1.1", default_only=False):
    """The relureg row that reaches opt·factor in the least time, or with `default_only` (learner
    names without a parameter) in the fewest passes, then the least time."""
    rows = [row for row in acc["relureg"] if row["to"].get(factor)
            and (not default_only or " " not in row["learner"])]
    if default_only:
        return min(rows, key=lambda row: (row["to"][factor]["passes"],
                                          row["to"][factor]["seconds"])) if rows else None
    return min(rows, key=lambda row: row["to"][factor]["seconds"]) if rows else None


def stream_seconds(r, bench_text):
    """Seconds of the streaming read of X (n·d float32) at d = r['d'] with r['threads'] threads,
    from bench_engine's summary in the same run, or None."""
    rates = bench_tables.pass_rates(bench_text)
    entry = rates.get((r["d"], r["threads"]))
    if not entry or "stream" not in entry:
        return None
    return r["n"] * r["d"] * 4 / (entry["stream"][0] * 1e9)


def epoch_targets(r, bench_text, avx2_text=None):
    out = epoch_target_rows(r, r["per_epoch"], bench_text, "")
    if r.get("per_epoch_avx2"):
        out += epoch_target_rows(r, r["per_epoch_avx2"], avx2_text,
                                 f"{AVX2_BUILD} against AVX2 peers, ")
    return out


def epoch_target_rows(r, rows, bench_text, build):
    ours = relureg_row(rows)
    size = f"{build}n = {r['n']:,}, d = {r['d']}"
    run_stream = stream_seconds(r, bench_text) if bench_text else None
    out = []
    for row in rows:
        speed = row["seconds_per_epoch"] / relureg_beside(row, ours)
        stream, where = row.get("stream_beside"), "beside it"
        if not stream:
            stream, where = run_stream, "same run"
        if row["tool"].startswith("PyTorch"):
            status = "met" if speed >= 6 else ("MISSED (≥ 3× met)" if speed >= 3 else "MISSED")
            measured = f"{speed:.1f}×"
            if stream and speed < 6:
                limit = row["seconds_per_epoch"] / stream
                measured += f"; its epoch = {limit:.2f}× the streaming read of X ({where})"
                if limit < 6:
                    status = status.replace("MISSED", "MISSED, beyond the memory limit here", 1)
            out.append(f"| epoch ≥ 6× faster than {peer_name(row)} ({size}; earlier target ≥ 3×) "
                       f"| {measured} | {status} |")
        elif row["tool"] == "numpy" and row.get("blas") == "openblas":
            measured = f"{speed:.1f}×"
            status = "met" if speed >= 4 else "MISSED"
            if stream:
                limit = row["seconds_per_epoch"] / stream
                measured += (f"; numpy's epoch = {limit:.2f}× the streaming read of X "
                             f"({fmt_s(stream)}, `bench_engine`, {where}), relureg's = "
                             f"{relureg_beside(row, ours) / stream:.2f}×: no tool that reads X "
                             f"once per epoch can beat numpy by more than {limit:.2f}×")
                if speed < 4 and limit < 4:
                    status = "MISSED (beyond the memory limit here)"
            out.append(f"| epoch ≥ 4× faster than numpy (OpenBLAS) ({size}) | {measured} | "
                       f"{status} |")
    if not any(row["tool"].startswith("PyTorch") for row in rows):
        out.append(f"| epoch ≥ 6× faster than PyTorch ({size}) | not measured: PyTorch is not "
                   "installed (`run.sh` installs python3-torch) | not measured |")
    return out


def accuracy_targets(r):
    out = []
    for acc in r["accuracy"]:
        family = acc["family"]
        best = best_relureg(acc, "1.01", default_only=True)
        if family == "label-noise":
            size = f"n = {acc['n']:,}, d = {acc['d']}"
            if best:
                k = best["to"]["1.01"]["passes"]
                out.append(f"| the default learner with the fewest passes reaches 1.01·opt in ≤ 6 "
                           f"passes ({family}, "
                           f"{size}) | {k} passes, {fmt_s(best['to']['1.01']['seconds'])} "
                           f"(relureg {best['learner']}) | {'met' if k <= 6 else 'MISSED'} |")
            else:
                out.append(f"| best default learner reaches 1.01·opt in ≤ 6 passes ({family}, "
                           f"{size}) | no default learner reaches 1.01·opt | MISSED |")
        for factor in ("1.1", "1.01"):
            ours = best_relureg(acc, factor)
            for kind, runs in (("Adam", acc["adam"]), ("L-BFGS", acc.get("lbfgs", []))):
                for run in runs:
                    name = f"PyTorch {kind} ({blas_name(run)})"
                    hit = run["hits"].get(factor)
                    if not ours:
                        out.append(f"| time to {factor}·opt vs {name}, {family} | relureg never "
                                   f"reached it | MISSED |")
                        continue
                    t = ours["to"][factor]["seconds"]
                    who = f"relureg {ours['learner']}, {ours['to'][factor]['passes']} passes"
                    threshold = factor == "1.1" and kind == "Adam"
                    if hit:
                        ratio = hit["seconds"] / t
                        status = ("met" if ratio >= 10 else "MISSED") if threshold else "—"
                        out.append(f"| time to {factor}·opt{' ≥ 10×' if threshold else ''} "
                                   f"faster than {name}, {family} | {ratio:.0f}× ({who} "
                                   f"{fmt_s(t)}; {kind} {hit['epoch']} epochs "
                                   f"{fmt_s(hit['seconds'])}) | {status} |")
                    else:
                        out.append(f"| time to {factor}·opt vs {name}, {family} | {kind} never "
                                   f"reached it in {run['epochs_run']} epochs "
                                   f"({fmt_s(run['seconds_total'])}); {who} {fmt_s(t)} | "
                                   f"{'met' if threshold else '—'} |")
    return out


def linear_cost_target(rows, d):
    """The row "cost linear in n·d" over relureg's epochs at n ≥ 10⁵ (`rows` sorted by n). Where
    it is missed it names the size whose X was read fastest and its bandwidth against the
    largest n's (a 40 MB X may sit in a large last-level cache in part), and the spread over the
    larger sizes alone."""
    rows = [row for row in rows if row["n"] >= 10**5]
    if len(rows) < 2:
        return []
    cost = [row["seconds_per_epoch"] / (row["n"] * d) for row in rows]
    spread = max(cost) / min(cost)
    sizes = ", ".join(f"{row['n']:,}" for row in rows)
    text = f"per-element cost within {spread:.2f}× over n = {sizes}"
    if spread > 1.5:
        def gbps(row):
            return row["n"] * d * 4 / row["seconds_per_epoch"] / 1e9
        fast = rows[cost.index(min(cost))]
        text += (f"; X at n = {fast['n']:,} ({fast['n'] * d * 4 / 1e6:.0f} MB) read at "
                 f"{gbps(fast):.1f} GB/s, at n = {rows[-1]['n']:,} {gbps(rows[-1]):.1f} GB/s")
        rest = cost[cost.index(min(cost)) + 1:]
        if len(rest) >= 2:
            text += f"; within {max(rest) / min(rest):.2f}× over the larger n"
    return [f"| cost linear in n·d (n ≥ 10⁵, out of cache) | {text} | "
            f"{'met' if spread <= 1.5 else 'MISSED'} |"]


def targets(r, bench_text=None, avx2_text=None):
    ours = relureg_row(r["per_epoch"])
    size = f"n = {r['n']:,}, d = {r['d']}"
    out = ["## Targets", "", "Rows marked — have no threshold: the measured ratio only.", "",
           "| target | measured | |", "|---|---|---|"]
    out += epoch_targets(r, bench_text, avx2_text) + accuracy_targets(r)
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
    out += linear_cost_target(big, r["d"])
    return (out + bench_tables.bench_targets(bench_text)
            + bench_tables.bench_targets(avx2_text, AVX2_BUILD) + [""])


def summary_table(r):
    """One row per tool: time per epoch, time to 1.01·opt per family (1.1·opt in brackets), peak
    memory; ratios are the peer's time over relureg's."""
    ours = relureg_row(r["per_epoch"])
    families = [acc["family"] for acc in r["accuracy"]]
    head = ("| tool | time / epoch | " +
            " | ".join(f"time to 1.01·opt (1.1·opt), {f}" for f in families) + " | peak RSS |")
    out = ["## Summary", "",
           f"Ratios are the peer's time over relureg's (n = {r['n']:,}, d = {r['d']} for the "
           "epochs, relureg's timed beside each peer as in section 1; "
           f"n = {r['args']['tta_n']:,}, d = {r['args']['tta_d']} for the times to "
           "accuracy, relureg's fastest learner for each target; peak RSS of the per-epoch run).",
           "", head, "|---|---:|" + "---:|" * len(families) + "---:|"]

    def ours_cell(acc):
        parts = []
        for factor in ("1.01", "1.1"):
            b = best_relureg(acc, factor)
            parts.append(f"{fmt_s(b['to'][factor]['seconds'])} ({b['learner']}, "
                         f"{b['to'][factor]['passes']} passes)" if b else "not reached")
        return f"{parts[0]} ({parts[1]})"

    cells = [fmt_s(ours["seconds_per_epoch"])] + [ours_cell(acc) for acc in r["accuracy"]]
    out.append("| relureg | " + " | ".join(cells) + f" | {ours['rss_kib'] / MIB:.0f} MiB |")

    def peer_cell(acc, kind, runs, blas):
        runs = [run for run in runs if run.get("blas") == blas]
        if not runs:
            return "-"
        parts = []
        for factor in ("1.01", "1.1"):
            hit = runs[0]["hits"].get(factor)
            b = best_relureg(acc, factor)
            if hit:
                ratio = f", {hit['seconds'] / b['to'][factor]['seconds']:.0f}×" if b else ""
                parts.append(f"{fmt_s(hit['seconds'])} ({hit['epoch']} epochs{ratio})")
            else:
                parts.append("not reached")
        return f"{kind} {parts[0]} ({parts[1]})"

    for row in r["per_epoch"]:
        if row is ours:
            continue
        cells = [f"{fmt_s(row['seconds_per_epoch'])} "
                 f"({row['seconds_per_epoch'] / relureg_beside(row, ours):.1f}×)"]
        for acc in r["accuracy"]:
            if row["tool"] == "PyTorch nn.Linear+SGD":
                cells.append(peer_cell(acc, "Adam", acc["adam"], row.get("blas")))
            elif row["tool"] == "PyTorch hand-written gradient":
                cells.append(peer_cell(acc, "L-BFGS", acc.get("lbfgs", []), row.get("blas")))
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
            f"- load average (1, 5, 15 min) before the peer comparison (`peers.py`, which runs after "
            f"the benchmarks): {lb[0]:.2f}, {lb[1]:.2f}, {lb[2]:.2f}; after: {la[0]:.2f}, "
            f"{la[1]:.2f}, {la[2]:.2f}; the comparison took {r['minutes']:.1f} min",
            ""]


def markdown(r, bench_text=None, extra=None):
    """The whole page; `extra` holds bench_section's optional texts (avx2_text, subset_text,
    avx2_subset_text)."""
    flags = " ".join(f"--{k.replace('_', '-')}" for k, v in r["args"].items()
                     if isinstance(v, bool) and v)
    # A page written elsewhere than docs/performance.md (e.g. another host's) names its --out.
    out_path = r["args"].get("out", "")
    if out_path and out_path != "-" and os.path.abspath(out_path) != os.path.join(
            ROOT, "docs", "performance.md"):
        flags = f"{flags} --out {os.path.relpath(os.path.abspath(out_path), ROOT)}".strip()
    out = ["# Performance: relureg against numpy, PyTorch and scikit-learn", "",
           f"Written by `bash experiments/peers/run.sh{(' ' + flags) if flags else ''}` on "
           f"{datetime.date.today().isoformat()} (everything below comes from that one run; the "
           "profiling notes at the end are written by hand).", ""]
    out += machine_section(r) + summary_table(r) + targets(r, bench_text, (extra or {}).get("avx2_text"))
    out += epoch_table(r) + scaling_table(r) + accuracy_tables(r)
    if bench_text:
        out += bench_tables.bench_section(bench_text, **(extra or {}))
    notes = os.path.join(HERE, "notes.md")
    if os.path.exists(notes):
        with open(notes) as f:
            out += [f.read().strip(), ""]
    return "\n".join(out)
