"""The instructor's class report: one self-contained HTML page that answers the questions
asked after grading — how did the class do, which step and which misconception to teach
again, and did anyone copy.

Styles, script and pictures are inline and a Content-Security-Policy forbids anything
else, so the page opens offline and can be mailed. Everything a student controls (ids,
code) is escaped by the template; nothing of theirs becomes HTML.
"""

from __future__ import annotations

import re
import statistics
import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from backprop_lab import charts, copying
from backprop_lab.atomic import write_atomically
from backprop_lab.audit import Change, change_rows
from backprop_lab.exercises.assignment import Answers, Assignment
from backprop_lab.exercises.catalog import Course
from backprop_lab.exercises.i18n import N_, tr
from backprop_lab.graders.bounded import valid_html
from backprop_lab.graders.grade import GradingConfig
from backprop_lab.graders.results import SubmissionResult
from backprop_lab.graders.submissions import Submission
from backprop_lab.lateness import late_flag

TEMPLATE = Path(__file__).with_name("templates") / "class_report.html.j2"

SIDE_BY_SIDE = 20  # pairs shown with their code; the rest are named in the students' table
FLAGGED_NAMES = 3  # partners named in a student's flag

MARKS = {"passed": "✓", "partial": "~", "failed": "✗", "error": "!", "timeout": "⧗", "missing": "·"}

TEXT = {
    "title": N_("Class report"),
    "submissions": N_("{count} submissions, mean score {mean:.1f} of {top:g}, median {median:.1f}"),
    "distribution": N_("Score distribution"),
    "score": N_("score"),
    "count_axis": N_("number of students"),
    "steps": N_("Steps"),
    "step": N_("step"),
    "pass_rate": N_("passed"),
    "pass_rate_chart": N_("Share of the class that passed each step"),
    "percent": N_("submissions (%)"),
    "failed_properties": N_("properties failed"),
    "property_failed": N_("{property}: {share} failed"),
    "misconceptions": N_("Misconceptions"),
    "shown_by": N_("students"),
    "notes": N_("notes"),
    "no_misconceptions": N_("No catalogued misconception was found in this class."),
    "table": N_("Students"),
    "table_help": N_("Click a column heading to sort."),
    "student": N_("student"),
    "flags": N_("flags"),
    "copying": N_("Possible copying"),
    "copying_help": N_(
        "Pairs whose own code is at least {threshold:.0%} shared: what the assignment gives every "
        "student and what most of the class wrote alike are removed, names, comments and layout "
        "ignored. Shared regions are highlighted. Similar code is a reason to talk to the students, "
        "not proof."
    ),
    "similarity": N_("{first} and {second}: {share:.0%} of {owner}'s own code is shared"),
    "no_pairs": N_("No pair of submissions reaches the threshold."),
    "copy_not_run": N_("Copy detection did not run: the submitted code was not available to the report."),
    "borrowed": N_(
        "{student} answered with the answers for {owner}'s personal numbers ({keys}). Anyone can "
        "compute those from {owner}'s id: {student} did not use their own numbers, which says "
        "nothing about {owner}."
    ),
    "no_borrowed": N_("No student answered with another student's personal numbers."),
    "personal": N_("Personal numbers"),
    "similar_to": N_("similar to {others}"),
    "similar_to_more": N_("similar to {others} and {count} more"),
    "more_pairs": N_("{count} more pairs reach the threshold; the students' table names them."),
    "beyond_limit": N_(
        "{count} pairs reach the threshold; the {limit} most similar are listed here and in copying.csv."
    ),
    "rare_limit": N_(
        "In a class this large, a passage shared by more than {count} submissions did not by itself "
        "make a pair worth comparing."
    ),
    "csv_note": N_("Every pair, with the shared lines of each, is in copying.csv beside this report."),
    "answers_of": N_("answers of {other}"),
    "changes": N_("Changes since the earlier run"),
    "no_changes": N_("No score changed since the earlier run."),
    "old_score": N_("old score"),
    "new_score": N_("new score"),
    "why": N_("why"),
    "not_compared": N_("not compared for copying"),
    "run": N_("This run"),
    "seed": N_("seed"),
    "fingerprint": N_("course secret (its fingerprint)"),
    "isolation": N_("isolation of student code"),
    "timing": N_("timing"),
    "seconds": N_("{seconds:.1f} s for {count} submissions with {jobs} workers"),
    "not_timed": N_("not measured"),
    "lecture_notes": N_("Lecture notes, the sections this class needs"),
}


@dataclass
class ClassRun:
    """What grading knows besides the results: the code that was read, and how long it took."""

    submissions: list[Submission] = field(default_factory=list)
    seconds: float | None = None
    jobs: int = 1
    changes: list[Change] | None = None  # a regrade: the scores that changed since the earlier run
    copies: copying.CopyIndex | None = None  # fingerprints made as each was graded; else made here


def _text(lang: str) -> dict[str, str]:
    return {key: tr(lang, message) for key, message in TEXT.items()}


def notes_sections(assignment: Assignment, lang: str) -> dict[int, str]:
    """The lecture notes' numbered sections (Markdown), figures left out: the page loads nothing."""
    if assignment.notes is None:
        return {}
    sections = {}
    for chunk in re.split(r"^## ", assignment.notes().text(lang), flags=re.M)[1:]:
        number = int(chunk.split(".", 1)[0])
        body = re.sub(r"^!\[.*$\n?", "", chunk, flags=re.M)
        sections[number] = "## " + body
    return sections


def step_rows(results: list[SubmissionResult], text: dict[str, str]) -> list[dict[str, Any]]:
    """Per step: its pass rate, and for each named property the share of the class that failed it."""
    step_ids = list(dict.fromkeys(s.id for r in results for s in r.steps))
    rows = []
    for step_id in step_ids:
        graded = [s for r in results for s in r.steps if s.id == step_id]
        rate = 100 * sum(s.status == "passed" for s in graded) / len(graded)
        tried: Counter[str] = Counter()
        failed: Counter[str] = Counter()
        for s in graded:
            for p in s.properties:
                tried[p.id] += 1
                failed[p.id] += not p.passed
        properties = [
            text["property_failed"].format(property=p, share=f"{100 * failed[p] / tried[p]:.0f}%")
            for p in tried
            if failed[p]
        ]
        rows.append({"id": step_id, "rate": rate, "properties": properties})
    return rows


def misconception_rows(
    results: list[SubmissionResult], lang: str, teaching: Mapping[str, int]
) -> list[dict[str, Any]]:
    """Misconceptions ranked by how many students show them, each with its hint and the notes'
    section that teaches it (`teaching`: a misconception's or else its step's section)."""
    students: dict[str, set[str]] = {}
    steps: dict[str, list[str]] = {}
    hints: dict[str, str] = {}
    for r in results:
        for s in r.steps:
            for mid in s.misconceptions:
                students.setdefault(mid, set()).add(r.id)
                steps.setdefault(mid, [])
                if s.id not in steps[mid]:
                    steps[mid].append(s.id)
                hints.setdefault(mid, s.hints.get(mid, {}).get(lang, ""))
    ranked = sorted(students, key=lambda mid: (-len(students[mid]), mid))
    return [
        {
            "id": mid,
            "count": len(students[mid]),
            "share": 100 * len(students[mid]) / len(results),
            "steps": steps[mid],
            "hint": hints[mid],
            "section": teaching.get(mid) or next((teaching[s] for s in steps[mid] if s in teaching), None),
        }
        for mid in ranked
    ]


def _segments(code: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """code cut into (text, shared) pieces, for the template to escape and highlight."""
    pieces, at = [], 0
    for start, end in sorted(spans):
        start = max(start, at)
        if start > at:
            pieces.append((code[at:start], False))
        if end > start:
            pieces.append((code[start:end], True))
        at = max(at, end)
    pieces.append((code[at:], False))
    return pieces


def find_copies(run: ClassRun | None, course: Course, threshold: float) -> copying.CopyFindings | None:
    """Copy detection on the run's code (None without it), from the fingerprints made while grading."""
    if run is None or not run.submissions:
        return None
    try:
        index = run.copies
        if index is None:
            index = copying.CopyIndex(copying.common_base(course))
            for submission in run.submissions:
                index.add_submission(submission)
        return index.findings(threshold)
    except (Exception, MemoryError) as error:  # a bug of ours must not cost the report and what follows
        print(f"notice: copy detection did not run: {type(error).__name__}: {error}", file=sys.stderr)
        return None


def _answers(submission: Submission, keys: tuple[str, ...]) -> dict[str, float]:
    """A student's ANSWERS; whatever they hold, a failure costs only their own line."""
    try:
        return copying.submitted_answers(submission, keys)
    except (Exception, RecursionError, MemoryError):
        return {}


def copy_findings(
    run: ClassRun | None,
    found: copying.CopyFindings | None,
    lang: str,
    text: dict[str, str],
    question: Answers,
) -> dict[str, Any] | None:
    """Similar pairs (the strongest with highlighted code), who was skipped, and borrowed
    personal numbers; None without the code.
    """
    if run is None or found is None:
        return None
    pairs = found.pairs
    borrowed = copying.borrowed_answers({s.id: _answers(s, question.keys) for s in run.submissions}, question)
    notes = [text["csv_note"]] if pairs else []
    if found.total > len(pairs):
        notes.append(text["beyond_limit"].format(count=found.total, limit=len(pairs)))
    if found.rare_limit is not None:
        notes.append(text["rare_limit"].format(count=found.rare_limit))
    return {
        "pairs": [
            {
                "first": p.first,
                "second": p.second,
                "title": text["similarity"].format(
                    first=p.first,
                    second=p.second,
                    share=p.similarity,
                    owner=p.first if p.shares[0] >= p.shares[1] else p.second,
                ),
                "codes": [_segments(p.codes[i], p.spans[i]) for i in (0, 1)],
            }
            for p in pairs[:SIDE_BY_SIDE]
        ],
        "more_pairs": text["more_pairs"].format(count=len(pairs) - SIDE_BY_SIDE)
        if len(pairs) > SIDE_BY_SIDE
        else "",
        "notes": notes,
        "skipped": [tr(lang, s.message, student=s.student, **s.values) for s in found.skipped],
        "borrowed": [
            text["borrowed"].format(student=b.student, owner=b.owner, keys=", ".join(b.keys))
            for b in borrowed
        ],
        "flags": {sid: [_similar_flag(others, text)] for sid, others in _partners(pairs).items()},
        "borrowed_flags": {b.student: text["answers_of"].format(other=b.owner) for b in borrowed},
        "skipped_flags": {s.student: text["not_compared"] for s in found.skipped},
    }


def _similar_flag(others: list[str], text: dict[str, str]) -> str:
    named = ", ".join(others[:FLAGGED_NAMES])
    if len(others) <= FLAGGED_NAMES:
        return text["similar_to"].format(others=named)
    return text["similar_to_more"].format(others=named, count=len(others) - FLAGGED_NAMES)


def _partners(pairs: list[copying.SimilarPair]) -> dict[str, list[str]]:
    partners: dict[str, list[str]] = {}
    for p in pairs:
        partners.setdefault(p.first, []).append(p.second)
        partners.setdefault(p.second, []).append(p.first)
    return partners


def student_rows(
    results: list[SubmissionResult], copies: dict[str, Any] | None, lang: str = "en"
) -> list[dict[str, Any]]:
    rows = []
    for r in sorted(results, key=lambda r: r.id):
        flags = list((copies or {}).get("flags", {}).get(r.id, []))
        borrowed = (copies or {}).get("borrowed_flags", {}).get(r.id)
        skipped = (copies or {}).get("skipped_flags", {}).get(r.id)
        rows.append(
            {
                "id": r.id,
                "href": f"feedback/{quote(r.id, safe='')}.html",
                "score": r.score,
                "max_score": r.max_score,
                "steps": [(s.id, s.status, MARKS.get(s.status, "?")) for s in r.steps],
                "flags": [
                    *flags,
                    *([borrowed] if borrowed else []),
                    *([skipped] if skipped else []),
                    *([late_flag(r.late, lang)] if r.late and r.late.days else []),
                ],
            }
        )
    return rows


def render(
    results: list[SubmissionResult],
    config: GradingConfig,
    lang: str,
    meta: dict[str, Any],
    run: ClassRun | None = None,
    found: copying.CopyFindings | None = None,
) -> str:
    """The class report as one HTML document (`found`: copy detection already run on `run`)."""
    import jinja2
    import mistune
    from markupsafe import Markup

    text = _text(lang)
    scores = sorted(r.score for r in results)
    top = max((r.max_score for r in results), default=config.max_score)
    steps = step_rows(results, text)
    assignment = config.course.assignment
    teaching = assignment.notes().sections if assignment.notes else {}
    misconceptions = misconception_rows(results, lang, teaching)
    if found is None:
        found = find_copies(run, config.course, config.course.copy_threshold)
    copies = copy_findings(run, found, lang, text, assignment.answers)
    sections = notes_sections(assignment, lang)
    needed = sorted({m["section"] for m in misconceptions if m["section"]})
    markdown = mistune.create_markdown(escape=True, plugins=["table"])
    summary = text["submissions"].format(
        count=len(results),
        mean=statistics.fmean(scores) if scores else 0.0,
        top=top,
        median=statistics.median(scores) if scores else 0.0,
    )
    timing = (
        text["seconds"].format(seconds=run.seconds, count=len(results), jobs=run.jobs)
        if run is not None and run.seconds is not None
        else text["not_timed"]
    )
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = environment.from_string(TEMPLATE.read_text(encoding="utf-8"))
    return template.render(
        lang=lang,
        t=text,
        summary=summary,
        histogram=charts.score_histogram(
            scores,
            top,
            {"title": text["distribution"], "x": text["score"], "y": text["count_axis"]},
        ),
        pass_chart=charts.pass_rates(
            [s["id"] for s in steps],
            [s["rate"] for s in steps],
            {"title": text["pass_rate_chart"], "x": text["percent"]},
        ),
        steps=steps,
        misconceptions=misconceptions,
        students=student_rows(results, copies, lang),
        copies=copies,
        threshold_help=text["copying_help"].format(threshold=config.course.copy_threshold),
        seed=config.seed,
        fingerprint=meta.get("secret") or config.fingerprint or "—",
        isolation=meta.get("isolation") or "—",
        timing=timing,
        notes={number: Markup(markdown(sections[number])) for number in needed},
        changes=change_rows(run.changes, lang) if run is not None and run.changes is not None else None,
    )


def write_class_report(
    results: list[SubmissionResult],
    out: Path,
    config: GradingConfig,
    lang: str,
    meta: dict[str, Any],
    run: ClassRun | None = None,
) -> Path:
    """DIR/report.html, and DIR/copying.csv when the code was there to compare; returns the page's path."""
    found = find_copies(run, config.course, config.course.copy_threshold)
    if found is not None:
        copying.write_csv(found, out / "copying.csv")
    path = out / "report.html"
    write_atomically(path, valid_html(render(results, config, lang, meta, run, found)))
    return path
