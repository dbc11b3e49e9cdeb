"""Net2Regressor and BinaryActivationRegressor: scikit-learn estimators over the network learners."""

import json
import warnings

import numpy as np
import pytest
from sklearn.utils.estimator_checks import check_estimator

import relureg


def bits(a):
    return np.asarray(a, dtype=np.float64).view(np.uint64)


@pytest.mark.parametrize(
    "estimator",
    [
        relureg.Net2Regressor(),
        relureg.Net2Regressor("net2-enum"),
        relureg.BinaryActivationRegressor(),
    ],
    ids=["net2-gd", "net2-enum", "ste-cgd"],
)
def test_passes_scikit_learn_estimator_checks(estimator):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_estimator(estimator)


def test_net2_recovers_a_teacher_network_and_equals_the_cli(tmp_path, run_cli):
    X, y, truth = relureg.make_instance("teacher-net2", n=4000, d=4, seed=1)
    net = relureg.Net2Regressor(units=2, random_state=3).fit(X, y)
    assert net.model_["type"] == "net2" and net.n_features_in_ == 4
    assert np.mean((net.predict(X) - y) ** 2) <= 1.5 * truth["opt"] + 1e-3
    assert net.score(X, y) > 0.9

    data = tmp_path / "data.npy"
    np.save(data, X)
    np.save(tmp_path / "data.labels.npy", y)
    model_path = tmp_path / "model.json"
    run_cli("fit", data, "--learner", "net2-gd", "--param", "units=2", "--bias", "--seed", 3,
            "-o", model_path, "--quiet")
    cli_model = json.loads(model_path.read_text())
    pred_path = tmp_path / "pred.csv"
    run_cli("predict", "--model", model_path, data, "-o", pred_path, "--quiet")
    cli_pred = np.loadtxt(pred_path, skiprows=1, dtype=np.float64)
    assert np.array_equal(bits(net.predict(X)), bits(cli_pred))
    assert np.array_equal(bits(net.history_), bits(cli_model["metrics"]["loss_history"]))


def test_binary_activation_network_fits_its_teacher():
    X, y, truth = relureg.make_instance("binact-teacher", n=20000, d=12, seed=6, patches=4)
    net = relureg.BinaryActivationRegressor(max_passes=40, batch=200, random_state=3).fit(X, y)
    assert net.model_["type"] == "binact2" and net.learner_params_["patches"] == 4
    assert len(net.model_["v"]) == 4
    train = np.mean((net.predict(X) - y) ** 2)
    assert train < 0.02 and net.history_[0] > 10 * train


def test_network_estimators_reject_relu_learners():
    X, y, _ = relureg.make_instance("label-noise", n=200, d=3, seed=1)
    with pytest.raises(relureg.InputError, match="learner 'gd' learns a relu, not a net2"):
        relureg.Net2Regressor("gd").fit(X, y)


def test_score_of_a_network_estimator_is_its_model_files():
    X, y, truth = relureg.make_instance("teacher-net2", n=3000, d=4, seed=2)
    net = relureg.Net2Regressor(units=2, random_state=1).fit(X, y)
    record = relureg.score(net, truth)
    assert record == relureg.score(net.model_, truth)
    assert record["measure"] == "square loss"
    assert record["population_loss"] >= record["opt"] - 1e-9
