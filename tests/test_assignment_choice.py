"""Choosing an assignment: by option or course file, recorded in the results, and work handed in
for the other one named, not scored as a class of zeros."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from backprop_lab.cli import main
from backprop_lab.exercises.assemble import student_module
from backprop_lab.exercises.catalog import Course
from backprop_lab.feedback import submission_reasons
from backprop_lab.grade_class import grade_paths, grading_config
from backprop_lab.graders.submissions import DiscoveryError, discover


def solution(name: str) -> str:
    return student_module("en", Course.load(None, name), solution=True)


def test_a_class_of_the_other_assignment_is_refused_with_the_option_to_use(tmp_path) -> None:
    for student in ("ann", "ben"):
        (tmp_path / "class" / student).mkdir(parents=True)
        (tmp_path / "class" / student / "deep.py").write_text(solution("deep"))
    with pytest.raises(DiscoveryError, match="--assignment deep"):
        grade_paths([tmp_path / "class"], tmp_path / "out", grading_config(None, tmp_path / "out"))
    result = CliRunner().invoke(main, ["grade", str(tmp_path / "class"), "--out", str(tmp_path / "cli")])
    assert result.exit_code != 0 and "--assignment deep" in result.output and "Traceback" not in result.output


def test_one_submission_of_the_other_assignment_says_whose_work_it_is(tmp_path) -> None:
    (tmp_path / "class" / "ann").mkdir(parents=True)
    (tmp_path / "class" / "ann" / "backprop.py").write_text(solution("backprop"))
    (tmp_path / "class" / "ben").mkdir(parents=True)
    (tmp_path / "class" / "ben" / "deep.py").write_text(solution("deep"))
    config = grading_config(None, tmp_path / "out")
    graded = grade_paths([tmp_path / "class"], tmp_path / "out", config, show_progress=False)
    results = {r.id: r for r in graded}
    assert results["ann"].score == 100.0
    # The functions the two contracts share, word for word, are right for either: σ'(z) through a,
    # δ = P − Y, the gradient check. Nothing else of deep's answers backprop's calls.
    earned = {s.id for s in results["ben"].steps if s.score}
    assert earned == {"sigmoid_grad", "output_delta", "numerical_gradient"}
    [reason] = submission_reasons(results["ben"], "en")
    assert "deep assignment" in reason and "grades backprop" in reason
    assert "deep" in submission_reasons(results["ben"], "zh")[0]
    assert json.loads((tmp_path / "out" / "results.json").read_text())["assignment"] == "backprop"


def test_the_option_and_the_course_file_choose_and_results_record_it(tmp_path) -> None:
    (tmp_path / "class" / "ann").mkdir(parents=True)
    (tmp_path / "class" / "ann" / "deep.py").write_text(solution("deep"))
    course = tmp_path / "course.toml"
    course.write_text('[assignment]\nname = "deep"\n')
    for args in (["--assignment", "deep"], ["--course", str(course)]):
        out = tmp_path / f"out{len(args[1])}"
        command = ["grade", str(tmp_path / "class"), "--out", str(out), "--jobs", "1", *args]
        done = CliRunner().invoke(main, command)
        assert done.exit_code == 0, done.output
        data = json.loads((out / "results.json").read_text())
        assert data["assignment"] == "deep" and data["submissions"][0]["score"] == 100.0
    assert [s.assignment for s in discover([tmp_path / "class"], "deep")] == ["deep"]


def test_check_knows_the_assignment_from_the_file_name(tmp_path) -> None:
    module = tmp_path / "deep.py"
    module.write_text(solution("deep"))
    done = CliRunner().invoke(main, ["check", str(module), "--student", "ann"])
    assert done.exit_code == 0 and "Traceback" not in done.output, done.output
    steps = Course.load(None, "deep").assignment.steps
    assert all(step.id in done.output for step in steps)


def test_an_unknown_assignment_in_the_course_file_is_named_with_its_line(tmp_path) -> None:
    course = tmp_path / "course.toml"
    course.write_text('[assignment]\nname = "dep"\n')
    message = r"course.toml:2: unknown assignment 'dep' \(known: backprop, deep\); did you mean 'deep'"
    with pytest.raises(ValueError, match=message):
        Course.load(course)
