"""The scikit-learn base shared by relureg's estimators: learner parameters, fitting, checks."""

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from . import _core
from ._errors import InputError
from ._tables import learners
from ._validation import (
    param_texts,
    reject_sparse,
    seed_from_random_state,
    threads_from_n_jobs,
)


class CoreEstimator(BaseEstimator):
    """Base class of the estimators that fit a learner of the C++ learner table.

    A subclass sets ``_task`` (``"relu"`` or ``"halfspace"``: which learners it accepts) and an
    ``__init__`` that names ``learner``, ``bias``, ``n_jobs`` and ``random_state`` explicitly,
    takes ``**learner_params`` and calls :meth:`_set_learner_params` with them. This class then
    provides ``get_params``/``set_params`` that include the learner parameters (so ``clone``,
    ``Pipeline`` and ``GridSearchCV`` see them), scikit-learn style input checks, the fit through
    the core and the fitted attributes ``coef_``, ``intercept_``, ``history_``, ``n_iter_``.
    """

    _task = None

    # --- learner parameters ---------------------------------------------------------------
    @classmethod
    def _learner_param_names(cls):
        """Every parameter name of the learners of this estimator's task, in table order."""
        names = {}
        for info in learners(cls._task).values():
            names.update(dict.fromkeys(info.params))
        return list(names)

    def _set_learner_params(self, learner_params):
        known = self._learner_param_names()
        for name, value in learner_params.items():
            if name not in known:
                raise TypeError(
                    f"{type(self).__name__} got an unexpected keyword argument '{name}': it is "
                    f"not a parameter of any {self._task} learner (known: {', '.join(known)})"
                )
            setattr(self, name, value)

    def _given_learner_params(self):
        return {n: self.__dict__[n] for n in self._learner_param_names() if n in self.__dict__}

    def get_params(self, deep=True):
        """Get the parameters of this estimator, learner parameters included.

        Parameters
        ----------
        deep : bool, default=True
            Unused (relureg estimators contain no sub-estimators); kept for scikit-learn.

        Returns
        -------
        dict
            ``learner``, ``bias``, ``n_jobs``, ``random_state`` and every learner parameter that
            was given (at construction or by ``set_params``).
        """
        params = super().get_params(deep=deep)
        params.update(self._given_learner_params())
        return params

    def set_params(self, **params):
        """Set parameters, learner parameters included.

        Parameters
        ----------
        **params : dict
            Estimator parameters (``learner``, ``bias``, ``n_jobs``, ``random_state``) and
            parameters of any learner of this estimator's task. A learner parameter set to None
            falls back to the learner's default.

        Returns
        -------
        self : estimator
            This estimator.

        Raises
        ------
        ValueError
            If a name is neither an estimator parameter nor a parameter of any learner.
        """
        own = set(self._get_param_names())
        known = own | set(self._learner_param_names())
        for name in params:
            if name not in known:
                raise ValueError(
                    f"Invalid parameter {name!r} for estimator {self}. "
                    f"Valid parameters are: {sorted(known)!r}."
                )
        super().set_params(**{k: v for k, v in params.items() if k in own})
        for name, value in params.items():
            if name not in own:
                setattr(self, name, value)
        return self

    # --- checks ---------------------------------------------------------------------------
    def _check_learner(self):
        self._check_learner_name()
        if not isinstance(self.bias, (bool, np.bool_)):
            raise InputError(f"bias must be True or False, got {self.bias!r}")

    def _check_learner_name(self):
        table = learners()
        mine = [name for name, info in table.items() if info.task == self._task]
        if not isinstance(self.learner, str) or self.learner not in table:
            raise InputError(
                f"unknown learner {self.learner!r} for {type(self).__name__} "
                f"(choose one of: {', '.join(mine)})"
            )
        if table[self.learner].task != self._task:
            raise InputError(
                f"learner '{self.learner}' learns a {table[self.learner].task}, not a "
                f"{self._task}; {type(self).__name__} takes one of: {', '.join(mine)}"
            )

    def _validate_fit_data(self, X, y, y_numeric=True):
        """X as C-contiguous float32 (no copy when it already is) and y as float64."""
        reject_sparse(X, type(self).__name__)
        X, y = self._validate_data(
            X, y, dtype=np.float32, order="C", y_numeric=y_numeric, ensure_min_samples=1
        )
        return X, y

    _fitted_attribute = "coef_"

    def _validate_predict_data(self, X):
        check_is_fitted(self, self._fitted_attribute)
        reject_sparse(X, type(self).__name__)
        return self._validate_data(X, dtype=np.float32, order="C", reset=False)

    # --- the core -------------------------------------------------------------------------
    def _fit_intercept(self):
        """Whether to fit the bias b (subclasses name the parameter that says so)."""
        return bool(self.bias)

    def _fit_core(
        self, X, y, learner=None, standardize=False, initial=None, params=None, sample_weight=None
    ):
        """Fit the learner on validated X (float32, C order) and labels y; set fitted attributes.

        `learner` and `params` default to the estimator's; `initial` is a warm start (coef,
        intercept); `sample_weight` one weight >= 0 per row (checked by the core). Returns the core's result dict (weights, history, passes, details, buffer
        addresses, diagnostics).
        """
        self._check_learner()
        learner = self.learner if learner is None else learner
        params = self._given_learner_params() if params is None else params
        y = np.ascontiguousarray(y, dtype=np.float64)
        seed = seed_from_random_state(self.random_state)
        warm = () if initial is None else (np.asarray(initial[0], dtype=np.float64),
                                           float(initial[1]))
        result = _core.fit(
            X,
            y,
            learner,
            param_texts(params),
            self._fit_intercept(),
            seed,
            threads_from_n_jobs(self.n_jobs),
            bool(standardize),
            *(warm if warm else (None, 0.0)),
            _sample_weight_array(sample_weight, X.shape[0]),
        )
        if self._task in ("relu", "halfspace"):
            self.coef_ = result["w"]
            self.intercept_ = float(result["b"])
        self.model_ = result["model"]
        self.history_ = result["loss_history"]
        self.n_iter_ = max(len(self.history_) - 1, 0)
        self.n_passes_ = int(result["passes"])
        self.stop_reason_ = result["stop_reason"]
        self.fit_seconds_ = float(result["seconds"])
        self.timeline_ = {"passes": result["timeline_passes"],
                          "seconds": result["timeline_seconds"]}
        table = learners()[result["learner"]].params
        self.learner_params_ = {
            name: float(value) if table[name].kind == "real" else value  # "inf" -> inf
            for name, value in result["params"].items()
        }
        self.details_ = result["details"]
        self.seed_ = seed
        return result

    def _affine(self, X):
        """w·x + b for every row of validated X, through the engine (float32 x, double sums)."""
        return _core.affine(X, self.coef_, self.intercept_, threads_from_n_jobs(self.n_jobs))


def _sample_weight_array(sample_weight, n_rows):
    """sample_weight as a float64 array for the core (None stays None; a number is every row's)."""
    if sample_weight is None:
        return None
    if np.isscalar(sample_weight):
        return np.full(n_rows, float(sample_weight))
    try:
        return np.ascontiguousarray(np.asarray(sample_weight, dtype=np.float64))
    except (TypeError, ValueError) as error:
        raise InputError(f"sample_weight must be numbers, one per row of X ({error})") from None
