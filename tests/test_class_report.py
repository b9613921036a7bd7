"""The class report: built from results, escaped where students write, and seen in a real browser."""

from __future__ import annotations

import base64
import re
import shutil
from pathlib import Path

import pytest

from backprop_lab.class_report import SIDE_BY_SIDE, ClassRun, render, step_rows
from backprop_lab.demo import sample_submissions
from backprop_lab.exercises.catalog import Course
from backprop_lab.grade_class import grade_paths
from backprop_lab.graders.grade import GradingConfig
from backprop_lab.graders.results import PropertyResult, StepResult, SubmissionResult
from backprop_lab.graders.submissions import Submission
from backprop_lab.solutions.named import personal_answers
from tests.submissions import CORPUS
from tests.test_copying import LOOPS, disguise, with_answers

ROOT = Path(__file__).resolve().parents[1]
ARTEFACTS = ROOT / "build" / "test-artefacts"
HOSTILE_ID = "<img src=x onerror=alert(1)>"
META = {"seed": 0, "hypothesis": "6", "isolation": "bubblewrap+seccomp"}


def step(sid: str, status: str, misconceptions=(), properties=()) -> StepResult:
    hints = {m: {"en": f"hint for {m}", "zh": f"{m} 的提示"} for m in misconceptions}
    score = 10.0 if status == "passed" else 0.0
    return StepResult(
        sid, score, 10.0, status, list(misconceptions), hints=hints, properties=list(properties)
    )


def passed_hidden() -> StepResult:
    return step("hidden_delta", "passed")


def failed_hidden(*misconceptions: str) -> StepResult:
    return step("hidden_delta", "failed", misconceptions)


def made_class() -> list[SubmissionResult]:
    """Four students on two steps: one misconception shown by two, one by one."""
    general_ok, general_bad = (
        PropertyResult("general", 6, True, 10, 0),
        PropertyResult("general", 6, False, 10, 4),
    )
    extremes_bad = PropertyResult("extremes", 4, False, 5, 5)
    return [
        SubmissionResult("amy", 20, 20, [step("sigmoid", "passed", (), [general_ok]), passed_hidden()]),
        SubmissionResult(
            "bo", 10, 20, [step("sigmoid", "passed", (), [general_ok]), failed_hidden("missing_transpose")]
        ),
        SubmissionResult(
            "cat",
            0,
            20,
            [
                step("sigmoid", "failed", (), [general_bad, extremes_bad]),
                failed_hidden("missing_transpose", "single_path"),
            ],
        ),
        SubmissionResult(
            HOSTILE_ID, 10, 20, [step("sigmoid", "partial", (), [general_ok, extremes_bad]), passed_hidden()]
        ),
    ]


def test_steps_show_their_pass_rate_and_the_share_of_each_property_failed() -> None:
    rows = {row["id"]: row for row in step_rows(made_class(), {"property_failed": "{property}: {share}"})}
    assert rows["sigmoid"]["rate"] == 50.0 and rows["hidden_delta"]["rate"] == 50.0
    assert rows["sigmoid"]["properties"] == ["general: 25%", "extremes: 100%"]
    assert rows["hidden_delta"]["properties"] == []


def test_the_page_ranks_misconceptions_links_the_notes_and_loads_nothing() -> None:
    page = render(made_class(), GradingConfig(), "en", META)
    ranked = re.findall(r'data-misconception="(\w+)"', page)
    assert ranked == ["missing_transpose", "single_path"]
    assert "4 submissions, mean score 10.0 of 20, median 10.0" in page  # scores 20, 10, 10, 0
    assert "2 students (50%)" in page and "hint for missing_transpose" in page
    assert 'href="#notes-4"' in page and 'id="notes-4"' in page  # the hidden layer's section, inline
    assert "Copy detection did not run" in page  # no code was given to this report
    sources = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert sources and all(s.startswith(("data:image/svg+xml;base64,", "#", "feedback/")) for s in sources)
    assert "default-src 'none'" in page


def test_what_a_student_controls_is_text_never_html() -> None:
    code = "</pre><script>alert(1)</script>\n" + LOOPS
    pair = (("amy", code), (HOSTILE_ID, disguise(code)))
    run = ClassRun([Submission(sid, sid, units=[{"name": "m.py", "source": src}]) for sid, src in pair])
    results = made_class()
    results[0].steps[1].hints = {"missing_transpose": {"en": "<b>bold</b>"}}  # even our own hint text
    page = render(results, GradingConfig(), "en", META, run)
    assert "<img src=x" not in page and "<script>alert" not in page and "<b>bold" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert 'href="feedback/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E.html"' in page
    assert "<mark>" in page and "similar to amy" in page


def test_a_class_of_copies_shows_a_few_pairs_side_by_side_and_names_the_rest() -> None:
    class_ = [Submission(f"s{i:02d}", "x", units=[{"name": "m.py", "source": LOOPS}]) for i in range(12)]
    results = [SubmissionResult(s.id, 0, 20, [step("sigmoid", "failed")]) for s in class_]
    page = render(results, GradingConfig(), "en", META, ClassRun(class_))
    pairs = 12 * 11 // 2
    assert page.count('<div class="pair">') == SIDE_BY_SIDE < pairs
    assert f"{pairs - SIDE_BY_SIDE} more pairs reach the threshold" in page
    assert page.count('<span class="flag">similar to s') == 12 and "and 8 more" in page  # 3 of 11 named


def test_the_page_speaks_chinese() -> None:
    page = render(made_class(), GradingConfig(), "zh", META)
    assert '<html lang="zh">' in page and "班级报告" in page and "常见错误" in page
    assert "missing_transpose 的提示" in page
    encoded = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)
    charts = [base64.b64decode(src).decode() for src in encoded]
    assert len(charts) == 2  # labelled in Chinese: the reader's browser sets the text, no font is needed here
    assert "成绩分布" in charts[0] and "sigmoid" in charts[1]


# ------------------------------------------------------------------ in a real browser


def browser_or_skip():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it): the browser test cannot run")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extras")
    return chromium, sync_api


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory) -> tuple[Path, dict[str, SubmissionResult]]:
    """The demo's five students, a disguised copy, borrowed personal numbers, a hostile name."""
    root = tmp_path_factory.mktemp("class")
    folder = root / "submissions"
    sample_submissions(folder, "en", Course())
    (folder / "gus.py").write_text(LOOPS)
    (folder / "hal.py").write_text(disguise(LOOPS))
    einsum = (CORPUS / "correct" / "einsum.py").read_text()
    (folder / "fay.py").write_text(with_answers(einsum, personal_answers("ada")))
    shutil.copy(CORPUS / "buggy" / "missing_transpose.py", folder / "ivy.py")
    (folder / f"{HOSTILE_ID}.py").write_text((folder / "cy.py").read_text())
    results = grade_paths([folder], root / "results", GradingConfig(), show_progress=False)
    return root / "results", {r.id: r for r in results}


def open_page(sync_api, chromium: str, url: str, name: str, action=None) -> dict:
    """Open url headless; record console errors and every request; run action; screenshot."""
    seen: dict = {"errors": [], "requests": []}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
        page.on("pageerror", lambda e: seen["errors"].append(str(e)))
        page.on("request", lambda r: seen["requests"].append(r.url))
        page.goto(url)
        seen.update(action(page) if action else {})
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)
        browser.close()
    return seen


def test_the_class_report_in_a_browser(graded_class) -> None:
    chromium, sync_api = browser_or_skip()
    out, results = graded_class
    report = out / "report.html"
    step_ids = [s.id for s in results["ada"].steps]

    def look(page) -> dict:
        column = "#student-table tbody td:nth-child({}) "
        score_button = "#student-table th:nth-child(2) button"
        seen = {
            "rates": {sid: page.inner_text(f'tr[data-step="{sid}"] .rate') for sid in step_ids},
            "top": page.get_attribute("ol.misconceptions li:first-child", "data-misconception"),
            "top_text": page.inner_text("ol.misconceptions li:first-child"),
        }
        page.click(score_button)
        seen["ascending"] = page.eval_on_selector_all(column.format(2), "cs => cs.map(c => +c.dataset.sort)")
        page.click(score_button)
        seen["descending"] = page.eval_on_selector_all(
            column.format(1) + "a", "as => as.map(a => a.textContent)"
        )
        seen["pairs"] = page.eval_on_selector_all(".pair h3", "hs => hs.map(h => h.textContent)")
        seen["marks"] = page.eval_on_selector_all(
            ".pair pre", "ps => ps.map(p => p.querySelectorAll('mark').length)"
        )
        seen["borrowed"] = page.inner_text("#copying .borrowed")
        return seen

    seen = open_page(sync_api, chromium, report.as_uri(), "class-report", look)
    assert seen["errors"] == []
    # nothing leaves the file, not even the hostile id's <img>
    assert set(seen["requests"]) == {report.as_uri()}
    for sid in step_ids:
        graded = [r.steps for r in results.values()]
        passed = sum(s.status == "passed" for steps in graded for s in steps if s.id == sid)
        total = sum(1 for steps in graded for s in steps if s.id == sid)
        assert seen["rates"][sid] == f"{100 * passed / total:.0f}%", sid
    assert seen["top"] == "missing_transpose" and "2 students" in seen["top_text"]  # ben and ivy
    assert seen["ascending"] == sorted(r.score for r in results.values())
    best = max(r.score for r in results.values())
    assert results[seen["descending"][0]].score == best and results[seen["descending"][-1]].score == 0
    hostile = next(r.id for r in results.values() if r.origin.endswith(f"{HOSTILE_ID}.py"))
    assert hostile in seen["descending"]  # its safe id; the requests above show no <img> ran
    # hal's disguised copy of gus. fay's ANSWERS block holds ada's numbers: the ANSWERS
    # block is given to everyone, so that is borrowed numbers, not similar code
    assert [title.split(":")[0] for title in seen["pairs"]] == ["gus and hal"]
    assert len(seen["marks"]) == 2 and all(count > 0 for count in seen["marks"])
    assert "fay" in seen["borrowed"] and "ada" in seen["borrowed"]


def test_a_students_feedback_page_from_the_report_in_a_browser(graded_class) -> None:
    chromium, sync_api = browser_or_skip()
    out, results = graded_class

    def follow(page) -> dict:
        page.click('#student-table a.student:text-is("ben")')
        page.wait_for_load_state()
        return {"url": page.url, "heading": page.inner_text("h1"), "body": page.inner_text("body")}

    seen = open_page(sync_api, chromium, (out / "report.html").as_uri(), "feedback-ben", follow)
    assert seen["errors"] == []
    feedback = (out / "feedback" / "ben.html").as_uri()
    assert seen["url"] == feedback and set(seen["requests"]) == {(out / "report.html").as_uri(), feedback}
    assert "ben" in seen["heading"]
    assert f"{results['ben'].score:g} / {results['ben'].max_score:g}" in seen["body"]
    assert "missing_transpose" in seen["body"]
