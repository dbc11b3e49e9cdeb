#!/usr/bin/python3
"""GKK19's hardness result, measured: sparse parity with noise inside Gaussian ReLU regression.

One command (default: a few minutes on 2 cores; --full: the whole grid, up to where exhaustive
search takes minutes per fit):

    /usr/bin/python3 experiments/hardness/run.py [--full] [--learners a,b] [--binary build/relureg]

It drives the `relureg` CLI and writes docs/hardness.md (tables), docs/figures/hardness.png and
experiments/hardness/results.json. Four parts:
  A. excess population loss over opt of every learner (gd with several budgets and inits) against
     the gap Δ_k between opt and the no-information loss b0, for k in {2, 4, 6} and a grid of n;
  B. wall time of exhaustive-subsets against n (log-log, fitted slope ≈ k);
  C. success rate of `relureg recover-parity` per learner;
  D. the SQ view: the adversarial-oracle tolerance at which each learner stops finding S.
The learner list is read from `relureg learners` (every [relu] learner except `exhaustive`, whose
direction grid covers d <= 3), so learners added to the table later join automatically.
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ETA = 0.1

# Samples per k: enough for exhaustive search to see the gap (papers.md pitfall 4: |c_k| ~ 2^-Θ(k)).
QUICK = {
    "samples": {2: 20000, 4: 200000, 6: 1000000},
    "grid_a": {2: [8, 64], 4: [8, 16], 6: [8]},
    "gd_budgets": [10, 100],
    "grid_b": {2: [32, 64, 128, 256, 512], 4: [12, 16, 24, 32, 48], 6: [10, 12, 16, 20, 24]},
    "recover": {2: (12, 2, 10000), 4: (12, 1, 200000)},  # k: (n, seeds, samples)
    "sq": {2: (12, 10000)},  # k: (n, samples)
    "sq_oracles": ["adversarial"],
    "sq_ratios": [0, 0.1, 0.3, 1, 3],
}
FULL = {
    "samples": {2: 20000, 4: 200000, 6: 2000000},
    "grid_a": {2: [8, 16, 64, 256, 1024], 4: [8, 16, 24, 32, 48], 6: [8, 12, 16, 20]},
    "gd_budgets": [10, 100, 1000],
    "grid_b": {
        2: [32, 64, 128, 256, 512, 1024, 2048],
        4: [12, 16, 24, 32, 48, 64, 96],
        6: [10, 12, 16, 20, 24, 32, 40, 48],
    },
    "recover": {2: (16, 10, 20000), 4: (16, 5, 200000), 6: (8, 3, 2000000)},
    "sq": {2: (12, 20000), 4: (12, 200000)},
    "sq_oracles": ["adversarial", "random"],
    "sq_ratios": [0, 0.01, 0.03, 0.1, 0.3, 1, 3],
}
TIMING_SAMPLES = 4096
RECOVER_BUDGET = 100  # passes per fit for the iterative learners in parts C and D


class Runner:
    def __init__(self, binary, threads, workdir):
        self.binary, self.threads, self.workdir = binary, threads, workdir

    def path(self, name):
        return os.path.join(self.workdir, name)

    def run(self, args):
        """Runs the CLI; returns stdout, or raises RuntimeError with its error line."""
        threads = [] if args[0] == "learners" else ["--threads", str(self.threads)]
        cmd = [self.binary] + args + threads
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(p.stderr.strip().splitlines()[-1] if p.stderr.strip() else str(p.returncode))
        return p.stdout

    def generate(self, n, k, samples, seed):
        out = self.path(f"parity_k{k}_n{n}_m{samples}_s{seed}.npy")
        if not os.path.exists(out):
            self.run(["generate", "--family", "sparse-parity", "--n", str(samples), "--d", str(n),
                      "--param", f"k={k}", "--param", f"eta={ETA}", "--seed", str(seed), "-o", out,
                      "--quiet"])
        with open(out[:-4] + ".truth.json") as f:
            return out, json.load(f)

    def fit(self, data, learner, params, seed=0):
        model = self.path("model.json")
        args = ["fit", data, "--learner", learner, "-o", model, "--quiet", "--seed", str(seed)]
        for p in params:
            args += ["--param", p]
        self.run(args)
        with open(model) as f:
            return json.load(f)

    def evaluate(self, data, truth_path):
        return json.loads(self.run(["evaluate", "--model", self.path("model.json"), data,
                                    "--truth", truth_path]))

    def recover(self, data, learner, params, seed, tolerance=0.0, oracle="adversarial"):
        args = ["recover-parity", data, "--learner", learner, "--quiet", "--seed", str(seed)]
        for p in params:
            args += ["--param", p]
        if learner != "exhaustive-subsets":
            args += ["--budget", str(RECOVER_BUDGET)]
        if tolerance > 0:
            args += ["--sq-tolerance", repr(tolerance), "--sq-oracle", oracle]
        return json.loads(self.run(args))


def relu_learners(runner):
    names = []
    for line in runner.run(["learners"]).splitlines():
        m = re.match(r"^(\S+)\s+\[relu\]", line)
        if m and m.group(1) != "exhaustive":
            names.append(m.group(1))
    return names


def variants(learners, k, budgets):
    """(label, learner, params): gd with each budget and init; exhaustive-subsets at the true k."""
    out = []
    for name in learners:
        if name == "gd":
            for init in ["zero", "random", "moment"]:
                for b in budgets:
                    out.append((f"gd init={init} passes={b}", "gd",
                                [f"init={init}", f"max_passes={b}", "tol=0"]))
        elif name == "exhaustive-subsets":
            out.append(("exhaustive-subsets", name, [f"k={k}"]))
        else:
            out.append((name, name, []))
    return out


def reduction_params(params):
    """A variant's parameters without its pass budget and tolerance (recover-parity's --budget
    sets the passes; the learner's own tol lets converged fits stop early)."""
    return [p for p in params if not p.startswith(("max_passes=", "tol="))]


def top_k_support(w, k):
    order = sorted(range(len(w)), key=lambda i: -abs(w[i]))
    return sorted(order[:k]) if abs(w[order[k - 1]]) > 0 else []


def part_a(runner, learners, cfg, log):
    rows = []
    for k, grid in cfg["grid_a"].items():
        for n in grid:
            data, truth = runner.generate(n, k, cfg["samples"][k], seed=1)
            facts = truth["facts"]
            for label, learner, params in variants(learners, k, cfg["gd_budgets"]):
                row = {"k": k, "n": n, "m": cfg["samples"][k], "variant": label, "learner": learner,
                       "gap": facts["gap"], "opt": truth["opt"], "b0": facts["b0"]}
                try:
                    model = runner.fit(data, learner, params)
                    ev = runner.evaluate(data, data[:-4] + ".truth.json")
                    row.update(excess=ev["excess"], ratio=ev["excess"] / facts["gap"],
                               seconds=model["metrics"]["seconds"],
                               passes=model["metrics"]["passes"],
                               support_is_S=top_k_support(model["w"], facts["k"]) == facts["S"])
                except RuntimeError as e:
                    row["error"] = str(e)
                rows.append(row)
                log(f"A k={k} n={n} {label}: " +
                    (f"excess/gap {row['ratio']:.3f} ({row['seconds']:.2f}s)" if "ratio" in row
                     else row["error"]))
    return rows


def fitted_slope(points):
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx


def part_b(runner, cfg, log):
    rows = []
    for k, grid in cfg["grid_b"].items():
        for n in grid:
            data, _ = runner.generate(n, k, TIMING_SAMPLES, seed=2)
            model = runner.fit(data, "exhaustive-subsets", [f"k={k}"])
            rows.append({"k": k, "n": n, "m": TIMING_SAMPLES, "subsets": math.comb(n, k),
                         "seconds": model["metrics"]["seconds"]})
            log(f"B k={k} n={n}: C(n,k)={math.comb(n, k)} {rows[-1]['seconds']:.3f}s")
    slopes = {}
    for k in cfg["grid_b"]:
        pts = [(r["n"], r["seconds"]) for r in rows if r["k"] == k][-3:]
        comb = [(r["n"], r["subsets"]) for r in rows if r["k"] == k][-3:]
        slopes[k] = {"time": fitted_slope(pts), "subsets": fitted_slope(comb)}
    return rows, slopes


def part_c(runner, learners, cfg, log):
    rows = []
    for k, (n, seeds, samples) in cfg["recover"].items():
        for label, learner, params in variants(learners, k, [RECOVER_BUDGET]):
            if learner == "gd" and "init=moment" in params:
                continue  # the moment start is the moment learner's direction: no new information
            outcome = {"k": k, "n": n, "m": samples, "variant": label, "runs": 0, "found": 0,
                       "correct": 0, "seconds": []}
            for seed in range(seeds):
                data, _ = runner.generate(n, k, samples, seed=100 + seed)
                try:
                    r = runner.recover(data, learner, reduction_params(params), seed)
                except RuntimeError as e:
                    outcome["error"] = str(e)
                    break
                outcome["runs"] += 1
                outcome["found"] += r["found"]
                outcome["correct"] += bool(r.get("truth", {}).get("correct"))
                outcome["seconds"].append(r["seconds"])
            rows.append(outcome)
            log(f"C k={k} n={n} {label}: {outcome['correct']}/{outcome['runs']} correct"
                + (f" ({outcome['error']})" if "error" in outcome else ""))
    return rows


def part_d(runner, learners, cfg, log):
    rows = []
    for k, (n, samples) in cfg["sq"].items():
        data, truth = runner.generate(n, k, samples, seed=200)
        gap = truth["facts"]["gap"]
        for label, learner, params in variants(learners, k, [RECOVER_BUDGET]):
            if learner == "gd" and "init=moment" in params:
                continue
            for oracle in cfg["sq_oracles"]:
                row = {"k": k, "n": n, "m": samples, "variant": label, "oracle": oracle, "gap": gap,
                       "found": []}  # [τ/Δ_k, S recovered]
                for ratio in cfg["sq_ratios"]:
                    try:
                        r = runner.recover(data, learner, reduction_params(params), seed=0,
                                           tolerance=ratio * gap, oracle=oracle)
                        row["found"].append([ratio, bool(r.get("truth", {}).get("correct"))])
                    except RuntimeError as e:
                        row["error"] = str(e)
                        break
                # The smallest tested τ from which on S is never recovered (None: found at the
                # largest τ tested, or never found at all).
                row["ever_found"] = any(ok for _, ok in row["found"])
                row["stops_at"] = None
                for ratio, ok in reversed(row["found"]):
                    if ok:
                        break
                    row["stops_at"] = ratio
                if not row["ever_found"]:
                    row["stops_at"] = None
                rows.append(row)
                log(f"D k={k} {label} {oracle}: {row['found']}")
    return rows


def figure(a_rows, b_rows, slopes, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8))
    labels = []
    for r in a_rows:
        if r["variant"] not in labels:
            labels.append(r["variant"])
    markers = {2: "o", 4: "s", 6: "^"}
    for k in sorted({r["k"] for r in a_rows}):
        n_max = max(r["n"] for r in a_rows if r["k"] == k)
        pts = [(labels.index(r["variant"]), max(r["ratio"], 1e-4)) for r in a_rows
               if r["k"] == k and r["n"] == n_max and "ratio" in r]
        left.scatter([p[0] for p in pts], [p[1] for p in pts], marker=markers.get(k, "x"),
                     label=f"k={k}, n={n_max}")
    left.axhline(1, color="gray", linestyle="--", linewidth=1)
    left.text(len(labels) - 1, 1.3, "no better than b0 (excess = Δ_k)", color="gray", fontsize=8,
              ha="right")
    left.set_yscale("log")
    left.set_xticks(range(len(labels)))
    left.set_xticklabels(labels, rotation=70, ha="right", fontsize=7)
    left.set_ylabel("excess population loss / Δ_k  (floored at 1e-4)")
    left.set_title("Loss over opt, in units of the gap Δ_k")
    left.legend(fontsize=8)
    for k in sorted({r["k"] for r in b_rows}):
        pts = [(r["n"], r["seconds"]) for r in b_rows if r["k"] == k]
        right.loglog([p[0] for p in pts], [p[1] for p in pts], marker=markers.get(k, "x"),
                     label=f"k={k}: fitted slope {slopes[k]['time']:.2f} "
                           f"(C(n,k): {slopes[k]['subsets']:.2f})")
    right.set_xlabel("n (variables)")
    right.set_ylabel(f"exhaustive-subsets wall time, s ({TIMING_SAMPLES} rows)")
    right.set_title("Exhaustive search: time ~ C(n, k) ~ n^k")
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def fmt(v, digits=3):
    return "—" if v is None else f"{v:.{digits}g}"


def report(a_rows, b_rows, slopes, c_rows, d_rows, truths, meta, path):
    out = ["# The hardness experiment: sparse parity inside Gaussian ReLU regression", "",
           "Generated by `/usr/bin/python3 experiments/hardness/run.py"
           + (" --full" if meta["full"] else "") + f"` ({meta['seconds']:.0f} s on "
           f"{meta['threads']} threads, {meta['date']}). Family `sparse-parity`, η = {ETA}; "
           "labels y = (1 + ℓ)/2 with ℓ = χ_S(sign x) flipped with probability η; the class is "
           "ReLUs max(0, w·x), ‖w‖ ≤ 1 (GKK19). Spec: papers.md §1.3–§1.4.", "",
           "## The instances", "",
           "| k | c_k (quadrature) | best scale a* | opt | b0 (no information) | Δ_k = b0 − opt "
           "| query signal / Δ_k |",
           "|---|---|---|---|---|---|---|"]
    for k, t in sorted(truths.items()):
        f = t["facts"]
        signal = (1 - 2 * ETA) * abs(f["c_k"]) / 2
        out.append(f"| {k} | {f['c_k']:.4g} | {f['best_scale']:.5f} | {t['opt']:.6f} | "
                   f"{f['b0']:.6f} | {f['gap']:.4g} | {signal / f['gap']:.3f} |")
    out += ["", "The last column: a candidate on S changes the query E[y·ReLU(u·x)] (u = 1_S/√k) "
            "from its value under labels independent of x by (1 − 2η)|c_k|/2, which is slightly "
            "more than Δ_k (→ √(2π)/2 ≈ 1.25 Δ_k as k grows). An SQ oracle hides S from "
            "exhaustive search only when τ exceeds that signal, so with τ/Δ_k between 1 and this "
            "ratio exhaustive search can still succeed (part D)."]
    out += ["", "## A. Excess population loss over opt, against Δ_k", "",
            "Population loss exact (1-D quadrature of the family). `excess/Δ` ≈ 1 means no better "
            "than the best ReLU that ignores the labels' dependence on x; ≈ 0 means opt. "
            "`S` marks fits whose k largest weights are exactly S; where samples per variable "
            "are few (k=2, n=1024: 20) descent also fails for statistical reasons. Samples: "
            + ", ".join(f"k={k}: {m}" for k, m in meta["samples"].items()) + ".", ""]
    cols = sorted({(r["k"], r["n"]) for r in a_rows})
    out.append("| learner | " + " | ".join(f"k={k} n={n}" for k, n in cols) + " |")
    out.append("|---|" + "---|" * len(cols))
    labels = []
    for r in a_rows:
        if r["variant"] not in labels:
            labels.append(r["variant"])
    for label in labels:
        cells = []
        for k, n in cols:
            r = next((r for r in a_rows if r["variant"] == label and r["k"] == k and r["n"] == n), None)
            if r is None:
                cells.append("")
            elif "error" in r:
                cells.append("error")
            else:
                cells.append(f"{r['ratio']:.3f}{' S' if r['support_is_S'] else ''}")
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    out += ["", "## B. Wall time of exhaustive-subsets against n", "",
            f"{TIMING_SAMPLES} rows; slope fitted by least squares on log-log over the three "
            "largest n, next to the slope of C(n, k) itself over the same points (→ k as n ≫ k). "
            "Figure: [figures/hardness.png](figures/hardness.png).", "",
            "| k | n | C(n, k) | seconds |", "|---|---|---|---|"]
    for r in b_rows:
        out.append(f"| {r['k']} | {r['n']} | {r['subsets']} | {r['seconds']:.3f} |")
    out += ["", "| k | fitted time slope | slope of C(n, k) |", "|---|---|---|"]
    for k, s in slopes.items():
        out.append(f"| {k} | {s['time']:.2f} | {s['subsets']:.2f} |")
    out += ["", "## C. `recover-parity` success rate", "",
            f"Algorithm 1 (re-randomise one coordinate at a time; threshold b0 − Δ_k/2 on held-out "
            f"losses). Iterative learners get {RECOVER_BUDGET} passes per fit. Correct = the "
            "recovered set is exactly S and verifies on held-out rows.", "",
            "| k | n | samples | learner | correct / runs | median seconds per run |",
            "|---|---|---|---|---|---|"]
    for r in c_rows:
        secs = sorted(r["seconds"])
        med = secs[len(secs) // 2] if secs else None
        out.append(f"| {r['k']} | {r['n']} | {r['m']} | {r['variant']} | {r['correct']}/{r['runs']}"
                   + (f" ({r['error']})" if "error" in r else "") + f" | {fmt(med)} |")
    out += ["", "## D. The SQ view: tolerance at which each learner stops finding S", "",
            "`recover-parity` with the learner under a statistical-query oracle answering every "
            "mean within τ (adversarial: towards the value under labels independent of x; random: "
            "uniform noise). Columns: τ/Δ_k; ✓ = S recovered.", ""]
    ratios = meta["sq_ratios"]
    out.append("| k | n | samples | learner | oracle | " + " | ".join(f"{t:g}" for t in ratios) +
               " | stops at τ/Δ_k |")
    out.append("|---|---|---|---|---|" + "---|" * len(ratios) + "---|")
    for r in d_rows:
        found = {t: ok for t, ok in r["found"]}
        cells = [("✓" if found[t] else "·") if t in found else "" for t in ratios]
        stop = fmt(r["stops_at"]) if r["ever_found"] else "never found"
        if "error" in r:
            stop += f" ({r['error']})"
        out.append(f"| {r['k']} | {r['n']} | {r['m']} | {r['variant']} | {r['oracle']} | " +
                   " | ".join(cells) +
                   f" | {stop} |")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--full", action="store_true", help="the whole grid (takes long)")
    ap.add_argument("--learners", help="comma-separated learners (default: the learner table)")
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "relureg"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--docs", default=os.path.join(ROOT, "docs"))
    ap.add_argument("--report-only", action="store_true",
                    help="re-render docs from experiments/hardness/results.json (no fits)")
    args = ap.parse_args()
    cfg = FULL if args.full else QUICK
    start = time.time()
    results_path = os.path.join(ROOT, "experiments", "hardness", "results.json")

    def log(msg):
        print(f"[{time.time() - start:7.1f}s] {msg}", flush=True)

    if args.report_only:
        with open(results_path) as f:
            res = json.load(f)
        meta = res["meta"]
        meta["samples"] = {int(k): v for k, v in meta["samples"].items()}
        slopes = {int(k): v for k, v in res["slopes"].items()}
        truths = {int(k): v for k, v in res.get("truths", {}).items()}
        if not truths:  # older results: the instances' facts depend on k and eta only
            with tempfile.TemporaryDirectory(prefix="relureg_hardness_") as work:
                runner = Runner(args.binary, args.threads, work)
                for k in sorted({r["k"] for r in res["a"]}):
                    _, truths[k] = runner.generate(max(k, 8), k, 100, seed=1)
            res["truths"] = truths
            with open(results_path, "w") as f:
                json.dump(res, f, indent=1)
        figure(res["a"], res["b"], slopes, os.path.join(args.docs, "figures", "hardness.png"))
        report(res["a"], res["b"], slopes, res["c"], res["d"], truths, meta,
               os.path.join(args.docs, "hardness.md"))
        log(f"re-rendered {os.path.join(args.docs, 'hardness.md')}")
        return 0

    with tempfile.TemporaryDirectory(prefix="relureg_hardness_") as work:
        runner = Runner(args.binary, args.threads, work)
        learners = args.learners.split(",") if args.learners else relu_learners(runner)
        log(f"learners: {', '.join(learners)}")
        a_rows = part_a(runner, learners, cfg, log)
        truths = {}
        for k in cfg["grid_a"]:
            _, truths[k] = runner.generate(cfg["grid_a"][k][0], k, cfg["samples"][k], seed=1)
        b_rows, slopes = part_b(runner, cfg, log)
        c_rows = part_c(runner, learners, cfg, log)
        d_rows = part_d(runner, learners, cfg, log)
    meta = {"full": args.full, "threads": args.threads, "seconds": time.time() - start,
            "date": time.strftime("%Y-%m-%d"), "learners": learners,
            "sq_ratios": cfg["sq_ratios"], "samples": cfg["samples"]}
    os.makedirs(os.path.join(args.docs, "figures"), exist_ok=True)
    figure(a_rows, b_rows, slopes, os.path.join(args.docs, "figures", "hardness.png"))
    report(a_rows, b_rows, slopes, c_rows, d_rows, truths, meta,
           os.path.join(args.docs, "hardness.md"))
    with open(results_path, "w") as f:
        json.dump({"meta": meta, "a": a_rows, "b": b_rows, "slopes": slopes, "c": c_rows,
                   "d": d_rows, "truths": truths}, f, indent=1)
    log(f"wrote {os.path.join(args.docs, 'hardness.md')}")


if __name__ == "__main__":
    sys.exit(main())
