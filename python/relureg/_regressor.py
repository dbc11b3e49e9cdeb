"""ReLURegressor: fit max(0, w·x + b) with any ReLU learner of the C++ table, sklearn style."""

from sklearn.base import RegressorMixin

from . import _core
from ._base import CoreEstimator
from ._tables import learners
from ._validation import threads_from_n_jobs


class ReLURegressor(RegressorMixin, CoreEstimator):
    """Agnostic ReLU regression: fit ``max(0, w·x + b)`` minimising the square loss.

    A scikit-learn estimator over relureg's C++ learners: it works with ``clone``,
    ``Pipeline`` and ``GridSearchCV``. Fits read the data through relureg's deterministic
    parallel engine, so the weights do not depend on `n_jobs` and equal, bit for bit, those of
    ``relureg fit --learner L --seed S`` on the same data. The GIL is released during fits.

    Parameters
    ----------
    learner : str, default="glmtron"
        A ReLU learner of :func:`relureg.learners` (``relureg learners`` on the command line).
    bias : bool, default=False
        Fit a bias b. When False, b = 0 (the homogeneous ReLU of Goel–Karmalkar–Klivans 2019).
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
        The fitted weights w (float64).
    intercept_ : float
        The fitted bias b (0.0 when ``bias=False``).
    history_ : ndarray of shape (n_iter_ + 1,)
        Training square loss at the starting point and after every iteration.
    n_iter_ : int
        Iterations run (0 for closed-form learners such as ``moment``).
    n_passes_ : int
        Passes over the data made by the fit.
    stop_reason_ : str
        Why the fit stopped: ``converged``, ``max_passes``, ``closed_form``, ...
    fit_seconds_ : float
        Wall time of the fit in the core.
    learner_params_ : dict
        Every parameter of the learner as used, defaults included.
    details_ : dict
        Learner-specific details of the fit (e.g. the final step size).
    seed_ : int
        The seed the learner received (from `random_state`).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit, when X had string column names.

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

    Examples
    --------
    >>> import relureg
    >>> X, y, truth = relureg.make_instance("realizable", n=2000, d=5, seed=1)
    >>> model = relureg.ReLURegressor(learner="gd", step=1.0).fit(X, y)
    >>> bool(abs(model.coef_ - truth["w_star"]).max() < 1e-3)
    True
    """

    _task = "relu"

    def __init__(
        self, learner="glmtron", bias=False, *, n_jobs=None, random_state=None, **learner_params
    ):
        self.learner = learner
        self.bias = bias
        self.n_jobs = n_jobs
        self.random_state = random_state
        self._set_learner_params(learner_params)

    def fit(self, X, y):
        """Fit the learner to X and y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training features; C-contiguous float32 is used without a copy.
        y : array-like of shape (n_samples,)
            Real labels (any values: the problem is agnostic).

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
        """
        X, y = self._validate_fit_data(X, y)
        self._fit_core(X, y)
        return self

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
