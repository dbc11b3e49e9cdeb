"""relureg against the tools a user would pick instead (numpy, PyTorch, scikit-learn), side by side.

One run: generates the data once as NPY with `relureg generate`, then
  1. per full-batch epoch of the same gradient descent: relureg `gd`, numpy, PyTorch (nn.Linear
     + SGD, and a hand-written gradient), checked to reach the same loss;
  2. cost against n*d (n = 1e4 ... 1e6, 1e7 with --big; d = 100);
  3. time to population loss <= 1.1 opt on `label-noise` and `adversarial`: relureg's learners
     against PyTorch Adam from random init with restarts; scikit-learn MLPRegressor as a sanity
     row;
  4. peak memory (max RSS of each process, from wait4).
Prints one table and writes it to docs/performance.md with the machine description. Peers that
are missing are skipped with a line saying so (run.sh installs python3-torch from Debian).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True  # no __pycache__ next to the scripts
sys.path.insert(0, HERE)
import machine  # noqa: E402  (same directory)
import report  # noqa: E402


def log(*parts):
    print("peers:", *parts, file=sys.stderr, flush=True)


def run_measured(cmd, env=None):
    """Runs cmd; returns (stdout, wall seconds, peak RSS in KiB). The child is reaped with
    os.wait4, whose rusage is that one child's (ru_maxrss: its peak resident set)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, env=env, text=True)
        out = proc.stdout.read()
        proc.stdout.close()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait again
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {err.read().strip()}")
    return out, wall, usage.ru_maxrss


class Relureg:
    def __init__(self, binary, threads, workdir):
        self.binary, self.threads, self.workdir = binary, threads, workdir

    def generate(self, family, n, d, seed, path):
        if not os.path.exists(path):
            log(f"generating {family} n={n} d={d} -> {path}")
            run_measured([self.binary, "generate", "--family", family, "--n", str(n),
                          "--d", str(d), "--seed", str(seed), "--threads", str(self.threads),
                          "--quiet", "-o", path])
        return path

    def fit(self, data, learner, params, model):
        cmd = [self.binary, "fit", data, "--labels", labels_of(data), "--learner", learner,
               "--threads", str(self.threads), "--quiet", "-o", model]
        for p in params:
            cmd += ["--param", p]
        _, wall, rss = run_measured(cmd)
        with open(model) as f:
            m = json.load(f)
        return {"seconds": m["metrics"]["seconds"], "passes": m["metrics"]["passes"],
                "train_loss": m["metrics"]["train_loss"], "wall": wall, "rss_kib": rss,
                "w": m["w"], "b": m.get("b", 0.0), "timeline": m["metrics"]["timeline"]}

    def evaluate(self, model, data, truth):
        out, _, _ = run_measured([self.binary, "evaluate", "--model", model, data, "--labels",
                                  labels_of(data), "--truth", truth])
        return json.loads(out)


def labels_of(npy):
    return npy[: -len(".npy")] + ".labels.npy"


class Peers:
    """Runs peer_tasks.py in fresh processes, with or without a private OpenBLAS."""

    def __init__(self, threads, openblas):
        self.threads, self.openblas = threads, openblas
        self.available = {}
        for module in ("torch", "sklearn"):
            ok = subprocess.run([sys.executable, "-c", f"import {module}"],
                                capture_output=True).returncode == 0
            self.available[module] = ok
            if not ok:
                log(f"{module} is not installed: its rows are skipped "
                    "(bash experiments/peers/run.sh installs python3-torch from Debian)")

    def env(self, blas, avx2=False):
        env = dict(os.environ, OMP_NUM_THREADS=str(self.threads))
        if blas == "openblas":
            env["LD_LIBRARY_PATH"] = self.openblas + os.pathsep + env.get("LD_LIBRARY_PATH", "")
            env["OPENBLAS_NUM_THREADS"] = str(self.threads)
        if avx2:  # each library's own switch to its AVX2 code (what an AVX2-only host runs)
            env.update(machine.AVX2_PEERS)
        return env

    def run(self, task, args, blas="debian", avx2=False):
        args = dict(args, threads=self.threads)
        out, wall, rss = run_measured([sys.executable, os.path.join(HERE, "peer_tasks.py"), task,
                                       json.dumps(args)], env=self.env(blas, avx2))
        result = json.loads(out)
        result.update(wall=wall, rss_kib=rss)
        return result


def blas_variants(args):
    return ["debian"] + (["openblas"] if args.openblas else [])


def seconds_per_timed_pass(fit):
    """Seconds per pass between the fit's first progress report and its last (the timeline of the
    model file): gd reports from its second pass on, so the first pass (with its page faults on
    the mapped file) and the second are left out, like the warm-up epoch the peers' timer leaves
    out. A fit that reported fewer than twice (tiny --quick data): its mean over every pass."""
    passes, seconds = fit["timeline"]["passes"], fit["timeline"]["seconds"]
    if len(passes) >= 2 and passes[-1] > passes[0] and seconds[-1] > seconds[0]:
        return (seconds[-1] - seconds[0]) / (passes[-1] - passes[0])
    return fit["seconds"] / fit["passes"]


def bench_next_to(relureg):
    """The bench_engine built beside a relureg binary (build/relureg: build/bench_engine)."""
    return os.path.join(os.path.dirname(os.path.abspath(relureg)), "bench_engine")


def stream_read_seconds(bench, n, d, threads):
    """Seconds of bench_engine's streaming read of n·d float32 on `threads` threads
    (BM_StreamRead, the fastest of three repetitions), or None where `bench` is missing or has no
    such benchmark (the --quick sizes)."""
    if not bench or not os.access(bench, os.X_OK):
        return None
    name = f"BM_StreamRead/n:{n}/d:{d}/threads:{threads}/real_time"
    # bench_engine prints its own tables: the JSON goes to a file.
    with tempfile.NamedTemporaryFile("r", suffix=".json") as f:
        subprocess.run([bench, f"--benchmark_filter=^{name}$", "--benchmark_repetitions=3",
                        "--benchmark_min_time=0.2", f"--benchmark_out={f.name}",
                        "--benchmark_out_format=json"], capture_output=True, text=True,
                       check=True)
        out = f.read()
    if not out.strip():  # no such benchmark: it says so on stderr and writes nothing
        return None
    runs = [b for b in json.loads(out)["benchmarks"] if b.get("run_type") == "iteration"]
    if not runs:
        return None
    unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[runs[0]["time_unit"]]
    return min(b["real_time"] for b in runs) * unit


def per_epoch(args, rr, peers, data, n, d, epochs, repeats, avx2=False, relureg_repeats=None,
              bench=None):
    """Seconds per full-batch epoch of the same GD for every tool on one data file (`avx2`: the
    peers on their AVX2 code paths, for relureg's x86-64-v3 build). relureg: `relureg_repeats`
    (default `repeats`) fits of `epochs` passes, each timed by its own clock from its first
    progress report to its last (seconds_per_timed_pass), the fastest of them; the peers: the
    fastest of `repeats` timings of `epochs` epochs after a warm-up epoch. The row is the fastest
    fit's (its final loss, memory and wall time). Each peer's row also gets `relureg_beside`:
    relureg's epoch timed beside that peer, the faster of the fit just before the peer's process
    and the one just after (which is also the next peer's fit before), so that its ratio compares
    two tools that met the same memory bandwidth (a shared guest's drifts by up to 2x over
    minutes). With `bench` (a bench_engine binary), each peer's row gets `stream_beside` too: the
    faster of the streaming reads of X (stream_read_seconds) just before and just after it."""
    rows = []
    step = 0.5
    params = [f"max_passes={epochs}", "tol=0", "backtrack=0", f"step={step}"]
    model = os.path.join(args.workdir, "gd_epochs.json")

    def timed_fit():
        fit = rr.fit(data, "gd", params, model)
        fit["seconds_per_epoch"] = seconds_per_timed_pass(fit)
        return fit

    def beside():
        return timed_fit()["seconds_per_epoch"], stream_read_seconds(bench, n, d, args.threads)

    fits = [timed_fit() for _ in range(relureg_repeats or repeats)]
    best = min(fits, key=lambda fit: fit["seconds_per_epoch"])
    rows.append(dict(best, tool="relureg gd", final_loss=best["train_loss"], n=n, d=d))
    task_args = {"features": data, "labels": labels_of(data), "step": step, "epochs": epochs,
                 "repeats": repeats}
    tasks = [("numpy", "gd_numpy", None)]
    if peers.available["torch"]:
        tasks += [("PyTorch nn.Linear+SGD", "gd_torch_module", "torch"),
                  ("PyTorch hand-written gradient", "gd_torch_manual", "torch")]
    before = beside()
    if bench and before[1] is None:
        log(f"per-epoch: {bench} has no streaming read at n={n}, d={d}: the targets' memory "
            "limit is the one of the run's benchmarks")
    for blas in blas_variants(args):
        for name, task, _ in tasks:
            log(f"per-epoch {name} ({blas} BLAS{', AVX2' if avx2 else ''}) n={n}")
            result = peers.run(task, task_args, blas, avx2)
            after = beside()
            row = dict(result, tool=name, blas=blas, n=n, d=d,
                       relureg_beside=min(before[0], after[0]))
            if before[1] and after[1]:
                row["stream_beside"] = min(before[1], after[1])
            rows.append(row)
            before = after
    return rows


# relureg's rows in section 3: (learner, params, sweep). Every learner of the table that fits a
# single ReLU or a single-index model; `sweep`: also find the fewest passes to each target by
# refitting with max_passes = k (learners whose passes are their own descent steps).
LEARNERS = [("moment", [], False), ("moment", ["passes=1"], False), ("gd", [], True),
            ("gd", ["init=moment"], True), ("glmtron", [], True), ("glmtron", ["polish=20"], False),
            ("dktz22", [], True), ("wzdd23", [], False), ("gv25", [], False),
            ("isotron", [], False)]
FACTORS = ("1.1", "1.01")


def read_through(*paths):
    """Reads files once, untimed, so that they are in the page cache: the peers' clocks start
    with their data in memory, and without this a relureg fit (which maps its file) read it from
    disk inside its clock once the 4 GB files of --big had pushed it out (Zen 5, label-noise,
    n = 10^6: gd's 2 passes 0.56 s from a cold cache, 0.13 s from a warm one)."""
    for path in paths:
        with open(path, "rb") as f:
            while f.read(1 << 26):
                pass


def fit_to_targets(args, rr, train, truth, family, name, params, sweep):
    """The default fit, then for each target factor the fewest passes that reach it: the default
    fit's if it does and `sweep` is off, else the smallest max_passes = k whose fit does (binary
    search over k up to the default fit's passes; the population loss of these descents falls
    with k). Times are each fit's own clock."""
    tag = "_".join([name] + params).replace("=", "")
    model = os.path.join(args.workdir, f"tta_{family}_{tag}.json")
    read_through(train, labels_of(train))
    fit = rr.fit(train, name, params, model)
    ev = rr.evaluate(model, args.one_row, truth)
    row = {"learner": " ".join([name] + params), "seconds": fit["seconds"],
           "passes": fit["passes"], "population_loss": ev["population_loss"],
           "opt": ev["opt"], "opt_class": ev.get("opt_class", ""),
           "ratio": ev["population_loss"] / ev["opt"], "w": fit["w"], "b": fit["b"],
           "method": ev.get("population_loss_method", ""), "to": {}}
    probes = {}

    def probe(k):
        if k not in probes:
            path = os.path.join(args.workdir, f"tta_{family}_{tag}_k{k}.json")
            read_through(train, labels_of(train))
            f = rr.fit(train, name, params + [f"max_passes={k}"], path)
            e = rr.evaluate(path, args.one_row, truth)
            probes[k] = {"passes": f["passes"], "seconds": f["seconds"],
                         "ratio": e["population_loss"] / e["opt"]}
        return probes[k]

    for factor in FACTORS:
        if row["ratio"] > float(factor):
            row["to"][factor] = None
            continue
        if not sweep:
            row["to"][factor] = {"passes": fit["passes"], "seconds": fit["seconds"],
                                 "ratio": row["ratio"], "swept": False}
            continue
        lo, hi = 1, max(1, fit["passes"])
        best = {"passes": fit["passes"], "seconds": fit["seconds"], "ratio": row["ratio"]}
        while lo <= hi:
            k = (lo + hi) // 2
            p = probe(k)
            if p["ratio"] <= float(factor):
                best, hi = p, k - 1
            else:
                lo = k + 1
        row["to"][factor] = dict(best, swept=True)
    return row


def time_to_accuracy(args, rr, peers, family):
    """relureg's learners (default parameters) against PyTorch Adam and L-BFGS with restarts, on
    one family: time and passes (epochs) to population loss <= 1.1·opt and <= 1.01·opt."""
    d, n, hold = args.tta_d, args.tta_n, args.tta_holdout
    full = rr.generate(family, n + hold, d, 1, os.path.join(args.workdir, f"{family}.npy"))
    truth_path = full[: -len(".npy")] + ".truth.json"
    with open(truth_path) as f:
        truth = json.load(f)
    train = os.path.join(args.workdir, f"{family}.train.npy")
    holdout = os.path.join(args.workdir, f"{family}.holdout.npy")
    x = np.load(full, mmap_mode="r")
    y = np.load(labels_of(full))
    for path, rows in ((train, slice(0, n)), (holdout, slice(n, n + hold))):
        if not os.path.exists(path):
            np.save(path, np.ascontiguousarray(x[rows]))
            np.save(labels_of(path), y[rows])
    del x
    args.one_row = os.path.join(args.workdir, f"one_row_{d}.npy")
    np.save(args.one_row, np.zeros((1, d), np.float32))
    np.save(labels_of(args.one_row), np.zeros(1))
    hx, hy = np.load(holdout), np.load(labels_of(holdout))

    def holdout_loss(row):
        if row["learner"].startswith("isotron"):
            return None  # a single-index model: its link is in the model file, not a ReLU
        z = hx @ np.asarray(row["w"], np.float32) + row["b"]
        return float(np.mean((np.maximum(z, 0) - hy) ** 2))

    # Adam's and L-BFGS's fits are homogeneous ReLUs: their opt is the ground truth's homogeneous
    # record (each relureg row uses the opt of its own model's class, from `evaluate`).
    opt = truth.get("homogeneous", truth)
    targets = {factor: float(factor) * opt["opt"] for factor in FACTORS}
    ours = []
    for name, params, sweep in LEARNERS:
        log(f"time to 1.1/1.01 opt: relureg {' '.join([name] + params)} on {family}")
        row = fit_to_targets(args, rr, train, truth_path, family, name, params, sweep)
        row["holdout_loss"] = holdout_loss(row)
        row["reached"] = row["to"]["1.1"] is not None
        del row["w"], row["b"]
        ours.append(row)
    result = {"family": family, "n": n, "d": d, "opt": opt["opt"], "opt_kind": opt["opt_kind"],
              "relureg": ours, "adam": [], "lbfgs": [], "mlp": None}
    if peers.available["torch"]:
        common = {"features": train, "labels": labels_of(train), "truth": truth_path,
                  "relureg": rr.binary, "workdir": args.workdir, "targets": targets,
                  "restarts": args.restarts}
        for blas in (blas_variants(args) if args.tta_openblas else ["debian"]):
            log(f"time to 1.1/1.01 opt: PyTorch Adam ({blas} BLAS) on {family}")
            adam = peers.run("adam_torch", dict(common, epochs=args.adam_epochs, lr=args.adam_lr,
                                                eval_every=args.eval_every), blas)
            result["adam"].append(dict(adam, blas=blas))
            log(f"time to 1.1/1.01 opt: PyTorch L-BFGS ({blas} BLAS) on {family}")
            lbfgs = peers.run("lbfgs_torch", dict(common, evals=args.lbfgs_evals), blas)
            result["lbfgs"].append(dict(lbfgs, blas=blas))
    if peers.available["sklearn"]:
        log(f"scikit-learn MLPRegressor on {family}")
        result["mlp"] = peers.run("mlp_sklearn", {
            "features": train, "labels": labels_of(train), "holdout": holdout,
            "holdout_labels": labels_of(holdout), "max_iter": args.mlp_iter,
            "restarts": args.restarts, "max_rows": args.mlp_rows})
        result["mlp"]["rows"] = min(n, args.mlp_rows)
    return result


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--relureg", default=os.path.join(ROOT, "build", "relureg"))
    p.add_argument("--avx2-relureg", default="",
                   help="relureg built for x86-64-v3: adds the per-epoch comparison of an AVX2 "
                   "host (it against the peers on their AVX2 code paths)")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--workdir", default=os.path.join(ROOT, "build", "peers"))
    p.add_argument("--out", default=os.path.join(ROOT, "docs", "performance.md"),
                   help="markdown report ('-' for none)")
    p.add_argument("--n", type=int, default=10**6, help="rows of the per-epoch comparison")
    p.add_argument("--d", type=int, default=100)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--sizes", default="10000,100000,1000000", help="n of the scaling rows")
    p.add_argument("--big", action="store_true", help="add n = 10^7 (4 GB of features)")
    p.add_argument("--tta-n", type=int, default=10**6, help="rows of the time-to-accuracy runs")
    p.add_argument("--tta-d", type=int, default=100)
    p.add_argument("--tta-holdout", type=int, default=100000)
    p.add_argument("--restarts", type=int, default=3)
    p.add_argument("--adam-epochs", type=int, default=1000)
    p.add_argument("--adam-lr", type=float, default=0.01)
    p.add_argument("--eval-every", type=int, default=10)
    p.add_argument("--lbfgs-evals", type=int, default=300,
                   help="loss-and-gradient evaluations per L-BFGS restart")
    p.add_argument("--tta-openblas", action="store_true",
                   help="also run Adam and L-BFGS with OpenBLAS (Debian BLAS only by default)")
    p.add_argument("--mlp-iter", type=int, default=200)
    p.add_argument("--mlp-rows", type=int, default=100000,
                   help="rows of the time-to-accuracy data given to scikit-learn (a sanity row)")
    p.add_argument("--openblas", default="", help="directory with OpenBLAS's libblas.so.3: adds "
                   "peer rows with it (LD_LIBRARY_PATH, nothing installed system-wide)")
    p.add_argument("--bench", default="", help="output of build/bench_engine to include")
    p.add_argument("--subsets", default="", help="output of build/bench_subsets to include")
    p.add_argument("--avx2-bench", default="", help="bench_engine of the x86-64-v3 build")
    p.add_argument("--avx2-subsets", default="", help="bench_subsets of the x86-64-v3 build")
    p.add_argument("--report-only", action="store_true",
                   help="rewrite the report from <workdir>/results.json (and --bench) only")
    p.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test of the script")
    args = p.parse_args()
    if args.quick:
        args.n, args.sizes, args.epochs, args.repeats = 4000, "1000,4000", 5, 1
        args.tta_n, args.tta_holdout, args.tta_d, args.restarts = 4000, 2000, 10, 2
        args.adam_epochs, args.mlp_iter, args.lbfgs_evals = 300, 50, 100
    if args.report_only:
        with open(os.path.join(args.workdir, "results.json")) as f:
            write_report(json.load(f), args)
        return
    sizes = [int(s) for s in args.sizes.split(",") if s] + ([10**7] if args.big else [])
    os.makedirs(args.workdir, exist_ok=True)
    rr = Relureg(os.path.abspath(args.relureg), args.threads, args.workdir)
    peers = Peers(args.threads, args.openblas)
    load_before = os.getloadavg()
    started = time.time()

    data = {n: rr.generate("label-noise", n, args.d, 0,
                           os.path.join(args.workdir, f"scale_{n}x{args.d}.npy"))
            for n in sorted(set(sizes + [args.n]))}
    epochs = per_epoch(args, rr, peers, data[args.n], args.n, args.d, args.epochs, args.repeats,
                       bench=bench_next_to(args.relureg))
    epochs_avx2 = []
    if args.avx2_relureg:
        rr_avx2 = Relureg(os.path.abspath(args.avx2_relureg), args.threads, args.workdir)
        epochs_avx2 = per_epoch(args, rr_avx2, peers, data[args.n], args.n, args.d, args.epochs,
                                args.repeats, avx2=True, bench=bench_next_to(args.avx2_relureg))
    scaling = []
    for n in sizes:
        if n == args.n:
            scaling += epochs
            continue
        big = n >= 10**7
        # n = 10^7: one repetition of 5 epochs per tool, but relureg's fastest of two fits: the
        # peers load the file into memory before their clock starts, while a relureg fit maps it,
        # and the 4 GB file may have left the page cache since it was written (the first fit then
        # reads it from disk inside its first pass).
        scaling += per_epoch(args, rr, peers, data[n], n, args.d, 5 if big else args.epochs,
                             1 if big else args.repeats, relureg_repeats=2 if big else None)
    accuracy = [time_to_accuracy(args, rr, peers, family)
                for family in ("label-noise", "adversarial")]
    results = {"machine": machine.machine(), "threads": args.threads, "epochs": args.epochs,
               "load_before": load_before, "load_after": os.getloadavg(),
               "minutes": (time.time() - started) / 60, "per_epoch": epochs,
               "per_epoch_avx2": epochs_avx2, "scaling": scaling,
               "accuracy": accuracy, "n": args.n, "d": args.d, "args": vars(args)}
    with open(os.path.join(args.workdir, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    write_report(results, args)


def write_report(results, args):
    bench_text = None
    if args.bench:
        with open(args.bench) as f:
            bench_text = f.read()
    extra = {}
    for key, path in (("subset_text", args.subsets), ("avx2_text", args.avx2_bench),
                      ("avx2_subset_text", args.avx2_subsets)):
        if path:
            with open(path) as f:
                extra[key] = f.read()
    text = report.markdown(results, bench_text, extra)
    print(text)
    if args.out != "-":
        with open(args.out, "w") as f:
            f.write(text)
        log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
