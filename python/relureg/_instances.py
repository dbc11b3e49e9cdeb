"""Instances with ground truth (make_instance) and population losses (population_loss)."""

import json
import math
import numbers
import os

import numpy as np

from . import _core
from ._errors import InputError
from ._validation import param_texts, seed_from, threads_from_n_jobs

_ARRAY_KEYS = ("w_star", "w_opt")


def _positive_int(name, value):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise InputError(f"{name} must be a whole number, got {value!r}")
    if value < 1:
        raise InputError(f"{name} must be at least 1")
    return int(value)


def _truth_from_json(truth):
    truth = dict(truth)
    for key in _ARRAY_KEYS:
        truth[key] = np.asarray(truth[key], dtype=np.float64)
    if "homogeneous" in truth:
        truth["homogeneous"] = dict(truth["homogeneous"])
        truth["homogeneous"]["w_opt"] = np.asarray(truth["homogeneous"]["w_opt"], dtype=np.float64)
    if truth.get("radius") is None:
        truth["radius"] = math.inf
    return truth


def _truth_to_json(truth):
    def plain(value):
        if isinstance(value, np.ndarray):
            return value.tolist()
        if isinstance(value, np.generic):
            return value.item()
        raise TypeError(f"truth: cannot store a {type(value).__name__} in the ground truth")

    truth = dict(truth)
    radius = truth.get("radius")
    if isinstance(radius, numbers.Real) and math.isinf(radius):
        truth["radius"] = None
    return json.dumps(truth, default=plain)


def make_instance(family, n, d, *, seed=0, n_jobs=None, **params):
    """Generate an instance of a family together with its ground truth.

    Parameters
    ----------
    family : str
        A family of :func:`relureg.families`: ``realizable``, ``label-noise``, ``adversarial``,
        ``non-gaussian``, ...
    n : int
        Number of samples.
    d : int
        Number of features.
    seed : int, default=0
        Seed in [0, 2**64); the same seed gives the same instance as
        ``relureg generate --seed SEED``, bit for bit.
    n_jobs : int, default=None
        Engine threads (see :class:`relureg.ReLURegressor`); the instance does not depend on it.
    **params : dict
        Family parameters (e.g. ``noise=0.1``), checked against the family's table.

    Returns
    -------
    X : ndarray of shape (n, d), float32, C order
        Features, ready for a fit without a copy.
    y : ndarray of shape (n,), float64
        Labels.
    truth : dict
        The ground truth: ``w_star``, ``b_star`` (the teacher), ``opt`` (the best population
        square loss of a ReLU with bias; of the family's model class for the network and
        halfspace families), ``opt_kind`` (``exact``, ``upper-bound`` or ``lower-bound``),
        ``opt_error`` (for an exact opt: the bound on its error), ``opt_note``, ``w_opt``,
        ``b_opt`` (the best ReLU known), ``homogeneous`` (ReLU families: the same record, keys
        ``opt``, ``opt_kind``, ``opt_error``, ``opt_note``, ``w_opt``, for ReLUs without bias,
        which is what a learner fits unless asked for a bias), ``teacher_loss``, ``radius``,
        ``family``, ``d``, ``seed``, ``params``. Weight vectors are float64 arrays.

    Raises
    ------
    ValueError
        (:class:`relureg.InputError`) for an unknown family or parameter, a value out of range,
        or n, d < 1.

    Examples
    --------
    >>> import relureg
    >>> X, y, truth = relureg.make_instance("label-noise", n=1000, d=3, seed=2, noise=0.1)
    >>> X.shape, X.dtype, truth["opt"]
    ((1000, 3), dtype('float32'), 0.1)
    """
    n = _positive_int("n", n)
    d = _positive_int("d", d)
    X, y, truth = _core.make_instance(
        family, n, d, seed_from(seed, "seed"), param_texts(params), threads_from_n_jobs(n_jobs)
    )
    return X, y, _truth_from_json(truth)


def population_loss(w, b, truth, *, n_jobs=None, return_details=False):
    """Population square loss of ``max(0, w·x + b)`` on an instance's distribution.

    Exact (closed form) for the Gaussian families; a Monte-Carlo estimate on a fresh sample for
    the others (``return_details=True`` tells which, with its standard error).

    Parameters
    ----------
    w : array-like of shape (d,)
        Weights, e.g. ``model.coef_``.
    b : float
        Bias, e.g. ``model.intercept_``.
    truth : dict or path-like
        The ground truth returned by :func:`make_instance`, or a ``.truth.json`` file written by
        ``relureg generate``.
    n_jobs : int, default=None
        Engine threads (see :class:`relureg.ReLURegressor`); the value does not depend on it.
    return_details : bool, default=False
        Return a dict instead of the value alone.

    Returns
    -------
    float or dict
        The loss, or ``{"value", "stderr", "method", "samples"}`` with ``method`` ``exact`` or
        ``monte-carlo``.

    Raises
    ------
    ValueError
        If `w` does not have `d` entries or `truth` is malformed (naming the missing key).

    Examples
    --------
    >>> import relureg
    >>> X, y, truth = relureg.make_instance("label-noise", n=1000, d=3, noise=0.1)
    >>> round(relureg.population_loss(truth["w_star"], truth["b_star"], truth), 12)
    0.1
    """
    if isinstance(truth, (str, os.PathLike)):
        with open(truth, encoding="utf-8") as f:
            truth_json = f.read()
    elif isinstance(truth, dict):
        truth_json = _truth_to_json(truth)
    else:
        raise InputError(f"truth must be a dict or a path, got {type(truth).__name__}")
    w = np.asarray(w, dtype=np.float64)
    if w.ndim != 1:
        raise InputError(f"w must be a 1-D array, got shape {w.shape}")
    if not np.all(np.isfinite(w)) or not math.isfinite(float(b)):
        raise InputError("w and b must be finite")
    result = _core.population_loss(w, float(b), truth_json, threads_from_n_jobs(n_jobs))
    return result if return_details else result["value"]


def _truth_text(truth):
    if isinstance(truth, (str, os.PathLike)):
        with open(truth, encoding="utf-8") as f:
            return f.read()
    if isinstance(truth, dict):
        return _truth_to_json(truth)
    raise InputError(f"truth must be a dict or a path, got {type(truth).__name__}")


def score(model, truth, *, n_jobs=None):
    """How far a fitted model is from opt on an instance: the record every relureg report uses.

    Parameters
    ----------
    model : fitted estimator, dict or path-like
        A fitted :class:`ReLURegressor`, :class:`HalfspaceClassifier`, :class:`Net2Regressor` or
        :class:`BinaryActivationRegressor`, a model-file dict (the
        JSON form ``relureg fit`` writes, with its ``"type"``), or a model file's path.
    truth : dict or path-like
        The ground truth returned by :func:`make_instance`, or a ``.truth.json`` file.
    n_jobs : int, default=None
        Engine threads; the result does not depend on it.

    Returns
    -------
    dict
        ``measure`` (``"square loss"``, or ``"0/1 error"`` on a halfspace instance),
        ``population_loss``, ``population_loss_method`` (``exact`` or ``monte-carlo``),
        ``population_loss_stderr``, ``opt``, ``opt_kind``, ``opt_class`` (the class of the
        model that opt is over: ``homogeneous ReLUs`` for a ReLU fitted without bias, ``ReLUs
        with bias``, or the family's model class), ``excess`` and, when opt > 0,
        ``ratio_to_opt``: the same keys as ``relureg evaluate --truth`` and the laboratory's rows.

    Raises
    ------
    ValueError
        If the model cannot be measured on that instance (a halfspace on a square-loss instance,
        or the other way round) or its dimension differs.

    Examples
    --------
    >>> import relureg
    >>> X, y, truth = relureg.make_instance("label-noise", n=1000, d=3, noise=0.1)
    >>> record = relureg.score({"type": "relu", "w": truth["w_star"].tolist()}, truth)
    >>> round(record["ratio_to_opt"], 12)
    1.0
    """
    if isinstance(model, (str, os.PathLike)):
        with open(model, encoding="utf-8") as f:
            model_json = f.read()
    elif isinstance(model, dict):
        model_json = json.dumps(model, default=lambda v: np.asarray(v).tolist())
    elif hasattr(model, "model_") and getattr(model, "_task", None) in ("net2", "binact2", "sim",
                                                                          "piecewise"):
        model_json = json.dumps(model.model_)  # a network estimator keeps its model-file dict
    elif hasattr(model, "coef_"):
        kind = getattr(model, "_task", "relu")
        model_json = json.dumps({"type": kind, "w": np.asarray(model.coef_).ravel().tolist(),
                                 "b": float(np.ravel(model.intercept_)[0])
                                 if np.ndim(model.intercept_) else float(model.intercept_)})
    else:
        raise InputError(
            f"model must be a fitted estimator, a model dict or a path, got {type(model).__name__}")
    return _core.score(model_json, _truth_text(truth), threads_from_n_jobs(n_jobs))
