"""Canvas: fill one assignment column of the gradebook CSV that Canvas exports, for its import.

Canvas's export (Grades → Export) has the identity columns `Student`, `ID`, `SIS User ID`,
`SIS Login ID` (some instances also `Integration ID`, `Root Account`), `Section`, then one
column per assignment titled `Name (id)`, then computed columns (`Current Score`, ...).
Its second row starts with `Points Possible` and gives each assignment's points; computed
columns say `(read only)` there. The import takes the same shape: we write the identity
columns, that row, and the chosen assignment's column only (another column would change
or create other assignments). Scores are scaled to the column's points possible. A student
without a submission keeps the export's cell (blank, or a grade entered by hand in
Canvas), never 0 unless asked; Canvas's test student is left out.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from backprop_lab.atomic import csv_text, write_atomically
from backprop_lab.exercises.i18n import N_, tr
from backprop_lab.exercises.student_ids import printable, safe_id
from backprop_lab.exports import LATE_LINE, ExportError, Graded, scaled

IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Integration ID", "Root Account", "Section")
MATCH = {"sis_login": "SIS Login ID", "sis_user": "SIS User ID", "id": "ID"}
POINTS_ROW = "Points Possible"
TEST_STUDENT = ("Student, Test", "Test Student")  # Canvas's own student view, never a student
ASSIGNMENT_TITLE = re.compile(r"^(?P<name>.*\S) \((?P<id>\d+)\)$")


@dataclass
class CanvasImport:
    """What the import file holds, and who could not be matched."""

    rows: list[list[str]]
    column: str
    points: float
    written: int = 0
    late: int = 0  # of the written scores, how many had a late penalty taken
    missing_zero: bool = False  # students without a submission given 0 (else left blank)
    no_submission: list[str] = field(default_factory=list)  # students (by Canvas name)
    no_student: list[str] = field(default_factory=list)  # submission ids


def _fail(lang: str, path: Path, message: str, **values: object) -> ExportError:
    return ExportError(f"{printable(str(path))}: " + tr(lang, message, **values))


def read_export(path: Path, lang: str = "en") -> list[list[str]]:
    """The rows of a Canvas gradebook export, checked for its shape."""
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as f:
            rows = [row for row in csv.reader(f) if any(cell.strip() for cell in row)]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise _fail(lang, path, N_("cannot be read as CSV: {reason}"), reason=str(error)) from None
    if not rows or rows[0][:1] != ["Student"]:
        raise _fail(lang, path, N_("is not a Canvas gradebook export: its first column is not Student"))
    if len(rows) < 2 or rows[1][0].strip() != POINTS_ROW:
        raise _fail(lang, path, N_("is not a Canvas gradebook export: its second row is not Points Possible"))
    for line, row in enumerate(rows, start=1):
        if len(row) != len(rows[0]):
            raise _fail(lang, path, N_("row {line} has {count} cells, the header {expected}"),
                        line=line, count=len(row), expected=len(rows[0]))  # fmt: skip
    return rows


def assignment_columns(rows: list[list[str]]) -> dict[str, float]:
    """The export's assignment columns (`Name (id)`, with points possible) → points; computed
    and read-only columns left out."""
    found = {}
    for title, points in zip(rows[0], rows[1], strict=True):
        if title in IDENTITY or not ASSIGNMENT_TITLE.match(title):
            continue
        try:
            found[title] = float(points.replace(",", "."))  # a decimal comma in some locales
        except ValueError:
            continue  # "(read only)" or a translation of it
    return found


def choose_column(columns: dict[str, float], wanted: str | None, path: Path, lang: str) -> str:
    """The column asked for, by its full title, its name or its Canvas id; the only one if not asked."""
    if wanted is None:
        if len(columns) == 1:
            return next(iter(columns))
        raise _fail(lang, path, N_("has {count} assignment columns; choose one with --column: {titles}"),
                    count=len(columns), titles="; ".join(columns) or "—")  # fmt: skip
    for title in columns:
        match = ASSIGNMENT_TITLE.match(title)
        if wanted in (title, match["name"], match["id"]):  # type: ignore[index]
            return title
    raise _fail(lang, path, N_("has no assignment column {wanted!r}; its columns: {titles}"),
                wanted=wanted, titles="; ".join(columns) or "—")  # fmt: skip


def _key(text: str) -> str:
    """How an LMS identity and a submission id are compared: as the grader makes ids safe, any case."""
    return safe_id(text.strip()).casefold()


def canvas_import(
    graded: list[Graded],
    export: Path,
    column: str | None = None,
    match: str = "sis_login",
    roster: dict[str, str] | None = None,
    missing_zero: bool = False,
    lang: str = "en",
) -> CanvasImport:
    """The import file's rows for `graded`, matched to the export's students by `match`
    (or through `roster`: submission id → that identity)."""
    rows = read_export(export, lang)
    header = rows[0]
    columns = assignment_columns(rows)
    title = choose_column(columns, column, export, lang)
    key_column = MATCH[match]
    if key_column not in header:
        raise _fail(lang, export, N_("has no column {column} to match students by"), column=key_column)
    identity = [i for i, name in enumerate(header) if name in IDENTITY]
    by_key: dict[str, Graded] = {}
    for g in graded:
        identity_of = roster.get(g.id, "") if roster is not None else g.id
        if identity_of.strip():
            by_key.setdefault(_key(identity_of), g)
    points = columns[title]
    result = CanvasImport([[header[i] for i in identity] + [title]], title, points, missing_zero=missing_zero)
    result.rows.append([rows[1][0]] + [""] * (len(identity) - 1) + [rows[1][header.index(title)]])
    used: set[str] = set()
    for row in rows[2:]:
        student = row[header.index("Student")]
        if student in TEST_STUDENT or not any(row[i].strip() for i in identity):
            continue
        key = _key(row[header.index(key_column)])
        g = by_key.get(key) if row[header.index(key_column)].strip() else None
        if g is None:
            result.no_submission.append(student)
            cell = "0" if missing_zero else row[header.index(title)]  # blank, or a grade entered by hand
        else:
            used.add(g.id)
            result.written += 1
            cell = scaled(g.score, g.max_score, points)
            result.late += bool(g.late and g.late.get("days"))
        result.rows.append([row[i] for i in identity] + [cell])
    result.no_student = [g.id for g in graded if g.id not in used]
    return result


def write_canvas_import(result: CanvasImport, out: Path) -> Path:
    write_atomically(out, csv_text(result.rows))
    return out


def summary(result: CanvasImport, out: Path, lang: str) -> str:
    """What the instructor reads after the export: where, how many, and who was not matched."""
    lines = [
        tr(lang, N_("{count} scores written to {path}, column {column} ({points:g} points possible)."),
           count=result.written, path=printable(str(out)), column=result.column, points=result.points)
    ]  # fmt: skip
    if result.late:
        lines.append(tr(lang, LATE_LINE, count=result.late))
    if result.no_submission:
        message = (
            N_("No submission, given 0: {names}")
            if result.missing_zero
            else N_("No submission, left as in Canvas (blank unless graded there): {names}")
        )
        lines.append(tr(lang, message, names="; ".join(result.no_submission)))
    if result.no_student:
        lines.append(tr(lang, N_("Submissions with no student in the gradebook: {ids}"),
                        ids=", ".join(result.no_student)))  # fmt: skip
    return "\n".join(lines)
