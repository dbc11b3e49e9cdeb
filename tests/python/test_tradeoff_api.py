"""relureg.tradeoff and relureg.plot: the laboratory from Python, checked against direct fits."""

import json

import numpy as np
import pytest

import relureg

GRID = {
    "families": ["label-noise"],
    "learners": ["gd", "moment"],
    "d": [5],
    "n": [3000],
    "noise": [0.01, 0.1],
    "seeds": [0, 1],
    "figures": False,
}


def test_tiny_grid_gives_one_row_per_cell_and_seed_with_losses_near_opt():
    df = relureg.tradeoff(GRID)
    assert len(df) == 2 * 2 * 2  # learners x noise levels x seeds
    for column in ("family", "learner", "seed", "d", "n", "opt", "population_loss", "passes"):
        assert column in df.columns
    assert set(df["status"]) == {"ok"}
    np.testing.assert_allclose(sorted(set(df["opt"])), [0.01, 0.1])
    ratio = df["population_loss"] / df["opt"]
    assert (ratio >= 1.0).all() and (ratio < 1.1).all()


def test_rows_match_a_direct_fit_on_the_same_instance():
    df = relureg.tradeoff(GRID)
    row = df[(df["learner"] == "gd") & (df["seed"] == 1) & (df["opt"] == 0.01)].iloc[0]
    X, y, truth = relureg.make_instance("label-noise", n=3000, d=5, seed=1, noise=0.01)
    model = relureg.ReLURegressor(learner="gd", fit_intercept=False, random_state=1).fit(X, y)
    loss = relureg.population_loss(model.coef_, model.intercept_, truth)
    assert loss == pytest.approx(row["population_loss"], rel=1e-12)
    assert model.n_passes_ == row["passes"]


def test_config_files_and_the_default_grid(tmp_path):
    path = tmp_path / "grid.json"
    path.write_text(json.dumps(GRID))
    from_file = relureg.tradeoff(path, out_dir=tmp_path / "out")
    assert (tmp_path / "out" / "results.csv").exists()
    assert (tmp_path / "out" / "summary.md").exists()
    from_dict = relureg.tradeoff(GRID)
    np.testing.assert_array_equal(from_file["population_loss"], from_dict["population_loss"])
    default = relureg.default_tradeoff_config()
    assert "gd" in json.dumps(default["learners"])


def test_a_bad_key_is_an_input_error_naming_it():
    with pytest.raises(relureg.InputError, match="key 'sedes': unknown key"):
        relureg.tradeoff({**GRID, "sedes": [1]})
    with pytest.raises(ValueError, match="missing.toml: cannot open file"):
        relureg.tradeoff("missing.toml")


def test_plot_module_is_loaded_on_first_use_and_draws_from_the_dataframe():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    df = relureg.tradeoff(GRID)
    figure = relureg.plot.loss_against_opt(df)
    assert len(figure.axes) >= 1
