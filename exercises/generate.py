"""`backprop-lab generate`: write an assignment folder from the reference solution.

    OUT/backprop.py                                  the student module      (--format py)
    OUT/backprop.ipynb                               the student notebook    (--format ipynb)
    OUT/nbgrader/nbgrader_config.py                  an nbgrader course      (--format nbgrader)
    OUT/nbgrader/source/backprop/backprop.ipynb
    OUT/personal/<id>.md                             each student's numbers  (--roster)
    OUT/instructor/course-secret.txt                 the grading cases' secret: never give it out
    OUT/nbgrader/course-secret.txt                   the same, where nbgrader's autograde reads it
                                                     (the course's root: never in release/)

Writing is deterministic: generating twice gives byte-identical files (but for the secret,
which is made once and then kept, even with `force`). A file that exists with other
content is never overwritten without `force`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import nbformat

from backprop_lab.exercises.assemble import nbgrader_config, notebook, student_module
from backprop_lab.exercises.catalog import Course
from backprop_lab.exercises.i18n import N_, tr
from backprop_lab.exercises.secret import FILE_NAME as SECRET_FILE
from backprop_lab.exercises.secret import keep_secret, read_secret
from backprop_lab.exercises.student_ids import printable, safe_id

FORMATS = ("py", "ipynb", "nbgrader")
COURSE_FILE = "course.toml"  # in an nbgrader course folder: read by the hidden test cells


ID_HEADERS = ("id", "student_id", "student", "sid", "username", "login")
NAME_HEADERS = ("name", "full_name", "student_name", "display_name")


class GenerateError(ValueError):
    """The assignment cannot be written as asked: a bad roster, or files that would be lost."""


@dataclass(frozen=True)
class Student:
    id: str
    name: str = ""


def read_roster(path: Path) -> list[Student]:
    """Students from a CSV: with a header row, the id column (`id`, `student_id`, `username`,
    ...) and an optional `name` column; without one, the id then the name. Every id must be
    safe (see student_ids.safe_id: it names the student's file) and appear once."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            rows = [row for row in csv.reader(f) if any(cell.strip() for cell in row)]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise GenerateError(f"{path}: cannot be read as CSV: {error}") from None
    if not rows:
        raise GenerateError(f"{path}: the roster is empty")
    header = [cell.strip().lower() for cell in rows[0]]
    id_column = next((header.index(h) for h in ID_HEADERS if h in header), None)
    name_column = next((header.index(h) for h in NAME_HEADERS if h in header), None)
    if id_column is None and name_column is not None:
        raise GenerateError(f"{path}:1: the header has no id column (one of {', '.join(ID_HEADERS)})")
    start = 2 if id_column is not None else 1
    if id_column is None:
        id_column, name_column = 0, 1
    students, rows_of, problems = [], {}, []
    for number, row in enumerate(rows[start - 1 :], start=start):
        cells = [cell.strip() for cell in row]
        student_id = cells[id_column] if len(cells) > id_column else ""
        name = cells[name_column] if name_column is not None and len(cells) > name_column else ""
        if not student_id:
            problems.append(f"{path}:{number}: no id")
        elif safe_id(student_id) != student_id:
            problems.append(
                f"{path}:{number}: the id {printable(student_id)!r} is not safe for a file name; "
                f"use letters, digits, '.', '_' and '-' (e.g. {safe_id(student_id)!r})"
            )
        elif student_id in rows_of:
            problems.append(
                f"{path}:{number}: the id {student_id!r} is on line {rows_of[student_id]} already"
            )
        else:
            rows_of[student_id] = number
            students.append(Student(student_id, name))
    if problems:
        raise GenerateError("\n".join(problems))
    return students


def personal_sheet(student_id: str, lang: str, name: str = "", course: Course | None = None) -> str:
    answers = (course or Course()).assignment.answers
    heading = tr(lang, N_("Your numbers for the course network"))
    who = f"{name} ({student_id})" if name else student_id
    lines = [f"# {heading}: {who}", ""]
    lines += [f"- {name} = {value:g}" for name, value in answers.numbers(student_id).items()]
    lines += ["", tr(lang, answers.question)]
    return "\n".join(lines) + "\n"


def plan(
    out: Path,
    lang: str = "en",
    formats: tuple[str, ...] = FORMATS,
    course: Course | None = None,
    roster: Path | None = None,
) -> dict[Path, str]:
    """Every file of the assignment and its text, in the order written."""
    course = course or Course()
    name = course.assignment.name
    files: dict[Path, str] = {}
    if "py" in formats:
        files[out / course.assignment.module] = student_module(lang, course)
    if "ipynb" in formats:
        files[out / course.assignment.notebook] = nbformat.writes(notebook(lang, course)) + "\n"
    if "nbgrader" in formats:
        source = out / "nbgrader" / "source" / name / course.assignment.notebook
        files[source] = nbformat.writes(notebook(lang, course, nbgrader=True)) + "\n"
        files[out / "nbgrader" / "nbgrader_config.py"] = nbgrader_config()
        if course.path is not None:  # the hidden test cells grade with the course's own steps and points
            files[out / "nbgrader" / COURSE_FILE] = course.path.read_text(encoding="utf-8")
            for module in course.files:
                target = out / "nbgrader" / module.relative_to(course.path.parent)
                files[target] = module.read_text(encoding="utf-8")
    if roster is not None:
        for student in read_roster(roster):
            sheet = personal_sheet(student.id, lang, student.name, course)
            files[out / "personal" / f"{student.id}.md"] = sheet
    return files


def _differs(path: Path, text: str) -> bool:
    if not path.exists():
        return False
    try:
        return path.read_text(encoding="utf-8") != text
    except (OSError, UnicodeDecodeError):
        return True  # a folder or an unreadable file where a file goes


def generate(
    out: Path,
    lang: str = "en",
    formats: tuple[str, ...] = FORMATS,
    course: Course | None = None,
    roster: Path | None = None,
    force: bool = False,
) -> list[Path]:
    """Write the assignment; returns the files written. A file that exists with other content
    (a student's work, an instructor's edit) is kept, and nothing is written, unless force."""
    files = plan(out, lang, formats, course, roster)
    changed = [path for path, text in files.items() if _differs(path, text)]
    if changed and not force:
        shown = "\n  ".join(str(path) for path in changed)
        raise GenerateError(
            f"{len(changed)} file(s) exist with other content; nothing was written "
            f"(use --force to overwrite):\n  {shown}"
        )
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    written = list(files)
    secret = out / "instructor" / SECRET_FILE  # kept across regenerations: the course's grading cases
    if not secret.is_file():
        keep_secret(secret)
        written.append(secret)
    if "nbgrader" in formats:  # autograde then grades on the cases `grade` does
        nbgrader_secret = out / "nbgrader" / SECRET_FILE
        if not nbgrader_secret.is_file():
            keep_secret(nbgrader_secret, read_secret(secret))
            written.append(nbgrader_secret)
    return written
