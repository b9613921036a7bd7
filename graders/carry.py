"""One mistake, one charge: a step built from the student's own wrong steps is graded on its own merit.

Two ways, tried in turn for a failed step whose building blocks (`Step.uses`) also failed:

1. Stand-ins. The step is called again with those building blocks, as module-level
   names, answered by the reference. Only the building blocks of the step being graded
   can be stood in for, so no step can borrow the answer of a step it is not built from.
2. Composition. Where the student's step reaches its building blocks some other way
   (methods of a class, private helpers), the reference step is run on the trusted side
   with its building blocks replaced by the student's own: if the student's answers
   equal that composition, the step itself is right. The blocks are called in a fresh
   worker, which never saw the step's inputs or answers (so no block can replay what the
   step said), and each answer must have the form of the reference block's on the same
   arguments (so nothing the student sends grows in the grader's arithmetic). And only
   where the composition is telling: an answer the student's blocks leave all zero,
   constant or not finite is one a wrong step could match too.

Where neither shows the step right, the failed building blocks are named as the likely
cause, for the student and the instructor.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from backprop_lab.exercises.step import Step
from backprop_lab.graders import judge
from backprop_lab.graders.calls import step_call
from backprop_lab.graders.cases import Case, Corpus
from backprop_lab.graders.results import StepResult
from backprop_lab.graders.sandbox.inside.protocol import plain
from backprop_lab.graders.sandbox.runner import Call, CallOutcome, Session


class _PartFailed(Exception):
    """The student's building block gave no answer: the composition is undefined here."""


def _same_form(value: Any, reference: Any) -> bool:
    """Is value shaped as the reference block's answer: the same keys, shapes, finite floats?"""
    if isinstance(reference, dict):
        return (
            isinstance(value, dict)
            and value.keys() == reference.keys()
            and all(_same_form(value[k], reference[k]) for k in reference)
        )
    if isinstance(reference, np.ndarray):
        return (
            isinstance(value, np.ndarray)
            and value.dtype == np.float64
            and value.shape == reference.shape
            and bool(np.all(np.isfinite(value)))
        )
    return isinstance(value, float) and np.isfinite(value)


def _students(session: Session, block: Step, timeout: float) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        outcome = session.call(Call(block.id, [list(args)], timeout=timeout))
        result = outcome.results[0] if outcome.results else None
        if outcome.status != "ok" or result is None or result.error is not None:
            raise _PartFailed(block.id)
        value = plain(result.value)
        if not _same_form(value, block.reference(*args)):
            raise _PartFailed(block.id)
        return value

    return call


def composed(
    step: Step, parts: list[str], steps: dict[str, Step], session: Session, timeout: float
) -> Callable[..., Any] | None:
    """The reference step with the named building blocks replaced by the student's; None if it calls none."""
    code = step.reference.__code__
    called = [name for name in parts if name in code.co_names]
    if not called:
        return None
    names = {**step.reference.__globals__, **{n: _students(session, steps[n], timeout) for n in called}}
    return types.FunctionType(
        code, names, code.co_name, step.reference.__defaults__, step.reference.__closure__
    )


def _leaves(value: Any, path: str = "") -> Iterator[tuple[str, np.ndarray]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, f"{path}/{key}")
    else:
        yield path, np.asarray(value, dtype=np.float64)


def telling(cases: list[Case]) -> bool:
    """Does every part of the expected answers vary across the cases, finitely?

    A composition whose answer is the same everywhere (zeros from a block that returns
    zeros) cannot tell a right step from one that returns that constant.
    """
    parts: dict[str, list[np.ndarray]] = {}
    try:
        for case in cases:
            for path, leaf in _leaves(case.expected):
                parts.setdefault(path, []).append(leaf.ravel())
    except (TypeError, ValueError):
        return False
    for values in parts.values():
        joined = np.concatenate(values)
        if joined.size < 2 or not np.all(np.isfinite(joined)) or np.ptp(joined) == 0:
            return False
    return bool(parts)


def _with_expected(cases: list[Case], function: Callable[..., Any]) -> list[Case] | None:
    rebuilt = []
    for case in cases:
        try:
            expected = function(**case.args)
        except _PartFailed:
            return None
        except Exception:  # the student's block answered something the reference cannot go on with
            return None
        rebuilt.append(Case(case.args, case.property, expected, size=case.size, repeat_of=case.repeat_of))
    return rebuilt if telling(rebuilt) else None


def carry_forward(
    result: StepResult,
    step: Step,
    failed: set[str],
    steps: dict[str, Step],
    session: Session,
    corpus: Corpus,
    outcome: CallOutcome,
    defined: set[str],
    timeout: float,
) -> StepResult:
    """The better of the step's own result and its result with its failed building blocks set aside."""
    parts = [name for name in step.uses if name in failed and name in steps]
    if not parts or result.status not in ("failed", "partial", "error") or step.id not in defined:
        return result
    cases = corpus.cases[step.id]
    again = session.call(step_call(step, corpus, timeout, stand_ins=parts, steps=steps))
    best, _ = judge.judge_step(step, result.max_score, cases, again, defined)
    if best.score <= result.score:
        function = composed(step, parts, steps, session, timeout)
        rebuilt = None
        if function is not None and outcome.status == "ok":
            session.fresh_worker()  # the blocks answer where the step's inputs were never seen
            rebuilt = _with_expected(cases, function)
            session.fresh_worker()  # and no later step runs where the blocks saw them
        if rebuilt is not None:
            best, _ = judge.judge_step(step, result.max_score, rebuilt, outcome, defined)
    if best.score > result.score:
        best.carried_forward = parts
        return best
    result.suspects = parts
    return result
