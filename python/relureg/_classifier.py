"""HalfspaceClassifier: sign(w·x) by the agnostic halfspace learners of the C++ table."""

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets

from ._base import CoreEstimator
from ._errors import InputError
from ._tables import learners


class HalfspaceClassifier(ClassifierMixin, CoreEstimator):
    """Agnostic learning of a homogeneous halfspace ``sign(w·x)`` under 0/1 loss.

    A scikit-learn classifier over relureg's halfspace learners (``hs-average``, ``hs-abl``,
    ``hs-sigmoid``), the direction finders of the Goel–Karmalkar–Klivans 2019 reduction. It works
    with ``clone``, ``Pipeline`` and ``GridSearchCV``; fits are deterministic for a seed and do
    not depend on `n_jobs`.

    Parameters
    ----------
    learner : str, default="hs-abl"
        A halfspace learner of :func:`relureg.learners` (``relureg learners`` lists them).
    bias : bool, default=False
        Must stay False: the halfspace learners fit homogeneous halfspaces.
    n_jobs : int, default=None
        Threads of the engine (see :class:`relureg.ReLURegressor`).
    random_state : int, RandomState instance or None, default=None
        Seeds the learner's random choices; an integer is the seed itself.
    **learner_params : dict
        Parameters of the chosen learner, checked at fit against its table.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two class labels; ``classes_[1]`` is the positive side (w·x >= 0).
    coef_ : ndarray of shape (n_features_in_,)
        The fitted unit normal w.
    intercept_ : float
        Always 0.0 (homogeneous halfspace).
    history_ : ndarray
        Training 0/1 error along the fit.
    n_iter_, n_passes_, stop_reason_, details_, seed_, n_features_in_ :
        As for :class:`relureg.ReLURegressor`.

    Examples
    --------
    >>> import numpy as np, relureg
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((5000, 5)).astype(np.float32)
    >>> y = np.where(X @ np.array([1.0, -1.0, 0.5, 0.0, 0.0]) >= 0, "yes", "no")
    >>> clf = relureg.HalfspaceClassifier(learner="hs-abl", random_state=0).fit(X, y)
    >>> bool(clf.score(X, y) > 0.98)
    True
    """

    _task = "halfspace"

    def __init__(
        self, learner="hs-abl", bias=False, *, n_jobs=None, random_state=None, **learner_params
    ):
        self.learner = learner
        self.bias = bias
        self.n_jobs = n_jobs
        self.random_state = random_state
        self._set_learner_params(learner_params)

    def fit(self, X, y, sample_weight=None):
        """Fit the halfspace learner to X (n_samples × n_features; C-contiguous float32 is used
        without a copy) and labels y of exactly two classes (any values: ``classes_[1]`` becomes
        +1), with one weight >= 0 per row in ``sample_weight`` (None: all 1). Returns the fitted
        estimator; raises ValueError for bad input, labels with other than two classes, or an
        unknown learner or parameter."""
        X, y = self._validate_fit_data(X, y, y_numeric=False)
        check_classification_targets(y)
        classes = np.unique(y)
        if classes.size != 2:
            raise InputError(
                "HalfspaceClassifier needs labels of exactly two classes, got "
                f"{classes.size} class{'' if classes.size == 1 else 'es'}"
            )
        self.classes_ = classes
        signs = np.where(y == classes[1], 1.0, -1.0)
        self._fit_core(X, signs, sample_weight=sample_weight)
        return self

    def decision_function(self, X):
        """The signed distance ``w·x`` (float64, by the engine) of every row of X, an array-like
        of shape (n_samples, n_features_in_); positive means ``classes_[1]``."""
        return self._affine(self._validate_predict_data(X))

    def predict(self, X):
        """The class of every row of X: ``classes_[1]`` where w·x >= 0 (sign(0) = +1, as in the
        CLI), else ``classes_[0]``."""
        return np.where(self.decision_function(X) >= 0, self.classes_[1], self.classes_[0])

    def _more_tags(self):
        # A halfspace separates two classes: scikit-learn's checks then use two-class labels.
        return {"binary_only": True}


def _learner_params_doc():
    return ", ".join(sorted(learners("halfspace")))


HalfspaceClassifier.__doc__ = HalfspaceClassifier.__doc__.replace(
    '(``hs-average``, ``hs-abl``,\n    ``hs-sigmoid``)', "(" + _learner_params_doc() + ")"
)
