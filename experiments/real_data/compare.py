"""ReLURegressor against LinearRegression and MLPRegressor(hidden_layer_sizes=(1,)) on real data.

scikit-learn's bundled data sets (no download): diabetes (442 rows, 10 features) and the
Linnerud exercise data (20 rows; target "Weight" from the three exercise counts). Each model is
the default estimator in a Pipeline behind a StandardScaler; the test error is the mean square
error on held-out rows, averaged over repeated random splits; fit time is the median over the
splits. Prints the machine, the Markdown table of docs/python.md and, per data set, the ratio of
ReLURegressor's test MSE to the better of the two baselines (the diabetes claim: at most 1.02).

Usage: PYTHONPATH=build/python /usr/bin/python3 experiments/real_data/compare.py [--splits N]
"""

import argparse
import os
import platform
import time
import warnings

import numpy as np
from sklearn.datasets import load_diabetes, load_linnerud
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import relureg


def datasets():
    X, y = load_diabetes(return_X_y=True)
    yield "diabetes", X, y
    linnerud = load_linnerud()
    yield "linnerud (Weight)", linnerud.data, linnerud.target[:, 0]


def models(seed):
    return {
        "ReLURegressor()": relureg.ReLURegressor(random_state=seed),
        "LinearRegression()": LinearRegression(),
        "MLPRegressor((1,))": MLPRegressor(hidden_layer_sizes=(1,), random_state=seed),
    }


def machine():
    """The CPU model, its logical cores and the ISA the extension was built for."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} logical cores, {platform.machine()}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", type=int, default=20, help="random train/test splits")
    args = parser.parse_args()
    print(f"machine: {machine()}; relureg {relureg.__version__}; {args.splits} splits\n")
    ratios = []
    print("| data | model | test MSE (mean over splits) | fit time (median) |")
    print("|---|---|---:|---:|")
    for name, X, y in datasets():
        errors, seconds = {}, {}
        for split in range(args.splits):
            X_train, X_test, y_train, y_test = train_test_split(
                X, y, test_size=0.25, random_state=split
            )
            for label, model in models(split).items():
                pipe = make_pipeline(StandardScaler(), model)
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    pipe.fit(X_train, y_train)
                seconds.setdefault(label, []).append(time.perf_counter() - start)
                mse = float(np.mean((pipe.predict(X_test) - y_test) ** 2))
                errors.setdefault(label, []).append(mse)
        for label in errors:
            print(f"| {name} | `{label}` | {np.mean(errors[label]):,.1f} | "
                  f"{1000 * np.median(seconds[label]):.1f} ms |")
        best = min(np.mean(errors["LinearRegression()"]), np.mean(errors["MLPRegressor((1,))"]))
        ratios.append((name, np.mean(errors["ReLURegressor()"]) / best))
    print()
    for name, ratio in ratios:
        print(f"{name}: ReLURegressor / better baseline = {ratio:.4f}")


if __name__ == "__main__":
    main()
