"""`backprop-lab generate`: write an assignment folder from the reference solution.

    OUT/backprop.py                                  the student module      (--format py)
    OUT/backprop.ipynb                               the student notebook    (--format ipynb)
    OUT/nbgrader/nbgrader_config.py                  an nbgrader course      (--format nbgrader)
    OUT/nbgrader/source/backprop/backprop.ipynb
    OUT/personal/<id>.md                             each student's numbers  (--roster)
    OUT/instructor/course-secret.txt                 the grading cases' secret: never give it out

Writing is deterministic: generating twice gives byte-identical files (but for the secret,
which is made once and then kept).
"""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat

from backprop_lab.exercises.assemble import ASSIGNMENT, nbgrader_config, notebook, student_module
from backprop_lab.exercises.catalog import Course
from backprop_lab.exercises.i18n import N_, tr
from backprop_lab.exercises.secret import FILE_NAME as SECRET_FILE
from backprop_lab.exercises.secret import keep_secret
from backprop_lab.solutions.named import personal_numbers

FORMATS = ("py", "ipynb", "nbgrader")
COURSE_FILE = "course.toml"  # in an nbgrader course folder: read by the hidden test cells


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def read_roster(path: Path) -> list[str]:
    """Student ids from a CSV with an `id` column (or, without a header, the first column)."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    if not rows:
        return []
    header = [h.strip().lower() for h in rows[0]]
    column, body = (header.index("id"), rows[1:]) if "id" in header else (0, rows)
    return [row[column].strip() for row in body if len(row) > column and row[column].strip()]


def personal_sheet(student_id: str, lang: str) -> str:
    numbers = personal_numbers(student_id)
    heading = tr(lang, N_("Your numbers for the course network"))
    lines = [f"# {heading}: {student_id}", ""]
    lines += [f"- {name} = {value:g}" for name, value in numbers.items()]
    lines += ["", tr(lang, N_("Put ∂E/∂W5, ∂E/∂b3, ∂E/∂a1 and ∂E/∂W1 for these numbers into ANSWERS."))]
    return "\n".join(lines) + "\n"


def generate(
    out: Path,
    lang: str = "en",
    formats: tuple[str, ...] = FORMATS,
    course: Course | None = None,
    roster: Path | None = None,
) -> list[Path]:
    """Write the assignment; returns the files written."""
    course = course or Course()
    written = []
    if "py" in formats:
        written.append(_write(out / f"{ASSIGNMENT}.py", student_module(lang, course)))
    if "ipynb" in formats:
        written.append(_write(out / f"{ASSIGNMENT}.ipynb", nbformat.writes(notebook(lang, course)) + "\n"))
    if "nbgrader" in formats:
        source = out / "nbgrader" / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        written.append(_write(source, nbformat.writes(notebook(lang, course, nbgrader=True)) + "\n"))
        written.append(_write(out / "nbgrader" / "nbgrader_config.py", nbgrader_config()))
        if course.path is not None:  # the hidden test cells grade with the course's own steps and points
            written.append(_write(out / "nbgrader" / COURSE_FILE, course.path.read_text(encoding="utf-8")))
            for module in course.files:
                target = out / "nbgrader" / module.relative_to(course.path.parent)
                written.append(_write(target, module.read_text(encoding="utf-8")))
    if roster is not None:
        for student_id in read_roster(roster):
            written.append(_write(out / "personal" / f"{student_id}.md", personal_sheet(student_id, lang)))
    secret = out / "instructor" / SECRET_FILE  # kept across regenerations: the course's grading cases
    if not secret.is_file():
        keep_secret(secret)
        written.append(secret)
    return written
