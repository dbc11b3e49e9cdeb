"""gv25 against the correlational learners on a biased teacher whose label noise cancels E[y x].

y = ReLU(w*·x + b*) − Φ(b*)·(w*·x), x ~ N(0, I_d), ‖w*‖ = 1: by Stein's identity E[y x] = 0.
Every learner is fitted with a bias through the CLI; the population loss is exact up to a 2-D
quadrature (the model only sees w*·x and one orthogonal Gaussian), and opt is minimised over
ReLUs along w* (an orthogonal component never helps here; checked with the 3-D search below).

    python3 experiments/recent/cancelling.py build/relureg [n] [b_star] [seed]
"""

import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from scipy.optimize import minimize
from scipy.stats import norm

LEARNERS = ["moment", "gd", "glmtron", "dktz22", "wzdd23", "gv25"]


def main(binary, n=200000, b_star=-2.0, seed=1, d=20):
    rng = np.random.default_rng(seed)
    w_star = rng.standard_normal(d)
    w_star /= np.linalg.norm(w_star)
    c = norm.cdf(b_star)
    X = rng.standard_normal((n, d)).astype(np.float32)
    s = X.astype(np.float64) @ w_star
    y = np.maximum(s + b_star, 0) - c * s

    t = np.linspace(-9, 9, 1201)
    Z, G = np.meshgrid(t, t, indexing="ij")
    weight = norm.pdf(Z) * norm.pdf(G) * (t[1] - t[0]) ** 2
    label = np.maximum(Z + b_star, 0) - c * Z

    def loss(a, beta, b):
        return float((weight * (np.maximum(a * Z + beta * G + b, 0) - label) ** 2).sum())

    opt = minimize(lambda p: loss(p[0], p[1], p[2]), [1.0, 0.0, b_star], method="Nelder-Mead",
                   options={"xatol": 1e-8, "fatol": 1e-14, "maxiter": 4000}).fun
    trivial = loss(0.0, 0.0, max(float((weight * label).sum()), 0.0))
    print(f"n = {n}, d = {d}, b* = {b_star}, seed {seed}: opt = {opt:.4e}, "
          f"teacher loss = {c * c:.4e}, best constant = {trivial:.4e} ({trivial / opt:.2f}·opt)")
    print("| learner | loss | loss/opt | ‖w‖ | b |")
    print("|---|--:|--:|--:|--:|")
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "x.npy")
        np.save(data, X)
        np.save(os.path.join(tmp, "x.labels.npy"), y)
        for learner in LEARNERS:
            model_file = os.path.join(tmp, learner + ".json")
            subprocess.run([binary, "fit", data, "--learner", learner, "--bias", "--seed", "0",
                            "--quiet", "-o", model_file], check=True, stdout=subprocess.DEVNULL)
            model = json.load(open(model_file))
            w, b = np.array(model["w"]), model["b"]
            a = float(w @ w_star)
            beta = float(np.linalg.norm(w - a * w_star))
            value = loss(a, beta, b)
            print(f"| {learner} | {value:.4e} | {value / opt:.3f} | {np.linalg.norm(w):.4f} | "
                  f"{b:.4f} |")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[0], *(int(args[1]),) if len(args) > 1 else (),
         **({"b_star": float(args[2])} if len(args) > 2 else {}),
         **({"seed": int(args[3])} if len(args) > 3 else {}))
