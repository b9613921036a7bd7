"""The case corpus: inputs, expected answers and oracles, drawn once per run from a seed.

Every case belongs to one property of its step. Inputs are drawn with NumPy from the
run's seed in one of two domains: `grading` (the seed comes from the course's secret,
so no student can compute the inputs) and `practice` (public: what `check` uses).
The two domains never share a case, whatever seeds they are given. Each case carries
what the graders need: the reference answer, the finite-difference oracle where the
step produces a gradient, and what every known wrong formula would have answered.
"""

from __future__ import annotations

import dataclasses
import hashlib
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from backprop_lab.exercises.step import GENERAL, Args, Step
from backprop_lab.graders.compare import ATOL, CONDITIONING_MARGIN, RTOL
from backprop_lab.graders.sandbox.inside.protocol import fingerprint

DOMAINS = {"grading": 1, "practice": 2, "shrink": 3}


@dataclass
class Case:
    args: Args
    property: str
    expected: Any
    oracle: Any = None  # finite differences of the reference forward pass, where they apply
    wrong: list[Any] = field(default_factory=list)  # per misconception of the step: its answer (or None)
    telling: list[bool] = field(default_factory=list)  # … and whether it differs from the right one
    size: int = 0  # how big the input is, to show the smallest failing one
    repeat_of: int | None = None  # the same input as that case: the answer must be the same
    slack: Any = None  # entry by entry, what the tolerance adds for the taught formulas' rounding here

    @cached_property
    def sent(self) -> dict[str, Any]:
        """Fingerprints of the arguments as sent, to compare with the worker's after each call;
        drawn once per case, not once per submission and step."""
        return {name: fingerprint(value) for name, value in self.args.items()}


def size_of(args: Args) -> int:
    def count(value: Any) -> int:
        if isinstance(value, np.ndarray):
            return value.size
        if isinstance(value, dict):
            return sum(count(v) for v in value.values())
        if isinstance(value, (list, tuple)):
            return sum(count(v) for v in value)
        return 1

    return sum(count(v) for v in args.values())


def same_answer(a: Any, b: Any) -> bool:
    """Two trusted answers agree (to the graders' tolerance)."""
    if isinstance(a, dict) or isinstance(b, dict):
        return (
            isinstance(a, dict)
            and isinstance(b, dict)
            and set(b) <= set(a)
            and all(same_answer(a[k], b[k]) for k in b)
        )
    if _nested(a) or _nested(b):  # a network's layers: lists of arrays
        return (
            isinstance(a, (list, tuple))
            and isinstance(b, (list, tuple))
            and len(a) == len(b)
            and all(same_answer(x, y) for x, y in zip(a, b, strict=True))
        )
    try:
        x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return x.shape == y.shape and bool(np.allclose(x, y, rtol=RTOL, atol=ATOL, equal_nan=True))


def _nested(value: Any) -> bool:
    """A list or tuple of arrays or lists (layers), rather than of numbers."""
    return isinstance(value, (list, tuple)) and any(
        isinstance(v, (np.ndarray, list, tuple, dict)) for v in value
    )


def _answer(function: Any, args: Args) -> Any:
    try:
        return function(**args)
    except Exception:  # a wrong formula with no answer for this shape is not a probe for it
        return None


def spread(expected: Any, other: Any) -> Any:
    """|other − expected| entry by entry (a dict of them for a dict of arrays)."""
    if isinstance(expected, dict):
        return {key: spread(value, other[key]) for key, value in expected.items()}
    if _nested(expected):
        return [spread(value, inner) for value, inner in zip(expected, other, strict=True)]
    return np.abs(np.asarray(other, dtype=np.float64) - np.asarray(expected, dtype=np.float64))


def _widest(a: Any, b: Any) -> Any:
    if isinstance(a, dict):
        return {key: _widest(a[key], b[key]) for key in a}
    if isinstance(a, list):
        return [_widest(x, y) for x, y in zip(a, b, strict=True)]
    return np.maximum(a, b)


def slack_of(step: Step, args: Args, expected: Any) -> Any:
    """The margin over the widest spread between the reference and the step's taught forms.

    Each form is a right formula: where it is not finite, the input is one the grader
    must not draw (tests/test_fair_credit.py checks it never does), and it adds nothing.
    """
    widest = None
    for form in step.forms:
        gap = spread(expected, form(**args))
        widest = gap if widest is None else _widest(widest, gap)
    return None if widest is None else _margin(widest)


def _margin(gap: Any) -> Any:
    if isinstance(gap, dict):
        return {key: _margin(value) for key, value in gap.items()}
    if isinstance(gap, list):
        return [_margin(value) for value in gap]
    return CONDITIONING_MARGIN * np.nan_to_num(gap, nan=0.0, posinf=0.0)


def make_case(step: Step, args: Args, property_id: str = GENERAL, diagnose: bool = True) -> Case:
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = step.reference(**args)
        case = Case(args, property_id, expected, size=size_of(args), slack=slack_of(step, args, expected))
        if step.oracle is not None:
            case.oracle = step.oracle(**args)
        for wrong in step.misconceptions if diagnose else ():
            answer = _answer(wrong.answer, args) if wrong.answer is not None else None
            case.wrong.append(answer)
            case.telling.append(answer is not None and not same_answer(answer, expected))
    return case


def rng_for(step: Step, seed: int, domain: str) -> np.random.Generator:
    """One generator per step, domain and seed: adding a step never changes another's cases."""
    step_key = int.from_bytes(hashlib.sha256(step.id.encode()).digest()[:4], "little")
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(DOMAINS[domain], step_key)))


def step_cases(step: Step, seed: int, domain: str) -> list[Case]:
    """A step's cases, property by property (each sorted smallest first), and one asked again.

    The middle general case is asked again last: an answer that changes shows hidden state.
    """
    rng, cases = rng_for(step, seed, domain), []
    for prop in step.properties:
        if prop.draw is None:
            continue
        drawn = [make_case(step, prop.draw(rng, index), prop.id) for index in range(prop.count)]
        cases += sorted(drawn, key=lambda c: c.size)
    general = [i for i, c in enumerate(cases) if c.property == GENERAL]
    middle = general[len(general) // 2]
    return [*cases, dataclasses.replace(cases[middle], repeat_of=middle)]


@dataclass
class Corpus:
    seed: int
    domain: str
    cases: dict[str, list[Case]]
    readable: dict[tuple[str, str], list[Case]] = field(default_factory=dict)  # see shrink.py
    # The assignment's test functions described by data (the f of a gradient check), by kind:
    # the grader evaluates them when student code calls f.
    functions: Mapping[str, Callable[[dict[str, Any], Any], float]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.domain}:{self.seed}"


def build_corpus(
    steps: list[Step],
    seed: int,
    domain: str = "grading",
    functions: Mapping[str, Callable[[dict[str, Any], Any], float]] | None = None,
) -> Corpus:
    """Every step's cases for one run."""
    cases = {step.id: step_cases(step, seed, domain) for step in steps}
    return Corpus(seed, domain, cases, functions=dict(functions or {}))
