"""Scores into an nbgrader course's gradebook, through nbgrader's own API, so formgrader shows them.

Each step's score becomes the auto score of its autograder cell (`test_<step>`) in the
assignment's notebook; a submission or student the gradebook lacks is added.
"""

from __future__ import annotations

from pathlib import Path

from backprop_lab.exercises.assemble import ASSIGNMENT
from backprop_lab.graders.results import SubmissionResult


def write_gradebook(
    results: list[SubmissionResult],
    course_dir: Path,
    assignment: str = ASSIGNMENT,
    notebook: str = ASSIGNMENT,
) -> int:
    """Set the auto score of every graded cell we have a score for; returns how many were set."""
    from nbgrader.api import Gradebook, MissingEntry

    written = 0
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
                grade.auto_score = min(step.score, grade.max_score)
                written += 1
        gradebook.db.commit()
    return written
