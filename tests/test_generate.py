"""The generator: stubs made mechanically from the reference, notebooks, personal sheets."""

from __future__ import annotations

import json

import nbformat
import pytest

from backprop_lab.exercises.assemble import notebook, self_check_source, student_module
from backprop_lab.exercises.backprop.steps import STEPS
from backprop_lab.exercises.catalog import Course
from backprop_lab.exercises.generate import generate
from backprop_lab.exercises.i18n import tr
from backprop_lab.exercises.stubs import functions, reference_source, strip_solutions
from backprop_lab.feedback import submission_feedback
from backprop_lab.graders.batch import Grader
from backprop_lab.graders.grade import GradingConfig
from backprop_lab.graders.submissions import load
from backprop_lab.solutions import backprop as ref
from backprop_lab.solutions.named import personal_numbers
from tests.submissions import replace_function


def test_stripping_leaves_no_solution_line_and_a_stub_in_every_function() -> None:
    source = reference_source(ref)
    stripped = strip_solutions(source)
    bodies = [f.text for f in functions(source).values()]
    solution_lines = {
        line.strip()
        for body in bodies
        for line in body.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0].splitlines()
        if line.strip() and not line.strip().startswith("#")
    }
    assert solution_lines and not any(line in stripped for line in solution_lines)
    assert stripped.count("raise NotImplementedError()") == len(bodies) == 12


@pytest.mark.parametrize(
    "text",
    ["### BEGIN SOLUTION\nx = 1\n", "x = 1\n### END SOLUTION\n", "### BEGIN SOLUTION\n### BEGIN SOLUTION\n"],
)
def test_unbalanced_solution_markers_are_refused(text) -> None:
    with pytest.raises(ValueError):
        strip_solutions(text)


def test_generating_twice_gives_identical_bytes(tmp_path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nada,Ada\nbo,Bo\n")
    first = generate(tmp_path / "a", "zh", roster=roster)
    second = generate(tmp_path / "b", "zh", roster=roster)
    # made once, random, private; nbgrader's autograde reads the same one at the course's root
    secrets = [
        tmp_path / "a" / "instructor" / "course-secret.txt",
        tmp_path / "a" / "nbgrader" / "course-secret.txt",
    ]
    assert first[-2:] == secrets and [p.relative_to(tmp_path / "b") for p in second[-2:]] == [
        p.relative_to(tmp_path / "a") for p in secrets
    ]
    first, second = first[:-2], second[:-2]
    assert all(p.stat().st_mode & 0o077 == 0 for p in secrets)
    other_course = (tmp_path / "b" / "instructor" / "course-secret.txt").read_text()
    assert secrets[0].read_text() == secrets[1].read_text() != other_course
    assert not set(secrets) & set(generate(tmp_path / "a", "zh"))
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    names = {p.relative_to(tmp_path / "a").as_posix() for p in first}
    assert names == {
        "backprop.py",
        "backprop.ipynb",
        "nbgrader/source/backprop/backprop.ipynb",
        "nbgrader/nbgrader_config.py",
        "personal/ada.md",
        "personal/bo.md",
    }
    sheet = (tmp_path / "a" / "personal" / "ada.md").read_text()
    assert all(f"{name} = {value:g}" in sheet for name, value in personal_numbers("ada").items())


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_stub_module_scores_zero_and_the_solution_copy_full_marks(tmp_path, lang) -> None:
    (tmp_path / "stub.py").write_text(student_module(lang))
    (tmp_path / "key.py").write_text(student_module(lang, solution=True))
    with Grader(GradingConfig()) as grader:
        stub, key = grader.grade(load(tmp_path / "stub.py")), grader.grade(load(tmp_path / "key.py"))
    assert stub.score == 0.0 and {s.status for s in stub.steps} == {"missing"}
    assert key.score == 100.0
    titles = [tr(lang, s.title) for s in STEPS]
    assert all(title in (tmp_path / "stub.py").read_text() for title in titles)


def test_a_newcomer_fills_in_one_stub_and_sees_it_graded(tmp_path) -> None:
    module = generate(tmp_path, formats=("py",))[0]
    answer = functions(reference_source(ref))["output_delta"].text
    module.write_text(replace_function(module.read_text(), "output_delta", answer))
    with Grader(GradingConfig()) as grader:
        result = grader.grade(load(module))
    assert {s.id: s.status for s in result.steps if s.status == "passed"} == {"output_delta": "passed"}
    assert result.score == 10.0


def test_notebooks_are_valid_and_carry_nbgrader_metadata() -> None:
    course = Course()
    student, source = notebook("en", course), notebook("en", course, nbgrader=True)
    nbformat.validate(student)
    assert not any("nbgrader" in c.metadata for c in student.cells)
    meta = [c.metadata["nbgrader"] for c in source.cells if "nbgrader" in c.metadata]
    tests = {m["grade_id"]: m["points"] for m in meta if m["grade"]}
    assert tests == {f"test_{k}": v for k, v in course.points.items()}
    assert {m["grade_id"] for m in meta if m["solution"]} == set(course.points)
    assert all(m["schema_version"] == 3 for m in meta)
    hidden = [c.source for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert all("### BEGIN HIDDEN TESTS" in text and "score_step(" in text for text in hidden)


def test_the_self_check_passes_on_the_solution_and_says_not_yet_on_the_stubs(capsys) -> None:
    course = Course()
    namespace: dict = {}
    exec(student_module("en", solution=True), namespace)
    exec(self_check_source("en", course), namespace)
    assert capsys.readouterr().out.count("✓") == 12
    namespace = {}
    exec(student_module("en"), namespace)
    exec(self_check_source("en", course), namespace)
    assert capsys.readouterr().out.count("not implemented yet") == 12


def test_a_course_file_chooses_steps_and_points(tmp_path) -> None:
    path = tmp_path / "course.toml"
    path.write_text(
        '[assignment]\nsteps = ["output_delta", "hidden_delta"]\nanswers_points = 4\n\n'
        "[points]\nhidden_delta = 20\n"
    )
    course = Course.load(path)
    assert course.points == {"output_delta": 10.0, "hidden_delta": 20.0} and course.answers_points == 4.0
    module = student_module("en", course)
    assert module.count("raise NotImplementedError()") == 2  # the two steps asked for
    assert "return a * (1.0 - a)" in module  # the rest given, solved: backward may call them
    path.write_text("[points]\nhidden_deltas = 3\n")
    with pytest.raises(ValueError, match="hidden_deltas"):
        Course.load(path)


def test_the_personal_numbers_cell_computes_the_graders_numbers(monkeypatch, capsys) -> None:
    cell = next(c for c in notebook("en").cells if c.get("id") == "personal-numbers")
    monkeypatch.setenv("JUPYTERHUB_USER", "ada")
    exec(cell.source, {})
    printed = dict(line.split(" = ") for line in capsys.readouterr().out.strip().splitlines())
    assert {k: float(v) for k, v in printed.items()} == personal_numbers("ada")
    assert json.dumps(personal_numbers("ada"))  # plain floats, printable and typeable


def test_the_course_file_in_the_repository_states_the_defaults() -> None:
    from pathlib import Path

    course = Course.load(Path(__file__).resolve().parents[1] / "course" / "course.toml")
    assert course.points == Course().points and course.answers_points == 0.0


def test_an_instructors_own_step_is_generated_and_graded(tmp_path) -> None:
    from pathlib import Path

    course_file = Path(__file__).parent / "corpus" / "course" / "course.toml"
    course = Course.load(course_file)
    assert course.points == {"sigmoid": 5.0, "output_delta": 10.0, "backward": 20.0, "relu_grad": 5.0}
    stub = student_module("zh", course)
    assert "def relu_grad" in stub and "ReLU 的导数" in stub and "astype" not in stub
    assert nbformat.validate(notebook("en", course, nbgrader=True)) is None

    key = student_module("en", course, solution=True)
    wrong = replace_function(key, "relu_grad", "def relu_grad(z):\n    return (z >= 0) * 1\n")
    (tmp_path / "key.py").write_text(key)
    (tmp_path / "wrong.py").write_text(wrong)
    config = GradingConfig(course)
    with Grader(config) as grader:
        right, bad = grader.grade(load(tmp_path / "key.py")), grader.grade(load(tmp_path / "wrong.py"))
    assert right.score == right.max_score == 40.0
    relu = next(s for s in bad.steps if s.id == "relu_grad")
    assert relu.score == 0.0 and relu.failure.reason == "wrong_dtype"

    # The instructor's own catalog names their students' own mistakes, with their hint.
    (tmp_path / "value.py").write_text(
        replace_function(key, "relu_grad", "def relu_grad(z):\n    return np.maximum(z, 0.0)\n")
    )
    with Grader(config) as grader:
        value = grader.grade(load(tmp_path / "value.py"))
    relu = next(s for s in value.steps if s.id == "relu_grad")
    assert relu.misconceptions == ["relu_value_as_grad"]
    assert "ReLU 本身" in submission_feedback(value, "zh")
