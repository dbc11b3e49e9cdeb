"""relureg: learn a ReLU max(0, w·x + b) from samples with arbitrary labels.

The Python face of relureg's C++ core (agnostic ReLU regression):

- :class:`ReLURegressor`, a scikit-learn estimator over every ReLU learner of the core,
  :class:`HalfspaceClassifier` over its agnostic halfspace learners, and the network regressors
  :class:`Net2Regressor` (depth-2 ReLU networks) and :class:`BinaryActivationRegressor`, and
  :class:`SingleIndexRegressor` (g(w·x) with an unknown monotone link: isotron, l-isotron), and
  :class:`PiecewiseRegressor` (the improper predictor of DGKKS20's approximation scheme, ptas);
- :func:`make_instance`, :func:`population_loss` and :func:`score`: instances whose optimal loss
  ``opt`` is known, the population loss of any ReLU on them, and the score record (population
  loss, opt, excess, ratio_to_opt) of a fitted model;
- :func:`learners` and :func:`families`: the core's tables with every parameter;
- :func:`tradeoff`: the time/accuracy laboratory, results as a pandas DataFrame, and
  :mod:`relureg.plot` to draw its figures (loaded on first use: it imports matplotlib);
- :class:`InputError` (a ValueError) and :class:`DivergenceError` (a FloatingPointError).

Examples
--------
>>> import relureg
>>> X, y, truth = relureg.make_instance("label-noise", n=20000, d=10, seed=0)
>>> model = relureg.ReLURegressor(learner="glmtron").fit(X, y)
>>> loss = relureg.population_loss(model.coef_, model.intercept_, truth)
>>> bool(loss <= 1.05 * truth["opt"])
True
"""

try:
    from ._core import __version__
except ImportError as error:  # e.g. python/relureg from the source tree, or another interpreter
    raise ImportError(
        "relureg's compiled module _core is missing or was built for another Python: build with "
        "`cmake -S . -B build && cmake --build build` and run "
        "`PYTHONPATH=build/python /usr/bin/python3` (see docs/python.md)"
    ) from error
from ._classifier import HalfspaceClassifier
from ._errors import DeadReLUWarning, DivergenceError, InputError
from ._instances import make_instance, population_loss, score
from ._networks import BinaryActivationRegressor, Net2Regressor
from ._piecewise import PiecewiseRegressor
from ._regressor import ReLURegressor
from ._single_index import SingleIndexRegressor
from ._tables import FamilyInfo, LearnerInfo, ParamInfo, families, learners
from ._tradeoff import default_tradeoff_config, tradeoff


def __getattr__(name):
    # relureg.plot is imported on first use so that `import relureg` does not load matplotlib.
    if name == "plot":
        import importlib

        return importlib.import_module(".plot", __name__)
    raise AttributeError(f"module 'relureg' has no attribute {name!r}")


__all__ = [
    "BinaryActivationRegressor",
    "DivergenceError",
    "FamilyInfo",
    "HalfspaceClassifier",
    "InputError",
    "LearnerInfo",
    "Net2Regressor",
    "ParamInfo",
    "PiecewiseRegressor",
    "ReLURegressor",
    "SingleIndexRegressor",
    "__version__",
    "default_tradeoff_config",
    "families",
    "learners",
    "make_instance",
    "population_loss",
    "score",
    "tradeoff",
]
