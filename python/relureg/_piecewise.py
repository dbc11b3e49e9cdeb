"""PiecewiseRegressor: the improper predictor of DGKKS20's approximation scheme (learner ptas)."""

import numpy as np

from ._networks import _NetworkRegressor


class PiecewiseRegressor(_NetworkRegressor):
    """ReLU regression by DGKKS20's approximation scheme: a piecewise, improper predictor.

    A scikit-learn regressor over relureg's ``piecewise`` learner ``ptas`` (Diakonikolas, Goel,
    Karmalkar, Klivans and Soltanolkotabi, COLT 2020, Algorithm 2): a constant-factor start gives
    a split z = w·x + b; the prediction is 0 for z < -t, a polynomial of degree ceil(1/eta^3) in
    the band |z| <= t, and a least-squares linear function above it. Its loss is compared with the
    opt over ReLUs; its cost grows exponentially in 1/eta, and a fit whose estimated time exceeds
    ``max_seconds`` is refused before it starts. Fits equal those of ``relureg fit --learner
    ptas``.

    Parameters
    ----------
    learner : {"ptas"}, default="ptas"
        The learner (``relureg learners`` lists its parameters).
    fit_intercept : bool, default=True
        Whether the split (and the start) fits a bias b.
    n_jobs : int, default=None
        Threads of the engine (see :class:`relureg.ReLURegressor`).
    random_state : int, RandomState instance or None, default=None
        Passed to the learner (and its start) as the seed.
    **learner_params : dict
        Parameters of the learner, e.g. ``eta=0.5``, ``degree=3``, ``max_seconds=60``.

    Attributes
    ----------
    model_ : dict
        The fitted model, as in the CLI's model file: ``type`` "piecewise", the split ``w``,
        ``b``, the band half-width ``band``, the polynomial's ``frame``, ``degree`` and ``coef``,
        and the linear part ``w_pos``, ``b_pos`` above the band.
    coef_ : ndarray of shape (n_features,)
        The split direction w.
    history_, loss_curve_ : training square loss (the start's, then the final model's).
    n_iter_, n_passes_, stop_reason_, fit_seconds_, timeline_, learner_params_, details_, seed_ :
        As for :class:`relureg.ReLURegressor`; ``details_["estimate"]`` is the cost estimate.
    n_features_in_ : int
        Number of features seen during fit.

    Examples
    --------
    >>> import numpy as np, relureg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((5000, 3)).astype(np.float32)
    >>> y = np.maximum(X @ np.array([0.6, 0.8, 0.0]), 0)
    >>> model = relureg.PiecewiseRegressor(degree=2).fit(X, y)
    >>> bool(np.mean((model.predict(X) - y) ** 2) < 1e-3)
    True
    """

    _task = "piecewise"

    def __init__(
        self, learner="ptas", fit_intercept=True, *, n_jobs=None, random_state=None,
        **learner_params
    ):
        self.learner = learner
        self.fit_intercept = fit_intercept
        self.n_jobs = n_jobs
        self.random_state = random_state
        self._set_learner_params(learner_params)

    def fit(self, X, y):
        """Fit the scheme to X and y (see :meth:`Net2Regressor.fit`)."""
        super().fit(X, y)
        self.coef_ = np.asarray(self.model_["w"], dtype=np.float64)
        return self
