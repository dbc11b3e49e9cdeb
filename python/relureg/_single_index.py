"""SingleIndexRegressor: g(w·x) with an unknown non-decreasing link, by isotron or l-isotron."""

import numpy as np

from ._networks import _NetworkRegressor, network_init, with_fit_attributes


@with_fit_attributes
class SingleIndexRegressor(_NetworkRegressor):
    """A single-index model ``g(w·x)`` with an unknown non-decreasing piecewise-linear link.

    A scikit-learn regressor over relureg's ``sim`` learners: ``isotron`` (Kalai and Sastry
    2009: isotonic regression of y on w·x alternating with perceptron-like steps) and
    ``l-isotron`` (Kakade, Kanade, Shamir and Kalai 2011: the same with a Lipschitz link). A ReLU
    is a special case, so the loss is comparable with the opt over ReLUs. Fits are deterministic
    and equal those of ``relureg fit --learner L``.

    Parameters
    ----------
    learner : {"isotron", "l-isotron"}, default="isotron"
        The single-index learner (``relureg learners`` lists their parameters).
    fit_intercept : bool, default=False
        Must stay False: the link absorbs any offset, and the learners refuse ``--bias``.
    n_jobs : int, default=None
        Threads of the engine (see :class:`relureg.ReLURegressor`).
    random_state : int, RandomState instance or None, default=None
        Passed to the learner as its seed (the Isotron loop makes no random choice).
    **learner_params : dict
        Parameters of the chosen learner, e.g. ``lipschitz=2.0``, checked at fit.

    Attributes
    ----------
    model_ : dict
        The fitted model, as in the CLI's model file: ``type`` "sim", the unit direction ``w``,
        the link's ``knots`` (increasing) and ``values`` (non-decreasing); the link is linear
        between knots and constant beyond them.
    coef_ : ndarray of shape (n_features,)
        The unit direction w.
    {fit_attributes}

    Examples
    --------
    >>> import numpy as np, relureg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((5000, 3)).astype(np.float32)
    >>> y = np.log1p(np.exp(X @ np.array([0.6, 0.8, 0.0])))
    >>> model = relureg.SingleIndexRegressor().fit(X, y)
    >>> bool(np.abs(model.coef_ - [0.6, 0.8, 0.0]).max() < 0.05)
    True
    """

    _task = "sim"

    __init__ = network_init("isotron", False)

    def fit(self, X, y):
        """Fit the single-index learner to X and y (see :meth:`Net2Regressor.fit`)."""
        super().fit(X, y)
        self.coef_ = np.asarray(self.model_["w"], dtype=np.float64)
        return self
