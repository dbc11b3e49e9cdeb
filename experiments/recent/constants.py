"""Median and worst loss/opt per learner and instance kind from a `relureg tradeoff` results.csv.

    python3 experiments/recent/constants.py out/recent/results.csv
"""

import sys

import pandas as pd


def main(path):
    df = pd.read_csv(path)
    df = df[df["status"] == "ok"]
    kind = df["family"].where(df["family"] != "adversarial",
                              "adversarial-" + df["family.rule"].astype(str))
    df = df.assign(kind=kind)
    learners = list(dict.fromkeys(df["learner"]))
    kinds = list(dict.fromkeys(df["kind"]))
    print("| learner | " + " | ".join(f"{k} median | {k} worst" for k in kinds) + " |")
    print("|---|" + "--:|--:|" * len(kinds))
    for learner in learners:
        cells = []
        for k in kinds:
            r = df[(df["learner"] == learner) & (df["kind"] == k)]["ratio_to_opt"]
            cells += [f"{r.median():.4f}", f"{r.max():.4f}"] if len(r) else ["–", "–"]
        print(f"| {learner} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
