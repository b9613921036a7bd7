"""The real nbgrader round trip: generate_assignment, autograde, export — the same points as ours."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import nbformat
import pytest

from backprop_lab.exercises.generate import generate
from backprop_lab.exercises.secret import FILE_NAME as SECRET_FILE
from backprop_lab.exercises.stubs import functions
from backprop_lab.feedback import step_feedback
from backprop_lab.grade_class import grade_paths, grading_config
from backprop_lab.gradebook import course_secret, tamper_report, write_gradebook
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
    patch = (
        "import backprop_lab.nbgrader_hook as hook\n"
        "hook.score_step = lambda step, points, *a, **k: points\n"
    )
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


def graded_as_grade_gradebook_does(course: Path, out: Path) -> list:
    """`backprop-lab grade submitted/ --gradebook COURSE`: on the course's own secret."""
    config = grading_config(None, out, course_secret(course))
    return grade_paths([course / "submitted"], out, config, show_progress=False)


def hidden_cell_outputs(course: Path, student: str) -> dict[str, str]:
    """What each hidden test cell printed in the autograded notebook: the student's feedback."""
    notebook = nbformat.read(course / "autograded" / student / "backprop" / "backprop.ipynb", as_version=4)
    return {
        cell["metadata"]["nbgrader"]["grade_id"].removeprefix("test_"): "".join(
            o.get("text", "") for o in cell["outputs"] if o["output_type"] == "stream"
        )
        for cell in notebook["cells"]
        if cell["metadata"].get("nbgrader", {}).get("grade")
    }


def test_the_release_holds_stubs_and_no_hidden_test_nor_the_secret(course) -> None:
    text = (course / "release" / "backprop" / "backprop.ipynb").read_text()
    assert text.count("raise NotImplementedError()") == 12
    assert "score_step" not in text and "BEGIN SOLUTION" not in text
    secret = (course / SECRET_FILE).read_text().strip()  # beside gradebook.db: the instructor's side
    assert secret == (course.parent / "instructor" / SECRET_FILE).read_text().strip()
    released = [p for p in (course / "release").rglob("*") if p.is_file()]
    assert released and not any(secret in p.read_text() for p in released)


def test_autograde_gives_the_same_points_and_feedback_as_backprop_lab(course, tmp_path) -> None:
    nbgrader(course, "autograde", "backprop")
    results = graded_as_grade_gradebook_does(course, tmp_path / "out")
    ours = {r.id: {s.id: s.score for s in r.steps if s.max_score} for r in results}
    for result in (r for r in results if r.id in ("ann", "ben")):  # dan's kernel prints nothing
        expected = {s.id: step_feedback(s, "en") + "\n" for s in result.steps if s.max_score}
        assert hidden_cell_outputs(course, result.id) == expected
    honest = {student: cells for student, cells in cell_scores(course).items() if student != "dan"}
    assert honest == {student: cells for student, cells in ours.items() if student != "dan"}
    assert sum(ours["ann"].values()) == 100.0 and ours["ben"]["hidden_delta"] == 0.0
    nbgrader(course, "export")
    with (course / "grades.csv").open() as f:
        totals = {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}
    # cat's own hook was not used; dan patched the scorer inside the kernel and got 100 there
    assert totals == {"ann": 100.0, "ben": 85.0, "cat": 0.0, "dan": 100.0}


def test_a_second_autograde_gives_byte_identical_feedback(course) -> None:
    before = hidden_cell_outputs(course, "ben")  # ben's hidden_delta: "off by up to …", a number
    assert "hidden_delta" in before and "0/15" in before["hidden_delta"]
    done = nbgrader(course, "autograde", "backprop", "--student", "ben", "--force")
    assert hidden_cell_outputs(course, "ben") == before
    # nbgrader_config.py explains its warnings: nbgrader putting back each step's hidden tests
    changed = [line for line in done.stderr.splitlines() if "has changed!" in line]
    assert len(changed) == 12 and all("Attribute 'checksum' for cell test_" in line for line in changed)


def test_the_sandboxed_scores_overrule_autograde_even_after_a_new_autograde(course, tmp_path) -> None:
    results = graded_as_grade_gradebook_does(course, tmp_path / "out")
    report = write_gradebook(results, course, "backprop")
    assert report.written == 48 and report.unscored == 0 and set(report.differences) == {"dan"}
    assert all(theirs > ours == 0.0 for _, theirs, ours in report.differences["dan"])
    assert "'dan'" in tamper_report(report) and "overruled" in tamper_report(report)
    scores = cell_scores(course)
    assert scores["ben"]["hidden_delta"] == 0.0 and sum(scores["dan"].values()) == 0.0
    assert sum(scores["ann"].values()) == 100.0

    nbgrader(course, "autograde", "backprop", "--student", "dan", "--force")  # dan's kernel: 100 again
    assert sum(cell_scores(course)["dan"].values()) == 0.0  # formgrader still shows the overrule
    again = write_gradebook(results, course, "backprop")
    assert again.differences == report.differences  # and it is reported again


def test_on_a_course_never_autograded_the_gradebook_is_written_quietly_and_truly(tmp_path) -> None:
    generate(tmp_path, formats=("nbgrader",))
    course = tmp_path / "nbgrader"
    nbgrader(course, "generate_assignment", "backprop")
    fill(
        course / "release" / "backprop" / "backprop.ipynb",
        BASE,
        course / "submitted" / "ann" / "backprop" / "backprop.ipynb",
    )
    results = graded_as_grade_gradebook_does(course, tmp_path / "out")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = write_gradebook(results, course, "backprop")
    assert [str(w.message) for w in caught] == []  # nbgrader's SQLAlchemy warnings included
    assert report.written == report.unscored == 12 and not report.differences
    text = tamper_report(report)
    assert "not scored" in text and "agrees" not in text


def test_hidden_cells_grade_with_the_course_file_of_the_nbgrader_folder(tmp_path) -> None:
    from backprop_lab.exercises.catalog import Course
    from backprop_lab.nbgrader_hook import _config

    course_file = Path(__file__).parent / "corpus" / "course" / "course.toml"
    written = generate(tmp_path, formats=("nbgrader",), course=Course.load(course_file))
    assert {p.name for p in written} >= {"course.toml", "my_steps.py", "mistakes.toml"}
    folder = tmp_path / "nbgrader" / "autograded" / "ann" / "backprop"
    folder.mkdir(parents=True)
    config = _config(folder, "backprop")
    assert list(config.points) == ["sigmoid", "output_delta", "backward", "relu_grad"]
    assert config.step("relu_grad").params == ("z",)
    assert "relu_value_as_grad" in {m.id for m in config.step("relu_grad").misconceptions}
