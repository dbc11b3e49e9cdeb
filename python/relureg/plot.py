"""Figures of the time/accuracy laboratory (``relureg tradeoff``), drawn from its results table.

Every function takes the tidy results as a pandas DataFrame (one row per cell × seed, the columns
of ``results.csv``, see docs/tradeoff.md) and returns a matplotlib Figure:

- :func:`loss_against_opt` -- population loss against opt, log-log, one line per learner, with the
  reference lines opt, 9·opt and opt^(2/3), one panel per family;
- :func:`excess_against_time` -- excess loss against fit time (the trade-off plane), one panel per
  family;
- :func:`cost_against_n` -- fit time and passes over the data against n;
- :func:`frontier` -- per family, each learner's best excess loss reached within time t (median
  over seeds, with the band from the best to the worst seed).

:func:`save_figures` writes all four as PNG and SVG. Run as a script,
``python3 -m relureg.plot results.csv OUT_DIR`` (or ``python3 plot.py ...`` from a
checkout) does that and prints the written paths; it exits with
status 3 and a one-line message when matplotlib or pandas is missing.
"""

import os
import sys

MISSING_DEPENDENCY = 3
EXCESS_FLOOR = 1e-8  # excess losses at or below this (or negative) are drawn at this value

__all__ = [
    "read_results",
    "loss_against_opt",
    "excess_against_time",
    "cost_against_n",
    "frontier",
    "reference_instance",
    "save_figures",
    "main",
]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "relureg"  # stable element ids in the SVG files
    import matplotlib.pyplot as plt

    return plt


def read_results(path):
    """Reads results.csv into a DataFrame (the numeric columns as numbers)."""
    import pandas as pd

    return pd.read_csv(path)


def _finished(df):
    return df[df["status"] == "ok"].copy()


def _colours(df):
    """One colour per learner, in the order the learners first appear (20 distinct colours)."""
    learners = list(dict.fromkeys(df["learner"]))
    palette = [
        "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
        "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f",
        "#aec7e8", "#ff9896", "#98df8a", "#c5b0d5", "#ffbb78",
        "#c49c94", "#f7b6d2", "#9edae5", "#dbdb8d", "#000000",
    ]
    return {name: palette[i % len(palette)] for i, name in enumerate(learners)}


def _families(df):
    return list(dict.fromkeys(df["family"]))


def _panels(plt, count, width=4.6, height=3.8):
    columns = min(count, 3)
    rows = (count + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(width * columns, height * rows), squeeze=False)
    flat = [ax for row in axes for ax in row]
    for ax in flat[count:]:
        ax.set_visible(False)
    return fig, flat[:count]


def _log_log(ax, title, xlabel, ylabel):
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.3)


def loss_against_opt(df):
    """Median population loss against opt (log-log) per family; one line per learner.

    Points are medians over d, n and seeds at each noise level; the dotted lines are opt, 9·opt
    and opt^(2/3). Families whose opt is 0 (realizable) have no place on log axes and are left out.
    """
    plt = _pyplot()
    ok = _finished(df)
    ok = ok[ok["opt"] > 0]
    colours = _colours(df)
    families = _families(ok)
    fig, axes = _panels(plt, max(1, len(families)))
    for ax, family in zip(axes, families):
        part = ok[ok["family"] == family]
        level = part["noise"].fillna(part["opt"])
        groups = part.assign(level=level).groupby(["learner", "level"], sort=False)
        summary = groups.agg(opt=("opt", "median"), loss=("population_loss", "median"))
        summary = summary.reset_index()
        for learner in dict.fromkeys(part["learner"]):
            line = summary[summary["learner"] == learner].sort_values("opt")
            ax.plot(line["opt"], line["loss"], "o-", color=colours[learner], label=learner,
                    markersize=4)
        lo, hi = part["opt"].min() / 1.5, part["opt"].max() * 1.5
        grid = [lo * (hi / lo) ** (i / 50) for i in range(51)]
        ax.plot(grid, grid, ":", color="black", linewidth=1, label="opt")
        ax.plot(grid, [9 * x for x in grid], ":", color="grey", linewidth=1, label="9·opt")
        ax.plot(grid, [x ** (2 / 3) for x in grid], "--", color="grey", linewidth=1,
                label="opt^(2/3)")
        _log_log(ax, family, "opt", "population loss (median)")
    if families:
        axes[0].legend(fontsize=7, loc="upper left")
    else:
        axes[0].text(0.5, 0.5, "no family with opt > 0", ha="center", transform=axes[0].transAxes)
    fig.suptitle("Loss against opt")
    fig.tight_layout()
    return fig


def excess_against_time(df):
    """Excess population loss over opt against fit time, one panel per family (log-log).

    Each point is one (learner, noise, d, n) cell, median over seeds; larger markers are larger n.
    Excess at or below EXCESS_FLOOR (opt may be an upper bound) is drawn at the floor.
    """
    plt = _pyplot()
    ok = _finished(df)
    colours = _colours(df)
    families = _families(ok)
    fig, axes = _panels(plt, max(1, len(families)))
    keys = ["learner", "noise", "d", "n"]
    for ax, family in zip(axes, families):
        part = ok[ok["family"] == family]
        cells = part.groupby(keys, dropna=False, sort=False).agg(
            seconds=("fit_seconds", "median"), excess=("excess", "median")).reset_index()
        sizes = {n: 12 + 14 * i for i, n in enumerate(sorted(cells["n"].unique()))}
        for learner in dict.fromkeys(part["learner"]):
            points = cells[cells["learner"] == learner]
            ax.scatter(points["seconds"].clip(lower=1e-5), points["excess"].clip(lower=EXCESS_FLOOR),
                       s=[sizes[n] for n in points["n"]], color=colours[learner], alpha=0.7,
                       label=learner, edgecolors="none")
        ax.axhline(EXCESS_FLOOR, linestyle=":", color="grey", linewidth=0.8)
        ax.annotate(f"excess ≤ {EXCESS_FLOOR:g} (or < 0)", (0.99, EXCESS_FLOOR),
                    xycoords=("axes fraction", "data"), ha="right", va="bottom", fontsize=6,
                    color="grey")
        _log_log(ax, family, "fit time (s)", "excess loss over opt")
    if families:
        axes[0].legend(fontsize=7, loc="best")
    fig.suptitle("The trade-off plane: excess loss against time (marker size: n)")
    fig.tight_layout()
    return fig


def cost_against_n(df):
    """Median fit time and median passes over the data against n, one line per learner."""
    plt = _pyplot()
    ok = _finished(df)
    colours = _colours(df)
    fig, (time_ax, pass_ax) = plt.subplots(1, 2, figsize=(10, 4))
    summary = ok.groupby(["learner", "n"], sort=False).agg(
        seconds=("fit_seconds", "median"), passes=("passes", "median")).reset_index()
    for learner in dict.fromkeys(ok["learner"]):
        line = summary[summary["learner"] == learner].sort_values("n")
        time_ax.plot(line["n"], line["seconds"].clip(lower=1e-5), "o-", color=colours[learner],
                     label=learner, markersize=4)
        pass_ax.plot(line["n"], line["passes"], "o-", color=colours[learner], label=learner,
                     markersize=4)
    time_ax.set_xscale("log")
    time_ax.set_yscale("log")
    time_ax.set_xlabel("n")
    time_ax.set_ylabel("fit time (s, median)")
    pass_ax.set_xscale("log")
    pass_ax.set_yscale("log")
    pass_ax.set_xlabel("n")
    pass_ax.set_ylabel("passes over the data (median)")
    for ax in (time_ax, pass_ax):
        ax.grid(True, which="major", alpha=0.3)
    time_ax.legend(fontsize=7, loc="upper left")
    fig.suptitle("Cost against n (medians over families, noise, d and seeds)")
    fig.tight_layout()
    return fig


def reference_instance(part):
    """The cells of one family's reference instance law for its frontier.

    The instance law is everything but n and the seed (the noise level, d and the family's
    parameters); the reference is the law with the most sample sizes, then the largest d, then
    the middle one by opt. Returns (cells, description).
    """
    keys = [c for c in part.columns if c.startswith("family.")] + ["noise", "d"]
    keys = [c for c in keys if part[c].notna().any()]
    laws = part.groupby(keys, dropna=False, sort=False).agg(
        sizes=("n", "nunique"), opt=("opt", "median")).reset_index()
    laws = laws[(laws["sizes"] == laws["sizes"].max())]
    laws = laws[laws["d"] == laws["d"].max()].sort_values("opt", kind="stable")
    chosen = laws.iloc[len(laws) // 2]
    mask = True
    for key in keys:
        value = chosen[key]
        mask = mask & (part[key].isna() if value != value else part[key] == value)
    cells = part[mask]
    words = [f"d = {int(chosen['d'])}"]
    for key in keys:  # the family parameters the family ran at several values of
        if (key.startswith("family.") and part[key].nunique() > 1
                and not (part[key] == part["noise"]).all()):  # not the noise levels' parameter
            words.append(f"{key[7:]} = {chosen[key]:g}" if isinstance(chosen[key], float)
                         else f"{key[7:]} = {chosen[key]}")
    if "noise" in keys and chosen["noise"] == chosen["noise"]:
        words.append(f"noise = {chosen['noise']:g}")
    if chosen["opt"] == chosen["opt"]:
        words.append(f"opt = {chosen['opt']:.3g}")
    return cells, ", ".join(words)


def _best_within(cells, times):
    """Per seed, the least excess among the cells that finished within each time (+inf before
    the first: nothing reached yet): rows are seeds, columns are times."""
    import numpy as np

    curves = []
    for _, seed in cells.groupby("seed", sort=True):
        seed = seed.sort_values("fit_seconds", kind="stable")
        best = np.minimum.accumulate(seed["excess"].to_numpy(dtype=float))
        at = np.searchsorted(seed["fit_seconds"].to_numpy(dtype=float), times, side="right")
        curves.append(np.where(at > 0, best[np.maximum(at - 1, 0)], np.inf))
    return np.array(curves)


def frontier(df):
    """The time/accuracy frontier, one panel per family (log-log).

    For each learner (each label of the grid) and seed, the best excess population loss over opt
    among its cells (the sample sizes n, and the variants a label covers) whose fit took at most
    t seconds, at the family's reference instance (:func:`reference_instance`). A seed that has
    no finished fit yet counts as +inf: the line (the median over seeds) starts when half the
    seeds have one, the band (best to worst seed) when all have. Excess at or below
    EXCESS_FLOOR is drawn at the floor; each panel has its own legend.
    """
    import numpy as np

    plt = _pyplot()
    ok = _finished(df)
    colours = _colours(df)
    families = _families(ok)
    fig, axes = _panels(plt, max(1, len(families)))
    for ax, family in zip(axes, families):
        cells, described = reference_instance(ok[ok["family"] == family])
        seconds = cells["fit_seconds"].clip(lower=1e-5)
        cells = cells.assign(fit_seconds=seconds, excess=cells["excess"].clip(lower=EXCESS_FLOOR))
        times = np.geomspace(seconds.min(), seconds.max() * 2, 200)
        for learner in dict.fromkeys(cells["learner"]):
            curves = _best_within(cells[cells["learner"] == learner], times)
            middle = np.median(curves, axis=0)
            low, high = curves.min(axis=0), curves.max(axis=0)
            drawn = np.isfinite(middle)
            if not drawn.any():
                continue
            ax.step(times[drawn], middle[drawn], where="post", color=colours[learner],
                    label=learner, linewidth=1.4)
            banded = np.isfinite(high)
            ax.fill_between(times[banded], low[banded], high[banded], step="post",
                            color=colours[learner], alpha=0.18, linewidth=0)
        ax.axhline(EXCESS_FLOOR, linestyle=":", color="grey", linewidth=0.8)
        _log_log(ax, f"{family} ({described})", "time t (s)", "best excess loss within t")
        ax.title.set_fontsize(9)
        ax.legend(fontsize=6, loc="best")
    fig.suptitle("Frontier: the best excess loss each learner reaches within time t "
                 "(median over seeds; band: best to worst seed)")
    fig.tight_layout()
    return fig


FIGURES = {
    "frontier": frontier,
    "loss_vs_opt": loss_against_opt,
    "excess_vs_time": excess_against_time,
    "cost_vs_n": cost_against_n,
}


def save_figures(df, out_dir, formats=("png", "svg")):
    """Draws every figure and writes ``<out_dir>/<name>.<format>`` (creating out_dir); returns
    the paths."""
    plt = _pyplot()
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for name, draw in FIGURES.items():
        fig = draw(df)
        for fmt in formats:
            path = os.path.join(out_dir, f"{name}.{fmt}")
            metadata = {"Date": None} if fmt == "svg" else None
            fig.savefig(path, dpi=120, metadata=metadata)
            paths.append(path)
        plt.close(fig)
    return paths


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("usage: plot.py RESULTS.csv OUT_DIR", file=sys.stderr)
        return 2
    try:
        import matplotlib  # noqa: F401
        import pandas  # noqa: F401
    except ImportError as e:
        print(f"{e.name or e} is not installed for {sys.executable} "
              f"(Debian: apt-get install python3-matplotlib python3-pandas)", file=sys.stderr)
        return MISSING_DEPENDENCY
    for path in save_figures(read_results(argv[0]), argv[1]):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
