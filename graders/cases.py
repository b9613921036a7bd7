"""The case corpus: inputs, expected outputs and oracles, drawn once per run and shared.

Hypothesis draws the inputs (deterministically under the run's seed), hand-picked edge
cases are added, and every case carries what each grader needs: the reference
answer, the finite-difference oracle where the step produces a gradient, and what
every catalogued misconception would have answered. A few fresh cases per submission,
seeded by its content, make a hard-coded table of answers fail.
"""

from __future__ import annotations

import dataclasses
import hashlib
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.errors import NonInteractiveExampleWarning

from backprop_lab.graders.compare import ATOL, RTOL
from backprop_lab.graders.misconceptions import Misconception, misconceptions_for
from backprop_lab.graders.steps import STEPS, Args, Step

CASES_PER_STEP = 16
FRESH_PER_STEP = 3
POOL_PER_STEP = 40


@dataclass
class Case:
    args: Args
    expected: Any
    oracle: Any = None  # finite differences of the reference forward pass, where they apply
    wrong: dict[str, list[Any]] = field(default_factory=dict)  # misconception id → its answers
    telling: dict[str, list[bool]] = field(default_factory=dict)  # … and whether each differs from right
    size: int = 0  # how big the input is, to report the smallest failing one
    fresh: bool = False
    repeat_of: int | None = None  # the same input as that case: the answer must be the same


def _size(args: Args) -> int:
    def count(value: Any) -> int:
        if isinstance(value, np.ndarray):
            return value.size
        if isinstance(value, dict):
            return sum(count(v) for v in value.values())
        return 1

    return sum(count(v) for v in args.values())


def draw(step: Step, n: int, seed: int) -> list[Args]:
    """n inputs for a step, drawn by hypothesis under a fixed seed."""
    found: list[Args] = []

    @hypothesis_seed(seed)
    @settings(
        max_examples=n,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(step.strategy())
    def collect(args: Args) -> None:
        found.append(args)

    collect()
    return found[:n]


def _edge_cases(step: Step) -> list[Args]:
    """The inputs every run includes: the smallest shapes and the numerical edges."""
    one = np.ones((1, 1))
    if step.id == "sigmoid":
        return [{"z": np.array([[0.0, 1e3, -1e3, 710.0, -710.0]])}, {"z": np.array([0.5])}]
    if step.id in ("cross_entropy", "cross_entropy_grad", "output_delta"):
        return [
            {"P": np.array([[1e-6, 1 - 1e-6], [0.5, 0.25]]), "Y": np.array([[0.0, 1.0], [1.0, 0.0]])},
            {"P": 0.5 * one, "Y": one},
        ]
    if step.id == "weight_grad":
        return [
            {
                "delta": np.array([[1.0, -2.0], [0.5, 3.0], [2.0, 1.0]]),
                "A_prev": np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]]),
            }
        ]
    if step.id == "bias_grad":
        return [{"delta": np.array([[1.0, -2.0, 0.5], [0.5, 3.0, -1.0]])}]
    return []


def same_answer(a: Any, b: Any) -> bool:
    """Two trusted answers agree (to the graders' tolerance)."""
    if isinstance(a, dict) or isinstance(b, dict):
        return (
            isinstance(a, dict)
            and isinstance(b, dict)
            and set(b) <= set(a)
            and all(same_answer(a[k], b[k]) for k in b)
        )
    try:
        x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return x.shape == y.shape and bool(np.allclose(x, y, rtol=RTOL, atol=ATOL, equal_nan=True))


def make_case(step: Step, args: Args, catalog: list[Misconception], fresh: bool = False) -> Case:
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        case = Case(args=args, expected=step.expected(args), size=_size(args), fresh=fresh)
        if step.finite_difference is not None:
            case.oracle = step.finite_difference(**args)
        for wrong in catalog:
            answers = wrong.answers(args)
            case.wrong[wrong.id] = answers
            case.telling[wrong.id] = [a is not None and not same_answer(a, case.expected) for a in answers]
    return case


@dataclass
class Corpus:
    seed: int
    cases: dict[str, list[Case]]
    pool: dict[str, list[Case]]

    def fresh_cases(self, step: Step, digest: str) -> list[Case]:
        """A few more cases, picked for this submission by its content and the run's seed."""
        pool = self.pool[step.id]
        pick = int.from_bytes(
            hashlib.sha256(f"{self.seed}:{step.id}:{digest}".encode()).digest()[:8], "little"
        )
        chosen = np.random.default_rng(pick).choice(
            len(pool), size=min(FRESH_PER_STEP, len(pool)), replace=False
        )
        return [pool[i] for i in sorted(chosen)]


def build_corpus(
    seed: int,
    steps: tuple[Step, ...] = STEPS,
    per_step: int = CASES_PER_STEP,
    pool_per_step: int = POOL_PER_STEP,
    catalog: tuple[Misconception, ...] | None = None,
) -> Corpus:
    """Every step's shared cases (sorted smallest first) and its pool of fresh ones."""
    cases, pool = {}, {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NonInteractiveExampleWarning)
        for number, step in enumerate(steps):
            wrong = misconceptions_for(step.id, catalog)
            drawn = draw(step, per_step + pool_per_step, seed * 1000 + number)
            shared = _edge_cases(step) + drawn[:per_step]
            built = sorted((make_case(step, a, wrong) for a in shared), key=lambda c: c.size)
            middle = len(built) // 2  # asked again last: an answer that changes shows hidden state
            cases[step.id] = [*built, dataclasses.replace(built[middle], repeat_of=middle)]
            pool[step.id] = [make_case(step, a, wrong, fresh=True) for a in drawn[per_step:]]
    return Corpus(seed, cases, pool)
