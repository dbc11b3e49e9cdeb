"""Times whole fits with one or more relureg binaries on the same generated data: the fits whose
inner loop is their own pass over the rows (`exhaustive` with a bias: a grid of directions ×
kinks; `net2-enum`: its moment pass and enumeration), and fits from a memory-mapped NPY file
(`gd`'s passes and `moment`'s moments pass at d = 10).

    python3 experiments/peers/fit_times.py build/relureg [OTHER/relureg ...] [--repeats 5]

Each binary fits each instance `repeats` times, the binaries interleaved; the table gives the
median of the fit seconds the binary reports (`metrics.seconds` of its model file, which leaves
out reading the data), one thread, and the speed-up of each binary over the last one given (e.g.
a build of an older commit).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

# (name, data file, generate arguments, fit arguments)
CASES = [
    ("exhaustive --bias, n = 2·10⁴, d = 3", "data.csv",
     ["--family", "biased-teacher", "--n", "20000", "--d", "3", "--seed", "1"],
     ["--learner", "exhaustive", "--bias"]),
    ("net2-enum grid = 9, dim = 3, n = 10⁵, d = 10", "data.csv",
     ["--family", "teacher-net2", "--n", "100000", "--d", "10", "--seed", "1"],
     ["--learner", "net2-enum", "--param", "grid=9", "--param", "dim=3"]),
    ("net2-enum grid = 15, dim = 3 (1178 directions), n = 10⁵, d = 10", "data.csv",
     ["--family", "teacher-net2", "--n", "100000", "--d", "10", "--seed", "1"],
     ["--learner", "net2-enum", "--param", "grid=15", "--param", "dim=3"]),
    ("gd, 50 passes over a 40 MB NPY file, n = 10⁶, d = 10", "data.npy",
     ["--family", "label-noise", "--n", "1000000", "--d", "10", "--seed", "1"],
     ["--learner", "gd", "--param", "max_passes=50", "--param", "tol=0", "--param",
      "backtrack=0"]),
    ("moment (2 passes) over the same NPY file", "data.npy",
     ["--family", "label-noise", "--n", "1000000", "--d", "10", "--seed", "1"],
     ["--learner", "moment"]),
]


def run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"fit_times: {' '.join(cmd)} failed: {proc.stderr.strip()}")
    return proc


def fit_seconds(binary, data, fit_args, model):
    run([binary, "fit", data, *fit_args, "--threads", "1", "-o", model, "--quiet"])
    with open(model) as f:
        return json.load(f)["metrics"]["seconds"]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("binaries", nargs="+", help="relureg binaries to compare")
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as work:
        rows = []
        for name, file, gen_args, fit_args in CASES:
            data = os.path.join(work, file)
            run([args.binaries[0], "generate", *gen_args, "-o", data, "--quiet"])
            times = {b: [] for b in args.binaries}
            for _ in range(args.repeats):
                for b in args.binaries:
                    times[b].append(fit_seconds(b, data, fit_args, os.path.join(work, "m.json")))
            medians = [statistics.median(times[b]) for b in args.binaries]
            rows.append((name, medians))
    header = "| fit | " + " | ".join(f"`{b}` (s)" for b in args.binaries)
    if len(args.binaries) > 1:
        header += " | speed-up over the last"
    print(header + " |")
    print("|---" * (len(args.binaries) + 1 + (len(args.binaries) > 1)) + "|")
    for name, medians in rows:
        cells = [f"{m:.3f}" for m in medians]
        if len(medians) > 1:
            cells.append(", ".join(f"{medians[-1] / m:.1f}×" for m in medians[:-1]))
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
