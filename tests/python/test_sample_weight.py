"""sample_weight in fit: weight 2 equals the row duplicated, 0 the row removed; one-line errors."""

import json
import warnings

import numpy as np
import pytest

import relureg

WEIGHTED = ["moment", "gd", "glmtron", "hs-average", "hs-abl", "net2-gd", "net2-enum", "ste-cgd"]


def _weights(n):
    w = np.ones(n)
    w[3], w[10], w[17] = 2.0, 0.0, 3.0
    return w


def _repeated(X, y, w):
    rows = np.repeat(np.arange(len(w)), w.astype(int))
    return X[rows], y[rows]


def _estimators():
    """Every estimator with a learner that takes weights, in a setting without minibatches."""
    return [
        ("moment", relureg.ReLURegressor("moment"), "label-noise", 4),
        ("gd", relureg.ReLURegressor("gd", max_passes=200), "label-noise", 4),
        ("gd-homogeneous", relureg.ReLURegressor("gd", fit_intercept=False), "label-noise", 4),
        ("glmtron", relureg.ReLURegressor("glmtron", max_passes=200), "label-noise", 4),
        ("auto", relureg.ReLURegressor(), "label-noise", 4),
        ("hs-average", relureg.HalfspaceClassifier("hs-average"), "halfspace", 4),
        ("hs-abl", relureg.HalfspaceClassifier("hs-abl"), "halfspace", 4),
        ("net2-gd", relureg.Net2Regressor(units=2, max_passes=40, restarts=1, random_state=1),
         "teacher-net2", 4),
        ("net2-enum", relureg.Net2Regressor("net2-enum", grid=3), "teacher-net2", 3),
        ("ste-cgd", relureg.BinaryActivationRegressor(batch=0, max_passes=40, random_state=1),
         "binact-teacher", 8),
    ]


def test_the_learner_table_says_which_learners_take_weights():
    assert [name for name, info in relureg.learners().items() if info.takes_weights] == WEIGHTED


@pytest.mark.parametrize("name,estimator,family,d", _estimators(), ids=[e[0] for e in _estimators()])
def test_weight_two_is_the_row_duplicated_and_zero_the_row_removed(name, estimator, family, d):
    X, y, _ = relureg.make_instance(family, n=120, d=d, seed=5)
    w = _weights(len(y))
    X2, y2 = _repeated(X, y, w)
    assert len(y2) == len(y) + 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weighted = estimator.fit(X, y, sample_weight=w)
        a = weighted.decision_function(X) if hasattr(weighted, "classes_") else weighted.predict(X)
        a_curve = list(weighted.loss_curve_) if hasattr(weighted, "loss_curve_") else []
        copies = estimator.fit(X2, y2)
        b = copies.decision_function(X) if hasattr(copies, "classes_") else copies.predict(X)
        b_curve = list(copies.loss_curve_) if hasattr(copies, "loss_curve_") else []
    scale = max(1.0, float(np.max(np.abs(b))))
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(a_curve, b_curve, rtol=1e-12, atol=1e-300)


def test_a_learner_without_weights_fails_with_one_line_naming_it():
    X, y, _ = relureg.make_instance("label-noise", n=50, d=3, seed=1)
    with pytest.raises(ValueError) as error:
        relureg.ReLURegressor("exhaustive").fit(X, y, sample_weight=np.ones(len(y)))
    assert str(error.value) == (
        "learner 'exhaustive' does not take sample weights (learners that do: moment, gd, "
        "glmtron, hs-average, hs-abl, net2-gd, net2-enum, ste-cgd)"
    )


@pytest.mark.parametrize(
    "weights,message",
    [
        (np.ones(3), "sample_weight: 3 weights for 5 rows (give one weight per row)"),
        ([1, 1, -0.5, 1, 1], "sample_weight: the weight of row 3 is negative (-0.5; weights must be >= 0)"),
        ([1, np.nan, 1, 1, 1], "sample_weight: the weight of row 2 is NaN (weights must be finite and >= 0)"),
        ([1, 1, 1, 1, np.inf], "sample_weight: the weight of row 5 is infinite (weights must be finite and >= 0)"),
        (np.zeros(5), "sample_weight: every weight is 0 (at least one row must count)"),
        (np.ones((5, 2)), "sample_weight must be a 1-D array with one weight per row of X, got 2 dimensions"),
        (["a"] * 5, "sample_weight must be numbers, one per row of X (could not convert string to float: 'a')"),
    ],
    ids=["length", "negative", "nan", "inf", "all-zero", "2-d", "text"],
)
def test_bad_weights_are_one_line_errors(weights, message):
    X = np.arange(10, dtype=np.float32).reshape(5, 2)
    y = np.arange(5.0)
    with pytest.raises(ValueError) as error:
        relureg.ReLURegressor("gd").fit(X, y, sample_weight=weights)
    assert str(error.value) == message


def test_a_scalar_weight_weighs_every_row_alike():
    X, y, _ = relureg.make_instance("label-noise", n=200, d=3, seed=2)
    plain = relureg.ReLURegressor("gd").fit(X, y)
    scaled = relureg.ReLURegressor("gd").fit(X, y, sample_weight=3.0)
    np.testing.assert_allclose(scaled.coef_, plain.coef_, rtol=1e-12)


def test_the_cli_fit_with_weights_equals_python(tmp_path, run_cli):
    X, y, _ = relureg.make_instance("label-noise", n=100, d=3, seed=3)
    w = _weights(len(y))
    np.save(tmp_path / "d.npy", X)
    np.save(tmp_path / "d.labels.npy", y)
    np.save(tmp_path / "w.npy", w)
    run_cli("fit", tmp_path / "d.npy", "--learner", "gd", "--bias", "--weights", tmp_path / "w.npy",
            "-o", tmp_path / "m.json", "--quiet")
    model = json.loads((tmp_path / "m.json").read_text())
    python = relureg.ReLURegressor("gd").fit(X, y, sample_weight=w)
    assert model["metrics"]["weights"] == str(tmp_path / "w.npy")
    np.testing.assert_array_equal(np.asarray(model["w"]), python.coef_)
    assert model["b"] == python.intercept_
