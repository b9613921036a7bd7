"""Writing results: results.json and grades.csv (the spec's), feedback files, Gradescope,
JUnit, and a picture of the class (score distribution and per-step pass rates).
"""

from __future__ import annotations

import io
import json
import re
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, fields
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backprop_lab.atomic import csv_text, write_atomically
from backprop_lab.class_report import ClassRun, write_class_report
from backprop_lab.exercises.visibility import Visibility
from backprop_lab.feedback import (
    code_span,
    step_feedback,
    submission_feedback,
    submission_reasons,
    to_html,
)
from backprop_lab.graders.batch import failed_result
from backprop_lab.graders.grade import GradingConfig
from backprop_lab.graders.results import PropertyResult, SubmissionResult
from backprop_lab.lateness import late_note

if TYPE_CHECKING:
    from matplotlib.figure import Figure

LATE_COLUMNS = ("raw_score", "late_penalty", "days_late")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")  # what a spreadsheet may run as a formula
_PROPERTY_FIELDS = fields(PropertyResult)
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")  # outside XML 1.0's Char


def each_result(results: list[SubmissionResult], render: Callable[[SubmissionResult], Any]) -> list[Any]:
    """render(r) for every result; one that cannot be rendered is rendered as an internal error
    (0 points, the error named), so one result never stops a class-wide file."""
    rendered = []
    for r in results:
        try:
            rendered.append(render(r))
        except Exception as error:
            points = {s.id: s.max_score for s in r.steps}
            rendered.append(render(failed_result(r, points, r.max_score, error)))
    return rendered


def xml_text(text: str) -> str:
    """text with every character XML 1.0 forbids (controls, U+FFFE, U+FFFF, surrogates) escaped."""
    return NOT_XML.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def valid_xml(tree: ET.ElementTree) -> ET.ElementTree:
    """The tree with xml_text applied to every text, tail and attribute: valid by construction."""
    for element in tree.iter():
        element.text = xml_text(element.text) if element.text else element.text
        element.tail = xml_text(element.tail) if element.tail else element.tail
        for key, value in element.attrib.items():
            element.attrib[key] = xml_text(value)
    return tree


def _steps_feedback(result: SubmissionResult, lang: str) -> list[str]:
    """Each step's Markdown, knowing which of the submission's files could not run."""
    unrunnable = tuple(code_span(unit["name"]) for unit in result.units)
    return [step_feedback(s, lang, unrunnable) for s in result.steps]


def native(
    results: list[SubmissionResult], lang: str, meta: dict[str, Any], assignment: str
) -> dict[str, Any]:
    """The spec's results.json, plus what makes every score reproducible."""
    return {
        "assignment": assignment,
        **meta,
        "submissions": each_result(results, lambda r: native_entry(r, lang)),
    }


def native_text(
    results: list[SubmissionResult],
    lang: str,
    meta: dict[str, Any],
    assignment: str,
    entries: Callable[[int], str | None] | None = None,
) -> Iterator[str]:
    """`native` as JSON text, a submission at a time and a line each (the rest indented by
    one): never the whole document and the encoder's pieces at once (75 KiB a submission at
    the grading process's peak, measured on 600), and each entry by json's C encoder (an
    indented entry went through its Python one: 4 ms a submission).
    `entries(i)`: result i's `entry_text`, made when it was graded (None: make it here)."""
    if not results:
        yield json.dumps(native(results, lang, meta, assignment), indent=1, ensure_ascii=False)
        return
    # JSON escapes a newline inside a string: the only "\n  null\n" is the placeholder's
    shell = {"assignment": assignment, **meta, "submissions": [None]}
    before, _, after = json.dumps(shell, indent=1, ensure_ascii=False).rpartition("\n  null\n")
    yield before
    for index, r in enumerate(results):
        text = entries(index) if entries is not None else None
        yield ("\n  " if index == 0 else ",\n  ") + (entry_text(r, lang) if text is None else text)
    yield "\n" + after


def entry_text(r: SubmissionResult, lang: str, steps: list[str] | None = None) -> str:
    """One submission's entry as its line in results.json; `steps`: each step's Markdown,
    where the caller has made it already."""
    entry = each_result([r], lambda each: native_entry(each, lang, steps if each is r else None))[0]
    return json.dumps(entry, ensure_ascii=False)


def native_entry(r: SubmissionResult, lang: str, steps: list[str] | None = None) -> dict[str, Any]:
    """One submission's entry in results.json (`steps`: as for `entry_text`)."""
    return {
        "id": r.id,
        "name": r.name or r.id,  # as found, escaped; the id is its safe form
        "origin": r.origin,
        "score": r.score,  # final: after any late penalty
        "max_score": r.max_score,
        "raw_score": r.late.raw_score if r.late else r.score,
        "late": asdict(r.late) if r.late else None,
        "digest": r.digest,  # what was graded: a regrade's audit tells a changed submission by it
        "problems": submission_reasons(r, lang),
        "steps": [
            {
                "id": s.id,
                "score": s.score,
                "max_score": s.max_score,
                "status": s.status,
                "misconceptions": s.misconceptions,
                "passed": s.passed,
                "total": s.total,
                "properties": [_property(p) for p in s.properties],
                "carried_forward": s.carried_forward,
                "suspects": s.suspects,
                "carried_causes": s.carried_causes,
                "feedback": feedback,
            }
            for s, feedback in zip(r.steps, steps or _steps_feedback(r, lang), strict=True)
        ],
    }


def _property(p: PropertyResult) -> dict[str, Any]:
    """asdict(p) without its deep copy: a property's fields are plain values (a third of
    results.json's time went to asdict)."""
    return {f.name: getattr(p, f.name) for f in _PROPERTY_FIELDS}


def gradescope(
    result: SubmissionResult,
    lang: str,
    visibility: Visibility | None = None,
    steps: list[str] | None = None,
) -> dict[str, Any]:
    """Gradescope's autograder results format for one submission, its text as Markdown: a test
    per step worth points (a 0-point step would show a student at full marks a failed test),
    shown when the course's [gradescope] table says (see exercises/visibility.py)."""
    visibility = visibility or Visibility()
    summary = [f"**{result.id}: {result.score:g} / {result.max_score:g}**"]
    summary += [f"- {late_note(result.late, lang)}"] if result.late else []
    summary += [f"- {reason}" for reason in submission_reasons(result, lang, code_span)]
    late = (
        {"extra_data": {"raw_score": result.late.raw_score, "late": asdict(result.late)}}
        if result.late
        else {}
    )
    return {
        "score": result.score,
        "output": "\n".join(summary),
        "output_format": "md",
        "test_output_format": "md",
        "visibility": visibility.overall,
        "stdout_visibility": visibility.stdout,
        **late,
        "tests": [
            {
                "name": s.id,
                "score": s.score,
                "max_score": s.max_score,
                "status": "passed" if s.status == "passed" else "failed",
                "output": feedback,
                "output_format": "md",
                "visibility": visibility.of_step(s.id),
            }
            for s, feedback in zip(result.steps, steps or _steps_feedback(result, lang), strict=True)
            if s.max_score > 0
        ],
    }


def junit(results: list[SubmissionResult], lang: str, assignment: str) -> ET.ElementTree:
    """JUnit XML: a test suite per submission, a test case per step worth points (a 0-point
    step is information, not a failure); why the whole submission lost points, in system-out."""
    suites = ET.Element("testsuites", name=assignment)
    suites.extend(each_result(results, lambda r: junit_suite(r, lang, assignment)))
    return valid_xml(ET.ElementTree(suites))


def junit_suite(r: SubmissionResult, lang: str, assignment: str) -> ET.Element:
    """One submission's test suite."""
    graded = [(s, f) for s, f in zip(r.steps, _steps_feedback(r, lang), strict=True) if s.max_score > 0]
    failing = [s for s, _ in graded if s.status != "passed"]
    suite = ET.Element("testsuite", name=r.id, tests=str(len(graded)), failures=str(len(failing)))
    for s, feedback in graded:
        case = ET.SubElement(suite, "testcase", classname=f"{assignment}.{r.id}", name=s.id)
        if s.status != "passed":
            failure = ET.SubElement(case, "failure", message=f"{s.status}: {s.score:g}/{s.max_score:g}")
            failure.text = feedback
    reasons = submission_reasons(r, lang)
    if reasons:
        ET.SubElement(suite, "system-out").text = "\n".join(reasons)
    return suite


def write_csv(results: list[SubmissionResult], path: Path, config: GradingConfig) -> None:
    """grades.csv: a row per submission; with a late policy, the raw score and the penalty too."""
    step_ids = list(dict.fromkeys(s.id for r in results for s in r.steps)) or list(config.points)
    late = config.course.late is not None or any(r.late for r in results)
    header = ["id", "score", "max_score", *step_ids, *(LATE_COLUMNS if late else ())]
    rows = each_result(results, lambda r: _csv_row(r, step_ids, late))
    write_atomically(path, csv_text([header, *rows]))


def _csv_row(r: SubmissionResult, step_ids: list[str], late: bool) -> list[str]:
    by_id = {s.id: s.score for s in r.steps}
    scores = (f"{by_id.get(i, 0):g}" for i in step_ids)
    lateness = [f"{r.late.raw_score:g}", f"{r.late.points:g}", str(r.late.days)] if r.late else ["", "", ""]
    return [_cell(r.id), f"{r.score:g}", f"{r.max_score:g}", *scores, *(lateness if late else ())]


def _cell(text: str) -> str:
    """A spreadsheet runs a cell that starts with = + - @ (or a TAB or CR before them) as a
    formula; an id from a file name is not one. Ids are safe already: this is the second lock."""
    return "'" + text if text[:1] in FORMULA_START else text


def misconception_counts(results: list[SubmissionResult]) -> list[tuple[str, int]]:
    """How many submissions made each catalogued mistake, most frequent first."""
    counts = Counter(m for r in results for m in {m for s in r.steps for m in s.misconceptions})
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def summary_figure(results: list[SubmissionResult]) -> Figure:
    """Score distribution, per-step pass rates and the mistakes found by frequency, one figure."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    step_ids = list(dict.fromkeys(s.id for r in results for s in r.steps))
    rates = [
        100 * sum(s.status == "passed" for r in results for s in r.steps if s.id == i)
        / max(1, sum(1 for r in results for s in r.steps if s.id == i))
        for i in step_ids
    ]  # fmt: skip
    mistakes = misconception_counts(results)
    fig = Figure(figsize=(FIGURE_WIDTH, FIGURE_HEIGHT))
    left, middle, right = _panels(fig, [step_ids, [name for name, _ in mistakes]])
    top = max((r.max_score for r in results), default=100.0)
    left.hist([r.score for r in results], bins=20, range=(0, top), color="#4878d0", edgecolor="white")
    left.set(title=f"Scores ({len(results)} submissions)", xlabel="score", ylabel="submissions")
    left.yaxis.set_major_locator(MaxNLocator(integer=True))  # a count of students is whole
    middle.barh(range(len(step_ids)), rates[::-1], color="#6acc64")  # by position: two cut ids may agree
    middle.set_yticks(range(len(step_ids)), [_short(i) for i in step_ids[::-1]])
    middle.set(title="Steps passed", xlabel="% of submissions", xlim=(0, 100))
    for y, rate in enumerate(rates[::-1]):
        middle.text(min(rate + 1, 92), y, f"{rate:.0f}%", va="center", fontsize=8)
    if mistakes:
        names, counts = zip(*mistakes[::-1], strict=True)
        right.barh(range(len(names)), counts, color="#d65f5f")
        right.set_yticks(range(len(names)), [_short(name) for name in names])
        right.xaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        right.text(0.5, 0.5, "no catalogued mistake found", ha="center", va="center")
        right.set(xticks=[], yticks=[])
    right.set(title="Mistakes found", xlabel="submissions")
    return fig


FIGURE_WIDTH, FIGURE_HEIGHT = 17.0, 4.8  # inches
CHARACTER_WIDTH = 0.085  # inches, a tick label's character at matplotlib's default 10 pt
LABEL_CHARACTERS = 40  # a longer step or mistake id (a course may name them) is cut to this


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"


def _panels(fig: Figure, labels: list[list[str]]) -> list[Any]:
    """Three axes side by side, widths 1 : 1.3 : 1.3, each of the last two with room on its left
    for its longest label: matplotlib's tight_layout measured the text by drawing it, half the
    picture's time."""
    longest = [min(LABEL_CHARACTERS, max((len(text) for text in group), default=1)) for group in labels]
    rooms = [0.65] + [0.25 + CHARACTER_WIDTH * characters for characters in longest]
    gap, right_margin, bottom, top = 0.35, 0.25, 0.6, 0.4
    usable = FIGURE_WIDTH - sum(rooms) - 2 * gap - right_margin
    widths = [usable * share / 3.6 for share in (1.0, 1.3, 1.3)]
    height = 1 - (bottom + top) / FIGURE_HEIGHT
    axes, x = [], 0.0
    for room, width in zip(rooms, widths, strict=True):
        x += room
        axes.append(fig.add_axes([x / FIGURE_WIDTH, bottom / FIGURE_HEIGHT, width / FIGURE_WIDTH, height]))
        x += width + gap
    return axes


def plot_summary(results: list[SubmissionResult], path: Path) -> None:
    """summary.png: the class in one picture."""
    picture = io.BytesIO()
    summary_figure(results).savefig(picture, format="png", dpi=110)
    write_atomically(path, picture.getvalue())


def write_submission_files(
    result: SubmissionResult,
    out: Path,
    lang: str,
    formats: tuple[str, ...] = (),
    visibility: Visibility | None = None,
) -> str:
    """One submission's own files (feedback, Gradescope JSON): written as soon as it is graded.
    Returns its results.json entry (`entry_text`), made from the same steps' Markdown."""
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    steps = _steps_feedback(result, lang)
    text = submission_feedback(result, lang, steps)
    write_atomically(out / "feedback" / f"{result.id}.md", text + "\n")
    write_atomically(out / "feedback" / f"{result.id}.html", to_html(text, result.id))
    if "gradescope" in formats:
        (out / "gradescope").mkdir(exist_ok=True)
        document = json.dumps(gradescope(result, lang, visibility, steps), indent=1) + "\n"
        write_atomically(out / "gradescope" / f"{result.id}.json", document)
    return entry_text(result, lang, steps)


def write_all(results: list[SubmissionResult], out: Path, config: GradingConfig, lang: str,
              meta: dict[str, Any], formats: tuple[str, ...] = (), plot: bool = True,
              per_submission: bool = True, run: ClassRun | None = None,
              entries: Callable[[int], str | None] | None = None) -> None:  # fmt: skip
    """Everything `backprop-lab grade` writes into its output folder (per_submission=False: all
    but each submission's own files, already written by `write_submission_files`, whose
    results.json entries `entries(i)` gives).
    """
    seen: set[str] = set()
    for r in results:  # one file per id: a second result would overwrite the first's feedback
        if r.id in seen:
            raise ValueError(f"two results have the id {r.id!r}; ids must be unique")
        seen.add(r.id)
    out.mkdir(parents=True, exist_ok=True)
    name = config.course.assignment.name
    write_atomically(out / "results.json", chain(native_text(results, lang, meta, name, entries), ["\n"]))
    write_csv(results, out / "grades.csv", config)
    if per_submission:
        visibility = config.course.visibility
        each_result(results, lambda r: write_submission_files(r, out, lang, formats, visibility))
    if "junit" in formats:
        tree = junit(results, lang, name).getroot()
        write_atomically(out / "junit.xml", ET.tostring(tree, encoding="utf-8", xml_declaration=True))
    if plot and results:
        plot_summary(results, out / "summary.png")
        try:
            write_class_report(results, out, config, lang, meta, run)
        except Exception as error:  # copy detection reads the students' bytes: without it, the rest
            print(f"notice: copy detection failed ({type(error).__name__}: {error}); "
                  "report.html was written without it", file=sys.stderr)  # fmt: skip
            write_class_report(results, out, config, lang, meta, None)
