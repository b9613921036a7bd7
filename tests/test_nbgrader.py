"""The real nbgrader round trip: generate_assignment, autograde, export — the same points as ours."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backprop_lab.exercises.generate import generate
from backprop_lab.exercises.stubs import functions
from backprop_lab.grade_class import grade_paths
from backprop_lab.gradebook import tamper_report, write_gradebook
from tests.submissions import BASE, buggy_submissions

pytest.importorskip("nbgrader")


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def fill(release: Path, source: str, target: Path) -> None:
    """A student's notebook: the release with each solution cell answered from `source`."""
    notebook = json.loads(release.read_text())
    answers = functions(source)
    for cell in notebook["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if cell["metadata"].get("nbgrader", {}).get("solution") and grade_id in answers:
            cell["source"] = answers[grade_id].text
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(notebook))


def cell_scores(course: Path) -> dict[str, dict[str, float]]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {
            student: {
                g.name.removeprefix("test_"): g.score
                for g in gradebook.find_submission_notebook("backprop", "backprop", student).grades
            }
            for student in ("ann", "ben", "cat", "dan")
        }


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("nbgrader")
    generate(root, formats=("nbgrader",))
    course = root / "nbgrader"
    nbgrader(course, "generate_assignment", "backprop")
    release = course / "release" / "backprop" / "backprop.ipynb"
    fill(release, BASE, course / "submitted" / "ann" / "backprop" / "backprop.ipynb")
    fill(
        release,
        buggy_submissions()["missing_transpose"][1],
        course / "submitted" / "ben" / "backprop" / "backprop.ipynb",
    )
    shadow(release, course / "submitted" / "cat" / "backprop")
    tamper(release, course / "submitted" / "dan" / "backprop" / "backprop.ipynb")
    return course


def tamper(release: Path, target: Path) -> None:
    """A student who leaves the stubs and patches the hidden cells' scorer inside the kernel."""
    notebook = json.loads(release.read_text())
    patch = "import backprop_lab.nbgrader_hook as hook\nhook.score_step = lambda step, points, *a: points\n"
    notebook["cells"].insert(0, {"cell_type": "code", "metadata": {}, "source": patch, "outputs": [],
                                 "execution_count": None, "id": "patch"})  # fmt: skip
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(notebook))


FORGED_HOOK = "def score_step(step_id, points, *args, **kwargs):\n    return points  # full marks\n"


def shadow(release: Path, folder: Path) -> None:
    """A student who left the stubs and ships look-alikes of backprop-lab's hook beside the notebook."""
    folder.mkdir(parents=True)
    (folder / "backprop.ipynb").write_text(release.read_text())
    for package in ("backprop_lab", "graders"):
        (folder / package).mkdir()
        (folder / package / "__init__.py").write_text("")
        (folder / package / "nbgrader_hook.py").write_text(FORGED_HOOK)
    (folder / "sitecustomize.py").write_text("import builtins\nbuiltins.FORGED = True\n")


def test_the_release_holds_stubs_and_no_hidden_test(course) -> None:
    text = (course / "release" / "backprop" / "backprop.ipynb").read_text()
    assert text.count("raise NotImplementedError()") == 12
    assert "score_step" not in text and "BEGIN SOLUTION" not in text


def test_autograde_gives_the_same_points_as_backprop_lab(course, tmp_path) -> None:
    nbgrader(course, "autograde", "backprop")
    ours = {
        r.id: {s.id: s.score for s in r.steps if s.max_score}
        for r in grade_paths([course / "submitted"], tmp_path / "out", show_progress=False)
    }
    honest = {student: cells for student, cells in cell_scores(course).items() if student != "dan"}
    assert honest == {student: cells for student, cells in ours.items() if student != "dan"}
    assert sum(ours["ann"].values()) == 100.0 and ours["ben"]["hidden_delta"] == 0.0
    nbgrader(course, "export")
    with (course / "grades.csv").open() as f:
        totals = {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}
    # cat's own hook was not used; dan patched the scorer inside the kernel and got 100 there
    assert totals == {"ann": 100.0, "ben": 85.0, "cat": 0.0, "dan": 100.0}


def test_the_sandboxed_scores_overrule_autograde_and_tampering_is_reported(course, tmp_path) -> None:
    results = grade_paths([course / "submitted"], tmp_path / "out", show_progress=False)
    report = write_gradebook(results, course)
    assert report.written == 48 and set(report.differences) == {"dan"}
    assert all(theirs > ours == 0.0 for _, theirs, ours in report.differences["dan"])
    assert "'dan'" in tamper_report(report)
    scores = cell_scores(course)
    assert scores["ben"]["hidden_delta"] == 0.0 and sum(scores["dan"].values()) == 0.0


def test_hidden_cells_grade_with_the_course_file_of_the_nbgrader_folder(tmp_path) -> None:
    from backprop_lab.exercises.catalog import Course
    from backprop_lab.nbgrader_hook import _config

    course_file = Path(__file__).parent / "corpus" / "course" / "course.toml"
    written = generate(tmp_path, formats=("nbgrader",), course=Course.load(course_file))
    assert {p.name for p in written} >= {"course.toml", "my_steps.py", "mistakes.toml"}
    folder = tmp_path / "nbgrader" / "autograded" / "ann" / "backprop"
    folder.mkdir(parents=True)
    config = _config(folder)
    assert list(config.points) == ["sigmoid", "output_delta", "backward", "relu_grad"]
    assert config.step("relu_grad").params == ("z",)
    assert "relu_value_as_grad" in {m.id for m in config.step("relu_grad").misconceptions}
