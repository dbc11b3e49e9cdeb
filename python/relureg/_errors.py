"""Exceptions raised by relureg: the C++ core's errors as Python exception classes."""


class InputError(ValueError):
    """Bad input: malformed data, an unknown learner or family, a parameter out of range.

    A subclass of :class:`ValueError`, so ``except ValueError`` catches it. The message is the
    one line the command-line tool prints, naming the option and the allowed values, e.g.
    ``unknown parameter 'stpe' for learner 'gd' (known: max_passes, tol, step, ...)``.
    """


class DivergenceError(FloatingPointError):
    """An iterative learner's training loss became NaN or infinite.

    A subclass of :class:`FloatingPointError`. The message names the learner and the iteration,
    e.g. ``gd diverged at iteration 3: training loss is inf (try a smaller step)``.
    """


class DeadReLUWarning(UserWarning):
    """The fitted ReLU is inactive on every training row: it predicts 0 everywhere.

    A subclass of :class:`UserWarning`. The message says what to try (another learner or
    initialisation, an intercept, the sign of the labels).
    """


# Shown as relureg.InputError (where users import them from), not relureg._errors.InputError.
InputError.__module__ = "relureg"
DivergenceError.__module__ = "relureg"
DeadReLUWarning.__module__ = "relureg"
