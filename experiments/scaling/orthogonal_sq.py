"""Scaling law 2 (second half): the SQ tolerance at which net2-gd stops finding f_S, against n.

Each fit runs `relureg fit --sq-tolerance TAU --sq-oracle ORACLE` on an `orthogonal-net` instance
(y = f_S(x), unit variance, no noise: opt = 0, the zero network's loss is 1) and is scored by its
exact population loss (`relureg.score`). "Finds f_S" means population loss <= FOUND_LOSS = 0.5:
f_S is odd in every coordinate of S, so a predictor that ignores one of them has loss >= 1, and
0.5 needs a correlation >= 0.71 with f_S. For each (k, n, seed, learner, oracle) the largest
tolerance on the grid 1e-5, 1.8e-5, ..., 1 (quarter decades) at which the learner still finds f_S
is found by bisection, which assumes that success does not come back once lost as tau grows.
Imported by orthogonal_correlation.py (the law's one command).
"""

import concurrent.futures
import json
import math
import os
import subprocess
import tempfile

import numpy as np

import relureg
from scaling_common import label, save, subplots

def relureg_binary():
    """The `relureg` executable of the build whose module is imported (or $RELUREG_BINARY)."""
    default = os.path.join(os.path.dirname(os.path.abspath(relureg.__file__)), "..", "..",
                           "relureg")
    path = os.path.normpath(os.environ.get("RELUREG_BINARY", default))
    if not os.path.isfile(path):
        raise SystemExit(f"relureg binary not found at {path} (build it, or set RELUREG_BINARY)")
    return path


GRID = [10 ** (-5 + j / 4) for j in range(21)]  # 1e-5 ... 1, quarter decades
FOUND_LOSS = 0.5
ORACLES = ["adversarial", "random"]


def settings(quick):
    """The sizes of the run: (k, n) cells, seeds, rows and net2-gd's budget."""
    if quick:
        return {"cells": [(2, 8), (2, 16)], "seeds": [1], "rows": 2000, "passes": 150}
    return {
        "cells": [(2, 8), (2, 16), (2, 32), (2, 64), (4, 8), (4, 12), (4, 16), (4, 24)],
        "seeds": [1, 2, 3],
        "rows": 4000,
        "passes": 300,
    }


def units(k):
    """net2-gd's hidden units: 2^(k+1) for k = 2 (with f_S's own 4 the descent stops at a partial
    fit, population loss 0.31), f_S's own 2^k for k >= 4 (2^(k+1) costs twice as much and
    finds f_S no more often on these sizes)."""
    return 2 ** (k + 1) if k == 2 else 2 ** k


def learner_args(learner, k, passes):
    """The learner's parameters: net2-gd with units(k) hidden units, one start, Adam;
    orthogonal-subsets on all rows (no screening slice)."""
    if learner == "net2-gd":
        return ["units=%d" % units(k), "restarts=1", "max_passes=%d" % passes]
    return ["k=%d" % k, "screen_rows=0"]


class Runner:
    """Runs relureg's CLI for one instance folder: generates it, fits under an oracle, scores."""

    def __init__(self, binary, folder):
        self.binary = binary
        self.folder = folder

    def _run(self, args):
        done = subprocess.run([self.binary] + args, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"relureg {' '.join(args)}: {done.stderr.strip()}")

    def generate(self, k, n, seed, rows):
        self.data = os.path.join(self.folder, "o.npy")
        self.truth = os.path.join(self.folder, "o.truth.json")
        self._run(["generate", "--family", "orthogonal-net", "--n", str(rows), "--d", str(n),
                   "--param", f"k={k}", "--seed", str(seed), "-o", self.data, "--quiet",
                   "--threads", "1"])

    def fit(self, learner, params, tau, oracle, seed, tag):
        """(population loss, scalar queries answered) of one fit; tau = 0: no oracle."""
        model = os.path.join(self.folder, f"{tag}.json")
        args = ["fit", self.data, "--learner", learner, "--seed", str(seed), "--threads", "1",
                "-o", model, "--quiet"]
        for p in params:
            args += ["--param", p]
        if tau > 0:
            args += ["--sq-tolerance", repr(tau), "--sq-oracle", oracle]
        self._run(args)
        with open(model) as f:
            metrics = json.load(f)["metrics"]
        loss = relureg.score(model, self.truth, n_jobs=1)["population_loss"]
        return loss, metrics.get("sq", {}).get("values")


def threshold(runner, learner, params, oracle, seed, exact_loss):
    """Bisection for the largest grid tolerance at which `learner` finds f_S.

    Returns a dict: tau_star (None: not found even with exact answers; GRID[-1] with at_top:
    found at every tolerance of the grid), the probes [(tau, population loss)] and the scalar
    queries of the fit at tau_star."""
    out = {"probes": [[0.0, exact_loss]], "tau_star": None, "at_top": False, "below": False,
           "values": None}
    if exact_loss > FOUND_LOSS:
        return out
    found = {}

    def probe(i):
        loss, values = runner.fit(learner, params, GRID[i], oracle, seed, f"{learner}-{oracle}-{i}")
        out["probes"].append([GRID[i], loss])
        found[i] = (loss <= FOUND_LOSS, values)
        return found[i][0]

    lo, hi = -1, len(GRID)  # found at lo (-1: exact answers); hi: not found (or off the grid)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if probe(mid):
            lo = mid
        else:
            hi = mid
    out["at_top"] = lo == len(GRID) - 1
    if lo >= 0:
        out.update(tau_star=GRID[lo], values=found[lo][1])
    else:  # found only with exact answers: below the grid, counted as one step below it
        out.update(tau_star=GRID[0] / GRID[1] * GRID[0], below=True)
    out["probes"].sort()
    return out


def measure_instance(binary, k, n, seed, cfg):
    """Every learner and oracle on one instance (one seed of one cell)."""
    with tempfile.TemporaryDirectory(prefix="relureg_sq_") as folder:
        runner = Runner(binary, folder)
        runner.generate(k, n, seed, cfg["rows"])
        rows = []
        for learner in ["net2-gd", "orthogonal-subsets"]:
            params = learner_args(learner, k, cfg["passes"])
            exact, _ = runner.fit(learner, params, 0.0, None, seed, f"{learner}-exact")
            for oracle in ORACLES:
                t = threshold(runner, learner, params, oracle, seed, exact)
                rows.append({"k": k, "n": n, "seed": seed, "learner": learner, "oracle": oracle,
                             "exact_loss": exact, **t})
        return rows


def measure(binary, cfg, workers=2):
    """Every (cell, seed), `workers` instances at a time (each fit on one thread)."""
    jobs = [(k, n, s) for k, n in cfg["cells"] for s in cfg["seeds"]]
    rows = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        for part in pool.map(lambda j: measure_instance(binary, *j, cfg), jobs):
            rows += part
    return rows


def summarise(rows, cfg):
    """Per (k, n, learner, oracle): geometric mean, min and max of tau_star over the seeds where
    the learner found f_S with exact answers; per (k, learner, oracle): the fitted log-log slope of
    tau_star against n (all seeds pooled), with the range of per-seed slopes."""
    summary = []
    for k, n in cfg["cells"]:
        for learner in ["net2-gd", "orthogonal-subsets"]:
            for oracle in ORACLES:
                mine = [r for r in rows if (r["k"], r["n"], r["learner"], r["oracle"])
                        == (k, n, learner, oracle)]
                taus = [r["tau_star"] for r in mine if r["tau_star"]]
                summary.append({
                    "k": k, "n": n, "learner": learner, "oracle": oracle,
                    "seeds": len(mine), "found_exact": sum(r["tau_star"] is not None for r in mine),
                    "tau_gmean": float(np.exp(np.mean(np.log(taus)))) if taus else None,
                    "tau_min": min(taus) if taus else None, "tau_max": max(taus) if taus else None,
                    "at_top": any(r["at_top"] for r in mine),
                    "below": sum(r["below"] for r in mine),
                    "values": [r["values"] for r in mine],
                })
    slopes = {}
    for k in sorted({k for k, _ in cfg["cells"]}):
        for learner in ["net2-gd", "orthogonal-subsets"]:
            for oracle in ORACLES:
                pts = [(r["n"], r["tau_star"], r["seed"]) for r in rows
                       if (r["k"], r["learner"], r["oracle"]) == (k, learner, oracle)
                       and r["tau_star"]]
                if len({p[0] for p in pts}) < 2:
                    continue
                slope = float(np.polyfit(np.log([p[0] for p in pts]),
                                         np.log([p[1] for p in pts]), 1)[0])
                per_seed = []
                for s in cfg["seeds"]:
                    own = [p for p in pts if p[2] == s]
                    if len({p[0] for p in own}) >= 2:
                        per_seed.append(float(np.polyfit(np.log([p[0] for p in own]),
                                                         np.log([p[1] for p in own]), 1)[0]))
                slopes[f"{k}/{learner}/{oracle}"] = {
                    "slope": slope, "per_seed": per_seed,
                    "n_range": [min(p[0] for p in pts), max(p[0] for p in pts)]}
    return summary, slopes


def fmt_tau(s):
    if s["tau_gmean"] is None:
        return "not found (τ = 0)"
    text = f"{s['tau_gmean']:.2g} [{s['tau_min']:.2g}, {s['tau_max']:.2g}]"
    if s["at_top"]:
        text = "≥ " + text
    if s["below"]:
        text += f" ({s['below']} below 1e-5, counted as 5.6e-6)"
    if s["found_exact"] < s["seeds"]:
        text += f" ({s['found_exact']}/{s['seeds']} found at τ = 0)"
    return text


def two_places(value):
    """A slope to two decimals, without the sign of a rounding residue (-1e-16 -> 0.00)."""
    return f"{round(value, 2) + 0.0:.2f}"


def markdown(summary, slopes, cfg):
    lines = [
        "| k | n | C(n, k) | net2-gd, adversarial | net2-gd, random | orthogonal-subsets, "
        "adversarial | orthogonal-subsets, random | scalar queries: net2-gd / subsets |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for k, n in cfg["cells"]:
        cell = {(s["learner"], s["oracle"]): s for s in summary if (s["k"], s["n"]) == (k, n)}
        q_gd = [v for v in cell[("net2-gd", "random")]["values"] if v]
        q_sub = [v for v in cell[("orthogonal-subsets", "random")]["values"] if v]
        queries = (f"{int(np.median(q_gd)):.3g} / " if q_gd else "– / ") + (
            f"{int(np.median(q_sub)):.3g}" if q_sub else "–")
        lines.append(
            f"| {k} | {n} | {math.comb(n, k)} | " + " | ".join(
                fmt_tau(cell[(learner, oracle)]) for learner in ["net2-gd", "orthogonal-subsets"]
                for oracle in ORACLES) + f" | {queries} |")
    lines += ["", "| k | learner | oracle | fitted slope of τ* against n | per-seed slopes | n |",
              "|---|---|---|---|---|---|"]
    for key, s in slopes.items():
        k, learner, oracle = key.split("/")
        per = ", ".join(f"{two_places(v)}" for v in s["per_seed"]) or "–"
        lines.append(f"| {k} | {learner} | {oracle} | {two_places(s['slope'])} | {per} | "
                     f"{s['n_range'][0]}–{s['n_range'][1]} |")
    seeds = len(cfg["seeds"])
    lines += [
        "",
        f"τ*: the largest tolerance of the grid 1e-5, 1.8e-5, …, 1 (quarter decades) at which the "
        f"learner still finds f_S (exact population loss ≤ {FOUND_LOSS}; 1 is the loss of 0), by "
        f"bisection; geometric mean [min, max] over {seeds} seed(s) (seed = instance, S, start "
        f"and oracle stream). `orthogonal-net` with {cfg['rows']} rows, y = f_S(x), no noise. "
        f"net2-gd: 8 units at k = 2 (twice f_S's 4: with 4 it stops at a partial fit), 2^k at "
        f"k ≥ 4, Adam (step 0.01), one start, {cfg['passes']} full-batch passes; "
        f"orthogonal-subsets: every k-subset on all rows. Scalar queries: the means the oracle "
        f"answered in one fit at τ* (random oracle; median over seeds).",
    ]
    return "\n".join(lines) + "\n"


def figure(summary, slopes, cfg, correlation_rows, path):
    ks = sorted({k for k, _ in cfg["cells"]})
    fig, axes = subplots(1, len(ks), figsize=(5.2 * len(ks), 4.2), squeeze=False)
    styles = {("net2-gd", "adversarial"): ("C0", "o-"), ("net2-gd", "random"): ("C1", "s-"),
              ("orthogonal-subsets", "adversarial"): ("C2", "^:"),
              ("orthogonal-subsets", "random"): ("C3", "v:")}
    for ax, k in zip(axes[0], ks):
        for (learner, oracle), (color, style) in styles.items():
            pts = [s for s in summary if (s["k"], s["learner"], s["oracle"]) == (k, learner, oracle)
                   and s["tau_gmean"]]
            if not pts:
                continue
            ns = np.array([s["n"] for s in pts], dtype=float)
            mid = np.array([s["tau_gmean"] for s in pts])
            lo = np.array([s["tau_min"] for s in pts])
            hi = np.array([s["tau_max"] for s in pts])
            key = f"{k}/{learner}/{oracle}"
            text = f"{learner}, {oracle}"
            if key in slopes and learner == "net2-gd":
                text += f" (slope {slopes[key]['slope']:.2f})"
            spread = [np.maximum(mid - lo, 0), np.maximum(hi - mid, 0)]
            ax.errorbar(ns, mid, yerr=spread, fmt=style, color=color, capsize=3, label=text)
        corr = [r for r in correlation_rows if r["k"] == k]
        if corr:
            n_max = max(n for kk, n in cfg["cells"] if kk == k)
            corr = [r for r in corr if r["n"] <= n_max]
            ax.loglog([r["n"] for r in corr], [r["rms_corr"] for r in corr], "kx--", lw=1,
                      label="RMS corr(random ReLU, f_S), first half")
        ax.axhline(1 / math.sqrt(cfg["rows"]), color="gray", lw=0.8, ls="-.",
                   label=f"1/√m (m = {cfg['rows']})")
        ax.set_xscale("log")
        ax.set_yscale("log")
        label(ax, "n (dimension)", "largest tolerance τ still finding f_S", f"k = {k}", fontsize=7)
    save(fig, path)
