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
        f"{name}.{ext}" for name in ("loss_vs_opt", "excess_vs_time", "cost_vs_n")
        for ext in ("png", "svg"))
    for path in paths:
        with open(path, "rb") as f:
            head = f.read(8)
        assert head == b"\x89PNG\r\n\x1a\n" if path.endswith(".png") else head.startswith(b"<?xml")
