"""Scaling law 1: realizable recovery by `gd` against n/d (Soltanolkotabi, NeurIPS 2017).

For d in {50, 200} and n/d from 1 to 10, 20 seeds each: the `realizable` family (y = ReLU(w*.x),
x ~ N(0, I), ||w*|| = 1), fitted by `gd` from w = 0 (homogeneous, no intercept, 300 passes, no
tolerance stop). A fit recovers w* when ||w - w*|| <= 1e-3; the per-pass contraction is the median
over the last half of the passes of sqrt(loss_{t+1}/loss_t) (the loss is quadratic in w - w* near
w*), taken over the fits whose loss did not reach the float floor. Writes the table to
OUT/recovery.md (and .json) and the figure to OUT/recovery.png.

Usage: PYTHONPATH=build/python /usr/bin/python3 experiments/scaling/recovery.py
           [--out docs/scaling] [--quick]
--quick: d = 20, n/d in {1, 3, 10}, 3 seeds, 100 passes (a smoke run for CI).
"""

import sys
import time

import numpy as np

import relureg
from scaling_common import label, parse_args, save, subplots, write_outputs

RECOVERED = 1e-3


def contraction(curve):
    """Median per-pass contraction of ||w - w*|| from the loss curve's second half."""
    curve = np.asarray(curve, dtype=float)
    tail = curve[len(curve) // 2 :]
    tail = tail[tail > 1e-28]  # below this the loss is at the float32 features' floor
    if len(tail) < 3:
        return float("nan")
    return float(np.median(np.sqrt(tail[1:] / tail[:-1])))


def run(dims, ratios, seeds, passes):
    rows = []
    for d in dims:
        for ratio in ratios:
            n = int(round(ratio * d))
            errors, rates = [], []
            for seed in range(seeds):
                X, y, truth = relureg.make_instance("realizable", n=n, d=d, seed=seed)
                model = relureg.ReLURegressor(
                    "gd", fit_intercept=False, max_passes=passes, tol=0, n_jobs=1
                ).fit(X, y)
                errors.append(float(np.linalg.norm(model.coef_ - np.asarray(truth["w_star"]))))
                rates.append(contraction(model.loss_curve_))
            errors = np.array(errors)
            rates = np.array([r for r in rates if np.isfinite(r)])
            rows.append(
                {
                    "d": d,
                    "ratio": ratio,
                    "n": n,
                    "p_recover": float(np.mean(errors <= RECOVERED)),
                    "median_error": float(np.median(errors)),
                    "q10_error": float(np.quantile(errors, 0.1)),
                    "q90_error": float(np.quantile(errors, 0.9)),
                    "contraction": float(np.median(rates)) if len(rates) else float("nan"),
                    "seeds": seeds,
                }
            )
            print(
                f"d={d} n/d={ratio:g}: P(recover)={rows[-1]['p_recover']:.2f} "
                f"median error {rows[-1]['median_error']:.2e}",
                file=sys.stderr,
            )
    return rows


def table(rows, passes):
    lines = [
        f"| d | n/d | n | P(‖w − w*‖ ≤ {RECOVERED:g}) | median ‖w − w*‖ [10%, 90%] | "
        "per-pass contraction (median) | seeds |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        rate = "—" if not np.isfinite(r["contraction"]) else f"{r['contraction']:.3f}"
        lines.append(
            f"| {r['d']} | {r['ratio']:g} | {r['n']} | {r['p_recover']:.2f} | "
            f"{r['median_error']:.2e} [{r['q10_error']:.1e}, {r['q90_error']:.1e}] | {rate} | "
            f"{r['seeds']} |"
        )
    lines.append("")
    lines.append(
        f"`gd` from w = 0, {passes} passes, no tolerance stop; contraction = median of "
        "sqrt(loss_{t+1}/loss_t) over the second half of the passes ('—': the loss reached the "
        "float floor before)."
    )
    return "\n".join(lines) + "\n"


def figure(rows, path):
    fig, (left, right) = subplots(1, 2, figsize=(10, 4))
    for d in sorted({r["d"] for r in rows}):
        mine = [r for r in rows if r["d"] == d]
        ratios = [r["ratio"] for r in mine]
        left.plot(ratios, [r["p_recover"] for r in mine], "o-", label=f"d = {d}")
        med = np.array([r["median_error"] for r in mine])
        lo = np.array([r["q10_error"] for r in mine])
        hi = np.array([r["q90_error"] for r in mine])
        right.errorbar(
            ratios, np.maximum(med, 1e-17), yerr=[med - lo, hi - med], fmt="o-", capsize=3,
            label=f"d = {d}",
        )
    label(left, "n / d", f"P(‖w − w*‖ ≤ {RECOVERED:g})", "realizable recovery by gd (from w = 0)")
    right.set_yscale("log")
    label(right, "n / d", "‖w − w*‖ (median, 10–90 % over seeds)",
          "distance to the teacher after the pass budget")
    save(fig, path)


def main():
    args = parse_args(__doc__)
    if args.quick:
        dims, ratios, seeds, passes = [20], [1, 3, 10], 3, 100
    else:
        dims, ratios, seeds, passes = [50, 200], [1, 1.5, 2, 2.5, 3, 4, 5, 7, 10], 20, 300
    start = time.time()
    rows = run(dims, ratios, seeds, passes)
    png = write_outputs(args.out, "recovery", table(rows, passes), {"passes": passes, "rows": rows})
    figure(rows, png)
    print(f"{time.time() - start:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
