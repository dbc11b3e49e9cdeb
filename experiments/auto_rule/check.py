"""learner="auto" against gd and glmtron on the ReLU families: population loss and its ratio.

For every family (defaults, plus a biased teacher where the family has a bias), d and seed, fits
ReLURegressor with learner gd, glmtron and auto (defaults, fit_intercept True and False) and
prints the population loss of each and auto's ratio to the better of gd and glmtron. The rule
keeps the lower *training* loss, so the training ratio is <= 1 by construction; this measures the
population loss. Usage:
PYTHONPATH=build/python /usr/bin/python3 experiments/auto_rule/check.py [--n N] [--seeds S]
"""

import argparse
import warnings

import relureg

CASES = [
    ("realizable", {}), ("realizable", {"bias": 0.3}),
    ("label-noise", {"noise": 0.3}), ("label-noise", {"noise": 0.3, "bias": -0.2}),
    ("adversarial", {"eta": 0.05}), ("non-gaussian", {}), ("sparse-parity", {}),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    print("| family | params | d | intercept | gd | glmtron | auto | auto / better |")
    print("|---|---|---:|---|---:|---:|---:|---:|")
    worst = 0.0
    for family, params in CASES:
        for d in (5, 20):
            for intercept in (True, False):
                losses = {"gd": 0.0, "glmtron": 0.0, "auto": 0.0}
                for seed in range(args.seeds):
                    X, y, truth = relureg.make_instance(family, n=args.n, d=d, seed=seed, **params)
                    for learner in losses:
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore")
                            m = relureg.ReLURegressor(
                                learner, fit_intercept=intercept, random_state=seed
                            ).fit(X, y)
                        losses[learner] += relureg.population_loss(
                            m.coef_, m.intercept_, truth) / args.seeds
                better = min(losses["gd"], losses["glmtron"])
                # realizable: both reach 0 up to rounding; auto must too
                ratio = losses["auto"] / better if better > 1e-9 else (
                    1.0 if losses["auto"] <= 1e-9 else float("inf"))
                worst = max(worst, ratio)
                print(f"| {family} | {params or ''} | {d} | {intercept} | {losses['gd']:.5g} | "
                      f"{losses['glmtron']:.5g} | {losses['auto']:.5g} | {ratio:.4f} |")
    print(f"\nworst ratio: {worst:.4f}")


if __name__ == "__main__":
    main()
