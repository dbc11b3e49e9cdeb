"""The package's surface: tables read from the core, docstrings on every public name, exports."""

import doctest
import importlib
import inspect
import json
import os
import pydoc
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import relureg
from relureg._base import CoreEstimator


def parse_listing(text):
    """`relureg learners`/`families` output as {name: (first line, [parameter names])}."""
    entries = {}
    for line in text.splitlines():
        if not line.startswith(" "):
            name = line.split()[0]
            entries[name] = (line, [])
        elif line.strip().startswith("sample weights:"):
            entries[name] = (entries[name][0] + " [weights]", entries[name][1])
        elif not line.strip().startswith("reference:"):
            entries[name][1].append(line.split()[0])
    return entries


def test_learner_table_matches_the_cli_listing(run_cli):
    listing = parse_listing(run_cli("learners").stdout)
    table = relureg.learners()
    assert list(listing) == ["auto"] + list(table)  # "auto" is the rule, not a table entry
    assert listing["auto"][0].startswith("auto         [relu] fit glmtron and gd")
    for name, info in table.items():
        assert f"[{info.task}] {info.description}" in listing[name][0]
        assert list(info.params) == listing[name][1]
        assert info.takes_weights == listing[name][0].endswith(" [weights]")
    gd = table["gd"]
    assert gd.reference.startswith("Soltanolkotabi")
    step = gd.params["step"]
    assert (step.kind, step.default, step.lower, step.upper) == ("real", 1.0, 1e-12, 1e6)
    init = gd.params["init"]
    assert (init.kind, init.default) == ("choice", "zero")
    assert init.choices == ("zero", "random", "moment")
    assert (gd.params["backtrack"].kind, gd.params["backtrack"].default) == ("flag", True)
    assert (gd.params["max_passes"].kind, gd.params["max_passes"].default) == ("integer", 500)
    assert gd.params["radius"].default == np.inf
    assert list(table) == [
        "moment", "gd", "glmtron", "dktz22", "wzdd23", "gv25", "isotron", "l-isotron", "ptas", "exhaustive",
        "exhaustive-subsets",
        "gkk19", "hs-average", "hs-abl", "hs-sigmoid", "hs-adversarial", "net2-gd", "net2-enum",
        "orthogonal-subsets",
        "ste-cgd",
    ]
    assert set(relureg.learners("relu")) == {n for n, i in table.items() if i.task == "relu"}
    assert list(relureg.learners("halfspace")) == [
        "hs-average", "hs-abl", "hs-sigmoid", "hs-adversarial"]
    assert list(relureg.learners("net2")) == ["net2-gd", "net2-enum", "orthogonal-subsets"]
    assert list(relureg.learners("binact2")) == ["ste-cgd"]
    assert list(relureg.learners("sim")) == ["isotron", "l-isotron"]
    assert list(relureg.learners("piecewise")) == ["ptas"]
    with pytest.raises(ValueError, match="task must be 'relu', 'halfspace', 'net2', 'binact2', "
                                         "'sim', 'piecewise' or None, got 'x'"):
        relureg.learners("x")


def test_family_table_matches_the_cli_listing(run_cli):
    listing = parse_listing(run_cli("families").stdout)
    families = relureg.families()
    assert list(families) == list(listing)
    assert list(families) == [
        "realizable", "label-noise", "biased-teacher", "adversarial", "non-gaussian", "sparse-parity",
        "side-signal", "two-point-noise", "halfspace",
        "teacher-net2", "orthogonal-net", "binact-teacher", "link-teacher",
    ]
    for name, info in families.items():
        assert list(info.params) == listing[name][1]
    noise = families["label-noise"].params["noise"]
    assert (noise.default, noise.lower, noise.upper) == (0.05, 0, np.inf)
    assert noise.range_text == "[0, inf)"


def test_learner_parameter_names_never_shadow_the_estimator():
    # A new learner parameter called e.g. "fit" or "coef_" would break the estimator.
    reserved = {name for name in dir(relureg.ReLURegressor)} | {"learner", "bias", "n_jobs",
                                                               "random_state"}
    for info in relureg.learners().values():
        for name in info.params:
            assert name not in reserved and not name.startswith("_") and not name.endswith("_")


def test_the_regressor_docstring_lists_every_relu_learner_parameter():
    doc = relureg.ReLURegressor.__doc__
    for name, info in relureg.learners("relu").items():
        assert f"``{name}``: {info.description}." in doc
        for param in info.params.values():
            assert f"``{param.name}`` = {param.default!r} in {param.range_text}" in doc


PUBLIC = [getattr(relureg, name) for name in relureg.__all__ if name != "__version__"]


@pytest.mark.parametrize("obj", PUBLIC, ids=lambda o: o.__name__)
def test_every_public_name_has_a_numpydoc_docstring(obj):
    doc = inspect.getdoc(obj)
    assert doc and len(doc.splitlines()[0]) <= 100
    if inspect.isfunction(obj):
        assert "Parameters\n----------" in doc or not inspect.signature(obj).parameters
        assert "Returns\n-------" in doc
    elif issubclass(obj, BaseException):
        assert "ValueError" in doc or "FloatingPointError" in doc
    else:
        assert "Attributes\n----------" in doc
    if obj is relureg.ReLURegressor:
        for method in ("fit", "predict", "get_params", "set_params"):
            method_doc = inspect.getdoc(getattr(obj, method))
            assert "Parameters\n----------" in method_doc and "Returns\n-------" in method_doc


def test_help_shows_the_docstrings():
    text = pydoc.render_doc(relureg.ReLURegressor, renderer=pydoc.plaintext)
    assert "Agnostic ReLU regression" in text and "history_ : ndarray" in text
    assert "Predict ``max(0, w·x + b)`` for every row of X." in text
    assert "relureg: learn a ReLU" in pydoc.render_doc(relureg, renderer=pydoc.plaintext)


def test_estimator_base_is_shared():
    assert issubclass(relureg.ReLURegressor, CoreEstimator)
    assert relureg.ReLURegressor._task == "relu"


def test_affine_values_match_numpy():
    X, y, _ = relureg.make_instance("label-noise", n=1000, d=4, seed=2, bias=0.2)
    model = relureg.ReLURegressor(bias=True).fit(X, y)
    affine = model._affine(X)
    assert affine == pytest.approx(X.astype(np.float64) @ model.coef_ + model.intercept_,
                                   rel=1e-12, abs=1e-12)
    assert np.array_equal(np.maximum(affine, 0.0), model.predict(X))


def test_make_instance_returns_arrays_ready_for_a_fit():
    X, y, truth = relureg.make_instance("adversarial", n=2000, d=3, seed=5, eta=0.05)
    assert X.shape == (2000, 3) and X.dtype == np.float32 and X.flags.c_contiguous
    assert X.flags.writeable and X.flags.owndata is False  # owned by the core's vector
    assert y.shape == (2000,) and y.dtype == np.float64
    assert truth["family"] == "adversarial" and truth["opt_kind"] == "upper-bound"
    assert truth["w_star"].shape == (3,) and truth["radius"] == np.inf
    assert truth["params"]["eta"] == 0.05
    loss = relureg.population_loss(truth["w_opt"], truth["b_opt"], truth, return_details=True)
    assert loss["value"] == pytest.approx(truth["opt"], rel=0.02)


def test_network_instances_carry_their_teacher():
    # The orthogonal network f_S has unit variance and no noise: the zero ReLU loses exactly 1.
    X, y, truth = relureg.make_instance("orthogonal-net", n=500, d=6, seed=1, k=2)
    assert X.shape == (500, 6) and truth["opt"] == 0.0
    assert len(truth["teacher"]["network"]["W"]) == 4  # 2^k hidden units
    assert np.all(truth["w_star"] == 0)
    loss = relureg.population_loss(np.zeros(6), 0.0, truth, return_details=True)
    assert loss["method"] == "exact" and loss["value"] == pytest.approx(1.0, abs=1e-12)
    _, _, truth = relureg.make_instance("binact-teacher", n=100, d=4, seed=1, patches=2)
    assert truth["teacher"]["type"] == "binact2" and len(truth["teacher"]["model"]["v"]) == 2


def test_population_loss_reads_truth_files(tmp_path, run_cli):
    data = tmp_path / "d.csv"
    run_cli("generate", "--family", "label-noise", "--n", 50, "--d", 3, "--seed", 2,
            "--param", "noise=0.2", "-o", data, "--quiet")
    _, _, truth = relureg.make_instance("label-noise", n=50, d=3, seed=2, noise=0.2)
    w = np.array([0.3, -0.1, 0.5])
    from_file = relureg.population_loss(w, 0.1, tmp_path / "d.truth.json")
    assert from_file == relureg.population_loss(w, 0.1, truth)
    assert from_file > 0.2  # the noise variance plus a positive distance to the teacher


def test_score_is_the_record_the_cli_prints(tmp_path, run_cli):
    data = tmp_path / "d.csv"
    run_cli("generate", "--family", "label-noise", "--n", 2000, "--d", 4, "--seed", 3,
            "--param", "noise=0.05", "-o", data, "--quiet")
    run_cli("fit", data, "--learner", "gd", "-o", tmp_path / "m.json", "--quiet")
    cli = json.loads(run_cli("evaluate", "--model", tmp_path / "m.json", data, "--truth",
                             tmp_path / "d.truth.json").stdout)
    record = relureg.score(tmp_path / "m.json", tmp_path / "d.truth.json")
    assert record == {key: cli[key] for key in record}
    assert set(record) == {"measure", "population_loss", "population_loss_method",
                           "population_loss_stderr", "opt", "opt_kind", "opt_class", "excess",
                           "ratio_to_opt"}
    assert record["measure"] == "square loss" and record["opt"] == 0.05
    assert record["opt_class"] == "homogeneous ReLUs"  # gd fits no bias unless asked
    assert record["ratio_to_opt"] == pytest.approx(record["population_loss"] / 0.05, rel=1e-15)
    # A fitted estimator scores the same as its weights written as a model dict.
    X, y, truth = relureg.make_instance("label-noise", n=2000, d=4, seed=3, noise=0.05)
    model = relureg.ReLURegressor(learner="gd").fit(X, y)
    as_dict = relureg.score({"type": "relu", "w": model.coef_, "b": model.intercept_}, truth)
    assert relureg.score(model, truth) == as_dict
    assert as_dict["population_loss"] == relureg.population_loss(model.coef_, model.intercept_,
                                                                 truth)


def test_score_of_a_halfspace_needs_a_halfspace_instance():
    X, y, truth = relureg.make_instance("halfspace", n=4000, d=3, seed=1)
    clf = relureg.HalfspaceClassifier(learner="hs-average").fit(X, y)
    record = relureg.score(clf, truth)
    assert record["measure"] == "0/1 error" and record["ratio_to_opt"] >= 1 - 1e-12
    _, _, relu_truth = relureg.make_instance("realizable", n=10, d=3, seed=1)
    with pytest.raises(relureg.InputError, match="a 'realizable' instance measures square loss; "
                       r"the model is a halfspace \(use a 'halfspace' instance\)"):
        relureg.score(clf, relu_truth)


@pytest.mark.parametrize("module", ["relureg", "relureg._instances", "relureg._tables",
                                    "relureg._regressor", "relureg._networks",
                                    "relureg._single_index"])
def test_docstring_examples_run(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0


def test_importing_the_uncompiled_source_package_says_how_to_build():
    source = Path(__file__).resolve().parents[2] / "python"
    done = subprocess.run([sys.executable, "-c", "import relureg"], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(source)}, check=False)
    assert done.returncode == 1
    assert "relureg's compiled module _core is missing" in done.stderr
    assert "PYTHONPATH=build/python /usr/bin/python3" in done.stderr
