"""The learners after 2019 through ReLURegressor: recovery, loss against opt, the bias."""

import numpy as np
import pytest

import relureg


@pytest.mark.parametrize("learner, year", [("dktz22", "2022"), ("wzdd23", "2023"),
                                           ("gv25", "2025")])
def test_listed_with_their_reference(learner, year):
    info = relureg.learners("relu")[learner]
    assert info.reference.endswith(year)
    assert "step" in info.params


@pytest.mark.parametrize("learner", ["dktz22", "wzdd23", "gv25"])
@pytest.mark.parametrize("b_star", [0.0, -0.5])
def test_realizable_recovery(learner, b_star):
    X, y, truth = relureg.make_instance("realizable", n=50000, d=10, seed=3, bias=b_star)
    model = relureg.ReLURegressor(learner, bias=b_star != 0).fit(X, y)
    assert np.linalg.norm(model.coef_ - truth["w_star"]) < 1e-2
    assert model.intercept_ == pytest.approx(b_star, abs=1e-2)
    assert model.learner_ == learner


@pytest.mark.parametrize("learner", ["dktz22", "wzdd23", "gv25"])
def test_label_noise_loss_within_five_percent_of_opt(learner):
    X, y, truth = relureg.make_instance("label-noise", n=50000, d=10, seed=4, noise=0.05)
    model = relureg.ReLURegressor(learner, fit_intercept=False).fit(X, y)
    loss = relureg.population_loss(model.coef_, model.intercept_, truth)
    assert 0.05 <= loss <= 1.05 * 0.05
