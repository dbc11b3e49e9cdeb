"""ReLURegressor against LinearRegression and MLPRegressor(hidden_layer_sizes=(1,)) on real data.

scikit-learn's bundled data sets (no download): diabetes (442 rows, 10 features) and the
Linnerud exercise data (20 rows; target "Weight" from the three exercise counts). Each model is
the default estimator in a Pipeline behind a StandardScaler; the test error is the mean square
error on held-out rows, averaged over repeated random splits; fit time is the median over the
splits. Prints the Markdown table of docs/python.md.

Usage: PYTHONPATH=build/python /usr/bin/python3 experiments/real_data/compare.py [--splits N]
"""

import argparse
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", type=int, default=20, help="random train/test splits")
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
