"""Fairness over grading seeds: right answers keep every point, one mistake costs its share.

Every correct submission of the corpus (tests/corpus/correct: every style, the
unsimplified textbook formulas among them) must score 100 on every seed, and every
one-mistake submission exactly what its documented share says: a catalogued mistake
(tests/corpus/buggy) its whole step, except writing into an input, which costs the
"unchanged" share; a block right in value that breaks one other property
(tests/corpus/buggy/properties) that property's share of its step, and nothing in the
steps built from it. The shares are the steps' own (exercises/backprop/steps.py).
The deep assignment's corpus (tests/corpus/deep) is held to the same, by its own shares.
scripts/seed_sweep.py runs it on 200 seeds; the test suite on a few.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tests.submissions import (
    CORPUS,
    CORRECT,
    DEEP_BUGGY,
    DEEP_CORRECT,
    DEEP_PROPERTIES,
    buggy_submissions,
    property_mistakes,
)


@dataclass(frozen=True)
class Subject:
    """A submission with the score each step must get on every seed."""

    name: str
    source: str
    expected: dict[str, float]


def _scores(
    losing: str | None = None, lost: str | None = None, assignment: str = "backprop"
) -> dict[str, float]:
    """Every step's full points, except `losing`, which keeps all but the share of `lost`
    ("general": the step scores nothing)."""
    from backprop_lab.exercises import assignments
    from backprop_lab.exercises.catalog import Course

    course = Course(assignments.get(assignment))
    scores = dict(course.points)
    if losing is not None:
        step = course.steps[losing]
        kept = 0.0 if lost == "general" else step.points * (1 - step.get_property(lost).share)
        scores[losing] = round(kept, 2)
    return scores


def subjects(assignment: str = "backprop") -> list[Subject]:
    if assignment == "deep":
        return deep_subjects()
    found = [Subject(f"correct/{path.stem}", path.read_text(), _scores()) for path in CORRECT]
    for mistake, (step, source) in buggy_submissions().items():
        lost = "unchanged" if mistake == "mutates_input" else "general"
        found.append(Subject(f"buggy/{mistake}", source, _scores(step, lost)))
    for name, (step, lost, source) in property_mistakes().items():
        found.append(Subject(f"buggy/properties/{name}", source, _scores(step, lost)))
    return found


def deep_subjects() -> list[Subject]:
    """The deep corpus: whole modules, correct in four styles, or with one catalogued mistake or
    one broken property, whose first line names its step and the property it loses."""
    found = [
        Subject(f"deep/correct/{p.stem}", p.read_text(), _scores(assignment="deep")) for p in DEEP_CORRECT
    ]
    for path in DEEP_BUGGY + DEEP_PROPERTIES:
        text = path.read_text()
        step, lost = re.match(r"# A student's (\w+), .*\(loses (\w+)\)\.", text).groups()
        name = path.relative_to(CORPUS).with_suffix("").as_posix()  # deep/buggy/…
        found.append(Subject(name, text, _scores(step, lost, "deep")))
    return found


def off_their_score(
    chosen: list[Subject], seeds: Iterable[int], assignment: str = "backprop"
) -> tuple[list[str], int]:
    """Every (seed, submission, step) graded other than its expected score, and how many gradings ran."""
    from backprop_lab.exercises import assignments
    from backprop_lab.exercises.catalog import Course
    from backprop_lab.graders.cases import build_corpus
    from backprop_lab.graders.grade import GradingConfig, grade_submission
    from backprop_lab.graders.sandbox.runner import Sandbox
    from backprop_lab.graders.submissions import Submission

    found, graded = [], 0
    course = Course(assignments.get(assignment))
    with Sandbox() as sandbox:
        for seed in seeds:
            config = GradingConfig(course, seed, shrink=False)
            corpus = build_corpus(config.steps, seed, functions=course.assignment.functions)
            for subject in chosen:
                files = [{"name": course.assignment.module, "source": subject.source}]
                submission = Submission(subject.name, subject.name, files)
                result = grade_submission(submission, corpus, sandbox, config)
                graded += 1
                for step in result.steps:
                    want = subject.expected.get(step.id, step.max_score)
                    if abs(step.score - want) > 1e-9:
                        why = step.failure.values if step.failure is not None else step.status
                        found.append(f"seed {seed}: {subject.name}: {step.id} {step.score} ≠ {want} ({why})")
    return found, graded
