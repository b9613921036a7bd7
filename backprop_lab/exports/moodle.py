"""Moodle: the CSV that Moodle's grade import (Grades → Import → CSV file) maps.

Moodle asks which column identifies the user ("Map from") and which user field it holds
("Map to": username, email address or ID number), then which column holds the grade item's
grades, and optionally its feedback. We write that identity column, the grade column
(scaled to the grade item's maximum grade) and, when a penalty was taken, a feedback
column saying why. A student in the roster without a submission gets no row: Moodle reads an
empty grade cell (or `-`) as "no grade" and would clear one entered by hand; with
`missing_zero` the row is written with 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from backprop_lab.atomic import csv_text, write_atomically
from backprop_lab.exercises.i18n import N_, tr
from backprop_lab.exercises.student_ids import printable
from backprop_lab.exports import LATE_LINE, Graded, scaled
from backprop_lab.lateness import late_note

IDENTITY = {"username": "Username", "email": "Email address", "idnumber": "ID number"}  # Moodle's own titles


@dataclass
class MoodleImport:
    rows: list[list[str]]
    written: int = 0
    late: int = 0
    no_submission: list[str] = field(default_factory=list)  # roster identities
    no_student: list[str] = field(default_factory=list)  # submission ids without a roster row


def moodle_import(
    graded: list[Graded],
    identity: str = "username",
    roster: dict[str, str] | None = None,
    column: str = "backprop",
    max_grade: float | None = None,
    missing_zero: bool = False,
    lang: str = "en",
) -> MoodleImport:
    """Rows for Moodle's import: one per graded submission (its id is the identity, or the
    roster maps it), then the roster's students without one."""
    feedback = any(g.late and g.late.get("days") for g in graded)
    header = [IDENTITY[identity], column, *([f"{column} feedback"] if feedback else [])]
    result = MoodleImport([header])
    for g in graded:
        who = roster.get(g.id) if roster is not None else g.id
        if not who:
            result.no_student.append(g.id)
            continue
        grade = scaled(g.score, g.max_score, max_grade if max_grade is not None else g.max_score)
        late = g.late if g.late and g.late.get("days") else None
        result.late += late is not None
        result.rows.append([who, grade, *([late_note(late, lang)] if feedback else [])])
        result.written += 1
    if roster is not None:
        graded_ids = {g.id for g in graded}
        for sub_id, who in roster.items():
            if sub_id not in graded_ids:
                result.no_submission.append(who)
                if missing_zero:
                    result.rows.append([who, "0", *([""] if feedback else [])])
    return result


def write_moodle_import(result: MoodleImport, out: Path) -> Path:
    write_atomically(out, csv_text(result.rows))
    return out


def summary(result: MoodleImport, out: Path, missing_zero: bool, lang: str) -> str:
    lines = [
        tr(lang, N_("{count} grades written to {path}."), count=result.written, path=printable(str(out)))
    ]
    if result.late:
        lines.append(tr(lang, LATE_LINE, count=result.late))
    if result.no_submission:
        message = (
            N_("No submission, given 0: {names}") if missing_zero else N_("No submission, no row: {names}")
        )
        lines.append(tr(lang, message, names="; ".join(result.no_submission)))
    if result.no_student:
        lines.append(
            tr(lang, N_("Submissions with no student in the roster: {ids}"), ids=", ".join(result.no_student))
        )
    return "\n".join(lines)
