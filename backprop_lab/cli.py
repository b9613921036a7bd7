"""The `backprop-lab` command: a thin layer of click over the library API."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from backprop_lab.exercises.i18n import LANGUAGES
from backprop_lab.explain import worked_derivation
from backprop_lab.solutions.named import MAZUR, personal_numbers

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
    help="The course secret the grading cases derive from (default: $BACKPROP_LAB_SECRET, "
    "else one kept in OUT/.backprop-lab/).",
)


@main.command()
@click.option("--student", help="Use this student's personal numbers instead of Mazur's example.")
@secret_option
@lang_option
def derive(student: str | None, secret_file: Path | None, lang: str) -> None:
    """Print the worked derivation of the course's 2-2-2 network.

    With --student it is that student's answer key, so it needs the course secret.
    """
    if student:
        from backprop_lab.exercises.secret import ENVIRONMENT, read_secret

        if secret_file is None and not os.environ.get(ENVIRONMENT, "").strip():
            raise click.UsageError(f"--student prints an answer key: give --secret-file or set {ENVIRONMENT}")
        if secret_file is not None:
            read_secret(secret_file)
    named = personal_numbers(student) if student else MAZUR
    click.echo(worked_derivation(named, lang))


@main.command()
@click.option(
    "--out", type=click.Path(path_type=Path), help="Folder for the demo (default: a new temporary one)."
)
@lang_option
def demo(out: Path | None, lang: str) -> None:
    """The main job end to end: generate the assignment, grade sample submissions, show results."""
    import tempfile

    from backprop_lab.demo import run_demo

    out = out or Path(tempfile.mkdtemp(prefix="backprop-lab-demo-"))
    results, report = run_demo(out, lang)
    click.echo(summary_table(results))
    click.echo("")
    click.echo(report)


@main.command()
@click.argument("submissions", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out", required=True, type=click.Path(path_type=Path), help="Folder for results and feedback."
)
@click.option("--jobs", default=2, show_default=True, help="Submissions graded at once.")
@click.option(
    "--seed", type=int, help="Grade on the cases of this seed (from results.json), to reproduce a run."
)
@secret_option
@click.option("--timeout", default=2.0, show_default=True, help="Seconds one step may take.")
@click.option("--course", type=click.Path(exists=True, path_type=Path), help="Course file: steps and points.")
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
@lang_option
def grade(
    submissions: tuple[Path, ...],
    out: Path,
    jobs: int,
    seed: int | None,
    secret_file: Path | None,
    timeout: float,
    course: Path | None,
    gradebook: Path | None,
    formats: tuple[str, ...],
    lang: str,
) -> None:
    """Grade every submission found under SUBMISSIONS (files, folders, zips, nbgrader trees)."""
    from backprop_lab.grade_class import grade_paths, grading_config

    config = grading_config(course, out, secret_file, seed, timeout)
    results = grade_paths(list(submissions), out, config, jobs=jobs, lang=lang, formats=formats)
    click.echo(summary_table(results))
    if gradebook is not None:
        from backprop_lab.gradebook import tamper_report, write_gradebook

        report = write_gradebook(results, gradebook)
        click.echo(f"gradebook: {report.written} scores written to {gradebook / 'gradebook.db'}")
        click.echo(tamper_report(report))
    click.echo(
        f"\nresults: {out / 'results.json'}  grades: {out / 'grades.csv'}  feedback: {out / 'feedback'}/"
    )


@main.command()
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option("--student", help="Your student id, for your personal numbers (default: the file's name).")
@click.option("--course", type=click.Path(exists=True, path_type=Path), help="Course file: steps and points.")
@lang_option
def check(file: Path, student: str | None, course: Path | None, lang: str) -> None:
    """Check your work before submitting, on public practice cases. Exit 0 only at full marks.

    The practice cases are never the grading cases: a file that only knows their answers fails.
    """
    from backprop_lab.exercises.catalog import Course
    from backprop_lab.feedback import submission_feedback
    from backprop_lab.grade_class import isolation_notice
    from backprop_lab.graders.batch import Grader
    from backprop_lab.graders.grade import GradingConfig
    from backprop_lab.graders.submissions import load

    config = GradingConfig.practice(Course.load(course))
    with Grader(config) as grader:
        result = grader.grade(load(file, sub_id=student))
        notice = isolation_notice(grader.isolation_used)
    if notice:
        click.echo(notice, err=True)
    click.echo(submission_feedback(result, lang))
    sys.exit(0 if result.score >= result.max_score else 1)


def summary_table(results: list) -> str:
    """One line per submission: id, score, and the status of every step."""
    marks = {"passed": "✓", "partial": "~", "failed": "✗", "error": "!", "timeout": "⧗", "missing": "·"}
    width = max([len(r.id) for r in results] + [10])
    lines = [
        f"{'submission':<{width}}  {'score':>7}  steps ({' '.join(f'{v}={k}' for k, v in marks.items())})"
    ]
    for r in results:
        steps = "".join(marks.get(s.status, "?") for s in r.steps)
        lines.append(f"{r.id:<{width}}  {r.score:>7g}  {steps}")
    return "\n".join(lines)


@main.command()
@click.option(
    "--out", required=True, type=click.Path(path_type=Path), help="Folder to write the assignment into."
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(["py", "ipynb", "nbgrader"]),
    help="What to write (default: all three).",
)
@click.option(
    "--roster", type=click.Path(exists=True, path_type=Path), help="CSV of student ids: personal sheets."
)
@click.option(
    "--course", type=click.Path(exists=True, path_type=Path), help="Course file choosing steps and points."
)
@lang_option
def generate(
    out: Path, formats: tuple[str, ...], roster: Path | None, course: Path | None, lang: str
) -> None:
    """Generate the assignment from the reference solution: stubs, notebooks, an nbgrader course."""
    from backprop_lab.exercises.catalog import Course
    from backprop_lab.exercises.generate import FORMATS
    from backprop_lab.exercises.generate import generate as write_assignment

    written = write_assignment(out, lang, formats or FORMATS, Course.load(course), roster)
    for path in written:
        click.echo(str(path))


@main.command()
@click.option(
    "--out",
    default="course",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Folder for notes/ and figures/.",
)
def notes(out: Path) -> None:
    """Write the lecture notes (English and Chinese) and their figures, all computed from solutions/."""
    from backprop_lab.exercises.notes import write_notes

    for path in write_notes(out):
        click.echo(str(path))
