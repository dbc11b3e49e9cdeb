"""The Python API and the CLI agree to the last bit: same instances, weights and predictions."""

import json

import numpy as np
import pytest

import relureg


def bits(a):
    return np.asarray(a, dtype=np.float64).view(np.uint64)


@pytest.fixture
def instance_files(tmp_path, run_cli):
    """An instance written by `relureg generate` (NPY) and the same instance from Python."""
    data = tmp_path / "data.npy"
    run_cli("generate", "--family", "label-noise", "--n", 3000, "--d", 6, "--seed", 11,
            "--param", "noise=0.1", "--param", "bias=0.3", "-o", data, "--quiet")
    X, y, truth = relureg.make_instance("label-noise", n=3000, d=6, seed=11, noise=0.1, bias=0.3)
    return data, X, y, truth


def test_make_instance_equals_cli_generate(instance_files, tmp_path):
    data, X, y, truth = instance_files
    X_cli = np.load(data)
    y_cli = np.load(tmp_path / "data.labels.npy")
    assert X_cli.dtype == np.float32 and X.dtype == np.float32
    assert np.array_equal(X.view(np.uint32), X_cli.view(np.uint32))
    assert np.array_equal(bits(y), bits(y_cli))
    truth_cli = json.loads((tmp_path / "data.truth.json").read_text())
    assert np.array_equal(bits(truth["w_star"]), bits(truth_cli["w_star"]))
    assert truth["opt"] == truth_cli["opt"] == 0.1
    assert truth["b_star"] == truth_cli["b_star"] == 0.3


@pytest.mark.parametrize(
    "learner, params, bias",
    [
        ("gd", {"init": "random", "step": 0.5}, False),  # the seed draws the starting point
        ("glmtron", {"polish": 5}, True),
        ("moment", {}, False),
    ],
)
def test_fit_equals_cli_fit(instance_files, tmp_path, run_cli, learner, params, bias):
    data, X, y, _ = instance_files
    model_path = tmp_path / "model.json"
    cli_params = [a for k, v in params.items() for a in ("--param", f"{k}={v}")]
    run_cli("fit", data, "--learner", learner, *cli_params, *(["--bias"] if bias else []),
            "--seed", 7, "-o", model_path, "--quiet")
    cli_model = json.loads(model_path.read_text())

    model = relureg.ReLURegressor(learner, bias=bias, random_state=7, **params).fit(X, y)
    assert np.array_equal(bits(model.coef_), bits(cli_model["w"]))
    assert bits(model.intercept_) == bits(cli_model["b"])
    assert np.array_equal(bits(model.history_), bits(cli_model["metrics"]["loss_history"]))
    assert model.n_passes_ == cli_model["metrics"]["passes"]
    # The model file writes an infinite radius as "inf"; learner_params_ holds the float.
    assert model.learner_params_ == {
        k: float(v) if v == "inf" else v for k, v in cli_model["params"].items()
    }

    pred_path = tmp_path / "pred.csv"
    run_cli("predict", "--model", model_path, data, "-o", pred_path, "--quiet")
    cli_pred = np.loadtxt(pred_path, skiprows=1, dtype=np.float64)
    assert np.array_equal(bits(model.predict(X)), bits(cli_pred))


def test_the_seed_matters_and_threads_do_not(instance_files):
    _, X, y, _ = instance_files
    fit = lambda seed, n_jobs: relureg.ReLURegressor(  # noqa: E731
        "gd", init="random", max_passes=3, random_state=seed, n_jobs=n_jobs
    ).fit(X, y)
    one_thread, two_threads = fit(7, 1), fit(7, 2)
    assert np.array_equal(bits(one_thread.coef_), bits(two_threads.coef_))
    assert not np.array_equal(one_thread.coef_, fit(8, 1).coef_)
