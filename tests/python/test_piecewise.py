"""PiecewiseRegressor (ptas): the piecewise model file, predictions, scoring, the cost refusal."""

import numpy as np
import pytest
from sklearn.base import clone

import relureg


def test_fits_a_noisy_relu_and_predicts_like_its_model_file():
    X, y, truth = relureg.make_instance("label-noise", n=20000, d=3, seed=2, noise=0.01)
    model = relureg.PiecewiseRegressor(degree=3).fit(X, y)
    assert model.model_["type"] == "piecewise"
    assert model.model_["degree"] <= 3
    assert len(model.model_["coef"]) in (1, 4, 10, 20)  # C(3 + j, j), j <= 3
    pred = model.predict(X)
    assert np.mean((pred - y) ** 2) == pytest.approx(model.history_[-1], rel=1e-9)
    record = relureg.score(model, truth)
    assert record["population_loss_method"] == "monte-carlo"
    assert record["opt_class"] == "ReLUs with bias"
    assert 0.95 <= record["ratio_to_opt"] <= 1.05
    assert clone(model).get_params()["degree"] == 3


def test_a_run_over_max_seconds_is_refused_in_one_line():
    X, y, _ = relureg.make_instance("label-noise", n=2000, d=5, seed=1)
    with pytest.raises(relureg.InputError,
                       match=r"^ptas: the estimated time, about \S+ s \(degree 8 in d = 5: 1287 "
                             r"basis polynomials\), exceeds max_seconds = 0; lower the degree "
                             r"\(raise eta\) or raise max_seconds$"):
        relureg.PiecewiseRegressor(max_seconds=0).fit(X, y)
    with pytest.raises(relureg.InputError, match="^learner 'gd' learns a relu, not a piecewise; "
                                                 "PiecewiseRegressor takes one of: ptas$"):
        relureg.PiecewiseRegressor("gd").fit(X, y)
