"""A result as every report may show it: what a student sent, bounded where the grader takes it.

A result carries text and numbers the student's code chose (exception messages, printed
output, returned strings and values). Every result, freshly graded or from the cache,
passes through `bounded_result` before anything is written, so no report, export or
cache entry has to guard itself: each string is at most STRING_CAP characters (a
summary that says how long it was), holds no lone surrogate (valid UTF-8 everywhere)
and no noncharacter (valid HTML), each whole number fits a float, and nesting is finite.
"""

from __future__ import annotations

import re
from typing import Any

from backprop_lab.graders.results import SubmissionResult

STRING_CAP = 4000  # characters of one string shown; the hints and messages of ours are shorter
DEPTH_CAP = 64  # levels of nested lists and dicts kept
SURROGATES = re.compile("[\ud800-\udfff]")
# Unicode's noncharacters: valid UTF-8, but HTML parsers reject them and XML 1.0 forbids two
NONCHARACTERS = re.compile(
    "[\ufdd0-\ufdef"
    + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17))
    + "]"
)


# What an HTML5 parser rejects in its input: controls (but whitespace), surrogates, noncharacters
NOT_HTML = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff" + NONCHARACTERS.pattern[1:-1] + "]")


def valid_html(page: str) -> str:
    """A rendered page with every code point HTML5 forbids replaced by U+FFFD: a student's code
    shown in a page (the copy section) may hold any of them."""
    return NOT_HTML.sub("\ufffd", page)


def summary(text: str, cap: int = STRING_CAP) -> str:
    """text, or its start and its length when longer than cap; lone surrogates replaced,
    noncharacters shown as escapes (`\\ufffe`)."""
    if len(text) > cap:
        text = f"{text[:cap]}… [{len(text)} characters in all]"
    text = SURROGATES.sub("\ufffd", text)
    return NONCHARACTERS.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _number(value: int) -> int | float | str:
    if value.bit_length() <= 63:
        return value
    if value.bit_length() < 1024:
        return float(value)
    return f"a whole number of {value.bit_length()} bits"  # str() of it may itself refuse


def bounded(value: Any, depth: int = 0) -> Any:
    """value (plain JSON data) with every string, number and nesting bounded as above."""
    if isinstance(value, str):
        return summary(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return _number(value)
    if isinstance(value, float):
        return value
    if depth >= DEPTH_CAP:
        return "…"
    if isinstance(value, dict):
        return {summary(str(k), 200): bounded(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [bounded(v, depth + 1) for v in value]
    return summary(repr(value))


def bounded_result(result: SubmissionResult) -> SubmissionResult:
    """The result, in place, with everything the student's code chose bounded (see the module's
    docstring); what the grader itself wrote (inputs, expected values, hints) is left as is."""
    result.problems = bounded(result.problems)
    result.units = bounded(result.units)
    for step in result.steps:
        step.printed = summary(step.printed)
        step.detail_values = bounded(step.detail_values)
        failure = step.failure
        if failure is not None:
            failure.values = bounded(failure.values)
            failure.received = bounded(failure.received)
            failure.error = bounded(failure.error)
    return result
