"""What the student reads: per step, what went wrong, on which input, and what to think about.

Rendered from the structured results in English or Chinese; Markdown for files and
terminals, HTML from the same Markdown. A page opens with an overview that fits on one
screen (each step's score, and the one thing to do next); the details follow, each
step collapsed in HTML. Everything that came from the student (printed
output, exception messages, returned values, file names) is text, never Markdown: it
goes into code spans and fences that it cannot close, so it cannot make a heading, an
image or HTML.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable
from typing import Any

import mistune
import numpy as np

from backprop_lab.exercises.i18n import N_, Nn_, Plural, tr
from backprop_lab.exercises.step import GENERAL, PROPERTY_TITLES
from backprop_lab.graders.results import ANSWERS_ID, StepResult, SubmissionResult
from backprop_lab.lateness import late_note

REASONS: dict[str, str | Plural] = {
    "wrong_type": N_("Returned {got}; expected a plain {expected}."),
    "wrong_dtype": N_("Returned an array of dtype {got}; expected float64."),
    "wrong_shape": N_("Returned shape {got}; expected shape {expected}."),
    "not_finite": N_("Returned NaN or infinity where the answer is a finite number."),
    "out_of_range": N_("Returned values outside [0, 1]."),
    "wrong_value": N_("Wrong values: off by up to {error:.3g}."),
    "fd_mismatch": N_("Disagrees with finite differences of the loss (relative error {relative_error:.2g})."),
    "mutated": Nn_(
        "Changed its input argument {names}; the caller's array must stay as it was.",
        "Changed its input arguments {names}; the caller's arrays must stay as they were.",
        "names",
    ),
    "missing_key": N_("The returned dict has no key {key!r}."),
    "not_a_number": N_("Returned {got}; expected a single number (a float)."),
    "raised": N_("Raised {message}"),
    "not_implemented": N_("Not implemented yet (it raises NotImplementedError)."),
    "no_answer": N_("No answer for this input: the step stopped before reaching it."),
    "wrong_answers": Nn_(
        "This answer is not right for your numbers: {keys}.",
        "These answers are not right for your numbers: {keys}.",
        "keys",
    ),
    "hidden_state": N_(
        "Called twice with the same input, it answered differently: does it keep state between calls "
        "(a global variable, a default argument that changes)?"
    ),
}
STATUS: dict[str, str | Plural] = {
    "passed": Nn_("The {total} case passed.", "All {total} cases passed.", "total"),
    "partial": Nn_("{passed} of {total} case passed.", "{passed} of {total} cases passed.", "total"),
    "failed": Nn_("{passed} of {total} case passed.", "{passed} of {total} cases passed.", "total"),
    "error": N_("Every case raised an error."),
    "not_defined": N_("The function {name} is not defined in your submission."),
    "not_implemented": N_("{name} is not implemented yet."),
    "timeout": N_("{name} did not finish: {detail}. Is there an endless loop?"),
    "answers_missing": N_("ANSWERS is not filled in yet: put your four numbers into the dict ANSWERS."),
    "crash": N_("{name} could not be graded: {detail}."),
}
TITLES = {ANSWERS_ID: N_("Personal numeric questions (ANSWERS)")}
MARKS = {"passed": "✓", "partial": "~", "failed": "✗", "error": "!", "timeout": "⧗", "missing": "·"}
NEXT = {  # the first thing to do about a step that is not done, by what is wrong with it
    "not_implemented": N_("implement {name}"),
    "not_defined": N_("write the function {name}"),
    "answers_missing": N_("fill in your four numbers in ANSWERS"),
    "timeout": N_("make {name} finish: it ran out of time"),
    "error": N_("make {name} run without an error"),
    "misconception": N_("fix {name}: it makes a known mistake ({mistake})"),
    "failed": N_("fix {name}: its answers are wrong"),
    "partial": N_("finish {name}: it is right on some cases, not all"),
    "unrunnable": N_("make {unit} run: {message}"),
}
SUSPECTS = Nn_(
    "Your {names} also fails. If this step is built on it, fix it first.",
    "Your {names} also fail. If this step is built on them, fix them first.",
    "names",
)
STUDENT_TEXT = ("got", "message")  # values of REASONS that the student's code chose
PRINTED_CAP = 2000  # characters of printed output shown
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def visible(text: str) -> str:
    """Student text with control characters (terminal escapes, CR, NUL, ...) shown as escapes:
    feedback is read in terminals and written into XML, where they would act or break."""
    return CONTROL.sub(lambda match: repr(match.group())[1:-1], text)


def _backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def code_span(text: str) -> str:
    """Student text inline: one line, in a code span it cannot close."""
    line = " ".join(visible(str(text)).split())
    ticks = "`" * (_backtick_run(line) + 1)
    padded = f" {line} " if line.startswith("`") or line.endswith("`") else line
    return f"{ticks}{padded}{ticks}" if line else ""


def fenced(text: str) -> list[str]:
    """Student text as a block: a fence longer than any run of backticks inside it."""
    text = visible(text)
    fence = "`" * max(3, _backtick_run(text) + 1)
    return [fence, text, fence]


def unit_summary(unit: dict[str, Any]) -> str:
    """Why a file or cell could not run, in one line: the error's last line and its line number."""
    error = unit.get("error") or {}
    message = str(error.get("message", "")).strip()
    last = message.splitlines()[-1].strip() if message else str(error.get("type", ""))
    line = re.search(r"\bline (\d+)", message) or re.search(r"\bline (\d+)", str(error.get("where", "")))
    return f"{last} (line {line.group(1)})" if line else last


def submission_reasons(
    result: SubmissionResult, lang: str, quote: Callable[[str], str] = visible
) -> list[str]:
    """What is wrong with the submission as a whole (unreadable file, code that could not
    run), one line each, every value from the student passed through quote: `visible` for
    plain text (results.json, the table), `code_span` for Markdown (feedback, Gradescope)."""
    lines = [
        tr(lang, p["message"], **{k: quote(str(v)) for k, v in p["values"].items()}) for p in result.problems
    ]
    lines += [
        tr(
            lang,
            N_("{unit} could not run: {message}"),
            unit=quote(unit["name"]),
            message=quote(unit_summary(unit)),
        )
        for unit in result.units
    ]
    return lines


def _array_text(value: Any) -> str:
    if isinstance(value, list):
        try:
            return np.array2string(
                np.array(value, dtype=float), precision=6, suppress_small=False, separator=", "
            )
        except (ValueError, TypeError):
            return repr(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_array_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, str):  # already text: a huge array's summary, or a short repr
        return value
    return repr(value)


def _values_text(values: dict[str, Any]) -> str:
    return "\n".join(
        f"{name} = {_function_text(v) if _is_poly(v) else _array_text(v)}" for name, v in values.items()
    )


def _is_poly(value: Any) -> bool:
    return isinstance(value, dict) and value.get("kind") == "poly"


def _function_text(f: dict[str, Any]) -> str:
    """The f of a gradient check, as the formula it stands for."""
    return f"f(θ) = Σ c·θ² + Σ d·θ³, c = {_array_text(f['c'])}, d = {_array_text(f['d'])}"


def reason_text(reason: str, values: dict[str, Any], lang: str) -> str:
    template = REASONS.get(reason)
    if template is None:
        return code_span(reason)
    shown = {k: code_span(v) if k in STUDENT_TEXT else v for k, v in values.items() if k != "what"}
    text = tr(lang, template, **shown)
    what = values.get("what")
    return f"{what}: {text}" if what else text


def _property_title(property_id: str, lang: str) -> str:
    return tr(lang, PROPERTY_TITLES.get(property_id, property_id))


def _properties_text(step: StepResult, lang: str) -> list[str]:
    """Which named properties the step earned, each with its points. While the general one
    fails, none earns anything: one that holds says so, never a ✓ with points."""
    if not step.properties or step.status == "passed":
        return []
    general = next((p for p in step.properties if p.id == GENERAL), None)
    gated = general is not None and not general.passed
    lines = [""]
    for prop in step.properties:
        title = _property_title(prop.id, lang)
        if not prop.passed:
            lines.append(f"- ✗ {title} (0/{prop.points:g})")
        elif gated:
            held = tr(lang, N_("holds, but earns nothing until “{general}” holds"),
                      general=_property_title(GENERAL, lang))  # fmt: skip
            lines.append(f"- ○ {title} (0/{prop.points:g}): {held}")
        else:
            lines.append(f"- ✓ {title} ({prop.points:g}/{prop.points:g})")
    return lines


# Why a step was graded with a building block set aside, by the property the block failed.
CARRIED = {
    "general": N_(
        "Graded with your {block} set aside (it is wrong): its mistake is charged to {block} only."
    ),
    "unchanged": N_(
        "Your {block} changes {names} in place, so {step} went on with the changed array ({what} came out "
        "wrong). With {block} set aside, {step} is right: this is charged to {block} only."
    ),
    "extremes": N_(
        "Your {block} is not right at extreme values, so {step} was not either ({what}). With {block} set "
        "aside, {step} is right: this is charged to {block} only."
    ),
    "single_example": N_(
        "Your {block} is wrong for a single example (m = 1), so {step} was too ({what}). With {block} set "
        "aside, {step} is right: this is charged to {block} only."
    ),
}


def _carried_text(step: StepResult, lang: str) -> list[str]:
    """One sentence per building block set aside: what it did, and that it is charged there only."""
    lines = []
    for block, cause in (step.carried_causes or {b: {} for b in step.carried_forward}).items():
        template = CARRIED.get(cause.get("property", "general"), CARRIED["general"])
        names = cause.get("names") or tr(lang, N_("an argument"))
        what = cause.get("what") or tr(lang, N_("its answer"))
        lines.append(tr(lang, template, block=block, step=step.id, names=names, what=what))
    return lines


def step_feedback(step: StepResult, lang: str, unrunnable: tuple[str, ...] = ()) -> str:
    """Markdown for one step; unrunnable: the submission's files that could not run."""
    lines = [f"### {_step_title(step, lang)} — {step.score:g}/{step.max_score:g}", ""]
    values = {"total": step.total, "passed": step.passed, "name": step.id}
    if step.status == "missing" and step.detail == "not_defined" and unrunnable:
        lines.append(
            tr(lang, N_("The function {name} is not defined: {units} could not run (see above)."),
               name=step.id, units=", ".join(unrunnable))
        )  # fmt: skip
    elif step.status == "missing":
        lines.append(tr(lang, STATUS[step.detail or "not_defined"], **values))
    elif step.status in ("timeout", "error") and step.detail:
        detail = tr(lang, step.detail, **{k: code_span(v) for k, v in step.detail_values.items()})
        lines.append(
            tr(lang, STATUS["timeout" if step.status == "timeout" else "crash"], detail=detail, **values)
        )
    else:
        lines.append(tr(lang, STATUS[step.status], **values))
    lines += _properties_text(step, lang)
    if step.carried_forward:
        lines += ["", *_carried_text(step, lang)]
    if step.suspects:
        lines += ["", tr(lang, SUSPECTS, names=", ".join(step.suspects))]
    for misconception in step.misconceptions:
        label = tr(lang, N_("A known mistake"))
        lines += ["", f"**{label}: `{misconception}`** — {step.hints.get(misconception, {}).get(lang, '')}"]
    failure = step.failure
    if failure is not None and step.id == ANSWERS_ID:
        lines += ["", reason_text(failure.reason, failure.values, lang)]
    elif failure is not None:
        lines += ["", reason_text(failure.reason, failure.values, lang)]
        if failure.error and failure.error.get("where"):
            lines.append(code_span(failure.error["where"]))
    if failure is not None and failure.expected is not None:
        heading = N_("A small input where it fails:") if failure.shrunk else N_("Smallest failing input:")
        lines += ["", tr(lang, heading), *fenced(_values_text(failure.args))]
        lines += [tr(lang, N_("Expected:")), *fenced(_array_text(failure.expected))]
        if failure.received is not None:
            lines += [tr(lang, N_("Received:")), *fenced(_array_text(failure.received))]
    if step.printed.strip() and step.status != "passed":
        lines += ["", tr(lang, N_("Your code printed:")), *fenced(step.printed.strip()[:PRINTED_CAP])]
    return "\n".join(lines)


def _step_title(step: StepResult, lang: str) -> str:
    return tr(lang, TITLES[step.id]) if step.id in TITLES else step.id


def next_action(result: SubmissionResult, lang: str) -> str:
    """The one thing to do first: make the code run, then the first step (in the assignment's
    order, building blocks first) that does not earn full marks."""
    if result.units:
        unit = result.units[0]
        message = code_span(unit_summary(unit))
        return tr(lang, NEXT["unrunnable"], unit=code_span(unit["name"]), message=message)
    step = next((s for s in result.steps if s.score < s.max_score), None)
    if step is None:
        return tr(lang, N_("nothing: every step earns full marks"))
    name = _step_title(step, lang)
    if step.status == "missing":
        return tr(lang, NEXT[step.detail if step.detail in NEXT else "not_defined"], name=name)
    if step.status in ("timeout", "error"):
        return tr(lang, NEXT[step.status], name=name)
    if step.misconceptions:
        return tr(lang, NEXT["misconception"], name=name, mistake=code_span(step.misconceptions[0]))
    return tr(lang, NEXT["partial" if step.status == "partial" else "failed"], name=name)


def overview(result: SubmissionResult, lang: str) -> list[str]:
    """The part that fits on one screen: each step's mark and score, and what to do next."""
    lines = ["## " + tr(lang, N_("Overview")), ""]
    lines += [
        f"- {MARKS.get(s.status, '?')} {_step_title(s, lang)} — {s.score:g}/{s.max_score:g}"
        for s in result.steps
    ]
    lines += ["", "**" + tr(lang, N_("Next: {action}."), action=next_action(result, lang)) + "**", ""]
    return lines


def submission_feedback(result: SubmissionResult, lang: str, steps: list[str] | None = None) -> str:
    """Markdown for a whole submission: the overview, then the details of every step (`steps`:
    each step's Markdown from `step_feedback`, where the caller has made it already)."""
    heading, score = tr(lang, N_("Backpropagation assignment")), tr(lang, N_("Score"))
    lines = [
        f"# {heading}: {result.id}",
        "",
        f"**{score}: {result.score:g} / {result.max_score:g}**",
        "",
    ]
    if result.late:  # the penalty, and the score before it
        lines += [late_note(result.late, lang), ""]
    lines += overview(result, lang)
    lines += ["## " + tr(lang, N_("Details")), ""]
    lines += ["- " + reason for reason in submission_reasons(result, lang, code_span)]
    for unit in result.units:  # the whole message, e.g. a syntax error with its caret
        full = str((unit.get("error") or {}).get("message", "")).strip()
        if "\n" in full:
            lines += ["", *fenced(full), ""]
    if result.problems or result.units:
        lines.append("")
    if result.isolation.startswith("process"):
        lines += [
            tr(lang, N_("Note: this machine has no isolation layer; your code ran as a plain process.")),
            "",
        ]
    if steps is None:
        unrunnable = tuple(code_span(unit["name"]) for unit in result.units)
        steps = [step_feedback(step, lang, unrunnable) for step in result.steps]
    for text in steps:
        lines += [text, ""]

    return "\n".join(lines)


class _NoImages(mistune.HTMLRenderer):
    """Markdown images become their text: feedback never loads anything from elsewhere."""

    def image(self, text: str, url: str, title: str | None = None) -> str:
        return html.escape(text)


def _collapsed(body: str) -> str:
    """Each step's section (an <h3> and what follows it up to the next heading) folded into
    <details>, its heading the summary: the page shows the overview, a click shows a step.
    The student's text cannot make a heading (it is escaped), so every <h3> is ours."""
    parts = re.split(r"(?=<h[1-3]>)", body)
    folded = []
    for part in parts:
        match = re.fullmatch(r"<h3>(.*?)</h3>\n?(.*)", part, re.S)
        folded.append(f"<details><summary>{match[1]}</summary>\n{match[2]}</details>\n" if match else part)
    return "".join(folded)


# Built once: a page's Markdown is parsed in a fresh state each call, the renderer keeps none
# escape=True: error messages and printed output are the student's text, never HTML to run;
# and no image is ever fetched from anywhere
_MARKDOWN = mistune.create_markdown(escape=True, renderer=_NoImages(escape=True))


HEADINGS = ("# ", "## ", "### ")
BLOCK_QUOTE = re.compile(r" {0,3}>")  # mistune keeps a heading after it inside the quote
OPENING_FENCE = re.compile(r"(`{3,})[^`]*")  # ours, from `fenced`: always at the line's start


def step_sections(markdown_text: str) -> list[str] | None:
    """The text cut before each heading (#, ## or ###, outside code), or None where a cut
    could change the page: a construct that can run past a heading (an HTML block, a block
    quote, a fence other than ours, e.g. one indented in a list item, or one left open), a
    link definition (global), or a CR (a line end we do not cut at). Each section then
    renders alone as it does in the whole page, and what many students share (a step's
    details, an overview, the reasons) renders once."""
    if "\r" in markdown_text:
        return None
    sections, current, fence = [], [], ""
    for line in markdown_text.split("\n"):
        if fence:
            fence = "" if re.fullmatch(f"{fence}`*[ \t]*", line) else fence
        elif opening := OPENING_FENCE.fullmatch(line):
            fence = opening[1]
        elif any(mark in line for mark in ("<", "]:", "```", "~~~")) or BLOCK_QUOTE.match(line):
            return None
        elif line.startswith(HEADINGS) and current:
            sections.append("\n".join(current) + "\n")
            current = []
        current.append(line)
    if fence:
        return None
    return [*sections, "\n".join(current)]


@functools.lru_cache(maxsize=1024)
def _section_html(section: str) -> str:
    return _MARKDOWN(section)


def to_html(markdown_text: str, title: str) -> str:
    """A standalone HTML page of the Markdown feedback, each step's details collapsed."""
    sections = step_sections(markdown_text)
    body = _collapsed(_MARKDOWN(markdown_text) if sections is None else "".join(map(_section_html, sections)))
    return (
        "<!doctype html>\n<html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:52em;margin:2em auto;line-height:1.45}"
        "pre{background:#f5f5f5;padding:.6em;overflow-x:auto}code{font-size:90%}"
        "summary{font-weight:600;font-size:1.1em;margin:.8em 0;cursor:pointer}</style>"
        f"</head><body>\n{body}</body></html>\n"
    )
