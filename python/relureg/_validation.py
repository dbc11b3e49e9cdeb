"""Checks and conversions shared by the estimators and the instance functions."""

import math
import numbers
import os
import warnings

import numpy as np
import scipy.sparse
from sklearn.utils import check_random_state

from ._errors import InputError

_MAX_SEED = 2**64 - 1


def threads_from_n_jobs(n_jobs):
    """The engine's thread count for a scikit-learn style `n_jobs`.

    Counts above the core's bound (a few threads per core) are reduced to it with a warning.
    None means the engine's default: OpenMP's thread count (every core unless OMP_NUM_THREADS or
    threadpoolctl limits it); -1 means every core; -k means every core but k - 1.
    """
    if n_jobs is None:
        return 0
    if isinstance(n_jobs, (bool, np.bool_)) or not isinstance(n_jobs, numbers.Integral):
        raise InputError(f"n_jobs must be None or a non-zero integer, got {n_jobs!r}")
    n_jobs = int(n_jobs)
    if n_jobs == 0:
        raise InputError("n_jobs must be None or a non-zero integer, got 0")
    if n_jobs > 0:
        return _clamped(n_jobs)
    return max(1, len(os.sched_getaffinity(0)) + 1 + n_jobs)


def _clamped(n_jobs):
    """At most the core's thread bound (a few per core), with a RuntimeWarning when reduced."""
    from . import _core  # imported here: the package imports this module before _core

    limit = _core.max_threads()
    if n_jobs <= limit:
        return n_jobs
    cores = len(os.sched_getaffinity(0))
    warnings.warn(
        f"n_jobs={n_jobs} is more than {limit // cores} × the {cores} core"
        f"{'' if cores == 1 else 's'}; using {limit}",
        RuntimeWarning,
        stacklevel=3,
    )
    return limit


def seed_from(value, name):
    """A whole number in [0, 2**64) as the core's 64-bit seed."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise InputError(f"{name} must be an integer in [0, 2**64), got {value!r}")
    if not 0 <= int(value) <= _MAX_SEED:
        raise InputError(f"{name} must be an integer in [0, 2**64), got {value!r}")
    return int(value)


def seed_from_random_state(random_state):
    """The core's seed for a scikit-learn `random_state`.

    An integer is used as the seed itself (so ``random_state=7`` equals the CLI's ``--seed 7``);
    a ``numpy.random.RandomState`` or None (numpy's global generator) draws one.
    """
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return seed_from(random_state, "random_state")
    try:
        generator = check_random_state(random_state)
    except ValueError as error:
        raise InputError(
            f"random_state must be None, an integer or a numpy RandomState, got {random_state!r}"
        ) from error
    return int(generator.randint(np.iinfo(np.int64).max, dtype=np.int64))


def param_text(name, value):
    """A parameter value as the text the core's parameter parser reads ("name=value")."""
    if isinstance(value, (bool, np.bool_)):
        return "1" if value else "0"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        value = float(value)
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return value
    raise InputError(
        f"parameter '{name}': expected a number, a boolean or a string, got {value!r}"
    )


def param_texts(params):
    """Parameter values as texts, leaving out the ones set to None (their defaults apply)."""
    return {name: param_text(name, v) for name, v in params.items() if v is not None}


def reject_sparse(X, owner):
    """ValueError for a scipy sparse matrix: the engine reads dense rows."""
    if scipy.sparse.issparse(X):
        raise InputError(
            f"{owner} does not accept sparse input (got {type(X).__name__}); "
            "convert it with X.toarray()"
        )
