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


# Shown as relureg.InputError (where users import them from), not relureg._errors.InputError.
InputError.__module__ = "relureg"
DivergenceError.__module__ = "relureg"
