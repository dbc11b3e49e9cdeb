"""Scaling law 3 (gradient descent's side): where `gd` starts to find a sparse parity.

On the `sparse-parity` family (GKK19's noisy k-sparse parity of sign(x), x ~ N(0, I_n), labels
in {0, 1} flipped with probability eta = 0.1) the gradient's component on the hidden set S at a
random start is of order c_k n^{-(k-1)/2}, so full-batch gradient descent needs m >~ n^{k-1}/c_k^2
samples (lab-design.md section 7). For k = 2 this predicts a boundary m*(n) linear in n. The
script fits `gd` (random start, ||w|| <= 1 as in GKK19's class, 200 passes) over a grid of (n, m)
with 10 seeds; a fit finds S when the k largest |w_j| are the coordinates of S. The boundary m*(n)
is where the success rate crosses 1/2 (log-linear interpolation in m), and its fitted log-log
slope in n is reported beside k - 1. Writes OUT/parity_boundary.md (and .json) and .png.

Usage: PYTHONPATH=build/python /usr/bin/python3 experiments/scaling/parity_boundary.py
           [--out docs/scaling] [--quick]
--quick: n in {8, 16}, m in {100, 3000}, 3 seeds (a smoke run for CI).
"""

import sys
import time

import numpy as np

import relureg
from scaling_common import parse_args, save, subplots, write_outputs

K, PASSES = 2, 200


def finds_s(n, m, seed):
    X, y, truth = relureg.make_instance("sparse-parity", n=m, d=n, seed=seed, k=K, eta=0.1)
    model = relureg.ReLURegressor(
        "gd", fit_intercept=False, init="random", max_passes=PASSES, radius=1.0, tol=0,
        random_state=seed, n_jobs=1,
    ).fit(X, y)
    top = set(np.argsort(-np.abs(model.coef_))[:K].tolist())
    return top == set(truth["facts"]["S"])


def boundary(ms, rates):
    """The m where the success rate first crosses 1/2 (log-linear interpolation), or None."""
    for i in range(1, len(ms)):
        if rates[i - 1] < 0.5 <= rates[i]:
            t = (0.5 - rates[i - 1]) / (rates[i] - rates[i - 1])
            return float(np.exp(np.log(ms[i - 1]) + t * (np.log(ms[i]) - np.log(ms[i - 1]))))
    return float(ms[0]) if rates[0] >= 0.5 else None


def main():
    args = parse_args(__doc__)
    if args.quick:
        ns, ms, seeds = [8, 16], [100, 3000], 3
    else:
        ns, ms, seeds = [8, 16, 32, 64, 128], [100, 200, 400, 800, 1600, 3200, 6400, 12800], 10
    start = time.time()
    rates = {}
    for n in ns:
        for m in ms:
            rates[(n, m)] = float(np.mean([finds_s(n, m, seed) for seed in range(seeds)]))
            print(f"n={n} m={m}: {rates[(n, m)]:.2f}", file=sys.stderr)
    bounds = {n: boundary(ms, [rates[(n, m)] for m in ms]) for n in ns}
    known = [(n, b) for n, b in bounds.items() if b is not None]
    slope = (
        float(np.polyfit(np.log([n for n, _ in known]), np.log([b for _, b in known]), 1)[0])
        if len(known) >= 2
        else None
    )
    lines = [
        "| n \\ m | " + " | ".join(str(m) for m in ms) + " | m* (rate 1/2) |",
        "|---" * (len(ms) + 2) + "|",
    ]
    for n in ns:
        b = "—" if bounds[n] is None else f"{bounds[n]:.0f}"
        lines.append(f"| {n} | " + " | ".join(f"{rates[(n, m)]:.1f}" for m in ms) + f" | {b} |")
    slope_text = "—" if slope is None else f"{slope:.2f}"
    lines += [
        "",
        f"Success rate of `gd` (random start, ‖w‖ ≤ 1, {PASSES} passes) at finding S, k = {K}, "
        f"eta = 0.1, {seeds} seeds per cell. Fitted slope of log m* against log n: {slope_text} "
        f"(prediction k − 1 = {K - 1}).",
    ]
    data = {
        "rates": [{"n": n, "m": m, "rate": r} for (n, m), r in rates.items()],
        "boundary": {str(n): b for n, b in bounds.items()},
        "slope": slope,
    }
    png = write_outputs(args.out, "parity_boundary", "\n".join(lines) + "\n", data)
    figure(ns, ms, rates, bounds, slope, png)
    print(f"{time.time() - start:.0f} s", file=sys.stderr)


def figure(ns, ms, rates, bounds, slope, path):
    fig, ax = subplots(figsize=(6, 4))
    grid = np.array([[rates[(n, m)] for m in ms] for n in ns])
    image = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis", vmin=0, vmax=1)
    ax.set_xticks(range(len(ms)), [str(m) for m in ms], rotation=45)
    ax.set_yticks(range(len(ns)), [str(n) for n in ns])
    ax.set_xlabel("samples m")
    ax.set_ylabel("variables n")
    known = [(i, bounds[n]) for i, n in enumerate(ns) if bounds[n] is not None]
    if known:
        xs = [np.interp(np.log(b), np.log(ms), range(len(ms))) for _, b in known]
        ax.plot(xs, [i for i, _ in known], "w.--", label="m* (rate 1/2)")
        ax.legend(loc="upper left", fontsize=8)
    title = "gd finds a 2-sparse parity" + ("" if slope is None else f": m* ~ n^{slope:.2f}")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label="success rate")
    save(fig, path)


if __name__ == "__main__":
    main()
