"""The `backprop-lab` command: a thin layer of click over the library API.

Options are checked by click (types, ranges, choices, paths); the library's own errors
for bad input (no submissions, a course file or roster that cannot be used, a folder
that cannot be written) become a one-line `Error:` and exit code 1, never a traceback.
"""

from __future__ import annotations

import functools
import math
import os
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from backprop_lab.exercises import assignments
from backprop_lab.exercises.assignments import DEFAULT, KNOWN
from backprop_lab.exercises.i18n import LANGUAGES
from backprop_lab.exercises.student_ids import printable, safe_id
from backprop_lab.feedback import MARKS

Command = TypeVar("Command", bound=Callable[..., Any])

NOTE_CAP = 70  # characters of a submission's problem shown in the table


def bad_input_is_an_error(command: Command) -> Command:
    """What the user gave cannot be used: say why in one line, exit 1, no traceback.
    (ValueError covers the library's DiscoveryError, CourseError, GenerateError and
    nbgrader's MissingEntry; OSError a path that cannot be read or written.)"""

    @functools.wraps(command)
    def checked(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (ValueError, OSError) as error:
            raise click.ClickException(str(error)) from None

    return checked  # type: ignore[return-value]


class StudentId(click.ParamType):
    """A student id as the roster and the grader take it (see student_ids.safe_id)."""

    name = "id"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if safe_id(str(value)) != value:
            self.fail(f"{value!r} is not a student id: use letters, digits, '.', '_' and '-'", param, ctx)
        return str(value)


class Seconds(click.FloatRange):
    """A duration in a range; NaN, which every range comparison lets through, is refused."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        seconds = super().convert(value, param, ctx)
        if math.isnan(seconds):
            self.fail("nan is not a number of seconds", param, ctx)
        return seconds


out_folder = functools.partial(click.Path, file_okay=False, writable=True, path_type=Path)
course_option = click.option(
    "--course",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Course file: steps and points (checked against its schema).",
)

assignment_option = click.option(
    "--assignment",
    type=click.Choice(list(KNOWN)),
    help=f"Which assignment (default: the course file's [assignment] name, else {DEFAULT}).",
)

lang_option = click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default="en",
    show_default=True,
    help="Language of student-facing text.",
)


@click.group()
@click.version_option(package_name="backprop-lab")
def main() -> None:
    """Auto-graded exercises for backpropagation through the chain rule."""


secret_option = click.option(
    "--secret-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The course secret the grading cases derive from (default: $BACKPROP_LAB_SECRET, else with "
    "--gradebook the nbgrader course's course-secret.txt, else one kept in OUT/.backprop-lab/).",
)


@main.command()
@click.option(
    "--student", type=StudentId(), help="Use this student's personal numbers instead of the notes' example."
)
@secret_option
@assignment_option
@lang_option
@bad_input_is_an_error
def derive(student: str | None, secret_file: Path | None, assignment: str | None, lang: str) -> None:
    """Print the worked derivation of the assignment's network (the notes' worked example).

    With --student it is that student's answer key, so it needs the course secret.
    """
    if student:
        from backprop_lab.exercises.secret import ENVIRONMENT, read_secret

        if secret_file is None and not os.environ.get(ENVIRONMENT, "").strip():
            raise click.UsageError(f"--student prints an answer key: give --secret-file or set {ENVIRONMENT}")
        if secret_file is not None:
            read_secret(secret_file)
    answers = assignments.get(assignment or DEFAULT).answers
    named = answers.numbers(student) if student else answers.example
    click.echo(answers.derivation(named, lang))


@main.command()
@click.option(
    "--out",
    type=out_folder(),
    help="Folder to keep the demo in (default: a new one in the temporary folder).",
)
@assignment_option
@lang_option
@bad_input_is_an_error
def demo(out: Path | None, assignment: str | None, lang: str) -> None:
    """The main job end to end: generate the assignment, grade sample submissions, show results.

    Everything it prints a path of is kept, so it can be opened afterwards."""
    import tempfile

    from backprop_lab.demo import run_demo

    folder = out or Path(tempfile.mkdtemp(prefix="backprop-lab-demo-"))
    results, report = run_demo(folder, lang, assignment or DEFAULT)
    click.echo(summary_table(results))
    click.echo("")
    click.echo(report)
    click.echo(f"\nThe demo's files are kept in {folder}/ (delete the folder when you are done with it).")


def _gradebook_folder(folder: Path | None) -> None:
    """Refuse a folder that is not an nbgrader course before grading, and before nbgrader
    would leave a new, empty gradebook.db in it."""
    if folder is not None and not (folder / "gradebook.db").is_file():
        raise click.BadParameter(
            f"{folder} is not an nbgrader course with a gradebook (no gradebook.db): run "
            "`nbgrader generate_assignment backprop` in it first",
            param_hint="--gradebook",
        )


@main.command()
@click.argument("submissions", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", required=True, type=out_folder(), help="Folder for results and feedback.")
@click.option(
    "--jobs", default=2, show_default=True, type=click.IntRange(1, 256), help="Submissions graded at once."
)
@click.option(
    "--seed",
    type=click.IntRange(0, 2**64 - 1),
    help="Grade on the cases of this seed (from results.json), to reproduce a run.",
)
@secret_option
@click.option(
    "--timeout",
    default=2.0,
    show_default=True,
    type=Seconds(0, 600, min_open=True),
    help="Seconds one step may take.",
)
@course_option
@assignment_option
@click.option(
    "--gradebook",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="An nbgrader course folder: write the scores into its gradebook for formgrader.",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(["gradescope", "junit"]),
    help="Also write Gradescope results (gradescope/<id>.json) or JUnit XML (junit.xml).",
)
@click.option("--dry-run", is_flag=True, help="List what would be graded, under which id, and stop.")
@click.option(
    "--scheduler",
    metavar="ADDRESS|local",
    help="Grade on a Dask cluster: a scheduler's address, or `local` for --jobs workers on this "
    "machine (needs the dask extra).",
)
@lang_option
@bad_input_is_an_error
def grade(
    submissions: tuple[Path, ...],
    out: Path,
    jobs: int,
    seed: int | None,
    secret_file: Path | None,
    timeout: float,
    course: Path | None,
    assignment: str | None,
    gradebook: Path | None,
    formats: tuple[str, ...],
    dry_run: bool,
    scheduler: str | None,
    lang: str,
) -> None:
    """Grade every submission found under SUBMISSIONS (files, folders, zips, nbgrader trees)."""
    from backprop_lab.exercises.catalog import Course
    from backprop_lab.grade_class import (
        early_pool,
        grade_submissions,
        grading_config,
        refuse_other_assignment,
    )
    from backprop_lab.graders.submissions import discover

    chosen = Course.load(course, assignment)  # a course file that cannot be used: an error, first
    with early_pool(list(submissions), out, 0 if dry_run else jobs, scheduler) as pool:  # starts while found
        found = discover(list(submissions), chosen.assignment.name)  # nothing to grade, or an id twice
        refuse_other_assignment(found, chosen.assignment.name)
        if dry_run:
            click.echo(discovery_table(found))
            return
        _gradebook_folder(gradebook)
        regrade = (out / "results.json").is_file()  # the audit compares with it: changes.csv
        out.mkdir(parents=True, exist_ok=True)  # a path that cannot be a folder fails now, not after grading
        if gradebook is not None and secret_file is None:
            from backprop_lab.gradebook import course_secret

            secret_file = course_secret(gradebook)  # the cases nbgrader's autograde grades on
        config = grading_config(course, out, secret_file, seed, timeout, assignment)
        from backprop_lab.graders.batch import ClusterError

        try:
            results = grade_submissions(
                found, out, config, jobs=jobs, lang=lang, formats=formats, scheduler=scheduler, pool=pool
            )
        except ClusterError as error:
            raise click.ClickException(str(error)) from None
    click.echo(summary_table(results))
    from backprop_lab.grade_class import unread_count

    unread = unread_count(found)
    if unread:
        click.echo(
            f"\n{unread} of {len(found)} submission(s) could not be read: each says why in its feedback."
        )
    if gradebook is not None:
        from backprop_lab.gradebook import tamper_report, write_gradebook

        report = write_gradebook(results, gradebook, chosen.assignment.name)
        click.echo(f"gradebook: {report.written} scores written to {gradebook / 'gradebook.db'}")
        click.echo(tamper_report(report))
    click.echo(
        f"\nresults: {out / 'results.json'}  grades: {out / 'grades.csv'}  feedback: {out / 'feedback'}/"
    )
    if regrade:
        click.echo(f"changes since the earlier run in {out}: {out / 'changes.csv'}")


@main.command()
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--student",
    type=StudentId(),
    help="Your student id, for your personal numbers (default: the file's name).",
)
@course_option
@assignment_option
@click.option(
    "--step", help="Check one step: its feedback, and exit 0 exactly when it earns full marks (CI graders)."
)
@lang_option
@bad_input_is_an_error
def check(
    file: Path, student: str | None, course: Path | None, assignment: str | None, step: str | None, lang: str
) -> None:
    """Check your work before submitting, on public practice cases. Exit 0 only at full marks.

    The practice cases are never the grading cases: a file that only knows their answers fails.
    """
    from backprop_lab.exercises.catalog import Course
    from backprop_lab.feedback import submission_feedback
    from backprop_lab.grade_class import isolation_notice
    from backprop_lab.graders.batch import Grader
    from backprop_lab.graders.grade import GradingConfig
    from backprop_lab.graders.results import ANSWERS_ID
    from backprop_lab.graders.submissions import discover, load

    if assignment is None and course is None and file.stem in KNOWN:
        assignment = file.stem  # `check deep.py` checks the deep assignment
    config = GradingConfig.practice(Course.load(course, assignment))
    found = discover([file], config.course.assignment.name)
    if len(found) > 1:
        names = ", ".join(s.id for s in found[:5]) + (", ..." if len(found) > 5 else "")
        raise click.BadParameter(
            f"{file} holds {len(found)} submissions ({names}); check one file or one student's folder",
            param_hint="FILE",
        )
    if step is not None and step not in config.points:
        raise click.BadParameter(
            f"{step!r}; the course's steps: {', '.join(config.points)}", param_hint="--step"
        )
    submission = found[0] if student is None else load(file, sub_id=student)
    if student is None and step in (None, ANSWERS_ID):  # only ANSWERS depends on the id
        click.echo(checked_as(submission.id, lang) + "\n")
    if step is not None:
        from backprop_lab.platforms.step_check import grade_cached, step_report

        result, isolation = grade_cached(submission, config)
        text, passed = step_report(result, step, lang)
        notice = isolation_notice(isolation)
        if notice:
            click.echo(notice, err=True)
        click.echo(text)
        sys.exit(0 if passed else 1)
    with Grader(config) as grader:
        result = grader.grade(submission)
        notice = isolation_notice(grader.isolation_used)
    if notice:
        click.echo(notice, err=True)
    click.echo(submission_feedback(result, lang))
    sys.exit(0 if result.score >= result.max_score else 1)


def checked_as(student_id: str, lang: str) -> str:
    """`check` without --student takes the id from the file's name: say so, and how to give one,
    since the personal numbers it checks ANSWERS against are that id's."""
    from backprop_lab.exercises.i18n import N_, tr

    return tr(
        lang,
        N_(
            "Checked as student {id} (taken from the file's name): your personal numbers are that id's. "
            "If your id is another, run again with --student YOUR_ID."
        ),
        id=student_id,
    )


def _width(text: str) -> int:
    """Columns a text takes in a terminal (wide CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _aligned(rows: list[list[str]], right: tuple[int, ...] = ()) -> str:
    """Rows of cells as aligned columns; the first row is the header, underlined."""
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    rows = [rows[0], ["-" * w for w in widths], *rows[1:]]

    def cell(i: int, text: str) -> str:
        pad = " " * (widths[i] - _width(text))
        return pad + text if i in right else text + pad

    return "\n".join("  ".join(cell(i, text) for i, text in enumerate(row)).rstrip() for row in rows)


def summary_table(results: list) -> str:
    """One row per submission under named columns: id, score, a mark per step (numbered,
    with a legend), and why the submission as a whole lost points."""
    from backprop_lab.feedback import submission_reasons

    step_ids = list(dict.fromkeys(s.id for r in results for s in r.steps))
    header = ["submission", "score", "max", *(str(i) for i in range(1, len(step_ids) + 1)), "problem"]
    rows = [header]
    for r in results:
        marks = {s.id: MARKS.get(s.status, "?") for s in r.steps}
        reasons = submission_reasons(r, "en")
        note = printable(reasons[0]) if reasons else ""  # it may quote the student's exception
        note = note if len(note) <= NOTE_CAP else note[: NOTE_CAP - 1] + "…"
        rows.append([r.id, f"{r.score:g}", f"{r.max_score:g}", *(marks.get(i, " ") for i in step_ids), note])
    steps = "  ".join(f"{i}={step_id}" for i, step_id in enumerate(step_ids, start=1))
    legend = "  ".join(f"{mark} {status}" for status, mark in MARKS.items())
    return f"{_aligned(rows, right=(1, 2))}\n\nsteps: {steps}\nmarks: {legend}"


def discovery_table(submissions: list) -> str:
    """What `grade --dry-run` shows: each submission, its id, where it was found, what is wrong."""
    rows = [["id", "found at", "problem"]]
    for s in submissions:
        note = printable(s.problems[0].message.format(**s.problems[0].values)) if s.problems else ""
        rows.append([s.id, s.origin, note[:NOTE_CAP]])
    unread = sum(not s.readable for s in submissions)
    unread_note = f" {unread} of them could not be read: see the problem column." if unread else ""
    return f"{_aligned(rows)}\n\n{len(submissions)} submission(s) would be graded.{unread_note}"


@main.command()
@click.option("--out", required=True, type=out_folder(), help="Folder to write the assignment into.")
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(["py", "ipynb", "nbgrader", "gradescope", "github-classroom"]),
    help="What to write (default: py, ipynb, nbgrader); gradescope: gradescope/autograder.zip; "
    "github-classroom: a template repository in github-classroom/.",
)
@click.option(
    "--roster",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV of students (id, and optionally name): personal sheets.",
)
@course_option
@assignment_option
@click.option("--force", is_flag=True, help="Overwrite files that exist with other content.")
@click.option(
    "--install",
    "spec",
    metavar="SPEC",
    help="How Gradescope and GitHub Classroom install backprop-lab with pip: a requirement, a wheel, "
    "a path, index options (default: the wheel of this backprop-lab, shipped with their files).",
)
@lang_option
@bad_input_is_an_error
def generate(
    out: Path,
    formats: tuple[str, ...],
    roster: Path | None,
    course: Path | None,
    assignment: str | None,
    force: bool,
    spec: str | None,
    lang: str,
) -> None:
    """Generate the assignment from the reference solution: stubs, notebooks, an nbgrader course."""
    from backprop_lab.exercises.catalog import Course
    from backprop_lab.exercises.generate import FORMATS
    from backprop_lab.exercises.generate import generate as write_assignment
    from backprop_lab.platforms import github_classroom, gradescope

    chosen = Course.load(course, assignment)
    files = tuple(f for f in formats if f in FORMATS) if formats else FORMATS
    written = write_assignment(out, lang, files, chosen, roster, force=force)
    if "gradescope" in formats:
        written.append(gradescope.write_autograder(out, chosen, spec, lang))
    if "github-classroom" in formats:
        written += github_classroom.write_template(out, chosen, spec, lang)
    for path in written:
        click.echo(str(path))
    from backprop_lab.copying import given_code

    given_code(chosen)  # kept in the instructor's cache: the first `grade` need not make it (2 s)


@main.command()
@click.option(
    "--out",
    type=out_folder(),
    help="Folder for notes/, figures/ and instructor/ (the answers to the notes' exercises); "
    f"default: course/ for {DEFAULT}, course/<name>/ for another assignment.",
)
@assignment_option
@bad_input_is_an_error
def notes(out: Path | None, assignment: str | None) -> None:
    """Write the lecture notes (English and Chinese), their figures and the answers, all from solutions/."""
    chosen = assignments.get(assignment or DEFAULT)
    if chosen.notes is None:
        raise click.ClickException(f"the {chosen.name} assignment has no lecture notes")
    default = Path("course") if chosen.name == DEFAULT else Path("course") / chosen.name
    for path in chosen.notes().write(out or default):
        click.echo(str(path))


@main.group()
def export() -> None:
    """Grades of a finished run (OUT of `grade`) into a learning management system's import file."""


results_dir = click.argument("results_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
import_file = click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
                           help="The CSV file to write for the import.")  # fmt: skip
missing_zero = click.option("--missing-zero", is_flag=True, help="Give 0 to a student without a submission.")


@export.command()
@results_dir
@click.option("--gradebook", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The gradebook CSV Canvas exports (Grades → Export).")  # fmt: skip
@import_file
@click.option("--column", metavar="TITLE", help="The assignment column: `Name (id)`, its name or its id.")
@click.option("--match", type=click.Choice(["sis_login", "sis_user", "id"]), default="sis_login",
              show_default=True, help="The Canvas column that holds the submission ids.")  # fmt: skip
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV mapping submission ids (column id) to the --match value (column sis_login, "
              "sis_user or canvas_id).")  # fmt: skip
@missing_zero
@lang_option
@bad_input_is_an_error
def canvas(results_dir: Path, gradebook: Path, out: Path, column: str | None, match: str,
           roster: Path | None, missing_zero: bool, lang: str) -> None:  # fmt: skip
    """A Canvas gradebook import with the run's scores in one assignment column."""
    from backprop_lab.exports import read_results, read_roster
    from backprop_lab.exports.canvas import canvas_import, summary, write_canvas_import

    graded = read_results(results_dir, lang)
    ids = read_roster(roster, "canvas_id" if match == "id" else match, lang) if roster else None
    result = canvas_import(graded, gradebook, column, match, ids, missing_zero, lang)
    click.echo(summary(result, write_canvas_import(result, out), lang))


@export.command()
@results_dir
@import_file
@click.option("--identity", type=click.Choice(["username", "email", "idnumber"]), default="username",
              show_default=True, help="The Moodle user field the identity column holds.")  # fmt: skip
@click.option(
    "--roster",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV mapping submission ids (column id) to the identity (a column named as --identity).",
)
@click.option("--column", default="backprop", show_default=True, help="The grade column's title.")
@click.option(
    "--max-grade",
    type=click.FloatRange(0, min_open=True),
    help="The grade item's maximum grade in Moodle (default: the run's maximum score).",
)
@missing_zero
@lang_option
@bad_input_is_an_error
def moodle(results_dir: Path, out: Path, identity: str, roster: Path | None, column: str,
           max_grade: float | None, missing_zero: bool, lang: str) -> None:  # fmt: skip
    """A Moodle grade import: an identity column and a grade column."""
    from backprop_lab.exports import read_results, read_roster
    from backprop_lab.exports.moodle import moodle_import, summary, write_moodle_import

    graded = read_results(results_dir, lang)
    ids = read_roster(roster, identity, lang) if roster else None
    result = moodle_import(graded, identity, ids, column, max_grade, missing_zero, lang)
    click.echo(summary(result, write_moodle_import(result, out), missing_zero, lang))
