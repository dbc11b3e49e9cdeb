"""Scaling law 2: how little a random ReLU sees of GGJKK20's orthogonal network, and the
statistical-query tolerance at which net2-gd stops finding it.

Goel, Gollakota, Jin, Karmalkar, Klivans (ICML 2020) build f_S, a sum of ReLUs on a hidden
k-subset S of the n coordinates, orthogonal to every polynomial of degree < k; their statistical-
query lower bound rests on every fixed direction correlating with f_S like n^(-k/2). This script
measures that correlation exactly in x: for random unit w, corr(w) = E[ReLU(w.x) f_S(x)] /
sqrt(E[ReLU(w.x)^2] E[f_S^2]), from relureg's exact population loss of ReLU(w.x) on the
`orthogonal-net` family (unit-variance f_S, no noise):
  E[ReLU(w.x) f_S] = (E[ReLU(w.x)^2] + E[f_S^2] - loss) / 2 = (1/2 + 1 - loss) / 2.
It reports the root-mean-square of corr over random w against n, and the fitted log-log slope
beside the theory's -k/2. Writes OUT/orthogonal_correlation.md (and .json) and .png.

Second half (orthogonal_sq.py): the largest SQ tolerance at which net2-gd (full batch, every
mean answered by relureg's oracle, `relureg fit --sq-tolerance`) still finds f_S, against n,
beside orthogonal-subsets, for the adversarial and the random oracle, with seeds; fitted log-log
slopes. Writes OUT/orthogonal_sq.md (and .json) and .png. Runs the `relureg` binary of the same
build (or $RELUREG_BINARY).

Usage: PYTHONPATH=build/python /usr/bin/python3 experiments/scaling/orthogonal_correlation.py
           [--out docs/scaling] [--quick]
--quick: k in {2, 4}, n in {16, 32, 64}, 20 directions; the SQ half at k = 2, n in {8, 16}, one
seed (a smoke run for CI).
"""

import sys
import time

import numpy as np

import relureg
import orthogonal_sq
from scaling_common import label, parse_args, save, subplots, write_outputs


def rms_correlation(n, k, directions, rng):
    _, _, truth = relureg.make_instance("orthogonal-net", n=2, d=n, seed=k, k=k, check_samples=1000)
    values = []
    for _ in range(directions):
        w = rng.normal(size=n)
        w /= np.linalg.norm(w)
        loss = relureg.population_loss(w, 0.0, truth, return_details=True)
        assert loss["method"] == "exact"
        values.append((0.5 + 1.0 - loss["value"]) / 2 / np.sqrt(0.5))
    return float(np.sqrt(np.mean(np.square(values))))


def main():
    args = parse_args(__doc__)
    if args.quick:
        ks, ns, directions = [2, 4], [16, 32, 64], 20
    else:
        ks, ns, directions = [2, 4, 6], [16, 32, 64, 128, 256, 512, 1024, 2048, 4096], 200
    rng = np.random.default_rng(7)
    start = time.time()
    rows = []
    for k in ks:
        for n in ns:
            rows.append({"k": k, "n": n, "rms_corr": rms_correlation(n, k, directions, rng)})
            print(f"k={k} n={n}: rms corr {rows[-1]['rms_corr']:.3e}", file=sys.stderr)
    slopes = {}
    for k in ks:
        mine = [r for r in rows if r["k"] == k]
        slopes[k] = float(
            np.polyfit(np.log([r["n"] for r in mine]), np.log([r["rms_corr"] for r in mine]), 1)[0]
        )
    lines = ["| n | " + " | ".join(f"k = {k}" for k in ks) + " |", "|---" * (len(ks) + 1) + "|"]
    for n in ns:
        cells = [f"{r['rms_corr']:.3e}" for k in ks for r in rows if r["k"] == k and r["n"] == n]
        lines.append(f"| {n} | " + " | ".join(cells) + " |")
    lines.append(
        "| fitted slope (theory −k/2) | "
        + " | ".join(f"{slopes[k]:.2f} ({-k / 2:g})" for k in ks)
        + " |"
    )
    lines += [
        "",
        f"Root-mean-square over {directions} random unit directions w of corr(ReLU(w·x), f_S), "
        "exact in x (relureg's closed-form population loss on `orthogonal-net`, ReLU f_S, no "
        "noise); one random subset S per k (seed k).",
    ]
    data = {"rows": rows, "slopes": {str(k): s for k, s in slopes.items()}}
    png = write_outputs(args.out, "orthogonal_correlation", "\n".join(lines) + "\n", data)
    figure(rows, ks, slopes, png)
    print(f"correlation: {time.time() - start:.0f} s", file=sys.stderr)
    sq_half(args, rows)
    print(f"{time.time() - start:.0f} s", file=sys.stderr)


def sq_half(args, correlation_rows):
    """The SQ tolerance at which net2-gd and orthogonal-subsets stop finding f_S, against n."""
    cfg = orthogonal_sq.settings(args.quick)
    start = time.time()
    found = orthogonal_sq.measure(orthogonal_sq.relureg_binary(), cfg)
    summary, slopes = orthogonal_sq.summarise(found, cfg)
    seconds = time.time() - start
    text = orthogonal_sq.markdown(summary, slopes, cfg)
    data = {"settings": cfg, "grid": orthogonal_sq.GRID, "found_loss": orthogonal_sq.FOUND_LOSS,
            "runs": found, "summary": summary, "slopes": slopes, "seconds": seconds}
    png = write_outputs(args.out, "orthogonal_sq", text, data)
    orthogonal_sq.figure(summary, slopes, cfg, correlation_rows, png)
    print(f"SQ tolerance: {seconds:.0f} s", file=sys.stderr)


def figure(rows, ks, slopes, path):
    fig, ax = subplots(figsize=(6, 4))
    for k in ks:
        mine = [r for r in rows if r["k"] == k]
        ax.loglog([r["n"] for r in mine], [r["rms_corr"] for r in mine], "o-",
                  label=f"k = {k}: slope {slopes[k]:.2f} (theory {-k / 2:g})")
    label(ax, "n (dimension)", "RMS corr(ReLU(w·x), f_S) over random w",
          "a random ReLU's correlation with GGJKK20's f_S", fontsize=8)
    save(fig, path)


if __name__ == "__main__":
    main()
