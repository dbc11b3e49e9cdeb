"""learner="auto" is the C++ library's rule: the same fit as `relureg fit --learner auto`."""

import json

import numpy as np
import pytest

import relureg


def test_auto_equals_the_cli_bit_for_bit(tmp_path, run_cli):
    X, y, _ = relureg.make_instance("label-noise", n=3000, d=4, seed=6)
    np.save(tmp_path / "d.npy", X)
    np.save(tmp_path / "d.labels.npy", y)
    run_cli("fit", tmp_path / "d.npy", "--learner", "auto", "--bias", "--seed", 2,
            "-o", tmp_path / "m.json", "--quiet")
    model = json.loads((tmp_path / "m.json").read_text())
    python = relureg.ReLURegressor(random_state=2).fit(X, y)
    assert python.learner_ == model["learner"] == python.details_["auto"]["chosen"]
    assert [c["learner"] for c in python.details_["auto"]["candidates"]] == ["glmtron", "gd"]
    np.testing.assert_array_equal(np.asarray(model["w"]), python.coef_)
    assert model["b"] == python.intercept_
    losses = [c["train_loss"] for c in python.details_["auto"]["candidates"]]
    assert python.loss_curve_[-1] == min(losses)


def test_auto_rejects_a_parameter_neither_candidate_takes():
    X, y, _ = relureg.make_instance("label-noise", n=100, d=3, seed=1)
    with pytest.raises(ValueError) as error:
        relureg.ReLURegressor(ridge=0.1).fit(X, y)  # a parameter of moment only
    assert str(error.value).startswith("unknown parameter 'ridge' for learner 'auto' (known: ")
