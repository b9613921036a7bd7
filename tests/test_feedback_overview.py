"""Feedback a student acts on (issue 21, item 6): an overview that fits on one screen and
says what to do next, details after it (collapsed in HTML), properties that earn nothing
shown as such, plural forms by count in both languages, and `check` naming the id it used."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from backprop_lab.cli import main
from backprop_lab.exercises.assemble import student_module
from backprop_lab.exercises.catalog import Course
from backprop_lab.feedback import TITLES, step_feedback, submission_feedback, to_html
from backprop_lab.graders.batch import Grader
from backprop_lab.graders.grade import GradingConfig
from backprop_lab.graders.results import StepResult
from backprop_lab.graders.submissions import load
from tests.submissions import BASE, buggy_submissions, replace_function

SCREEN = 40  # lines of a terminal: the overview, with what to do next, fits above this


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict:
    """Real submissions, graded once on the practice cases: the feedback below is theirs."""
    folder = tmp_path_factory.mktemp("submissions")
    _, transpose = buggy_submissions()["missing_transpose"]
    sources = {
        "stub": student_module("en"),
        "half": replace_function(
            student_module("en"), "sigmoid", BASE[BASE.index("def sigmoid(") :].split("\n\n\n")[0]
        ),
        "transpose": transpose,
        # sigmoid_grad wrong, so hidden_delta and backward are graded with stand-ins
        "two_wrong": replace_function(
            replace_function(transpose, "sigmoid_grad", "def sigmoid_grad(a):\n    return a * a\n"),
            "output_delta",
            "def output_delta(P, Y):\n    return P + Y\n",
        ),
        "correct": BASE,
    }
    results = {}
    with Grader(GradingConfig.practice(Course())) as grader:
        for name, source in sources.items():
            (folder / f"{name}.py").write_text(source)
            results[name] = grader.grade(load(folder / f"{name}.py", sub_id=name))
    return results


def _overview(text: str) -> str:
    """From the top of the page to the second section (Details, in either language)."""
    return text[: text.index("\n## ", text.index("\n## ") + 1)]


def _section(text: str, step_id: str) -> str:
    start = text.index(f"### {step_id} —")
    end = text.find("\n### ", start + 1)
    return text[start : end if end > 0 else None]


def test_the_overview_fits_a_screen_and_lists_every_step_with_its_score(graded) -> None:
    for result in graded.values():
        overview = _overview(submission_feedback(result, "en"))
        assert len(overview.splitlines()) < SCREEN
        for step in result.steps:
            title = re.escape(TITLES.get(step.id, step.id))
            assert re.search(rf"^- . {title} — {step.score:g}/{step.max_score:g}$", overview, re.M), step.id


@pytest.mark.parametrize(
    ("name", "english", "chinese"),
    [
        ("stub", "**Next: implement sigmoid.**", "**下一步：实现 sigmoid。**"),
        ("half", "**Next: implement sigmoid_grad.**", "**下一步：实现 sigmoid_grad。**"),
        ("transpose", "**Next: fix hidden_delta: it makes a known mistake (`missing_transpose`).**",
         "**下一步：改正 hidden_delta：它犯了一个常见错误（`missing_transpose`）。**"),
        ("two_wrong", "**Next: fix sigmoid_grad: its answers are wrong.**",
         "**下一步：改正 sigmoid_grad：它的结果不正确。**"),
        ("correct", "**Next: nothing: every step earns full marks.**", "**下一步：无：每一步都已得满分。**"),
    ],
)  # fmt: skip
def test_the_overview_says_the_first_thing_to_do(graded, name, english, chinese) -> None:
    assert english in _overview(submission_feedback(graded[name], "en"))
    assert chinese in _overview(submission_feedback(graded[name], "zh"))


def test_properties_that_hold_but_earn_nothing_say_so(graded) -> None:
    """missing_transpose is wrong on a general batch but leaves its inputs alone: that earns 0."""
    step = next(s for s in graded["transpose"].steps if s.id == "hidden_delta")
    assert step.score == 0 and any(p.passed for p in step.properties)
    section = _section(submission_feedback(graded["transpose"], "en"), "hidden_delta")
    assert "✓" not in section
    assert re.search(
        r"^- ○ leaves its inputs unchanged \(0/[\d.]+\): holds, but earns nothing until", section, re.M
    )
    assert "- ✗ right on a general batch (0/" in section
    correct_partial = next(s for s in graded["two_wrong"].steps if s.id == "sgd_step")
    assert correct_partial.status == "passed"  # a step at full marks lists no properties at all


def test_plural_forms_follow_the_count_in_both_languages(graded) -> None:
    one = submission_feedback(graded["transpose"], "en")
    two = submission_feedback(graded["two_wrong"], "en")
    # a block set aside is named in a sentence of its own, one per block
    sentence = (
        "Graded with your hidden_delta set aside (it is wrong): its mistake is charged to hidden_delta only."
    )
    assert sentence in _section(one, "backward")
    for block in ("output_delta", "hidden_delta"):
        assert f"Graded with your {block} set aside (it is wrong)" in _section(two, "backward")
    assert "Your sigmoid_grad also fails. If this step is built on it, fix it first." in _section(
        two, "hidden_delta"
    )
    assert "评分时把你的 hidden_delta 换成了参考实现" in submission_feedback(graded["transpose"], "zh")
    several = StepResult("backward", 0.0, 15.0, "failed", total=1, suspects=["forward", "hidden_delta"])
    text = step_feedback(several, "en")
    assert "Your forward, hidden_delta also fail. If this step is built on them, fix them first." in text
    assert "0 of 1 case passed." in text
    assert "你的 forward, hidden_delta 也没有通过" in step_feedback(several, "zh")
    assert not re.search(r"\b1 cases\b|\bsigmoid_grad also fail\b", one + two + text)


def test_the_html_page_shows_the_overview_and_folds_each_step(graded) -> None:
    result = graded["transpose"]
    page = to_html(submission_feedback(result, "en"), result.id)
    overview = page[: page.index("<details>")]
    assert "Next: fix hidden_delta" in overview and "<h2>Overview</h2>" in overview
    assert page.count("<details><summary>") == len(result.steps)
    assert "<details><summary>hidden_delta — 0/15</summary>" in page
    assert page.count("<details>") == page.count("</details>")


def test_check_on_a_notebook_names_the_id_it_used_and_how_to_give_another(tmp_path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["generate", "--out", str(tmp_path), "--format", "ipynb"]).exit_code == 0
    notebook = tmp_path / "backprop.ipynb"
    checked = runner.invoke(main, ["check", str(notebook)])
    assert checked.exit_code == 1
    first = checked.output.splitlines()[0]
    assert "Checked as student backprop (taken from the file's name)" in first and "--student" in first
    lines = checked.output.splitlines()
    assert "**Next: implement sigmoid.**" in lines[:SCREEN]
    one_step = runner.invoke(main, ["check", str(notebook), "--step", "sigmoid"])
    assert one_step.output.startswith("### sigmoid")  # one step's log (Classroom): no id to name
    named = runner.invoke(main, ["check", str(notebook), "--student", "ada", "--lang", "zh"])
    assert "Checked as" not in named.output and "按学号" not in named.output
    assert named.output.startswith("# ") and "下一步：实现 sigmoid" in named.output


def test_check_in_chinese_says_it_in_chinese(tmp_path) -> None:
    stub = tmp_path / "mine.py"
    stub.write_text(student_module("zh"))
    checked = CliRunner().invoke(main, ["check", str(stub), "--lang", "zh"])
    assert (
        checked.output.startswith("按学号 mine 检查（取自文件名）")
        and "--student" in checked.output.splitlines()[0]
    )
