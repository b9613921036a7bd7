"""The `backprop-lab` command: a thin layer of click over the library API."""

from __future__ import annotations

import click

from graders.explain import worked_derivation
from graders.i18n import LANGUAGES
from solutions.named import MAZUR, personal_numbers

lang_option = click.option(
    "--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
    help="Language of student-facing text.",
)  # fmt: skip


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
