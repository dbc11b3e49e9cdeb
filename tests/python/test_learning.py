"""Learning through the Python API, and ReLURegressor as a genuine scikit-learn estimator."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.estimator_checks import check_estimator

import relureg


@pytest.mark.parametrize("learner", ["gd", "glmtron"])
@pytest.mark.parametrize("b_star", [0.0, 0.5])
def test_realizable_recovery(learner, b_star):
    X, y, truth = relureg.make_instance("realizable", n=20000, d=10, seed=3, bias=b_star)
    model = relureg.ReLURegressor(learner, bias=b_star != 0).fit(X, y)
    assert np.abs(model.coef_ - truth["w_star"]).max() < 1e-9
    assert model.intercept_ == pytest.approx(b_star, abs=1e-9)
    assert relureg.population_loss(model.coef_, model.intercept_, truth) < 1e-15
    assert model.predict(X) == pytest.approx(y, abs=1e-5)


@pytest.mark.parametrize("learner", ["moment", "gd", "glmtron"])
@pytest.mark.parametrize("noise", [0.05, 0.2])
def test_label_noise_loss_within_five_percent_of_opt(learner, noise):
    X, y, truth = relureg.make_instance("label-noise", n=20000, d=10, seed=4, noise=noise)
    assert truth["opt"] == noise and truth["opt_kind"] == "exact"
    model = relureg.ReLURegressor(learner).fit(X, y)
    loss = relureg.population_loss(model.coef_, model.intercept_, truth, return_details=True)
    assert loss["method"] == "exact"
    assert noise <= loss["value"] <= 1.05 * noise
    train_loss = np.mean((model.predict(X) - y) ** 2)
    assert train_loss == pytest.approx(model.history_[-1], rel=1e-9)


def test_fitted_attributes():
    X, y, _ = relureg.make_instance("label-noise", n=5000, d=4, seed=1)
    model = relureg.ReLURegressor(
        "gd", fit_intercept=False, tol=0, max_passes=8, backtrack=False
    ).fit(X, y)
    assert model.n_features_in_ == 4 and model.coef_.shape == (4,)
    assert model.intercept_ == 0.0
    assert model.n_passes_ == 8 and model.n_iter_ == 7 and model.history_.shape == (8,)
    assert model.stop_reason_ == "max_passes"
    assert np.all(np.diff(model.history_) < 0)  # gd from 0 with step 1 descends here
    assert model.learner_params_ == {"max_passes": 8, "tol": 0.0, "step": 1.0, "radius": np.inf,
                                     "backtrack": False, "float32_dot": True, "init": "zero",
                                     "relu_grad_at_zero": 1.0}
    moment = relureg.ReLURegressor("moment").fit(X, y)
    assert moment.n_iter_ == 0 and moment.stop_reason_ == "closed_form"


def test_score_is_r2_of_predict():
    X, y, _ = relureg.make_instance("label-noise", n=3000, d=3, seed=5)
    model = relureg.ReLURegressor().fit(X, y)
    residual = np.sum((y - model.predict(X)) ** 2)
    assert model.score(X, y) == pytest.approx(1 - residual / np.sum((y - y.mean()) ** 2))


@pytest.mark.parametrize("learner", ["glmtron", "gd"])
def test_passes_scikit_learn_estimator_checks(learner):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_estimator(relureg.ReLURegressor(learner))


def test_clone_round_trips_learner_parameters():
    model = relureg.ReLURegressor("gd", bias=True, n_jobs=1, random_state=3, step=0.25,
                                  init="random", backtrack=False)
    copy = clone(model)
    assert copy.get_params() == model.get_params() == {
        "learner": "gd", "bias": True, "n_jobs": 1, "random_state": 3,
        "fit_intercept": True, "standardize": True, "warm_start": False,
        "step": 0.25, "init": "random", "backtrack": False,
    }
    assert repr(copy) == repr(model)
    X, y, _ = relureg.make_instance("label-noise", n=2000, d=3, seed=6)
    assert np.array_equal(copy.fit(X, y).coef_, model.fit(X, y).coef_)


def test_set_params_and_none_restores_the_default():
    model = relureg.ReLURegressor("gd", step=0.25)
    assert model.set_params(learner="glmtron", step=0.5, polish=3) is model
    assert model.get_params()["polish"] == 3 and model.step == 0.5
    model.set_params(learner="moment", step=None, polish=None)
    X, y, _ = relureg.make_instance("label-noise", n=2000, d=3, seed=6)
    assert model.fit(X, y).learner_params_ == {"center": True, "ridge": 0.0, "radius": np.inf,
                                                 "passes": 2}
    with pytest.raises(ValueError, match="Invalid parameter 'stpe' for estimator"):
        model.set_params(stpe=1)


def test_grid_search_over_learners_and_step_picks_a_sensible_one():
    X, y, truth = relureg.make_instance("realizable", n=4000, d=5, seed=8)
    search = GridSearchCV(
        relureg.ReLURegressor(fit_intercept=False, max_passes=10, backtrack=False, n_jobs=1),
        {"learner": ["gd", "glmtron"], "step": [0.001, 0.1, 1.0]},
        cv=3,
    ).fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert len(scores) == 6 and np.all(np.isfinite(scores))
    # 10 passes at step 0.001 barely leave w = 0; step 1 recovers the realizable teacher.
    assert search.best_params_["step"] == 1.0
    assert search.best_score_ > 0.999
    assert np.abs(search.best_estimator_.coef_ - truth["w_star"]).max() < 0.01


def test_works_inside_a_pipeline():
    X, y, truth = relureg.make_instance("realizable", n=3000, d=4, seed=9)
    pipeline = make_pipeline(FunctionTransformer(lambda Z: 2 * Z), relureg.ReLURegressor("gd"))
    pipeline.fit(X, y)
    assert pipeline[-1].coef_ == pytest.approx(truth["w_star"] / 2, abs=1e-9)
    assert pipeline.score(X, y) > 0.999999
    pipeline.set_params(reluregressor__step=0.5)
    assert pipeline[-1].step == 0.5


def test_dataframe_input_records_feature_names():
    pandas = pytest.importorskip("pandas")
    X, y, _ = relureg.make_instance("label-noise", n=1000, d=2, seed=1)
    frame = pandas.DataFrame(X, columns=["a", "b"])
    model = relureg.ReLURegressor().fit(frame, y)
    assert list(model.feature_names_in_) == ["a", "b"]
    assert np.array_equal(model.predict(frame), relureg.ReLURegressor().fit(X, y).predict(X))
