"""`backprop-lab check FILE --step STEP`: one step's verdict, as a command grader wants it.

GitHub Classroom runs one command per step, so the same file is checked once per step.
The whole submission is graded the first time (a step's cases and its carried-forward
credit depend on the others) and the result is cached under the user's cache folder,
keyed by the file's content and the grading settings, outside the student's repository.
"""

from __future__ import annotations

import os
from pathlib import Path

from backprop_lab.feedback import code_span, step_feedback, submission_reasons
from backprop_lab.graders.batch import Grader
from backprop_lab.graders.grade import GradingConfig
from backprop_lab.graders.results import SubmissionResult
from backprop_lab.graders.submissions import Submission


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "backprop-lab" / "check"


def grade_cached(submission: Submission, config: GradingConfig) -> tuple[SubmissionResult, str]:
    """The submission's result (graded now or earlier with the same settings) and the isolation used."""
    with Grader(config, cache_dir=cache_dir()) as grader:
        result = grader.grade(submission)
        return result, grader.isolation_used


def step_report(result: SubmissionResult, step_id: str, lang: str) -> tuple[str, bool]:
    """Markdown for one step (after anything wrong with the whole file) and whether it earned full marks."""
    step = next(s for s in result.steps if s.id == step_id)
    lines = [f"- {reason}" for reason in submission_reasons(result, lang, code_span)]
    if lines:
        lines.append("")
    unrunnable = tuple(code_span(unit["name"]) for unit in result.units)
    lines.append(step_feedback(step, lang, unrunnable))
    return "\n".join(lines), step.score >= step.max_score
