"""One mistake, one charge: a step built from the student's own failing steps is graded on its own merit.

A building block (`Step.uses`) is a suspect for the steps built from it when it fails
any of its properties: wrong values, but also writing into its inputs (the step then
goes on with the changed array), failing at extremes or for a single example. Two ways,
tried in turn for a failed step whose suspects can explain its failure:

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

A block explains a failure only when it fails on its own: called with every step outside
its own building blocks answered by the reference, it still fails. Steps that only call
each other in a circle fail together on their first pass, and each is right once the
others are stood in: none of them explains the others, and none earns anything.

Where neither way shows the step right, the failing building blocks are named as the
likely cause, for the student and the instructor. Where one does, the step's result says
what each block it was not charged for did (`carried_causes`), for the feedback.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from backprop_lab.exercises.step import GENERAL, UNCHANGED, Step
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
    if isinstance(reference, (list, tuple)):
        return (
            isinstance(value, list)
            and len(value) == len(reference)
            and all(_same_form(v, r) for v, r in zip(value, reference, strict=True))
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
    elif isinstance(value, (list, tuple)) and any(isinstance(v, (np.ndarray, list, tuple)) for v in value):
        for index, inner in enumerate(value):
            yield from _leaves(inner, f"{path}/{index}")
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
        rebuilt.append(
            Case(
                case.args, case.property, expected, size=case.size, repeat_of=case.repeat_of, slack=case.slack
            )
        )
    return rebuilt if telling(rebuilt) else None


def _within(step_id: str, steps: dict[str, Step]) -> set[str]:
    """The step and every building block it is built from, transitively."""
    found, todo = set(), [step_id]
    while todo:
        name = todo.pop()
        if name in found or name not in steps:
            continue
        found.add(name)
        todo += steps[name].uses
    return found


@dataclass
class Blocks:
    """The first pass of every step of one submission, and which failing blocks fail on their own."""

    results: dict[str, StepResult]
    steps: dict[str, Step]
    session: Session
    corpus: Corpus
    defined: set[str]
    timeout: float
    settled: dict[str, StepResult] = field(default_factory=dict)  # results after carry-forward, so far
    _own: dict[str, bool] = field(default_factory=dict)

    def suspects(self, step: Step) -> list[str]:
        """The building blocks of the step that failed any of their properties."""
        return [name for name in step.uses if name in self.results and self.results[name].status != "passed"]

    def fails_on_its_own(self, name: str) -> bool:
        """Does the block still fail with every step outside its own building blocks stood in?

        A block that is right once the others are answered by the reference failed
        because of them (a circle of steps that call each other): it explains nothing.
        """
        if name not in self._own:
            first = self.results[name]
            if name not in self.defined:
                self._own[name] = True
            else:
                block = self.steps[name]
                others = [s for s in self.steps if s not in _within(name, self.steps)]
                outcome = self.session.call(
                    step_call(block, self.corpus, self.timeout, stand_ins=others, steps=self.steps)
                )
                alone, _ = judge.judge_step(
                    block, first.max_score, self.corpus.cases[name], outcome, self.defined
                )
                self._own[name] = alone.status != "passed" and alone.score <= first.score
        return self._own[name]

    def cause(self, name: str) -> dict[str, str]:
        """What the block did, for the feedback: wrong values ("general"), or the one property
        it failed with right values (writing into its inputs first: it spoils the caller's arrays)."""
        result = self.results[name]
        failed = [p.id for p in result.properties if not p.passed]
        if not failed or GENERAL in failed or result.status in ("missing", "error", "timeout"):
            return {"property": GENERAL}
        if UNCHANGED not in failed:
            return {"property": failed[0]}
        failure = result.failure
        names = failure.values.get("names", "") if failure is not None and failure.reason == "mutated" else ""
        return {"property": UNCHANGED, "names": str(names)}


def carry_forward(result: StepResult, step: Step, blocks: Blocks, outcome: CallOutcome) -> StepResult:
    """The better of the step's own result and its result with its failing building blocks set aside."""
    suspects = blocks.suspects(step)
    if not suspects or result.status not in ("failed", "partial", "error") or step.id not in blocks.defined:
        return result
    parts = [name for name in suspects if blocks.fails_on_its_own(name)]
    best = result
    if parts:
        session, timeout, steps = blocks.session, blocks.timeout, blocks.steps
        cases = blocks.corpus.cases[step.id]
        again = session.call(step_call(step, blocks.corpus, timeout, stand_ins=parts, steps=steps))
        best, _ = judge.judge_step(step, result.max_score, cases, again, blocks.defined)
        if best.score <= result.score:
            function = composed(step, parts, steps, session, timeout)
            rebuilt = None
            if function is not None and outcome.status == "ok":
                session.fresh_worker()  # the blocks answer where the step's inputs were never seen
                rebuilt = _with_expected(cases, function)
                session.fresh_worker()  # and no later step runs where the blocks saw them
            if rebuilt is not None:
                best, _ = judge.judge_step(step, result.max_score, rebuilt, outcome, blocks.defined)
    if best.score > result.score:
        best.carried_forward = parts
        best.carried_causes = _causes(parts, blocks, result)
        result = best
    else:
        result.suspects = suspects
    blocks.settled[step.id] = result
    return result


def _causes(parts: list[str], blocks: Blocks, result: StepResult) -> dict[str, dict[str, str]]:
    """Each block set aside → what it did; a block itself right but for its own blocks
    passes on their causes (backward is spoiled by sigmoid, through forward)."""
    causes = {}
    for name in parts:
        settled = blocks.settled.get(name)
        inherited = settled.carried_causes if settled is not None and settled.status == "passed" else {}
        for block, cause in (inherited or {name: blocks.cause(name)}).items():
            causes[block] = {**cause, **_what(result)}
    return causes


def _what(result: StepResult) -> dict[str, str]:
    """The part of the step's own answer that went wrong (a key of its dict), if it says."""
    what = result.failure.values.get("what") if result.failure is not None else None
    return {"what": what} if isinstance(what, str) and what else {}
