"""Building the calls a step is graded by: inputs only, never an expected answer.

The shared inputs of a run are preloaded into the sandbox once; each step is then
one call naming its preloaded set. Test functions (the f of a gradient check) travel
by name only: the grader evaluates them, so their coefficients never reach the student.
Their values at the points a central difference evaluates are preloaded with the inputs,
so a correct gradient check costs no exchange per evaluation (`known_values`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from backprop_lab.exercises.step import Step
from backprop_lab.graders.cases import Case, Corpus
from backprop_lab.graders.sandbox.inside.protocol import KNOWN_VALUES, CallbackRef
from backprop_lab.graders.sandbox.runner import Call, Sandbox

# An assignment's test functions described by data: their kind → f(described, θ).
TestFunctions = Mapping[str, Callable[[dict[str, Any], Any], float]]


def wire(step: Step, cases: list[Case], functions: dict[str, Any], offset: int = 0) -> list[list[Any]]:
    """Cases' arguments as sent, in the order of the step's parameters."""
    wired = []
    for index, case in enumerate(cases, start=offset):
        args = []
        for name in step.params:
            value = case.args[name]
            if name in step.functions:
                functions[f"{name}{index}"] = value
                value = CallbackRef(f"{name}{index}")
            args.append(value)
        wired.append(args)
    return wired


def preload_key(corpus: Corpus, step: Step) -> str:
    return f"{corpus.key}:{step.id}"


def preload(sandbox: Sandbox, corpus: Corpus, steps: list[Step]) -> None:
    """Hand the shared inputs (never the answers) to the sandbox once per run."""
    missing = [s for s in steps if not sandbox.has_preloaded(preload_key(corpus, s))]
    sets: dict[str, list[Any]] = {}
    for step in missing:
        sets[preload_key(corpus, step)] = wire(step, corpus.cases[step.id], {})
        if step.functions:
            known = known_values(step, corpus.cases[step.id], corpus.functions)
            sets[preload_key(corpus, step) + KNOWN_VALUES] = known
    if sets:
        sandbox.preload(sets)


def central_points(theta: np.ndarray, eps: float) -> list[np.ndarray]:
    """θ and θ ± ε·e_i for every entry i, each computed as a gradient check computes it."""
    points = [theta.copy()]
    for i in np.ndindex(theta.shape):
        plus, minus = theta.copy(), theta.copy()
        plus[i] += eps
        minus[i] -= eps
        points += [plus, minus]
    return points


def known_values(step: Step, cases: list[Case], kinds: TestFunctions) -> list[list[Any]]:
    """[name, θ, f(θ)] for each case's test functions at its central-difference points (the
    cases with a float array `theta` and a float `eps`), named as `wire` names them.

    Only values the student's code could get by calling f at those very points: never
    the coefficients, never a step's answer. The worker answers a call of f on exactly such
    a point (same dtype, shape and bytes) from them, and asks the grader for any other.
    """
    known = []
    for index, case in enumerate(cases):
        theta, eps = case.args.get("theta"), case.args.get("eps")
        if not isinstance(theta, np.ndarray) or theta.dtype != np.float64 or not isinstance(eps, float):
            continue
        for name in step.functions:
            for point in central_points(theta, eps):
                known.append([f"{name}{index}", point, function_answer(case.args[name], [point], kinds)])
    return known


def step_call(
    step: Step,
    corpus: Corpus,
    timeout: float,
    stand_ins: list[str] | None = None,
    steps=None,
) -> Call:
    """All of a step's cases in one call; `stand_ins` are answered by the reference (see carry.py)."""
    functions: dict[str, Any] = {}
    if step.functions:  # the test functions of each preloaded case, by the names sent
        wire(step, corpus.cases[step.id], functions)

    def answer(name: str, args: list[Any]) -> Any:
        if name in functions:
            return function_answer(functions[name], args, corpus.functions)
        return reference_answer(steps[name], args)

    return Call(
        step.id,
        [],
        timeout=timeout,
        preloaded=preload_key(corpus, step),
        functions=functions,
        stand_ins=stand_ins or [],
        callback=answer if stand_ins or functions else None,
    )


def cases_call(step: Step, cases: list[Case], timeout: float, kinds: TestFunctions) -> Call:
    """A call on inputs of its own (not preloaded), e.g. the candidates of a readable failing input."""
    functions: dict[str, Any] = {}
    wired = wire(step, cases, functions)
    callback = (lambda name, args: function_answer(functions[name], args, kinds)) if functions else None
    return Call(step.id, wired, timeout=timeout, functions=functions, callback=callback)


# A stand-in runs the reference in the grader's process on the student's arguments: a
# broadcast or a product of two long vectors would be quadratic in what the student sent.
# Every array a stand-in accepts is a matrix of at most this many rows and columns.
STAND_IN_SIDE = 256


def _bounded(value: Any) -> Any:
    """The argument with lists of numbers as float arrays (a list of arrays, a network's layers,
    item by item), or TypeError if any array is too big to answer."""
    if isinstance(value, dict):
        return {key: _bounded(inner) for key, inner in value.items()}
    if isinstance(value, list):
        try:
            value = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):  # ragged or not numbers: layers, activations' names
            if len(value) > STAND_IN_SIDE:
                raise TypeError(f"stand-ins answer lists of at most {STAND_IN_SIDE} items") from None
            return [_bounded(inner) for inner in value]
    if isinstance(value, (list, np.ndarray)):
        array = np.asarray(value, dtype=np.float64)
        if array.ndim > 2 or any(side > STAND_IN_SIDE for side in array.shape):
            raise TypeError(
                f"stand-ins answer arrays of at most 2 dimensions and {STAND_IN_SIDE} rows and "
                f"columns; this one has shape {array.shape}"
            )
        return array
    return value


def reference_answer(step: Step, args: list[Any]) -> Any:
    """A stand-in's answer: the reference step on the student's own arguments, if small enough."""
    if len(args) != len(step.params):
        raise TypeError(f"{step.id}() takes {len(step.params)} arguments ({len(args)} given)")
    return step.reference(*[_bounded(a) for a in args])


def function_answer(described: dict[str, Any], args: list[Any], kinds: TestFunctions) -> float:
    """f(θ) for a test function described by data, evaluated here (by the assignment's function
    of its kind) for θ of its own shape: the shape of its first coefficient."""
    evaluate = kinds.get(described.get("kind"))
    if evaluate is None or len(args) != 1:
        raise TypeError("f takes one argument, θ")
    theta, shape = _bounded(args[0]), np.shape(described["c"])
    if np.shape(theta) != shape:
        raise ValueError(f"f takes θ of shape {shape}; this one has shape {np.shape(theta)}")
    return evaluate(described, theta)
