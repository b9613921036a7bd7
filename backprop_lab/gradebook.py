"""Scores into an nbgrader course's gradebook, through nbgrader's own API, so formgrader shows them.

Each step's score becomes the auto score of its autograder cell (`test_<step>`) in the
assignment's notebook; a submission or student the gradebook lacks is added. Where
nbgrader's in-kernel autograde had written a different score, the student is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from backprop_lab.exercises.assemble import ASSIGNMENT
from backprop_lab.graders.results import SubmissionResult
from backprop_lab.lateness import record_in_gradebook


@dataclass
class GradebookReport:
    """What writing the scores found: how many were set, and where nbgrader's own disagreed.

    nbgrader's autograde runs the hidden cells in the student's own kernel, after the
    student's code, so a notebook can patch the scorer there; backprop-lab's sandboxed
    score is the authority. Every cell where the score autograde had written differs
    from it is listed, per student, as (step, autograde's score, backprop-lab's score).
    """

    written: int = 0
    differences: dict[str, list[tuple[str, float, float]]] = field(default_factory=dict)


def write_gradebook(
    results: list[SubmissionResult],
    course_dir: Path,
    assignment: str = ASSIGNMENT,
    notebook: str = ASSIGNMENT,
) -> GradebookReport:
    """Set the auto score of every graded cell we have a score for, noting where autograde disagreed."""
    from nbgrader.api import Gradebook, MissingEntry

    report = GradebookReport()
    with Gradebook(f"sqlite:///{(course_dir / 'gradebook.db').resolve()}") as gradebook:
        gradebook.find_assignment(assignment)  # raises MissingEntry: run generate_assignment first
        for result in results:
            gradebook.update_or_create_student(result.id)
            try:
                gradebook.find_submission(assignment, result.id)
            except MissingEntry:
                gradebook.add_submission(assignment, result.id)
            for step in result.steps:
                try:
                    grade = gradebook.find_grade(f"test_{step.id}", notebook, assignment, result.id)
                except MissingEntry:
                    continue  # a step this course's notebook does not grade
                ours = min(step.score, grade.max_score)
                if grade.auto_score is not None and abs(grade.auto_score - ours) > 1e-6:
                    report.differences.setdefault(result.id, []).append((step.id, grade.auto_score, ours))
                grade.auto_score = ours
                report.written += 1
            record_in_gradebook(gradebook, result, assignment, notebook)  # a late penalty, if any
        gradebook.db.commit()
    return report


def tamper_report(report: GradebookReport) -> str:
    """The instructor's summary of the students whose in-kernel autograde score was not the real one."""
    if not report.differences:
        return "nbgrader autograde agrees with backprop-lab on every graded cell."
    count = len(report.differences)
    lines = [f"{count} student(s) whose nbgrader autograde differs from the sandboxed score:"]
    for student, cells in sorted(report.differences.items()):
        cells_text = ", ".join(f"{step} {theirs:g} → {ours:g}" for step, theirs, ours in cells)
        lines.append(f"  {student!r}: {cells_text}")
    return "\n".join(lines)
