"""docs/instructor-guide.md, tried as written (issue 21, item 7): the command-line
walkthrough runs from nothing to grades; every command and option of the nbgrader,
Gradescope and Classroom walkthroughs exists (scripts/try_instructor_guide.py runs those
too: about 40 s for nbgrader's round trip, too slow for every test run); and the links
of README and docs lead somewhere."""

from __future__ import annotations

import csv
import importlib.util
import re
import shlex
import shutil
from pathlib import Path

import pytest

from backprop_lab.cli import main
from backprop_lab.exercises.generate import generate
from backprop_lab.grade_class import grade_paths, grading_config
from backprop_lab.graders.submissions import discover

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "try_instructor_guide", ROOT / "scripts" / "try_instructor_guide.py"
)
guide = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(guide)


def _commands(script: str) -> list[list[str]]:
    """The script's commands, one per line, as words (comments and `|| ...` left out)."""
    lines = [line.split("||")[0].strip() for line in script.splitlines()]
    return [shlex.split(line) for line in lines if line and not line.startswith("#")]


def test_the_guide_has_a_walkthrough_for_every_way_of_running_a_course() -> None:
    assert set(guide.walkthroughs()) == {"cli", "nbgrader", "gradescope", "classroom"}


def test_the_command_line_walkthrough_runs_from_nothing_to_grades(tmp_path) -> None:
    done = guide.try_walkthrough("cli", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    with open(tmp_path / "results" / "grades.csv", newline="") as f:
        grades = {row["id"]: row for row in csv.DictReader(f)}
    assert set(grades) == {"ada", "bo"}  # the stub and the notebook, as collected
    assert all(float(row["score"]) == 0 for row in grades.values())  # nobody had started
    assert (tmp_path / "results" / "feedback" / "bo.html").is_file()
    assert "Next: implement sigmoid." in done.stdout  # what check said to the student
    assert "Checked as student" not in done.stdout  # it was given --student


@pytest.mark.parametrize("name", ["nbgrader", "gradescope", "classroom"])
def test_every_command_and_option_of_the_platform_walkthroughs_exists(name) -> None:
    from nbgrader.apps.nbgraderapp import NbGraderApp

    commands = _commands(guide.walkthroughs()[name])
    ours = [words[1:] for words in commands if words[0] == "backprop-lab"]
    assert ours, "a walkthrough without a backprop-lab command"
    for words in ours:
        command = main.commands[words[0]]
        options = {opt: p for p in command.params for opt in p.opts}
        for index, word in enumerate(words[1:], start=1):
            if word.startswith("--"):
                assert word in options, f"backprop-lab {words[0]} has no option {word}"
                choices = getattr(options[word].type, "choices", None)
                if choices:
                    assert words[index + 1] in choices, (word, words[index + 1])
    for words in commands:
        if words[0] == "nbgrader":
            assert words[1] in NbGraderApp.subcommands, words


def test_the_nbgrader_walkthrough_leaves_its_course_gradable_again(tmp_path) -> None:
    """Its results folder, wherever the walkthrough puts it, must not make a later `grade`
    of the course refuse it as a course that also holds other submissions."""
    commands = _commands(guide.walkthroughs()["nbgrader"])
    grade = next(words for words in commands if words[:2] == ["backprop-lab", "grade"])
    out = grade[grade.index("--out") + 1]
    generate(tmp_path / "mycourse", formats=("nbgrader", "ipynb"))
    course = tmp_path / "mycourse" / "nbgrader"
    (course / "submitted" / "ada" / "backprop").mkdir(parents=True)
    shutil.copy(tmp_path / "mycourse" / "backprop.ipynb", course / "submitted" / "ada" / "backprop")
    results = course / out
    grade_paths([course / "submitted"], results, grading_config(None, results), show_progress=False)
    assert (results / "results.json").is_file()
    assert [s.id for s in discover([course])] == ["ada"]


LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize(
    "page", ["README.md", *(f"docs/{p.name}" for p in sorted((ROOT / "docs").glob("*.md")))]
)
def test_every_relative_link_leads_to_a_file(page) -> None:
    text = (ROOT / page).read_text(encoding="utf-8")
    targets = [t for t in LINK.findall(text) if "://" not in t and not t.startswith("mailto:")]
    missing = [t for t in targets if not ((ROOT / page).parent / t).exists()]
    assert not missing, missing


def test_readme_leads_a_newcomer_to_the_guide_and_the_contract() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/instructor-guide.md" in readme and "docs/assignment.md" in readme
    assert "_args()" not in readme + "".join(p.read_text() for p in (ROOT / "docs").glob("*.md"))
