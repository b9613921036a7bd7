"""The `backprop-lab` command: a thin layer of click over the library API."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from graders.explain import worked_derivation
from graders.i18n import LANGUAGES
from solutions.named import MAZUR, personal_numbers

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


@main.command()
@click.option("--student", help="Use this student's personal numbers instead of Mazur's example.")
@lang_option
def derive(student: str | None, lang: str) -> None:
    """Print the worked derivation of the course's 2-2-2 network."""
    named = personal_numbers(student) if student else MAZUR
    click.echo(worked_derivation(named, lang))


@main.command()
@lang_option
def demo(lang: str) -> None:
    """Run the main job end to end on built-in samples."""
    from graders.demo import run_demo

    click.echo(run_demo(lang))


@main.command()
@click.argument("submissions", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out", required=True, type=click.Path(path_type=Path), help="Folder for results and feedback."
)
@click.option("--jobs", default=2, show_default=True, help="Submissions graded at once.")
@click.option(
    "--seed", default=0, show_default=True, help="Seed of the test cases; recorded in results.json."
)
@click.option("--timeout", default=5.0, show_default=True, help="Seconds one step may take.")
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
    seed: int,
    timeout: float,
    formats: tuple[str, ...],
    lang: str,
) -> None:
    """Grade every submission found under SUBMISSIONS (files, folders, zips, nbgrader trees)."""
    from graders.batch import grade_paths
    from graders.grade import GradingConfig

    results = grade_paths(
        list(submissions),
        out,
        GradingConfig(seed=seed, step_timeout=timeout),
        jobs=jobs,
        lang=lang,
        formats=formats,
    )
    click.echo(summary_table(results))
    click.echo(
        f"\nresults: {out / 'results.json'}  grades: {out / 'grades.csv'}  feedback: {out / 'feedback'}/"
    )


@main.command()
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option("--seed", default=0, show_default=True)
@lang_option
def check(file: Path, seed: int, lang: str) -> None:
    """Check your work before submitting: the same checks as the grader. Exit 0 only at full marks."""
    from graders.batch import Grader, isolation_notice
    from graders.feedback import submission_feedback
    from graders.grade import GradingConfig
    from graders.submissions import load

    with Grader(GradingConfig(seed=seed)) as grader:
        result = grader.grade(load(file))
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
