"""The laboratory's figures from a DataFrame: python/relureg/plot.py, loaded by path."""

import importlib.util
import os

import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

PLOT_PATH = os.path.join(os.path.dirname(__file__), "..", "..", "python", "relureg", "plot.py")


def load_plot():
    spec = importlib.util.spec_from_file_location("relureg_plot", PLOT_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def results():
    """A results table as `relureg tradeoff` writes it: two families, two learners, three n."""
    rows = []
    for family, noises in (("realizable", [None]), ("label-noise", [0.01, 0.1])):
        for noise in noises:
            opt = 0.0 if noise is None else noise
            for n in (1000, 10000, 100000):
                for seed in (0, 1):
                    for learner, factor, passes in (("moment", 1.2, 2), ("gd", 1.01, 6)):
                        loss = opt * factor if opt > 0 else 1e-9 * factor
                        rows.append(dict(family=family, noise=noise, d=5, n=n, seed=seed,
                                         learner=learner, status="ok", opt=opt,
                                         population_loss=loss, excess=loss - opt,
                                         fit_seconds=1e-7 * n * passes, passes=passes))
    rows.append(dict(rows[-1], learner="exhaustive", status="skipped"))
    return pd.DataFrame(rows)


def test_loss_against_opt_draws_a_line_per_learner_and_the_reference_lines():
    plot = load_plot()
    fig = plot.loss_against_opt(results())
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in axes] == ["label-noise"]  # opt = 0 has no log axis
    labels = [line.get_label() for line in axes[0].get_lines()]
    assert labels == ["moment", "gd", "opt", "9·opt", "opt^(2/3)"]
    moment = axes[0].get_lines()[0]
    assert list(moment.get_xdata()) == [0.01, 0.1]
    assert list(moment.get_ydata()) == pytest.approx([0.012, 0.12])


def test_excess_against_time_has_a_panel_per_family_and_clips_at_the_floor():
    plot = load_plot()
    fig = plot.excess_against_time(results())
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in axes] == ["realizable", "label-noise"]
    points = axes[0].collections[0].get_offsets()  # moment on realizable: excess 1.2e-9
    assert len(points) == 3  # one point per (learner, noise, d, n), median over seeds
    assert min(y for _, y in points) == plot.EXCESS_FLOOR


def test_cost_against_n_and_save_figures(tmp_path):
    plot = load_plot()
    fig = plot.cost_against_n(results())
    time_ax, pass_ax = fig.axes
    gd_passes = pass_ax.get_lines()[1]
    assert list(gd_passes.get_xdata()) == [1000, 10000, 100000]
    assert list(gd_passes.get_ydata()) == [6, 6, 6]
    paths = plot.save_figures(results(), str(tmp_path))
    assert sorted(os.path.basename(p) for p in paths) == sorted(
        f"{name}.{ext}" for name in ("frontier", "loss_vs_opt", "excess_vs_time", "cost_vs_n")
        for ext in ("png", "svg"))
    for path in paths:
        with open(path, "rb") as f:
            head = f.read(8)
        assert head == b"\x89PNG\r\n\x1a\n" if path.endswith(".png") else head.startswith(b"<?xml")


def frontier_results():
    """label-noise at three noise levels; at 0.01, gd's cells end at 1, 2 and 4 s with these
    excess losses per seed (the other levels are decoys the reference instance skips)."""
    excess = {0: [0.3, 0.1, 0.2], 1: [0.5, 0.4, 0.05], 2: [0.2, 0.2, 0.1]}
    rows = []
    for noise in (0.001, 0.01, 0.1):
        for seed, values in excess.items():
            for n, seconds, value in zip((1000, 10000, 100000), (1.0, 2.0, 4.0), values):
                value = value if noise == 0.01 else 1.0
                rows.append(dict(family="label-noise", noise=noise, d=5, n=n, seed=seed,
                                 learner="gd", status="ok", opt=noise, excess=value,
                                 population_loss=noise + value, fit_seconds=seconds, passes=3))
    return pd.DataFrame(rows)


def test_frontier_is_the_best_excess_within_t_median_and_band_over_seeds():
    import numpy as np

    plot = load_plot()
    df = frontier_results()
    cells, described = plot.reference_instance(df)
    assert described == "d = 5, noise = 0.01, opt = 0.01"
    assert set(cells["noise"]) == {0.01} and len(cells) == 9
    best = plot._best_within(cells, np.array([0.5, 1.5, 3.0, 5.0]))
    np.testing.assert_array_equal(best[:, 1:], [[0.3, 0.1, 0.1], [0.5, 0.4, 0.05],
                                                [0.2, 0.2, 0.1]])
    assert np.isinf(best[:, 0]).all()  # nothing has finished before 1 s
    fig = plot.frontier(df)
    ax = [a for a in fig.axes if a.get_visible()][0]
    assert ax.get_title() == "label-noise (d = 5, noise = 0.01, opt = 0.01)"
    line = ax.get_lines()[0]
    assert line.get_label() == "gd"
    t, y = line.get_xdata(), line.get_ydata()
    # Median over seeds of the best excess within t: 0.3 until 2 s, 0.2 until 4 s, then 0.1.
    assert y[0] == 0.3 and t[0] == 1.0
    assert set(np.round(y, 12)) == {0.3, 0.2, 0.1}
    assert y[np.searchsorted(t, 2.5)] == 0.2 and y[-1] == 0.1
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() == 0.05 and band.max() == 0.5
