"""HalfspaceClassifier: accuracy against the known optimum, sklearn behaviour, CLI equality."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

import relureg


def halfspace_instance(eta, flips, seed=3, n=40000, d=10):
    X, y, truth = relureg.make_instance("halfspace", n=n, d=d, seed=seed, eta=eta, flips=flips)
    return X, y, truth


@pytest.mark.parametrize("learner", ["hs-abl", "hs-sigmoid"])
def test_reaches_the_optimal_error_with_adversarial_flips(learner):
    X, y, truth = halfspace_instance(0.05, "far")
    clf = relureg.HalfspaceClassifier(learner=learner, random_state=0).fit(X, y)
    error = 1 - clf.score(X, y)
    assert error <= 3 * 0.05 + 0.01
    assert error >= truth["opt"] - 0.01  # no halfspace beats opt by more than sampling error
    np.testing.assert_allclose(np.linalg.norm(clf.coef_), 1.0, atol=1e-9)
    cosine = clf.coef_ @ truth["w_star"] / np.linalg.norm(truth["w_star"])
    assert cosine > 0.99


def test_any_two_class_labels_and_decision_function():
    X, y, _ = halfspace_instance(0.0, "far", n=5000)
    names = np.where(y > 0, "spam", "ham")
    clf = relureg.HalfspaceClassifier(random_state=0).fit(X, names)
    assert list(clf.classes_) == ["ham", "spam"]
    scores = clf.decision_function(X)
    np.testing.assert_array_equal(clf.predict(X), np.where(scores >= 0, "spam", "ham"))
    assert clf.score(X, names) > 0.99
    assert clf.intercept_ == 0.0


def test_clone_and_grid_search_over_learners():
    X, y, _ = halfspace_instance(0.1, "near", n=8000)
    clf = relureg.HalfspaceClassifier(learner="hs-abl", rounds=5)
    assert clone(clf).get_params()["rounds"] == 5
    search = GridSearchCV(
        relureg.HalfspaceClassifier(random_state=0), {"learner": ["hs-average", "hs-abl"]}, cv=3
    ).fit(X, y)
    assert search.best_params_["learner"] in ("hs-average", "hs-abl")
    assert search.best_score_ > 0.85


def test_bad_labels_and_learners_are_value_errors():
    X, y, _ = halfspace_instance(0.0, "far", n=500)
    with pytest.raises(ValueError, match="exactly two classes, got 3 classes"):
        relureg.HalfspaceClassifier().fit(X, np.arange(500) % 3)
    with pytest.raises(ValueError, match="relu"):
        relureg.HalfspaceClassifier(learner="gd").fit(X, y)


@pytest.mark.parametrize("learner", ["hs-average", "hs-abl"])
def test_passes_scikit_learn_estimator_checks(learner):
    from sklearn.utils.estimator_checks import check_estimator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_estimator(relureg.HalfspaceClassifier(learner))
