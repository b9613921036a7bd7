"""The second assignment through the real nbgrader round trip: the source scores full marks, the
release nothing with every step missing, in `nbgrader autograde` and `backprop-lab grade` alike."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from backprop_lab.exercises.catalog import Course
from backprop_lab.exercises.generate import generate
from backprop_lab.grade_class import grade_paths, grading_config
from backprop_lab.gradebook import course_secret
from tests.test_nbgrader import nbgrader

pytest.importorskip("nbgrader")

NAME = "deep"


def autograded_scores(course: Path, students: tuple[str, ...]) -> dict[str, dict[str, float]]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {
            student: {
                grade.name.removeprefix("test_"): grade.score
                for grade in gradebook.find_submission_notebook(NAME, NAME, student).grades
            }
            for student in students
        }


def test_deep_goes_through_nbgrader_with_the_same_scores_as_grade(tmp_path) -> None:
    generate(tmp_path, formats=("nbgrader",), course=Course.load(None, NAME))
    course = tmp_path / "nbgrader"
    nbgrader(course, "generate_assignment", NAME)
    notebooks = {
        "source": course / "source" / NAME / f"{NAME}.ipynb",  # the instructor's solution
        "release": course / "release" / NAME / f"{NAME}.ipynb",  # what students start from
    }
    for student, notebook in notebooks.items():
        target = course / "submitted" / student / NAME / f"{NAME}.ipynb"
        target.parent.mkdir(parents=True)
        shutil.copy(notebook, target)
    nbgrader(course, "autograde", NAME)
    theirs = autograded_scores(course, tuple(notebooks))

    config = grading_config(None, tmp_path / "out", course_secret(course), assignment=NAME)
    graded = grade_paths([course / "submitted"], tmp_path / "out", config, show_progress=False)
    results = {r.id: r for r in graded}
    ours = {sid: {s.id: s.score for s in r.steps if s.max_score} for sid, r in results.items()}

    assert theirs == ours
    steps = [step.id for step in Course.load(None, NAME).assignment.steps]
    assert list(ours["source"]) == steps and sum(ours["source"].values()) == 100.0
    assert results["source"].score == results["source"].max_score == 100.0
    assert results["release"].score == 0.0
    statuses = {s.id: s.status for s in results["release"].steps if s.max_score}
    assert statuses == dict.fromkeys(steps, "missing")
