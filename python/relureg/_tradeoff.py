"""The time/accuracy laboratory from Python: run a grid and get its results as a DataFrame."""

import json
import os

from . import _core


def default_tradeoff_config():
    """The built-in grid of ``relureg tradeoff`` as a dict.

    Returns
    -------
    dict
        The config in the schema of ``docs/tradeoff.md`` (families, learners, d, n, noise,
        seeds, ...); edit it and pass it to :func:`tradeoff`.
    """
    return json.loads(_core.tradeoff_default_config())


def tradeoff(config=None, out_dir=None):
    """Run the time/accuracy laboratory and return one row per cell and seed.

    Parameters
    ----------
    config : dict, str, os.PathLike or None, default=None
        The grid: a dict in the schema of ``docs/tradeoff.md``, or the path of a ``.toml`` or
        ``.json`` config file. ``None`` runs the built-in grid of ``relureg tradeoff``.
        The config is validated completely before any work; a bad key raises
        :class:`relureg.InputError` naming it and the allowed values.
    out_dir : str, os.PathLike or None, default=None
        When given, the run keeps its journal there (a rerun resumes and fits only the missing
        cells) and writes ``results.csv``, ``results.json`` and ``summary.md``, as the command
        line does. Figures are drawn with :mod:`relureg.plot`.

    Returns
    -------
    pandas.DataFrame
        The tidy table of ``results.csv``: the grid's coordinates, every family and learner
        parameter, and the measures (population loss, opt, excess, time, passes, status).

    Examples
    --------
    >>> import relureg
    >>> grid = {"families": ["label-noise"], "learners": ["gd", "moment"],
    ...         "d": [5], "n": [2000], "noise": [0.01], "seeds": [0], "figures": False}
    >>> df = relureg.tradeoff(grid)
    >>> sorted(df["learner"])
    ['gd', 'moment']
    """
    import pandas as pd

    if config is None:
        text, fmt, origin = "", "json", "built-in"
    elif isinstance(config, dict):
        text, fmt, origin = json.dumps(config), "json", "config"
    elif isinstance(config, (str, os.PathLike)):
        origin = os.fspath(config)
        fmt = "toml" if origin.endswith(".toml") else "json"
        try:
            with open(origin, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as error:
            raise ValueError(f"{origin}: cannot open file: {error.strerror}") from error
    else:
        raise TypeError("config must be a dict, a path to a .toml/.json file, or None")
    columns, rows = _core.tradeoff_run(
        text, fmt, origin, "" if out_dir is None else os.fspath(out_dir)
    )
    return pd.DataFrame(json.loads(rows), columns=columns)
