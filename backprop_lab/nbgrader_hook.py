"""Inside `nbgrader autograde`: each hidden test cell asks backprop-lab for its step's score.

The notebook being autograded is graded once, by the same grader as `backprop-lab
grade` and on the same cases, those of the course secret at the course's root
(sandbox included: the kernel is the student's, so nothing is trusted from it), and
each test cell then shows that step's feedback and returns its score, which nbgrader
takes as partial credit. Nothing is written to stderr: nbgrader scores a
cell that writes to stderr as 0.
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from pathlib import Path

from backprop_lab.exercises.assignments import DEFAULT
from backprop_lab.exercises.catalog import Course, assignment_named
from backprop_lab.exercises.generate import COURSE_FILE
from backprop_lab.exercises.secret import ENVIRONMENT, new_secret, read_secret
from backprop_lab.exercises.secret import FILE_NAME as SECRET_FILE
from backprop_lab.feedback import step_feedback
from backprop_lab.graders.batch import Grader
from backprop_lab.graders.grade import GradingConfig
from backprop_lab.graders.results import SubmissionResult
from backprop_lab.graders.submissions import load

_RESULTS: dict[tuple[str, float, str, str], SubmissionResult] = {}


def _student_id(folder: Path) -> str:
    """nbgrader runs the notebook in autograded/<student>/<assignment>/."""
    return folder.parent.name if folder.parent.parent.name == "autograded" else folder.name


def _secret(root: Path) -> str:
    """The course secret: $BACKPROP_LAB_SECRET, else the one `generate` left at the course's root
    (beside gradebook.db, never released), so autograde grades on `grade`'s cases. A course
    without either gets a fresh secret per kernel: unpredictable, but new cases every run."""
    if os.environ.get(ENVIRONMENT, "").strip():
        return os.environ[ENVIRONMENT].strip()
    try:
        return read_secret(root / SECRET_FILE)
    except (OSError, ValueError):
        return new_secret()


def _config(folder: Path, assignment: str) -> GradingConfig:
    """The course's steps and points, from course.toml at the nbgrader course's root if it is
    this assignment's, on the cases of the course secret."""
    root = folder.parent.parent.parent
    course_file = root / COURSE_FILE
    ours = course_file.is_file() and assignment_named(course_file) == assignment
    course = Course.load(course_file if ours else None, assignment)
    return GradingConfig.from_secret(_secret(root), course)


def _graded(notebook: Path, student_id: str, assignment: str) -> SubmissionResult:
    key = (str(notebook), notebook.stat().st_mtime, student_id, assignment)
    if key not in _RESULTS:
        with Grader(_config(notebook.parent, assignment)) as grader:
            _RESULTS[key] = grader.grade(load(notebook, sub_id=student_id))
    return _RESULTS[key]


def score_step(
    step_id: str, points: float, folder: Path | None = None, lang: str = "en", assignment: str = DEFAULT
) -> float:
    """This notebook's score for one step of `assignment`, out of `points`, with its feedback printed."""
    folder = Path.cwd() if folder is None else folder
    notebooks = sorted(folder.glob("*.ipynb"))
    if len(notebooks) != 1:
        print(f"backprop-lab: expected one notebook in {folder}, found {len(notebooks)}")
        return 0.0
    silent = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stderr(silent):
        warnings.simplefilter("ignore")
        result = _graded(notebooks[0], _student_id(folder), assignment)
    step = next((s for s in result.steps if s.id == step_id), None)
    if step is None:
        print(f"backprop-lab: no step {step_id!r} was graded")
        return 0.0
    print(step_feedback(step, lang))
    return round(points * step.score / step.max_score, 2) if step.max_score else 0.0
