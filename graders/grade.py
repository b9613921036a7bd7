"""Score one submission, step by step: run it in the sandbox, check every case, explain.

A step's score is its points times the fraction of cases it got right (a case is
right when the value matches the reference, agrees with finite differences where
the step produces a gradient, and leaves the inputs unchanged) — unless its answers
follow a catalogued wrong formula, which earns nothing for the cases where the
mistake happens not to show (a 1×1 matrix equals its transpose). A step that fails
only because it calls the student's own failed steps is graded again with those
replaced by stand-ins that ask the grader, and gets the credit it then earns.
"""

from __future__ import annotations

import random
import time
import warnings
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import hypothesis
import numpy as np

from backprop_lab.exercises.catalog import Course
from backprop_lab.graders import compare
from backprop_lab.graders.cases import Case, Corpus, make_case
from backprop_lab.graders.misconceptions import Misconception, catalog_with, misconceptions_for
from backprop_lab.graders.results import ANSWERS_ID, Failure, StepResult, SubmissionResult
from backprop_lab.graders.sandbox.inside.protocol import CallbackRef, plain
from backprop_lab.graders.sandbox.runner import Call, CallOutcome, Sandbox, Session
from backprop_lab.graders.steps import BY_ID, Step, custom_step
from backprop_lab.graders.submissions import Submission
from backprop_lab.solutions.named import ANSWER_KEYS, personal_answers

ANSWER_RTOL, ANSWER_ATOL = 1e-3, 5e-4  # numbers typed by hand, rounded to a few digits


@dataclass
class GradingConfig:
    """What is graded and how much it is worth; the defaults are the spec's."""

    points: dict[str, float] = field(default_factory=lambda: Course().points)
    answers_points: float = 0.0
    step_timeout: float = 5.0
    seed: int = 0
    custom: dict[str, str] = field(default_factory=dict)  # custom step id → its instructor module
    shrink_seconds: float = 0.0  # > 0: hypothesis shrinks each failing input, for at most this long
    misconceptions: tuple[str, ...] = ()  # an instructor's catalogs, read after the built-in one

    @property
    def catalog(self) -> tuple[Misconception, ...]:
        return catalog_with(*self.misconceptions)

    @classmethod
    def from_course(cls, course: Course, **settings: Any) -> GradingConfig:
        custom = {step_id: str(path) for step_id, path in course.modules.items()}
        catalogs = tuple(str(path) for path in course.misconceptions)
        return cls(
            dict(course.points), course.answers_points, custom=custom, misconceptions=catalogs, **settings
        )

    def step(self, step_id: str) -> Step:
        return custom_step(step_id, self.custom[step_id]) if step_id in self.custom else BY_ID[step_id]

    @property
    def steps(self) -> list[Step]:
        return [self.step(step_id) for step_id in self.points]

    @property
    def max_score(self) -> float:
        return sum(self.points.values()) + self.answers_points


# ------------------------------------------------------------------ building calls


def _wire(step: Step, cases: list[Case], functions: dict[str, Any], offset: int = 0) -> list[list[Any]]:
    """Cases' arguments as sent: data, except the f of a gradient check (a function run inside)."""
    wired = []
    for index, case in enumerate(cases, start=offset):
        args = []
        for name in step.params:
            value = case.args[name]
            if name == "f":
                functions[f"f{index}"] = value
                value = CallbackRef(f"f{index}")
            args.append(value)
        wired.append(args)
    return wired


def _preload_key(corpus: Corpus, step: Step) -> str:
    return f"{corpus.seed}:{step.id}"


def preload(sandbox: Sandbox, corpus: Corpus, steps: list[Step]) -> None:
    """Hand the shared inputs (never the answers) to the sandbox once per run."""
    missing = [s for s in steps if not sandbox.has_preloaded(_preload_key(corpus, s))]
    if missing:
        sandbox.preload({_preload_key(corpus, s): _wire(s, corpus.cases[s.id], {}) for s in missing})


def _call(
    step: Step, corpus: Corpus, fresh: list[Case], config: GradingConfig, stand_ins: list[str] | None = None
) -> Call:
    functions: dict[str, Any] = {}
    shared = corpus.cases[step.id]
    if "f" in step.params:  # the f of each shared case travels with the call
        _wire(step, shared, functions)
    extra = _wire(step, fresh, functions, offset=len(shared))
    return Call(
        step.id,
        extra,
        timeout=config.step_timeout,
        preloaded=_preload_key(corpus, step),
        functions=functions,
        stand_ins=stand_ins or [],
        callback=partial(_reference_callback, config) if stand_ins else None,
    )


def _reference_callback(config: GradingConfig, name: str, args: list[Any]) -> Any:
    """A stand-in's answer: the reference step on the student's own arguments."""
    step = config.step(name)
    if len(args) != len(step.params):
        raise TypeError(f"{name}() takes {len(step.params)} arguments ({len(args)} given)")
    return step.reference(
        *[np.asarray(a, dtype=np.float64) if isinstance(a, (list, np.ndarray)) else a for a in args]
    )


# ------------------------------------------------------------------ judging results


def _judge_case(step: Step, case: Case, result: Any) -> compare.Verdict:
    if result is None:
        return compare.Verdict(False, "no_answer")
    if result.error is not None:
        own = result.error.get("function") == step.id  # not a helper the step called
        reason = "not_implemented" if own and result.error.get("type") == "NotImplementedError" else "raised"
        return compare.Verdict(False, reason, dict(result.error))
    if step.id == "numerical_gradient":
        verdict = compare.check(result.value, case.expected, step.output, atol=compare.NUMERIC_ATOL, rtol=0.0)
    else:
        verdict = compare.check(result.value, case.expected, step.output, step.bounded)
    if verdict.ok and case.oracle is not None:
        verdict = compare.check_gradient(result.value, case.oracle, step.output)
    if verdict.ok and result.mutated:
        names = [step.params[i] for i in result.mutated if i < len(step.params)]
        verdict = compare.Verdict(False, "mutated", {"names": ", ".join(names)})
    return verdict


def _diagnose(
    step: Step,
    cases: list[Case],
    results: list[Any],
    verdicts: list[compare.Verdict],
    catalog: list[Misconception],
) -> list[str]:
    """Misconceptions the answers match on every probe; a wrong label is worse than none."""
    found = []
    answered = [(c, r) for c, r in zip(cases, results, strict=True) if r is not None and r.error is None]
    if all(v.ok or v.reason == "mutated" for v in verdicts):  # right values, changed inputs
        found.append("mutates_input")
    for wrong in catalog:
        for variant in range(len(wrong.formulas)):
            probes = [(c, r) for c, r in answered if c.wrong.get(wrong.id, [None])[variant] is not None]
            telling = any(c.telling[wrong.id][variant] for c, _ in probes)
            if (
                len(probes) >= 2
                and telling
                and all(compare.matches(r.value, c.wrong[wrong.id][variant], step.output) for c, r in probes)
            ):
                found.append(wrong.id)
                break
    return list(dict.fromkeys(found))


def _step_result(
    step: Step, config: GradingConfig, cases: list[Case], outcome: CallOutcome, defined: set[str]
) -> StepResult:
    points = config.points[step.id]
    result = StepResult(step.id, 0.0, points, "failed", total=len(cases), printed=outcome.printed)
    if step.id not in defined:
        result.status, result.detail = "missing", "not_defined"
        return result
    if outcome.status in ("timeout", "crash", "invalid"):
        result.status = "timeout" if outcome.status == "timeout" else "error"
        result.detail, result.detail_values = outcome.detail, outcome.detail_values
        return result
    verdicts = [_judge_case(step, case, r) for case, r in zip(cases, outcome.results, strict=True)]
    for index, case in enumerate(cases):
        if case.repeat_of is not None and verdicts[index].ok and verdicts[case.repeat_of].ok:
            first, again = outcome.results[case.repeat_of].value, outcome.results[index].value
            if not compare.identical(first, again):
                verdicts[index] = compare.Verdict(False, "hidden_state")
    result.passed = sum(v.ok for v in verdicts)
    result.score = round(points * result.passed / len(cases), 2)
    if all(v.reason == "not_implemented" for v in verdicts):
        result.status, result.detail = "missing", "not_implemented"
        return result
    if result.passed == len(cases):
        result.status = "passed"
        return result
    # Cases are sorted smallest first; a wrong value teaches more than an exception, so it goes first.
    failing = min(
        (i for i, v in enumerate(verdicts) if not v.ok), key=lambda i: verdicts[i].reason == "raised"
    )
    case, received = cases[failing], outcome.results[failing]
    result.failure = Failure(
        reason=verdicts[failing].reason,
        values=verdicts[failing].values,
        args=_shown(case.args),
        expected=_shown(case.expected),
        received=_shown(plain(received.value)) if received is not None and received.error is None else None,
        error=received.error if received is not None else None,
    )
    if all(v.reason in ("raised", "not_implemented") for v in verdicts if not v.ok) and result.passed == 0:
        result.status = "error"
    else:
        result.status = "partial" if result.passed else "failed"
        catalog = misconceptions_for(step.id, config.catalog)
        result.misconceptions = _diagnose(step, cases, outcome.results, verdicts, catalog)
        result.hints = {
            m.id: dict(m.hint)
            for m in config.catalog
            if m.id in result.misconceptions and m.applies_to(step.id)
        }
        if result.misconceptions:  # a known wrong formula: the cases it happens to pass earn nothing
            result.status, result.score = "failed", 0.0
    return result


def _shown(value: Any) -> Any:
    """A value as JSON-able lists, for results and feedback."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _shown(v) for k, v in value.items()}
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return value


def _grade_answers(submission: Submission, answers: Any, points: float) -> StepResult:
    result = StepResult(ANSWERS_ID, 0.0, points, "missing", total=len(ANSWER_KEYS))
    if not isinstance(answers, dict) or all(compare.plain_value(v) is None for v in answers.values()):
        return result  # no ANSWERS, or the template untouched
    right = personal_answers(submission.id)
    wrong = []
    for key in ANSWER_KEYS:
        given = compare.plain_value(answers.get(key))
        ok = (
            isinstance(given, (int, float))
            and not isinstance(given, bool)
            and bool(np.isclose(given, right[key], rtol=ANSWER_RTOL, atol=ANSWER_ATOL))
        )
        result.passed += ok
        if not ok:
            wrong.append(key)
    result.score = round(points * result.passed / len(ANSWER_KEYS), 2)
    result.status = "passed" if not wrong else ("partial" if result.passed else "failed")
    if wrong:
        result.failure = Failure("wrong_answers", {"keys": ", ".join(wrong)}, {}, None, None)
    return result


# ------------------------------------------------------------------ one submission


def grade_submission(
    submission: Submission, corpus: Corpus, sandbox: Sandbox, config: GradingConfig
) -> SubmissionResult:
    """Every step of one submission; never raises for anything the submission does."""
    steps = config.steps
    preload(sandbox, corpus, steps)
    fresh = {step.id: corpus.fresh_cases(step, submission.digest) for step in steps}
    cases = {step.id: corpus.cases[step.id] + fresh[step.id] for step in steps}
    with sandbox.session(submission.units, submission.files) as session:
        load = session.load()
        defined = set(load.defined)
        results = [
            _step_result(
                step,
                config,
                cases[step.id],
                session.call(_call(step, corpus, fresh[step.id], config)),
                defined,
            )
            for step in steps
        ]
        _carry_forward(results, session, corpus, fresh, cases, defined, config)
        if config.shrink_seconds > 0:
            for result in results:
                if result.failure is not None and result.status in ("failed", "partial"):
                    shrink_failure(config.step(result.id), result, session, config)
    if config.answers_points or isinstance(plain(load.answers), dict):
        results.append(_grade_answers(submission, plain(load.answers), config.answers_points))
    return SubmissionResult(
        id=submission.id,
        score=round(sum(r.score for r in results), 2),
        max_score=config.max_score,
        steps=results,
        problems=[{"message": p.message, "values": p.values} for p in submission.problems],
        units=[{"name": u.name, "ok": u.ok, "error": u.error} for u in load.units if not u.ok],
        isolation=sandbox.isolation,
        digest=submission.digest,
    )


def _carry_forward(
    results: list[StepResult],
    session: Session,
    corpus: Corpus,
    fresh: dict[str, list[Case]],
    cases: dict[str, list[Case]],
    defined: set[str],
    config: GradingConfig,
) -> None:
    """Failed steps again, with the student's other wrong steps replaced by stand-ins that ask us."""
    wrong = [r.id for r in results if r.status != "passed"]
    for index, result in enumerate(results):
        stand_ins = [other for other in wrong if other != result.id]
        if result.status not in ("failed", "partial", "error") or result.id not in defined or not stand_ins:
            continue
        step = config.step(result.id)
        outcome = session.call(_call(step, corpus, fresh[step.id], config, stand_ins))
        again = _step_result(step, config, cases[step.id], outcome, defined)
        if again.score > result.score:
            again.carried_forward = stand_ins
            results[index] = again


class _OutOfTime(Exception):
    """The shrinking budget is spent: keep the smallest failure found so far."""


def shrink_failure(step: Step, result: StepResult, session: Session, config: GradingConfig) -> None:
    """Let hypothesis shrink the failing input, keeping the same kind of failure; replaces
    `result.failure` with the smallest input found within the time budget, if smaller.
    """
    reason = result.failure.reason
    deadline = time.monotonic() + config.shrink_seconds
    best: list[tuple[Case, Any, compare.Verdict]] = []

    def fails(args: dict[str, Any]) -> bool:
        if time.monotonic() > deadline:
            raise _OutOfTime
        case = make_case(step, args, [])
        outcome = session.call(_single_call(step, case, config))
        received = outcome.results[0] if outcome.results else None
        verdict = _judge_case(step, case, received)
        if verdict.ok or verdict.reason != reason:
            return False
        if not best or case.size < best[0][0].size:
            best[:] = [(case, received, verdict)]
        return True

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            hypothesis.find(
                step.strategy(),
                fails,
                random=random.Random(config.seed),
                settings=hypothesis.settings(
                    max_examples=200,
                    database=None,
                    deadline=None,
                    suppress_health_check=list(hypothesis.HealthCheck),
                ),
            )
    except Exception:  # out of time, nothing found, or a flaky student function: keep what we have
        pass
    if not best or best[0][0].size >= _size_of(result.failure.args):
        return
    case, received, verdict = best[0]
    result.failure = Failure(
        reason=verdict.reason,
        values=verdict.values,
        args=_shown(case.args),
        expected=_shown(case.expected),
        received=_shown(plain(received.value)) if received is not None and received.error is None else None,
        error=received.error if received is not None else None,
        shrunk=True,
    )


def _single_call(step: Step, case: Case, config: GradingConfig) -> Call:
    functions: dict[str, Any] = {}
    return Call(step.id, _wire(step, [case], functions), timeout=config.step_timeout, functions=functions)


def _size_of(shown_args: dict[str, Any]) -> int:
    return sum(
        np.size(v) if not isinstance(v, dict) else sum(np.size(x) for x in v.values())
        for v in shown_args.values()
    )
