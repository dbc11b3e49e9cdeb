"""ReLURegressor: fit max(0, w·x + b) with any ReLU learner of the C++ table, sklearn style."""

import math
import warnings

import numpy as np
from sklearn.base import RegressorMixin

from . import _core
from ._base import CoreEstimator
from ._errors import DeadReLUWarning, InputError
from ._tables import learners
from ._validation import threads_from_n_jobs

# Learners that continue from the previous fit when warm_start=True (the others refit).
WARM_STARTABLE = ("gd", "glmtron")


class ReLURegressor(RegressorMixin, CoreEstimator):
    """Agnostic ReLU regression: fit ``max(0, w·x + b)`` minimising the square loss.

    A scikit-learn estimator over relureg's C++ learners: it works with ``clone``,
    ``Pipeline`` and ``GridSearchCV``. Fits read the data through relureg's deterministic
    parallel engine, so the weights do not depend on `n_jobs` and equal, bit for bit, those of
    ``relureg fit --learner L --seed S`` (with ``--bias`` when an intercept is fitted) on the
    same data. The GIL is released during fits.

    Parameters
    ----------
    learner : str, default="auto"
        A ReLU learner of :func:`relureg.learners` (``relureg learners`` on the command line), or
        ``"auto"``: fit ``glmtron`` and ``gd`` (each with its defaults and the learner parameters
        it accepts) and keep the one with the lower training loss; when that fit is dead (no
        training row active), also fit ``gd`` with ``init="moment"`` and keep it if its loss is
        lower. The training loss of ``"auto"`` is therefore never above the better of ``gd`` and
        ``glmtron``; it costs both fits. ``learner_`` names the learner kept.
    fit_intercept : bool, default=True
        Fit a bias b, as scikit-learn's linear models do. ``fit_intercept=False`` fixes b = 0:
        the homogeneous ReLU of Goel–Karmalkar–Klivans 2019 (and the command line's default).
    bias : bool or None, default=None
        The older name of `fit_intercept`; when given it takes precedence.
    standardize : bool, default=True
        When an intercept is fitted, ``gd`` and ``glmtron`` descend in standardised coordinates
        (features centred and scaled to unit variance, computed by two passes of the engine; no
        copy of X), so the fit does not depend on the features' means and scales. ``coef_`` and
        ``intercept_`` are in the units of X either way. Without an intercept it has no effect.
    warm_start : bool, default=False
        Start the next ``fit`` from the current ``coef_`` and ``intercept_`` (``gd`` and
        ``glmtron``; the other learners refit from scratch). ``loss_curve_`` and ``n_iter_`` then
        continue across fits, as in scikit-learn's ``MLPRegressor``.
    n_jobs : int, default=None
        Threads of the engine. None: OpenMP's default (every core unless ``OMP_NUM_THREADS`` or
        threadpoolctl limits it); -1: every core; -k: every core but k - 1. Results do not
        depend on it.
    random_state : int, RandomState instance or None, default=None
        Seeds every random choice of the learner (e.g. ``gd`` with ``init="random"``). An integer
        is used as the seed itself, like the CLI's ``--seed``; None draws a seed from numpy's
        global generator at each fit.
    **learner_params : dict
        Parameters of the chosen learner, checked at fit against its table (an unknown name or
        a value out of range raises :class:`relureg.InputError`). A parameter set to None uses
        the learner's default. The ReLU learners and their parameters:

@LEARNER_PARAMS@

    Attributes
    ----------
    coef_ : ndarray of shape (n_features_in_,)
        The fitted weights w (float64), in the units of X.
    intercept_ : float
        The fitted bias b (0.0 when no intercept is fitted).
    learner_ : str
        The learner that produced the fit (the one chosen when ``learner="auto"``).
    history_ : ndarray of shape (n_iter_ + 1,)
        Training square loss at the starting point and after every iteration of the last fit.
    loss_curve_ : list of float
        Training square loss after every iteration, continued across warm-started fits.
    n_iter_ : int
        Iterations run (0 for closed-form learners such as ``moment``), summed over
        warm-started fits.
    n_passes_ : int
        Passes over the data made by the fit.
    stop_reason_ : str
        Why the fit stopped: ``converged``, ``max_passes``, ``closed_form``, ...
    fit_seconds_ : float
        Wall time of the fit in the core.
    timeline_ : dict
        When the last fit reported its progress: ``"passes"`` (passes made by each report) and
        ``"seconds"`` (since the fit started), arrays of equal length; the difference of two
        reports is the time of the passes between them (``metrics.timeline`` of the CLI).
    learner_params_ : dict
        Every parameter of the learner as used, defaults included.
    details_ : dict
        Learner-specific details of the fit (e.g. the final step size).
    seed_ : int
        The seed the learner received (from `random_state`).
    active_fraction_ : float
        Fraction of the training rows where the fitted ReLU is active (w·x + b > 0). At 0 the
        neuron is dead (it predicts 0 everywhere) and fit warns with :class:`DeadReLUWarning`.
    init_moment_correlation_ : float
        Cosine, in standardised feature units, between the learner's starting point and the
        moment direction cov(x, y) (the direction a descent from zero first follows): near 1 a
        start aligned with the labels, at or below 0 a start likely to die. NaN when the learner
        starts from zero or has no starting point (closed-form and search learners).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit, when X had string column names (a pandas
        DataFrame); predict then checks them.

    See Also
    --------
    relureg.make_instance : Instances with known ground truth and optimal loss.
    relureg.population_loss : Population loss of fitted weights on an instance's distribution.

    Notes
    -----
    X is used without a copy when it is a C-contiguous float32 array; anything else (float64,
    Fortran order, lists, DataFrames) is converted once to that layout. Sparse input is
    rejected. ``score`` returns the coefficient of determination R² (scikit-learn's
    convention for regressors); the mean square loss is ``((predict(X) - y) ** 2).mean()``.
    ``fit(X, y, sample_weight)`` weighs every pass of the learner over the rows: a weight of 2
    acts as the row given twice and 0 as the row left out. The learners that take weights are
    ``relureg.learners()[name].takes_weights``; the others raise a one-line ValueError.

    Examples
    --------
    >>> import relureg
    >>> X, y, truth = relureg.make_instance("realizable", n=2000, d=5, seed=1)
    >>> model = relureg.ReLURegressor(learner="gd", fit_intercept=False, step=1.0).fit(X, y)
    >>> bool(abs(model.coef_ - truth["w_star"]).max() < 1e-3)
    True
    """

    _task = "relu"

    def __init__(
        self,
        learner="auto",
        fit_intercept=True,
        *,
        bias=None,
        standardize=True,
        warm_start=False,
        n_jobs=None,
        random_state=None,
        **learner_params,
    ):
        self.learner = learner
        self.fit_intercept = fit_intercept
        self.bias = bias
        self.standardize = standardize
        self.warm_start = warm_start
        self.n_jobs = n_jobs
        self.random_state = random_state
        self._set_learner_params(learner_params)

    def _fit_intercept(self):
        return bool(self.fit_intercept if self.bias is None else self.bias)

    def _check_learner(self):
        if self.learner != "auto":
            self._check_learner_name()
        for name in ("fit_intercept", "standardize", "warm_start"):
            value = getattr(self, name)
            if not isinstance(value, (bool, np.bool_)):
                raise InputError(f"{name} must be True or False, got {value!r}")
        if self.bias is not None and not isinstance(self.bias, (bool, np.bool_)):
            raise InputError(f"bias must be True or False, got {self.bias!r}")

    def fit(self, X, y, sample_weight=None):
        """Fit the learner to X and y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training features (a pandas DataFrame keeps its column names in
            ``feature_names_in_``); C-contiguous float32 is used without a copy.
        y : array-like of shape (n_samples,)
            Real labels (any values: the problem is agnostic).
        sample_weight : array-like of shape (n_samples,) or None, default=None
            One weight >= 0 per row (None: all 1). Every pass weighs the rows, so a weight of 2
            equals the row duplicated and 0 the row removed.

        Returns
        -------
        self : ReLURegressor
            The fitted estimator.

        Raises
        ------
        ValueError
            For bad input: wrong shapes, NaN or infinite values, sparse X, an unknown learner
            or learner parameter (:class:`relureg.InputError`, a ValueError subclass).
        FloatingPointError
            If the learner diverged (:class:`relureg.DivergenceError`).

        Warns
        -----
        DeadReLUWarning
            When the fitted ReLU is inactive on every training row.
        """
        self._check_learner()
        warm = None
        if (
            self.warm_start
            and hasattr(self, "coef_")
            and getattr(self, "learner_", None) in WARM_STARTABLE
            and (self.learner == "auto" or self.learner == self.learner_)
        ):
            warm = (self.coef_, self.intercept_)
        previous_curve = list(getattr(self, "loss_curve_", [])) if warm is not None else []
        previous_iter = getattr(self, "n_iter_", 0) if warm is not None else 0
        X, y = self._validate_fit_data(X, y)
        if warm is not None and X.shape[1] != len(warm[0]):
            warm, previous_curve, previous_iter = None, [], 0
        standardize = bool(self.standardize) and self._fit_intercept()
        if self.learner != "auto":
            self._fit_one(
                X, y, self.learner, self._given_learner_params(), standardize, warm, sample_weight
            )
        elif warm is not None:
            self._fit_one(
                X, y, self.learner_, self._params_for(self.learner_), standardize, warm,
                sample_weight,
            )
        else:
            self._fit_auto(X, y, standardize, sample_weight)
        self.loss_curve_ = previous_curve + [float(v) for v in self.history_[1:]]
        if not previous_curve and len(self.history_):
            self.loss_curve_ = [float(self.history_[0])] + self.loss_curve_
        self.n_iter_ += previous_iter
        if self.active_fraction_ == 0:
            warnings.warn(
                f"ReLURegressor: the fitted ReLU (learner '{self.learner_}') is inactive on all "
                f"{X.shape[0]} training rows, so it predicts 0 everywhere (a dead neuron). Try "
                "learner='auto' or learner='gd' with init='moment', fit_intercept=True, or check "
                "that the labels are not mostly negative (a ReLU's output is >= 0).",
                DeadReLUWarning,
                stacklevel=2,
            )
        return self

    def _params_for(self, learner):
        """The given learner parameters that `learner` accepts (for learner="auto")."""
        accepted = learners()[learner].params
        return {k: v for k, v in self._given_learner_params().items() if k in accepted}

    def _fit_one(self, X, y, learner, params, standardize, warm, sample_weight=None):
        result = self._fit_core(X, y, learner, standardize, warm, params, sample_weight)
        self.learner_ = result["learner"]
        self.active_fraction_ = float(result["active_fraction"])
        start = None
        if warm is not None:
            start = np.asarray(warm[0], dtype=np.float64)
        elif "initial_w" in self.details_:
            start = np.asarray(self.details_["initial_w"], dtype=np.float64)
        self.init_moment_correlation_ = math.nan
        if start is not None:  # one more pass, only when there is a starting point to compare
            labels = np.ascontiguousarray(y, dtype=np.float64)
            moment, scale = _core.moment_direction(X, labels, threads_from_n_jobs(self.n_jobs))
            self.init_moment_correlation_ = _cosine(start * scale, moment)
        return result

    def _fit_auto(self, X, y, standardize, sample_weight=None):
        # The rule is the C++ library's (relureg fit --learner auto runs the same code).
        self._fit_one(
            X, y, "auto", self._given_learner_params(), standardize, None, sample_weight
        )

    def predict(self, X):
        """Predict ``max(0, w·x + b)`` for every row of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_in_)
            Features; C-contiguous float32 is used without a copy.

        Returns
        -------
        ndarray of shape (n_samples,)
            The predictions (float64), equal to those of ``relureg predict``.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the estimator is not fitted.
        ValueError
            If X has NaN/inf values, is sparse or has a different number of features than at fit.
        """
        X = self._validate_predict_data(X)
        return _core.predict(X, self.coef_, self.intercept_, threads_from_n_jobs(self.n_jobs))

    def _more_tags(self):
        # scikit-learn's check_regressors_train asks R² > 0.5 on centred linear targets, which
        # half of the time are negative: a single ReLU cannot fit them (its outputs are >= 0).
        return {"poor_score": True}


def _cosine(a, b):
    norms = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.dot(a, b) / norms) if norms > 0 else math.nan


def _learner_params_doc():
    lines = []
    for info in learners("relu").values():
        lines.append(f"        - ``{info.name}``: {info.description}.")
        for p in info.params.values():
            lines.append(
                f"            ``{p.name}`` = {p.default!r} in {p.range_text}: {p.description}"
            )
    return "\n".join(lines)


ReLURegressor.__doc__ = ReLURegressor.__doc__.replace("@LEARNER_PARAMS@", _learner_params_doc())
