"""An instructor's own files (custom steps, misconception catalogs) that cannot be used get a
teacher's error: one `Error:` line naming the file, the step and the cause, before any
student is graded, from every command that reads the course (issue 21, item 5)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from backprop_lab.cli import main
from backprop_lab.exercises.catalog import Course

COURSE = Path(__file__).parent / "corpus" / "course"
CORRECT = Path(__file__).parent / "corpus" / "correct" / "vectorised.py"
GOOD_INPUTS = "    shape = (1 + index % 4, 2 + index % 3)\n"

BROKEN_MODULES = {
    # what is wrong: (how the module is changed, words the message must hold)
    "inputs_raise": (lambda s: s.replace(GOOD_INPUTS, "    1 / 0\n" + GOOD_INPUTS), "ZeroDivisionError"),
    "inputs_not_a_dict": (
        lambda s: s.replace(GOOD_INPUTS, '    return ["z"]\n' + GOOD_INPUTS),
        "relu_grad_inputs(rng, 0) returned list",
    ),
    "solution_raises": (
        lambda s: s.replace("    return (np.asarray(z) > 0)", "    return np.asarray(z).nope"),
        "AttributeError",
    ),
    "syntax_error": (lambda s: s.replace("def relu_grad(", "def relu_grad(("), "SyntaxError"),
    "missing_import": (lambda s: "import no_such_package_xyz\n" + s, "no_such_package_xyz"),
}


def _course(tmp_path: Path, change_module=lambda s: s, change_catalog=lambda s: s) -> Path:
    folder = tmp_path / "course"
    shutil.copytree(COURSE, folder)
    module = folder / "my_steps.py"
    module.write_text(change_module(module.read_text()))
    catalog = folder / "mistakes.toml"
    catalog.write_text(change_catalog(catalog.read_text()))
    return folder / "course.toml"


def _one_error_line(result, *words: str) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    assert all(word in errors[0] for word in words), errors[0]
    return errors[0]


def test_the_corpus_course_is_usable_as_it_is() -> None:
    """The broken variants below differ from this one only by the change each names."""
    assert "relu_grad" in Course.load(COURSE / "course.toml").steps


@pytest.mark.parametrize("broken", list(BROKEN_MODULES))
def test_grade_refuses_a_custom_step_that_cannot_run_before_grading_anyone(tmp_path, broken) -> None:
    change, cause = BROKEN_MODULES[broken]
    course = _course(tmp_path, change)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["grade", str(CORRECT), "--out", str(out), "--course", str(course)])
    _one_error_line(result, "my_steps.py", "relu_grad", cause)
    assert not (out / "results.json").exists() and not (out / "feedback").exists()


@pytest.mark.parametrize("command", ["generate", "check"])
@pytest.mark.parametrize("broken", ["syntax_error", "missing_import", "inputs_raise"])
def test_generate_and_check_say_the_same_in_one_line(tmp_path, command, broken) -> None:
    change, cause = BROKEN_MODULES[broken]
    course = _course(tmp_path, change)
    args = ["generate", "--out", str(tmp_path / "gen")] if command == "generate" else ["check", str(CORRECT)]
    result = CliRunner().invoke(main, [*args, "--course", str(course)])
    _one_error_line(result, "my_steps.py", "relu_grad", cause)


def test_a_misconception_catalog_that_is_not_toml_is_named(tmp_path) -> None:
    course = _course(tmp_path, change_catalog=lambda s: s.replace('steps = ["relu_grad"]', "steps = [relu"))
    result = CliRunner().invoke(main, ["check", str(CORRECT), "--course", str(course)])
    _one_error_line(result, "mistakes.toml", "TOML", "line 4")


def test_a_misconception_for_an_unknown_step_is_refused(tmp_path) -> None:
    course = _course(tmp_path, change_catalog=lambda s: s.replace('["relu_grad"]', '["relu_gard"]'))
    with pytest.raises(ValueError, match=r"mistakes\.toml.*relu_value_as_grad.*unknown step 'relu_gard'"):
        Course.load(course)
    result = CliRunner().invoke(main, ["generate", "--out", str(tmp_path / "gen"), "--course", str(course)])
    _one_error_line(result, "mistakes.toml", "relu_gard")


def test_a_missing_misconception_catalog_is_named(tmp_path) -> None:
    course = _course(tmp_path)
    (course.parent / "mistakes.toml").unlink()
    result = CliRunner().invoke(main, ["check", str(CORRECT), "--course", str(course)])
    _one_error_line(result, "mistakes.toml")
