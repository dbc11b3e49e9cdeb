"""Bad input raises the documented exceptions with their messages, never a crash."""

import json
import re

import numpy as np
import pytest
import scipy.sparse
from sklearn.exceptions import NotFittedError

import relureg


@pytest.fixture(scope="module")
def data():
    X, y, _ = relureg.make_instance("label-noise", n=50, d=5, seed=1)
    return X, y


def test_exception_classes():
    assert issubclass(relureg.InputError, ValueError)
    assert issubclass(relureg.DivergenceError, FloatingPointError)
    assert repr(relureg.InputError("x")) == "InputError('x')"


@pytest.mark.parametrize(
    "make_X, message",
    [
        (lambda X: X[:, 0], "Expected 2D array, got 1D array instead"),
        (lambda X: X[:, :, None], "Found array with dim 3. ReLURegressor expected <= 2."),
        (lambda X: X[:0],
         r"Found array with 0 sample\(s\) \(shape=\(0, 5\)\) while a minimum of 1"),
        (lambda X: X[:, :0], r"0 feature\(s\) \(shape=\(50, 0\)\) while a minimum of 1"),
        (lambda X: np.where(np.arange(5) == 2, np.nan, X), "Input X contains NaN."),
        (lambda X: np.where(np.arange(5) == 2, np.inf, X), "Input X contains infinity"),
        (lambda X: X.astype(np.float64) * 1e300,
         re.escape("Input X contains infinity or a value too large for dtype('float32')")),
        (lambda X: scipy.sparse.csr_matrix(X),
         re.escape("ReLURegressor does not accept sparse input (got csr_matrix); "
                   "convert it with X.toarray()")),
        (lambda X: np.full(X.shape, "a"), "could not convert string to float: 'a'"),
    ],
)
@pytest.mark.filterwarnings("ignore:overflow encountered", "ignore:invalid value encountered")
def test_bad_X_at_fit(data, make_X, message):
    X, y = data
    bad_X = make_X(X)
    with pytest.raises(ValueError, match=message):
        relureg.ReLURegressor().fit(bad_X, y[: bad_X.shape[0]])


def test_bad_y_at_fit(data):
    X, y = data
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[50, 49\]"):
        relureg.ReLURegressor().fit(X, y[:-1])
    with pytest.raises(ValueError, match="Input y contains NaN."):
        relureg.ReLURegressor().fit(X, np.where(np.arange(50) == 3, np.nan, y))
    with pytest.raises(ValueError, match="requires y to be passed, but the target y is None"):
        relureg.ReLURegressor().fit(X, None)


def test_bad_X_at_predict(data):
    X, y = data
    with pytest.raises(NotFittedError, match="This ReLURegressor instance is not fitted yet"):
        relureg.ReLURegressor().predict(X)
    model = relureg.ReLURegressor().fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but ReLURegressor is expecting 5"):
        model.predict(X[:, :3])
    with pytest.raises(ValueError, match="Input X contains NaN."):
        model.predict(np.full((2, 5), np.nan))
    with pytest.raises(ValueError, match="does not accept sparse input"):
        model.predict(scipy.sparse.csr_matrix(X))


@pytest.mark.parametrize(
    "params, error, message",
    [
        ({"learner": "nope"}, relureg.InputError,
         "unknown learner 'nope' for ReLURegressor (choose one of: moment, gd, glmtron"),
        ({"learner": "moment", "step": 0.5}, relureg.InputError,
         "unknown parameter 'step' for learner 'moment' (known: radius, ridge, center, passes)"),
        ({"learner": "gd", "step": -1.0}, relureg.InputError,
         "parameter 'step' for learner 'gd': -1.0 is out of range [1e-12, 1000000]"),
        ({"learner": "gd", "max_passes": 2.5}, relureg.InputError,
         "parameter 'max_passes' for learner 'gd': expected a whole number, got '2.5'"),
        ({"learner": "gd", "init": "ones"}, relureg.InputError,
         "parameter 'init' for learner 'gd': 'ones' is not one of zero|random|moment"),
        ({"learner": "gd", "tol": "abc"}, relureg.InputError,
         "parameter 'tol' for learner 'gd': expected a number, got 'abc'"),
        ({"learner": "gd", "step": [1]}, relureg.InputError,
         "parameter 'step': expected a number, a boolean or a string, got [1]"),
        ({"bias": "yes"}, relureg.InputError, "bias must be True or False, got 'yes'"),
        ({"n_jobs": 0}, relureg.InputError, "n_jobs must be None or a non-zero integer, got 0"),
        ({"random_state": -1}, relureg.InputError,
         "random_state must be an integer in [0, 2**64), got -1"),
        ({"random_state": "x"}, relureg.InputError,
         "random_state must be None, an integer or a numpy RandomState, got 'x'"),
    ],
)
def test_bad_parameters_at_fit(data, params, error, message):
    X, y = data
    with pytest.raises(error, match=re.escape(message)):
        relureg.ReLURegressor(**params).fit(X, y)


def test_network_learners_are_not_relu_regressors(data):
    X, y = data
    relu = ", ".join(relureg.learners("relu"))
    for learner, task in (("net2-gd", "net2"), ("ste-cgd", "binact2")):
        with pytest.raises(relureg.InputError, match=re.escape(
                f"learner '{learner}' learns a {task}, not a relu; ReLURegressor takes one of: "
                f"{relu}")):
            relureg.ReLURegressor(learner).fit(X, y)
    with pytest.raises(relureg.InputError, match=re.escape(
            "learner 'net2-gd' learns a net2, not a halfspace; HalfspaceClassifier takes one of: "
            "hs-average, hs-abl, hs-sigmoid, hs-adversarial")):
        relureg.HalfspaceClassifier("net2-gd").fit(X, np.where(y > np.median(y), 1, -1))


def test_divergence_is_a_floating_point_error(data):
    X, y = data
    with pytest.raises(FloatingPointError, match=r"^gd diverged at iteration [1-9]\d*: training "
                                                 r"loss is (inf|nan) \(try a smaller step\)$"):
        relureg.ReLURegressor("gd", step=1e6, backtrack=False).fit(X, y * 1e10)


def test_core_errors_about_the_data_are_value_errors():
    X = np.ones((20, 3), dtype=np.float32)  # constant features: singular moment matrix
    with pytest.raises(ValueError, match="moment: the features' second-moment matrix is singular"):
        relureg.ReLURegressor("moment").fit(X, np.ones(20))
    with pytest.raises(ValueError, match="exhaustive: d = 3 is too large|exhaustive"):
        relureg.ReLURegressor("exhaustive").fit(np.ones((20, 5), np.float32), np.ones(20))


def test_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError, match="ReLURegressor got an unexpected keyword argument 'stpe': "
                                        "it is not a parameter of any relu learner"):
        relureg.ReLURegressor(stpe=1.0)


def test_bad_instances():
    with pytest.raises(relureg.InputError, match=re.escape(
            "unknown family 'nope' (choose one of: realizable, label-noise, biased-teacher, adversarial")):
        relureg.make_instance("nope", 10, 2)
    with pytest.raises(relureg.InputError, match=re.escape(
            "parameter 'noise' for family 'label-noise': -0.1 is out of range [0, inf)")):
        relureg.make_instance("label-noise", 10, 2, noise=-0.1)
    with pytest.raises(relureg.InputError, match=re.escape(
            "unknown parameter 'nois' for family 'label-noise' (known: ")):
        relureg.make_instance("label-noise", 10, 2, nois=0.1)
    with pytest.raises(relureg.InputError, match="n must be at least 1"):
        relureg.make_instance("realizable", 0, 2)
    with pytest.raises(relureg.InputError, match="d must be a whole number, got 2.5"):
        relureg.make_instance("realizable", 10, 2.5)
    with pytest.raises(relureg.InputError,
                       match=re.escape("seed must be an integer in [0, 2**64)")):
        relureg.make_instance("realizable", 10, 2, seed=-3)


def test_bad_population_loss_arguments(tmp_path):
    _, _, truth = relureg.make_instance("label-noise", 10, 3)
    with pytest.raises(relureg.InputError, match="truth: model expects 2 features, data has 3"):
        relureg.population_loss([1.0, 2.0], 0.0, truth)
    with pytest.raises(relureg.InputError,
                       match=re.escape("w must be a 1-D array, got shape (1, 3)")):
        relureg.population_loss([[1.0, 2.0, 3.0]], 0.0, truth)
    with pytest.raises(relureg.InputError, match="truth: missing key 'opt'"):
        without_opt = {k: v for k, v in truth.items() if k != "opt"}
        relureg.population_loss([1.0, 2.0, 3.0], 0.0, without_opt)
    bad_file = tmp_path / "bad.truth.json"
    bad_file.write_text(json.dumps({"family": "label-noise"}))
    with pytest.raises(relureg.InputError, match="truth: missing key 'd'"):
        relureg.population_loss([1.0, 2.0, 3.0], 0.0, bad_file)
