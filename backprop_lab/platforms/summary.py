"""The part of the feedback about the whole submission, without the steps: for a platform that
shows each step on its own (a Gradescope test, a GitHub Classroom command).
"""

from __future__ import annotations

from backprop_lab.exercises.i18n import N_, tr
from backprop_lab.graders.results import SubmissionResult


def problems(result: SubmissionResult, lang: str) -> list[str]:
    """What was wrong with the files themselves: unreadable, empty, a cell that did not run."""
    lines = [tr(lang, p["message"], **p["values"]) for p in result.problems]
    for unit in result.units:
        error = unit.get("error") or {}
        lines.append(
            tr(
                lang,
                N_("{unit} could not run: {message}"),
                unit=unit["name"],
                message=error.get("message", error.get("type", "")),
            )
        )
    return lines


def overview(result: SubmissionResult, lang: str) -> str:
    """Markdown: the score, then anything wrong with the submission as a whole."""
    score = tr(lang, N_("Score"))
    lines = [f"**{score}: {result.score:g} / {result.max_score:g}**"]
    found = problems(result, lang)
    if found:
        lines += ["", *(f"- {line}" for line in found)]
    if result.isolation.startswith("process"):
        note = N_("Note: this machine has no isolation layer; your code ran as a plain process.")
        lines += ["", tr(lang, note)]
    return "\n".join(lines)
