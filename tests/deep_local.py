"""Running trusted `deep` code in this process: our own corpus files and mutants, never a student's.

The grader runs submissions in its sandbox; these tests only need to know what a file of
ours answers on the steps' drawn cases, so they call it here, on fresh copies of the inputs.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from backprop_lab.exercises.deep.steps import STEPS
from backprop_lab.exercises.gradient_check import poly_value
from backprop_lab.exercises.step import Args, Step

BY_ID = {step.id: step for step in STEPS}


def load(source: str) -> dict[str, Any]:
    """The module namespace of a trusted source text."""
    namespace: dict[str, Any] = {"__name__": "deep_local"}
    exec(compile(source, "<deep>", "exec"), namespace)
    return namespace


def cases(step: Step, seed: int) -> Iterator[tuple[str, Args]]:
    """(property, arguments) of every drawn case of the step, for one seed."""
    rng = np.random.default_rng([seed, [s.id for s in STEPS].index(step.id)])
    for prop in step.properties:
        for index in range(prop.count if prop.draw is not None else 0):
            yield prop.id, prop.draw(rng, index)


def call(function: Any, step: Step, args: Args, student: bool = True) -> tuple[Any, Args]:
    """(the answer or the exception raised, the arguments as the call left them). A student's
    function receives a test function as a callable; the records' own functions, as data."""
    given = copy.deepcopy(args)
    if student and step.functions:  # a test function described by data becomes a callable
        given = {**given, **{name: (lambda t, f=args[name]: poly_value(f, t)) for name in step.functions}}
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return function(**given), given
        except Exception as error:  # a wrong step may fail on shapes: that is an answer too
            return error, given


def leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [("key", key) for key in sorted(value)] + [
            x for key in sorted(value) for x in leaves(value[key])
        ]
    if isinstance(value, list | tuple):
        return [("length", len(value))] + [x for item in value for x in leaves(item)]
    return [value]


def agree(got: Any, want: Any, rtol: float = 1e-9, atol: float = 1e-10) -> bool:
    """Same structure (a tuple and a list alike), float64 leaves of the same shape, close values."""
    a, b = leaves(got), leaves(want)
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if isinstance(y, tuple | str):  # structure, or a name (an activation)
            if x != y:
                return False
            continue
        if isinstance(x, BaseException) or isinstance(x, tuple):
            return False
        x, y = np.asarray(x), np.asarray(y, dtype=np.float64)
        if x.dtype != np.float64 or x.shape != y.shape or not np.isfinite(x).all():
            return False
        if not np.allclose(x, y, rtol=rtol, atol=atol):
            return False
    return True


def unchanged(before: Args, after: Args) -> bool:
    return all(agree(after[name], before[name], rtol=0.0, atol=0.0) for name in before if name not in ("f",))
