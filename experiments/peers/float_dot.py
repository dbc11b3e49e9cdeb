"""How far the float32 dot product of the descent learners moves their fits (`float32_dot`).

    PYTHONPATH=build/python python3 experiments/peers/float_dot.py [--n 20000] [--seeds 5 6 7 8]

Fits gd, glmtron, dktz22 and a fixed-step gd (step 0.5, backtrack=0, tol=0, 20 passes) on
label-noise instances (d = 10, 11, 20, 32, 64, 100, 200, 1000, each seed) twice: with
`float32_dot=1` (the default) and `float32_dot=0` (every pass in double). For each learner it
prints how many fits ended after as many passes both ways and after one more with the float z (the
pass that reads the point reached again in double when the float z ends, descent.cpp), the passes
in all, how many of them allowed the float z (`details_["float32_dot_passes"]`) and the largest
gap between the two models, max_j |Δw_j| / max_j |w_j| of the double path's. The short-row
kernels take the float z on CPUs with AVX2 or AVX-512 only (here d = 10, 11 and 20 to 100), the
row-major kernel (d = 200, 1000) on every CPU; elsewhere the gaps are 0.
"""

import argparse

import numpy as np

import relureg

LEARNERS = {
    "gd": ("gd", {}),
    "glmtron": ("glmtron", {}),
    "dktz22": ("dktz22", {}),
    "gd, fixed step": ("gd", {"step": 0.5, "backtrack": False, "tol": 0.0, "max_passes": 20}),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--dims", type=int, nargs="+",
                        default=[10, 11, 20, 32, 64, 100, 200, 1000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[5, 6, 7, 8])
    args = parser.parse_args()
    rows = {name: {"fits": 0, "same_passes": 0, "one_more": 0, "passes": 0, "float": 0, "gap": 0.0}
            for name in LEARNERS}
    for seed in args.seeds:
        for d in args.dims:
            X, y, _ = relureg.make_instance("label-noise", n=args.n, d=d, seed=seed, n_jobs=2)
            for name, (learner, params) in LEARNERS.items():
                def fit(float32_dot):
                    return relureg.ReLURegressor(learner, fit_intercept=False, n_jobs=2,
                                                 random_state=3, float32_dot=float32_dot,
                                                 **params).fit(X, y)
                exact, fast = fit(False), fit(True)
                row = rows[name]
                row["fits"] += 1
                row["same_passes"] += exact.n_passes_ == fast.n_passes_
                row["one_more"] += exact.n_passes_ + 1 == fast.n_passes_
                row["passes"] += fast.n_passes_
                row["float"] += fast.details_["float32_dot_passes"]
                gap = np.max(np.abs(fast.coef_ - exact.coef_)) / np.max(np.abs(exact.coef_))
                row["gap"] = max(row["gap"], float(gap))
    print(f"label-noise, n = {args.n}, d = {', '.join(map(str, args.dims))}, "
          f"seeds {', '.join(map(str, args.seeds))}")
    print()
    print("| learner | fits | same passes | one more | passes | passes allowing the float z "
          "| largest gap |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, row in rows.items():
        print(f"| {name} | {row['fits']} | {row['same_passes']} | {row['one_more']} | "
              f"{row['passes']} | "
              f"{row['float']} ({row['float'] / row['passes']:.0%}) | {row['gap']:.2g} |")


if __name__ == "__main__":
    main()
