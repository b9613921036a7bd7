"""Every channel a course grades in carries the second assignment: Gradescope's run, GitHub
Classroom's check, JUnit and the class report, each with the deep module and its own words."""

from __future__ import annotations

import json
import zipfile

import yaml
from click.testing import CliRunner

from backprop_lab.cli import main
from backprop_lab.exercises.assemble import student_module
from backprop_lab.exercises.catalog import Course
from backprop_lab.platforms import github_classroom, gradescope
from tests.submissions import replace_function

NAME = "deep"
COURSE = Course.load(None, NAME)
SOLUTION = student_module("en", COURSE, solution=True)
# One catalogued mistake: softmax's Jacobian applied again on top of P − Y.
JACOBIAN_TWICE = replace_function(
    SOLUTION, "output_delta", "def output_delta(P, Y):\n    return (P - Y) * P * (1 - P)\n"
)


def test_gradescope_grades_a_deep_submission_and_the_zip_asks_for_deep(tmp_path) -> None:
    zip_path = gradescope.write_autograder(tmp_path / "generated", COURSE)
    with zipfile.ZipFile(zip_path) as archive:
        assert "--assignment deep" in archive.read("run_autograder").decode()
    scores = {}
    for name, source in {"right": SOLUTION, "slip": JACOBIAN_TWICE}.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "deep.py").write_text(source)
        data = gradescope.autograde(tmp_path / name, tmp_path / f"{name}.json", assignment=NAME)
        scores[name] = {test["name"]: test["score"] for test in data["tests"]}
        scores[name]["total"] = data["score"]
    assert scores["right"]["total"] == 100.0
    assert scores["slip"]["output_delta"] == 0.0
    assert scores["slip"]["total"] == 100.0 - COURSE.points["output_delta"]


def test_the_classroom_template_checks_deep_py_step_by_step(tmp_path) -> None:
    written = github_classroom.write_template(tmp_path, COURSE)
    names = {path.name for path in written}
    assert {"deep.py", "deep.ipynb", "README.md"} <= names and "backprop.py" not in names
    workflow_file = tmp_path / "github-classroom" / ".github" / "workflows" / "classroom.yml"
    workflow = yaml.safe_load(workflow_file.read_text())
    steps = workflow["jobs"]["run-autograding-tests"]["steps"]
    commands = [s["with"]["command"] for s in steps if "command" in s.get("with", {})]
    assert commands and all("check deep.py --assignment deep --step" in c for c in commands)
    repo = tmp_path / "student"
    repo.mkdir()
    (repo / "deep.py").write_text(JACOBIAN_TWICE)
    for step, passes in (("softmax", True), ("output_delta", False)):
        command = ["check", str(repo / "deep.py"), "--assignment", NAME, "--step", step]
        done = CliRunner().invoke(main, command)
        assert (done.exit_code == 0) == passes, done.output


def test_junit_and_the_class_report_name_deep_and_link_its_notes(tmp_path) -> None:
    (tmp_path / "class" / "ann").mkdir(parents=True)
    (tmp_path / "class" / "ann" / "deep.py").write_text(JACOBIAN_TWICE)
    out = tmp_path / "out"
    command = ["grade", str(tmp_path / "class"), "--out", str(out), "--assignment", NAME, "--jobs", "1"]
    done = CliRunner().invoke(main, [*command, "--format", "junit"])
    assert done.exit_code == 0, done.output
    junit = (out / "junit.xml").read_text()
    assert '<testsuites name="deep"' in junit and 'classname="deep.ann"' in junit
    assert json.loads((out / "results.json").read_text())["assignment"] == NAME
    page = (out / "report.html").read_text()
    assert "jacobian_twice" in page
    section = COURSE.assignment.notes().sections["jacobian_twice"]
    assert f'href="#notes-{section}"' in page and f'id="notes-{section}"' in page
