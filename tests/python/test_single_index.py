"""SingleIndexRegressor (isotron, l-isotron): direction recovery, the "sim" model file, scoring."""

import numpy as np
import pytest
from sklearn.base import clone

import relureg


def softplus_data(n=50000, d=10, seed=0):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(d)
    w /= np.linalg.norm(w)
    X = rng.standard_normal((n, d)).astype(np.float32)
    y = np.log1p(np.exp(X.astype(np.float64) @ w)) + 0.1 * rng.standard_normal(n)
    return X, y, w


@pytest.mark.parametrize("learner", ["isotron", "l-isotron"])
def test_recovers_the_direction_of_a_softplus_link(learner):
    X, y, w = softplus_data()
    model = relureg.SingleIndexRegressor(learner).fit(X, y)
    assert np.linalg.norm(model.coef_ - w) < 0.05
    assert model.model_["type"] == "sim"
    pred = model.predict(X)
    assert np.mean((pred - y) ** 2) == pytest.approx(model.history_[-1], rel=1e-9)
    assert np.all(np.diff(model.model_["values"]) >= 0)
    assert clone(model).get_params()["learner"] == learner


def test_scored_against_the_opt_over_relus():
    X, y, truth = relureg.make_instance("label-noise", n=50000, d=10, seed=4, noise=0.05)
    model = relureg.SingleIndexRegressor("isotron").fit(X, y)
    record = relureg.score(model, truth)
    assert record["population_loss_method"] == "monte-carlo"
    assert 0.97 <= record["ratio_to_opt"] <= 1.05


def test_a_bias_is_refused_in_one_line():
    X, y, _ = softplus_data(n=1000, d=3)
    with pytest.raises(relureg.InputError,
                       match="^isotron: fits no bias; --bias is not supported$"):
        relureg.SingleIndexRegressor("isotron", fit_intercept=True).fit(X, y)
    message = ("^learner 'gd' learns a relu, not a sim; SingleIndexRegressor takes one of: "
               "isotron, l-isotron$")
    with pytest.raises(relureg.InputError, match=message):
        relureg.SingleIndexRegressor("gd").fit(X, y)
