"""ReLURegressor's scikit-learn conventions: intercept, warm start, curves, names, diagnostics."""

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import r2_score

import relureg


@pytest.fixture(scope="module")
def biased():
    """A biased teacher on non-centred features: X ~ N(3, 1), y = ReLU(w*·x − 2) + noise."""
    X, y, truth = relureg.make_instance("label-noise", n=4000, d=5, seed=4, noise=0.1)
    X = X + np.float32(3.0)
    w_star = np.asarray(truth["w_star"])
    rng = np.random.default_rng(0)
    y = np.maximum(X.astype(np.float64) @ w_star - 3 * w_star.sum() + 0.5, 0) + 0.1 * rng.standard_normal(len(X))
    return X, y


def test_the_intercept_is_fitted_by_default_and_bias_is_its_older_name(biased):
    X, y = biased
    default = relureg.ReLURegressor("gd", random_state=0).fit(X, y)
    assert default.get_params()["fit_intercept"] is True and default.intercept_ != 0.0
    homogeneous = relureg.ReLURegressor("gd", fit_intercept=False, random_state=0).fit(X, y)
    assert homogeneous.intercept_ == 0.0
    old = relureg.ReLURegressor("gd", bias=False, random_state=0).fit(X, y)
    assert np.array_equal(old.coef_, homogeneous.coef_) and old.intercept_ == 0.0


def test_score_is_r2_and_the_curves_and_counts_are_set(biased):
    X, y = biased
    model = relureg.ReLURegressor("gd", max_passes=20, random_state=0).fit(X, y)
    assert model.score(X, y) == pytest.approx(r2_score(y, model.predict(X)), abs=1e-12)
    assert model.n_iter_ == len(model.history_) - 1 == len(model.loss_curve_) - 1
    assert model.loss_curve_ == [float(v) for v in model.history_]
    assert model.n_features_in_ == 5 and not hasattr(model, "feature_names_in_")
    mse = np.mean((model.predict(X) - y) ** 2)
    assert model.loss_curve_[-1] == pytest.approx(mse, rel=1e-5)


def test_pandas_input_keeps_the_column_names(biased):
    X, y = biased
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(5)])
    model = relureg.ReLURegressor("glmtron").fit(frame, pd.Series(y, name="target"))
    assert list(model.feature_names_in_) == ["f0", "f1", "f2", "f3", "f4"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "X does not have valid feature names"
        assert np.array_equal(model.predict(frame), model.predict(X.copy()))
    with pytest.raises(ValueError, match="feature names"):
        model.predict(frame.rename(columns={"f0": "other"}))


def test_warm_start_continues_the_fit(biased):
    X, y = biased
    model = relureg.ReLURegressor("gd", warm_start=True, max_passes=4, backtrack=False, step=0.5)
    model.fit(X, y)
    first = list(model.loss_curve_)
    assert model.n_iter_ == 3  # a pass at the start, then one per iteration
    model.fit(X, y)
    assert model.history_[0] == first[-1]  # the second fit starts where the first stopped
    assert model.n_iter_ == 6 and model.loss_curve_[:4] == first and len(model.loss_curve_) == 7
    # ... and, without backtracking (a fixed step), equals one fit of six iterations
    once = relureg.ReLURegressor("gd", max_passes=7, backtrack=False, step=0.5).fit(X, y)
    assert np.allclose(once.coef_, model.coef_, rtol=1e-12, atol=1e-12)
    assert np.allclose(once.loss_curve_, model.loss_curve_, rtol=1e-12)
    cold = relureg.ReLURegressor("gd", max_passes=4, backtrack=False, step=0.5).fit(X, y)
    cold.fit(X, y)
    assert cold.loss_curve_ == first and cold.n_iter_ == 3


def test_diagnostics_active_fraction_and_init_correlation(biased):
    X, y = biased
    model = relureg.ReLURegressor("gd", init="moment", random_state=0).fit(X, y)
    z = X.astype(np.float64) @ model.coef_ + model.intercept_
    assert model.active_fraction_ == pytest.approx(np.mean(z > 0), abs=1e-12)
    # the moment start, against cov(x, y)/std(x), in standardised units
    Xd = X.astype(np.float64)
    scale = Xd.std(axis=0)
    moment = ((Xd - Xd.mean(axis=0)) * (y - y.mean())[:, None]).mean(axis=0) / scale
    start = np.asarray(model.details_["initial_w"]) * scale
    expected = start @ moment / np.linalg.norm(start) / np.linalg.norm(moment)
    assert model.init_moment_correlation_ == pytest.approx(expected, abs=1e-9)
    assert math.isnan(relureg.ReLURegressor("glmtron").fit(X, y).init_moment_correlation_)


def test_a_dead_fit_warns_and_says_what_to_do():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((500, 3)).astype(np.float32)
    y = -1.0 - rng.random(500)  # every label negative: the best ReLU outputs 0 everywhere
    with pytest.warns(relureg.DeadReLUWarning, match=r"inactive on all 500 training rows.*Try"):
        model = relureg.ReLURegressor("glmtron").fit(X, y)
    assert model.active_fraction_ == 0.0


# Every ReLU learner but `exhaustive` (a grid over directions: slow; standardised by the same copy
# path as exhaustive-subsets and gkk19).
@pytest.mark.parametrize("learner", ["moment", "gd", "glmtron", "exhaustive-subsets", "gkk19", "auto"])
def test_fits_do_not_depend_on_the_features_location_and_scale(learner):
    # Raw features: means far from 0 (5 .. 50) and scales differing by 100x.
    X, y, _ = relureg.make_instance("label-noise", n=20000, d=6, seed=8, noise=0.2, bias=0.4)
    scale = np.array([0.1, 1, 10, 0.3, 3, 10], dtype=np.float32)
    shift = np.array([5, -20, 50, 8, -12, 30], dtype=np.float32)
    raw = X * scale + shift
    standardised = (raw - raw.mean(axis=0)) / raw.std(axis=0)
    on_raw = relureg.ReLURegressor(learner, random_state=0).fit(raw, y)
    on_std = relureg.ReLURegressor(learner, random_state=0).fit(standardised, y)
    loss = lambda m, Z: np.mean((m.predict(Z) - y) ** 2)  # noqa: E731
    assert loss(on_raw, raw) <= 1.01 * loss(on_std, standardised)
    if learner == "gd":  # without the preconditioning, descent on raw features stalls above
        unscaled = relureg.ReLURegressor("gd", standardize=False, random_state=0).fit(raw, y)
        assert loss(unscaled, raw) > 1.5 * loss(on_std, standardised)


def test_auto_is_never_worse_than_the_better_of_gd_and_glmtron_on_training_loss():
    for family, params in [("realizable", {}), ("label-noise", {"noise": 0.3}),
                           ("adversarial", {"eta": 0.05}), ("non-gaussian", {})]:
        X, y, _ = relureg.make_instance(family, n=5000, d=8, seed=3, **params)
        losses = {
            name: relureg.ReLURegressor(name, random_state=0).fit(X, y).history_[-1]
            for name in ("gd", "glmtron")
        }
        auto = relureg.ReLURegressor("auto", random_state=0).fit(X, y)
        assert auto.history_[-1] == min(losses.values()), family
        assert auto.learner_ == min(losses, key=losses.get)


@pytest.mark.parametrize("learner", ["gd", "gkk19"])
def test_the_cli_standardises_with_bias_as_python_does(tmp_path, run_cli, learner):
    X, y, _ = relureg.make_instance("label-noise", n=3000, d=4, seed=9, noise=0.2, bias=0.4)
    raw = X * np.array([0.1, 10, 1, 3], dtype=np.float32) + np.float32(7)
    np.save(tmp_path / "raw.npy", raw)
    np.save(tmp_path / "raw.labels.npy", y)
    run_cli("fit", tmp_path / "raw.npy", "--learner", learner, "--bias", "--seed", 5,
            "-o", tmp_path / "m.json", "--quiet")
    cli = json.loads((tmp_path / "m.json").read_text())
    model = relureg.ReLURegressor(learner, random_state=5).fit(raw, y)
    assert np.array_equal(model.coef_, cli["w"]) and model.intercept_ == cli["b"]
    assert model.details_["standardized"] == cli["metrics"]["details"]["standardized"]
    run_cli("fit", tmp_path / "raw.npy", "--learner", learner, "--bias", "--raw-features",
            "--seed", 5, "-o", tmp_path / "r.json", "--quiet")
    unscaled = relureg.ReLURegressor(learner, standardize=False, random_state=5).fit(raw, y)
    assert json.loads((tmp_path / "r.json").read_text())["w"] == list(unscaled.coef_)


def test_defaults_on_the_diabetes_data_are_within_2_percent_of_the_better_baseline():
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import LinearRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_diabetes(return_X_y=True)
    relu, linear = [], []
    for split in range(5):
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=split)
        for errors, model in ((relu, relureg.ReLURegressor(random_state=split)),
                              (linear, LinearRegression())):
            pipe = make_pipeline(StandardScaler(), model).fit(X_tr, y_tr)
            errors.append(np.mean((pipe.predict(X_te) - y_te) ** 2))
    # (MLPRegressor(hidden_layer_sizes=(1,)) is ~10x worse here: see docs/python.md.)
    assert np.mean(relu) <= 1.02 * np.mean(linear), (np.mean(relu), np.mean(linear))


def test_the_default_estimator_passes_scikit_learn_estimator_checks():
    from sklearn.utils.estimator_checks import check_estimator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_estimator(relureg.ReLURegressor())  # learner="auto", fit_intercept=True
