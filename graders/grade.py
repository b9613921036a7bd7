"""Score one submission, step by step: call it in the sandbox, judge, diagnose, carry forward, explain.

The stages live in their own modules (calls, judge, diagnose, carry, shrink); this one
runs them in order for every step of the course and adds the personal numeric answers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from backprop_lab.exercises.assignment import Answers
from backprop_lab.exercises.catalog import Course
from backprop_lab.exercises.i18n import LANGUAGES, N_, tr
from backprop_lab.exercises.step import GENERAL, Step
from backprop_lab.graders import compare, judge
from backprop_lab.graders.calls import preload, step_call
from backprop_lab.graders.carry import Blocks, carry_forward
from backprop_lab.graders.cases import Case, Corpus
from backprop_lab.graders.diagnose import diagnose
from backprop_lab.graders.results import ANSWERS_ID, Failure, StepResult, SubmissionResult
from backprop_lab.graders.sandbox.inside.protocol import plain
from backprop_lab.graders.sandbox.runner import CallOutcome, Sandbox, Session
from backprop_lab.graders.shrink import shown, shrink
from backprop_lab.graders.submissions import Problem, Submission

ANSWER_RTOL, ANSWER_ATOL = 1e-3, 5e-4  # numbers typed by hand, rounded to a few digits
PRACTICE_SEED = 0


def seed_of(secret: str) -> int:
    """The grading seed a course secret stands for: unpredictable without the secret."""
    return int.from_bytes(hashlib.sha256(f"backprop-lab/grading/{secret}".encode()).digest()[:8], "little")


def fingerprint(secret: str) -> str:
    """A short name for a secret, to tell runs apart without revealing it."""
    return hashlib.sha256(f"backprop-lab/fingerprint/{secret}".encode()).hexdigest()[:12]


@dataclass
class GradingConfig:
    """What is graded, on which cases, how long a call may take."""

    course: Course = field(default_factory=Course)
    seed: int = 0
    domain: str = "grading"  # "practice": the public cases `check` uses, never the grading ones
    step_timeout: float = 2.0
    shrink: bool = True  # show a small, readable failing input rather than a grading case
    secret: str = field(default="", repr=False)  # only its fingerprint is ever written out

    @classmethod
    def from_secret(cls, secret: str, course: Course | None = None, **settings: Any) -> GradingConfig:
        return cls(course or Course(), seed_of(secret), secret=secret, **settings)

    @classmethod
    def practice(cls, course: Course | None = None, **settings: Any) -> GradingConfig:
        return cls(course or Course(), PRACTICE_SEED, "practice", **settings)

    @property
    def points(self) -> dict[str, float]:
        return self.course.points

    @property
    def steps(self) -> list[Step]:
        return list(self.course.steps.values())

    def step(self, step_id: str) -> Step:
        return self.course.step(step_id)

    @property
    def max_score(self) -> float:
        return self.course.max_score

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.secret) if self.secret else ""


def _failure(
    step: Step, case: Case, received: Any, verdict: compare.Verdict, shrunk: bool = False
) -> Failure:
    return Failure(
        reason=verdict.reason,
        values=verdict.values,
        args=shown(case.args),
        expected=shown(case.expected),
        received=shown(plain(received.value)) if received is not None and received.error is None else None,
        error=received.error if received is not None else None,
        shrunk=shrunk,
    )


def grade_step(
    step: Step, config: GradingConfig, corpus: Corpus, session: Session, defined: set[str]
) -> tuple[StepResult, CallOutcome]:
    """One step on its own: judged, its mistake named, its failure shown."""
    cases = corpus.cases[step.id]
    outcome = session.call(step_call(step, corpus, config.step_timeout))
    result, verdicts = judge.judge_step(step, config.points[step.id], cases, outcome, defined)
    if not verdicts:
        return result, outcome
    changed = judge.mutated_names(step, cases, outcome.results)
    found = diagnose(step, cases, outcome.results, verdicts, changed)
    result.misconceptions = [m.id for m in found]
    result.hints = {m.id: _hint(m, config) for m in found}
    failing = judge.first_failure(cases, verdicts, changed)
    if failing is not None:
        case, verdict = cases[failing], verdicts[failing]
        result.failure = _failure(step, case, outcome.results[failing], verdict)
        if config.shrink and verdict.reason not in ("raised", "not_implemented", "no_answer", "hidden_state"):
            better = shrink(step, case.property, verdict.reason, corpus, session, config.step_timeout)
            if better is not None and better.case.size <= case.size:
                result.failure = _failure(step, better.case, better.received, better.verdict, shrunk=True)
    elif changed and result.status != "missing":
        result.failure = Failure("mutated", {"names": ", ".join(changed)}, shown(cases[0].args), None, None)
    return result, outcome


def _hint(misconception: Any, config: GradingConfig) -> dict[str, str]:
    """The hint in every language, with the corrected formula where the course shows it."""
    shown = [misconception.hint]
    if config.course.formula_hints and misconception.formula_hint:
        shown.append(misconception.formula_hint)
    return {lang: " ".join(tr(lang, text) for text in shown) for lang in LANGUAGES}


def _answer_matches(given: Any, right: float) -> bool:
    """A number (never a bool) within tolerance of the right one; a whole number too large for
    a float (a 401-digit literal) is simply wrong, never an error that costs the other steps."""
    if not isinstance(given, int | float) or isinstance(given, bool):
        return False
    try:
        return bool(np.isclose(float(given), right, rtol=ANSWER_RTOL, atol=ANSWER_ATOL))
    except OverflowError:
        return False


def grade_answers(student_id: str, answers: Any, points: float, question: Answers) -> StepResult:
    keys = question.keys
    result = StepResult(ANSWERS_ID, 0.0, points, "missing", total=len(keys))
    if not isinstance(answers, dict) or all(compare.plain_value(v) is None for v in answers.values()):
        result.detail = "answers_missing"
        return result  # no ANSWERS, or the template untouched
    right = question.answers(student_id)
    wrong = []
    for key in keys:
        ok = _answer_matches(compare.plain_value(answers.get(key)), right[key])
        result.passed += ok
        if not ok:
            wrong.append(key)
    result.score = round(points * result.passed / len(keys), 2)
    result.status = "passed" if not wrong else ("partial" if result.passed else "failed")
    if wrong:  # which keys, never the values: the right ones are the student's to find
        result.failure = Failure("wrong_answers", {"keys": ", ".join(wrong)}, {}, None, None)
    return result


def _problems(submission: Submission, config: GradingConfig) -> list[Problem]:
    """The submission's own problems, and work for another assignment than the course's, named."""
    graded = config.course.assignment.name
    if not submission.assignment or submission.assignment == graded:
        return submission.problems
    other = Problem(
        N_("This is work for the {found} assignment ({found}.py or .ipynb); this course grades {graded}."),
        {"found": submission.assignment, "graded": graded},
    )
    return [*submission.problems, other]


def grade_submission(
    submission: Submission, corpus: Corpus, sandbox: Sandbox, config: GradingConfig
) -> SubmissionResult:
    """Every step of one submission; never raises for anything the submission does."""
    steps = config.steps
    preload(sandbox, corpus, steps)
    with sandbox.session(submission.units, submission.files) as session:
        load = session.load()
        defined = set(load.defined)
        graded = [grade_step(step, config, corpus, session, defined) for step in steps]
        blocks = Blocks(
            {result.id: result for result, _ in graded},
            config.course.steps,
            session,
            corpus,
            defined,
            config.step_timeout,
        )
        results = [
            carry_forward(result, blocks.steps[result.id], blocks, outcome) for result, outcome in graded
        ]
    answers = plain(load.answers)
    if config.course.answers_points or isinstance(answers, dict):
        question = config.course.assignment.answers
        results.append(grade_answers(submission.id, answers, config.course.answers_points, question))
    return SubmissionResult(
        id=submission.id,
        score=round(sum(r.score for r in results), 2),
        max_score=config.max_score,
        steps=results,
        problems=[{"message": p.message, "values": p.values} for p in _problems(submission, config)],
        units=[{"name": u.name, "ok": u.ok, "error": u.error} for u in load.units if not u.ok],
        isolation=sandbox.isolation,
        digest=submission.digest,
    )


def property_failed(result: StepResult) -> str | None:
    """The first property the step did not earn, the general one first."""
    failed = [p.id for p in result.properties if not p.passed]
    return GENERAL if GENERAL in failed else (failed[0] if failed else None)
