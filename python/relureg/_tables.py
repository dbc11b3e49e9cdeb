"""The learner and family tables, read from the C++ core (the same tables the CLI prints)."""

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from . import _core


@dataclass(frozen=True)
class ParamInfo:
    """One declared parameter of a learner or an instance family.

    Attributes
    ----------
    name : str
        Keyword to pass, e.g. ``step`` in ``ReLURegressor(learner="gd", step=0.5)``.
    kind : {"real", "integer", "choice", "flag"}
        Value type: a float, a whole number, one word of `choices`, or a boolean.
    default : float, int, str or bool
        Value used when the parameter is not given.
    lower, upper : float
        Inclusive bounds for the numeric kinds (``-inf``/``inf`` when unbounded).
    choices : tuple of str
        Allowed words for ``kind == "choice"``; empty otherwise.
    description : str
        One line saying what the parameter does.
    range_text : str
        The allowed values as the error messages print them, e.g. ``[0, 1]``.
    """

    name: str
    kind: str
    default: object
    lower: float
    upper: float
    choices: Tuple[str, ...]
    description: str
    range_text: str


@dataclass(frozen=True)
class LearnerInfo:
    """A learner of the C++ learner table.

    Attributes
    ----------
    name : str
        The value of ``learner=`` (and of the CLI's ``--learner``).
    task : {"relu", "halfspace", "net2", "binact2", "sim", "piecewise"}
        What the learner fits: a ReLU (``ReLURegressor``), a halfspace (±1 labels,
        ``HalfspaceClassifier``), or a depth-2 network (``net2``: ``Net2Regressor``;
        ``binact2``: ``BinaryActivationRegressor``).
    description : str
        One line saying what the learner does.
    reference : str
        The paper the algorithm comes from.
    params : dict of str to ParamInfo
        The learner's parameters, in table order.
    takes_weights : bool
        Whether ``fit`` takes ``sample_weight`` (``relureg fit --weights`` on the command line).
    """

    name: str
    task: str
    description: str
    reference: str
    params: Dict[str, ParamInfo]
    takes_weights: bool = False


@dataclass(frozen=True)
class FamilyInfo:
    """An instance family of the C++ family table.

    Attributes
    ----------
    name : str
        The value of ``family`` in :func:`relureg.make_instance`.
    description : str
        One line describing the distribution and its ``opt``.
    params : dict of str to ParamInfo
        The family's parameters (``n``, ``d`` and ``seed`` are arguments of ``make_instance``).
    """

    name: str
    description: str
    params: Dict[str, ParamInfo]


def _param_infos(rows):
    return {
        p["name"]: ParamInfo(
            name=p["name"],
            kind=p["kind"],
            default=p["default"],
            lower=p["lower"],
            upper=p["upper"],
            choices=tuple(p["choices"]),
            description=p["description"],
            range_text=p["range_text"],
        )
        for p in rows
    }


_LEARNERS = {
    row["name"]: LearnerInfo(
        name=row["name"],
        task=row["task"],
        description=row["description"],
        reference=row["reference"],
        params=_param_infos(row["params"]),
        takes_weights=bool(row["takes_weights"]),
    )
    for row in _core.learner_table()
}
_FAMILIES = {
    row["name"]: FamilyInfo(
        name=row["name"], description=row["description"], params=_param_infos(row["params"])
    )
    for row in _core.family_table()
}


def learners(task: Optional[str] = None) -> Dict[str, LearnerInfo]:
    """List the learners with their parameter tables.

    Parameters
    ----------
    task : {"relu", "halfspace", "net2", "binact2", "sim", "piecewise"}, optional
        Keep only the learners for this task. By default every learner is listed.

    Returns
    -------
    dict of str to LearnerInfo
        Learner name to its description, reference and parameters, in table order.

    Raises
    ------
    ValueError
        If `task` is not ``"relu"``, ``"halfspace"``, ``"net2"``, ``"binact2"``, ``"sim"``,
        ``"piecewise"`` or None.

    Examples
    --------
    >>> import relureg
    >>> "glmtron" in relureg.learners()
    True
    >>> relureg.learners()["gd"].params["step"].default
    1.0
    """
    if task not in (None, "relu", "halfspace", "net2", "binact2", "sim", "piecewise"):
        raise ValueError(
            "task must be 'relu', 'halfspace', 'net2', 'binact2', 'sim', 'piecewise' or None, "
            f"got {task!r}"
        )
    return {name: e for name, e in _LEARNERS.items() if task is None or e.task == task}


def families() -> Dict[str, FamilyInfo]:
    """List the instance families with their parameter tables.

    Returns
    -------
    dict of str to FamilyInfo
        Family name to its description and parameters, in table order.

    Examples
    --------
    >>> import relureg
    >>> list(relureg.families())[:2]
    ['realizable', 'label-noise']
    >>> relureg.families()["label-noise"].params["noise"].default
    0.05
    """
    return dict(_FAMILIES)
