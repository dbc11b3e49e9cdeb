"""Estimators for relureg's network models: depth-2 ReLU networks and binary-activation networks."""

import json

from sklearn.base import RegressorMixin

from . import _core
from ._base import CoreEstimator
from ._errors import InputError
from ._tables import learners
from ._validation import threads_from_n_jobs


_FIT_ATTRIBUTES = """    history_, loss_curve_ : list of float
        The training square loss along the fit; ``n_iter_``, ``n_passes_``, ``stop_reason_``,
        ``fit_seconds_``, ``timeline_``, ``learner_params_``, ``details_``, ``seed_`` and
        ``n_features_in_`` are as for :class:`relureg.ReLURegressor`.
"""


def with_fit_attributes(cls):
    """Writes the fitted attributes every network-style estimator shares into cls's docstring."""
    cls.__doc__ = cls.__doc__.replace("{fit_attributes}\n", _FIT_ATTRIBUTES.lstrip(" "))
    return cls


def network_init(default_learner, default_fit_intercept):
    """The scikit-learn constructor of a network-style estimator: the learner and whether it fits
    biases (with the estimator's own defaults), engine threads, seed and the learner's parameters."""

    def __init__(
        self, learner=default_learner, fit_intercept=default_fit_intercept, *, n_jobs=None,
        random_state=None, **learner_params
    ):
        self.learner = learner
        self.fit_intercept = fit_intercept
        self.n_jobs = n_jobs
        self.random_state = random_state
        self._set_learner_params(learner_params)

    return __init__


class _NetworkRegressor(RegressorMixin, CoreEstimator):
    """Shared by the network regressors: fit through the core, predict from the model file."""

    _fitted_attribute = "model_"

    def _fit_intercept(self):
        return bool(self.fit_intercept)

    def _check_learner(self):
        self._check_learner_name()
        if not isinstance(self.fit_intercept, bool):
            raise InputError(f"fit_intercept must be True or False, got {self.fit_intercept!r}")

    def _learner_params_for(self, n_features):
        return self._given_learner_params()

    def fit(self, X, y, sample_weight=None):
        """Fit the network learner to X and y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training features; C-contiguous float32 is used without a copy.
        y : array-like of shape (n_samples,)
            Real labels.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            One weight >= 0 per row (None: all 1); a weight of 2 acts as the row duplicated.

        Returns
        -------
        self : estimator
            The fitted estimator.

        Raises
        ------
        ValueError
            For bad input or an unknown learner or learner parameter.
        """
        X, y = self._validate_fit_data(X, y)
        self._check_learner()
        self._fit_core(
            X, y, params=self._learner_params_for(X.shape[1]), sample_weight=sample_weight
        )
        self.n_iter_ = max(len(self.history_) - 1, 0)
        self.loss_curve_ = [float(v) for v in self.history_]
        return self

    def predict(self, X):
        """The model's output (float64) for every row of X, an array-like of shape
        (n_samples, n_features_in_); equal to what ``relureg predict`` writes."""
        X = self._validate_predict_data(X)
        return _core.predict_model(X, json.dumps(self.model_), threads_from_n_jobs(self.n_jobs))

    def _more_tags(self):
        # check_regressors_train's centred linear targets are half negative; small networks of
        # ReLU or binary units reach R² > 0.5 on them only sometimes.
        return {"poor_score": True}


@with_fit_attributes
class Net2Regressor(_NetworkRegressor):
    """A depth-2 ReLU network ``Σ_j a_j ReLU(w_j·x + b_j) + c`` fitted by the square loss.

    A scikit-learn regressor over relureg's ``net2`` learners: ``net2-gd`` (gradient descent
    with Adam and restarts) and ``net2-enum`` (the enumeration learner of Goel, Klivans,
    Manurangsi and Reichman 2021, exponential in the number of units). Fits are deterministic for
    a seed and equal those of ``relureg fit --learner L --seed S``.

    Parameters
    ----------
    learner : {"net2-gd", "net2-enum"}, default="net2-gd"
        The network learner (``relureg learners`` lists their parameters).
    fit_intercept : bool, default=True
        Fit hidden and output biases (``relureg fit --bias``).
    n_jobs : int, default=None
        Threads of the engine (see :class:`relureg.ReLURegressor`).
    random_state : int, RandomState instance or None, default=None
        Seeds the learner's random choices; an integer is the seed itself.
    **learner_params : dict
        Parameters of the chosen learner, e.g. ``units=3``, checked at fit against its table.

    Attributes
    ----------
    model_ : dict
        The fitted network, as in the CLI's model file (``type`` "net2", hidden weights, output
        weights and biases).
    {fit_attributes}

    Examples
    --------
    >>> import relureg
    >>> X, y, truth = relureg.make_instance("teacher-net2", n=4000, d=4, seed=1)
    >>> net = relureg.Net2Regressor(units=3, random_state=0).fit(X, y)
    >>> bool(relureg.score(net, truth)["ratio_to_opt"] < 1.05)  # population loss near opt
    True
    """

    _task = "net2"

    __init__ = network_init("net2-gd", True)


@with_fit_attributes
class BinaryActivationRegressor(_NetworkRegressor):
    """A two-layer network of binary (step) units over non-overlapping patches, by ``ste-cgd``.

    Coarse gradient descent with a straight-through estimator (Yin, Lyu, Zhang, Osher, Qi and
    Xin 2019): the model is ``Σ_j v_j 1[w·x_(j) > 0]`` over the `patches` blocks x_(j) of x.
    Fits are deterministic for a seed and equal those of ``relureg fit --learner ste-cgd``.

    Parameters
    ----------
    learner : {"ste-cgd"}, default="ste-cgd"
        The binary-activation learner.
    fit_intercept : bool, default=False
        Passed to the learner as ``--bias`` is; ``ste-cgd``'s model has no biases.
    n_jobs : int, default=None
        Threads of the engine (see :class:`relureg.ReLURegressor`).
    random_state : int, RandomState instance or None, default=None
        Seeds the learner's random choices; an integer is the seed itself.
    **learner_params : dict
        Parameters of ``ste-cgd`` (``patches``, ``ste``, ``step``, ``batch``, ...). When
        ``patches`` is not given, the largest of 4, 2, 1 that divides the number of features is
        used (the learner needs d to be a multiple of it).

    Attributes
    ----------
    model_ : dict
        The fitted network, as in the CLI's model file (``type`` "binact2").
    {fit_attributes}

    Examples
    --------
    >>> import relureg
    >>> X, y, truth = relureg.make_instance("binact-teacher", n=4000, d=8, seed=1)
    >>> net = relureg.BinaryActivationRegressor(random_state=0).fit(X, y)
    >>> net.model_["type"]
    'binact2'
    """

    _task = "binact2"

    __init__ = network_init("ste-cgd", False)

    def _learner_params_for(self, n_features):
        params = self._given_learner_params()
        if params.get("patches") is None and "patches" in learners()[self.learner].params:
            params["patches"] = next(m for m in (4, 2, 1) if n_features % m == 0)
        return params
