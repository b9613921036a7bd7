"""Scores into an nbgrader course's gradebook, through nbgrader's own API, so formgrader shows them.

Each step's score goes to its autograder cell (`test_<step>`) in the assignment's notebook;
a submission or student the gradebook lacks is added. nbgrader's autograde runs the hidden
cells in the student's own kernel, after the student's code, so a notebook can patch the
scorer there: backprop-lab's sandboxed score is the authority.

- Where autograde has not scored a cell, the sandboxed score becomes its auto score.
- Where autograde agrees, nothing changes.
- Where autograde wrote another score, that auto score is kept as the evidence and the
  sandboxed score is written as the cell's manual score, which nbgrader counts instead
  (Grade.score is the manual score when there is one). `nbgrader autograde --force` rewrites
  auto scores only, so the overrule survives it; the next `grade --gradebook` reports it again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from backprop_lab.exercises.secret import ENVIRONMENT
from backprop_lab.exercises.secret import FILE_NAME as SECRET_FILE
from backprop_lab.graders.results import SubmissionResult
from backprop_lab.lateness import record_in_gradebook


@dataclass
class GradebookReport:
    """What writing the scores found.

    `written` cells got a score; `unscored` of them had none from autograde yet. Every cell
    where autograde's score differs from the sandboxed one is listed, per student, as
    (step, autograde's score, backprop-lab's score): those are overruled.
    """

    written: int = 0
    unscored: int = 0
    differences: dict[str, list[tuple[str, float, float]]] = field(default_factory=dict)


def course_secret(course_dir: Path) -> Path | None:
    """The secret `generate` left in the nbgrader course (what its autograde grades with), if it
    is the one to use: $BACKPROP_LAB_SECRET, when set, wins in both places."""
    path = course_dir / SECRET_FILE
    return path if path.is_file() and not os.environ.get(ENVIRONMENT, "").strip() else None


def write_gradebook(
    results: list[SubmissionResult],
    course_dir: Path,
    assignment: str,
    notebook: str | None = None,
) -> GradebookReport:
    """Write every graded cell's sandboxed score, overruling autograde where it disagrees.

    `assignment` is nbgrader's name for it, and its notebook's (unless `notebook` says otherwise)."""
    notebook = notebook or assignment
    from nbgrader.api import Gradebook, MissingEntry

    report = GradebookReport()
    with Gradebook(f"sqlite:///{(course_dir / 'gradebook.db').resolve()}") as gradebook:
        gradebook.find_assignment(assignment)  # raises MissingEntry: run generate_assignment first
        for result in results:
            gradebook.update_or_create_student(result.id)
            try:
                gradebook.find_submission(assignment, result.id)
            except MissingEntry:
                with gradebook.db.no_autoflush:  # nbgrader's own mirroring warns when flushed half-built
                    gradebook.add_submission(assignment, result.id)
            for step in result.steps:
                try:
                    grade = gradebook.find_grade(f"test_{step.id}", notebook, assignment, result.id)
                except MissingEntry:
                    continue  # a step this course's notebook does not grade
                ours = min(step.score, grade.max_score)
                report.written += 1
                if grade.auto_score is None:
                    report.unscored += 1
                    grade.auto_score = ours
                elif abs(grade.auto_score - ours) > 1e-6:
                    report.differences.setdefault(result.id, []).append((step.id, grade.auto_score, ours))
                    grade.manual_score = ours
                    grade.needs_manual_grade = False  # decided: the sandboxed score
            record_in_gradebook(gradebook, result, assignment, notebook)  # a late penalty, if any
        gradebook.db.commit()
    return report


def tamper_report(report: GradebookReport) -> str:
    """The instructor's summary: what autograde had scored, and whose in-kernel score was overruled."""
    scored = report.written - report.unscored
    if scored == 0:
        return (
            "nbgrader autograde has not scored these cells yet: backprop-lab's scores are their auto "
            "scores. After `nbgrader autograde`, run this again to check autograde's scores."
        )
    lines = []
    if report.unscored:
        lines.append(f"{report.unscored} cell(s) had no autograde score: backprop-lab's is their auto score.")
    if not report.differences:
        lines.append(f"nbgrader autograde agrees with backprop-lab on the {scored} cell(s) it scored.")
        return "\n".join(lines)
    count = len(report.differences)
    lines.append(
        f"{count} student(s) whose nbgrader autograde differs from the sandboxed score, "
        "overruled with a manual score in formgrader:"
    )
    for student, cells in sorted(report.differences.items()):
        cells_text = ", ".join(f"{step} {theirs:g} → {ours:g}" for step, theirs, ours in cells)
        lines.append(f"  {student!r}: {cells_text}")
    return "\n".join(lines)
