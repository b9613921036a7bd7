"""Checking a course file before it is used: a misspelled table or key must not quietly
fall back to the defaults, and a wrong value must not surface as a traceback.

`validate(path)` raises CourseError listing every problem found, each with the file's
line and, for a misspelling, the name that was probably meant. The schema is the one
`Course.load` reads (see `catalog.py` and docs/course-file.md).
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

LANGUAGE_KEYS = ("en", "zh")


@dataclass(frozen=True)
class Key:
    """One allowed key: the type it must have, and whether it must be there."""

    kind: str  # number | bool | string | strings | text (a table of strings by language) |
    #            percent | percents | datetime | visibility | visibilities (a table of them by step)
    required: bool = False


ASSIGNMENT = {
    "name": Key("string"),
    "steps": Key("strings"),
    "answers_points": Key("number"),
    "formula_hints": Key("bool"),
    "misconceptions": Key("strings"),
}
CUSTOM_STEP = {
    "id": Key("string", required=True),
    "points": Key("number", required=True),
    "module": Key("string", required=True),
    "title": Key("text", required=True),
    "instructions": Key("text", required=True),
    "practises": Key("string"),
    "latex": Key("string"),
}
COPYING = {"threshold": Key("number")}
LATE = {
    "deadline": Key("datetime", required=True),
    "per_day": Key("percent"),
    "table": Key("percents"),
    "cap": Key("percent"),
    "of": Key("string"),
    "grace_minutes": Key("number"),
    "extensions": Key("string"),
    "extension_column": Key("string"),
}
VISIBILITY = ("hidden", "after_due_date", "after_published", "visible")  # Gradescope's four states
GRADESCOPE = {
    "visibility": Key("visibility"),
    "stdout_visibility": Key("visibility"),
    "step_visibility": Key("visibilities"),
}
TABLES = ("assignment", "points", "custom_step", "copying", "late", "gradescope")


class CourseError(ValueError):
    """A course file that cannot be used; the message lists every problem, one a line."""


def _did_you_mean(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(known)}"


class _Lines:
    """Where a table or key is written in the file, for the messages (1-based; 0 if unknown)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def table(self, name: str, occurrence: int = 0) -> int:
        pattern = re.compile(rf"^\s*\[\[?\s*{re.escape(name)}\s*\]\]?")
        found = [i + 1 for i, line in enumerate(self.lines) if pattern.match(line)]
        return found[occurrence] if occurrence < len(found) else 0

    def key(self, name: str, after: int = 0) -> int:
        pattern = re.compile(rf"^\s*[\"']?{re.escape(name)}[\"']?\s*[.=]")
        for number in range(after + 1, len(self.lines) + 1):
            line = self.lines[number - 1]
            if after and line.lstrip().startswith("["):
                break  # the next table: the key is not in this one
            if pattern.match(line):
                return number
        return 0


def _type_error(kind: str, value: Any) -> str | None:
    if kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
        return None if ok else "must be a number ≥ 0"
    if kind == "bool":
        return None if isinstance(value, bool) else "must be true or false"
    if kind == "string":
        return None if isinstance(value, str) and value.strip() else "must be a non-empty string"
    if kind == "percent":
        ok = isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 100
        return None if ok else "must be a percent from 0 to 100"
    if kind == "percents":
        ok = isinstance(value, list) and value and all(_type_error("percent", v) is None for v in value)
        return None if ok else "must be a list of percents from 0 to 100 (the 1st day late, the 2nd, ...)"
    if kind == "datetime":
        ok = isinstance(value, datetime) and value.tzinfo is not None
        return None if ok else "must be a date-time with its offset, e.g. 2026-03-01T23:59:00+08:00"
    if kind == "visibility":
        return None if value in VISIBILITY else f"must be one of {', '.join(VISIBILITY)}"
    if kind == "visibilities":
        ok = isinstance(value, dict) and all(v in VISIBILITY for v in value.values())
        return None if ok else f"must be a table of step = one of {', '.join(VISIBILITY)}"
    if kind == "strings":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return None if ok else "must be a list of strings"
    ok = isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values())
    if ok and set(value) - set(LANGUAGE_KEYS):
        return f"may only have the languages {', '.join(LANGUAGE_KEYS)}"
    return None if ok else f"must be a table of strings by language ({'.'.join(LANGUAGE_KEYS)})"


def _check_keys(
    where: str, table: dict[str, Any], schema: dict[str, Key], lines: _Lines, start: int
) -> list[tuple[int, str]]:
    found = []
    for name, value in table.items():
        line = lines.key(name, start) or start
        if name not in schema:
            found.append((line, f"unknown key {name!r} in {where}{_did_you_mean(name, list(schema))}"))
            continue
        problem = _type_error(schema[name].kind, value)
        if problem:
            found.append((line, f"{where} {name} {problem}, not {value!r}"))
    for name, key in schema.items():
        if key.required and name not in table:
            found.append((start, f"{where} lacks the key {name!r}"))
    return found


def _check_steps(
    names: list[str], known: list[str], what: str, line_of: Callable[[str], int]
) -> list[tuple[int, str]]:
    return [
        (line_of(name), f"unknown step {name!r} in {what}{_did_you_mean(name, known)}")
        for name in names
        if isinstance(name, str) and name not in known
    ]


def _custom_ids(data: dict[str, Any]) -> list[str]:
    custom = data.get("custom_step", [])
    entries = custom if isinstance(custom, list) else []
    return [str(e["id"]) for e in entries if isinstance(e, dict) and "id" in e] + ["personal_answers"]


def validate(path: Path, step_ids_of: Callable[[str | None], list[str]], names: list[str]) -> dict[str, Any]:
    """The course file's content, if it follows the schema; else CourseError with every problem.

    `names` are the assignments there are; `step_ids_of(name)` the steps of the one named
    (None: the default), which every step the file names must be.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as error:
        raise CourseError(f"{path}: cannot be read: {error}") from None
    except tomllib.TOMLDecodeError as error:  # syntax errors and duplicate keys, with their line
        raise CourseError(f"{path}: not valid TOML: {error}") from None
    lines = _Lines(text)
    problems: list[tuple[int, str]] = []
    for name in data:
        if name not in TABLES:
            line = lines.table(name) or lines.key(name)
            problems.append((line, f"unknown table {name!r}{_did_you_mean(name, list(TABLES))}"))
    assignment = data.get("assignment", {})
    if not isinstance(assignment, dict):
        problems.append((lines.key("assignment"), "assignment must be a table: [assignment]"))
        assignment = {}
    start = lines.table("assignment")
    problems += _check_keys("[assignment]", assignment, ASSIGNMENT, lines, start)
    name = assignment.get("name")
    if isinstance(name, str) and name not in names:
        line = lines.key("name", start) or start
        known = ", ".join(names)
        problems.append((line, f"unknown assignment {name!r} (known: {known}){_did_you_mean(name, names)}"))
        name = None
    step_ids = step_ids_of(name if isinstance(name, str) else None)
    if isinstance(assignment.get("steps"), list):
        problems += _check_steps(assignment["steps"], step_ids, "[assignment] steps",
                                 lambda _: lines.key("steps", start) or start)  # fmt: skip
    points = data.get("points", {})
    if not isinstance(points, dict):
        problems.append((lines.key("points"), "points must be a table: [points]"))
        points = {}
    start = lines.table("points")
    problems += _check_steps(list(points), step_ids, "[points]", lambda n: lines.key(n, start) or start)
    for name, value in points.items():
        problem = _type_error("number", value)
        if problem and name in step_ids:
            problems.append((lines.key(name, start) or start, f"[points] {name} {problem}, not {value!r}"))
    copying = data.get("copying", {})
    if not isinstance(copying, dict):
        problems.append((lines.key("copying"), "copying must be a table: [copying]"))
        copying = {}
    problems += _check_keys("[copying]", copying, COPYING, lines, lines.table("copying"))
    for name, schema in (("late", LATE), ("gradescope", GRADESCOPE)):
        table = data.get(name, {})
        if not isinstance(table, dict):
            problems.append((lines.key(name), f"{name} must be a table: [{name}]"))
            continue
        start = lines.table(name)
        problems += _check_keys(f"[{name}]", table, schema, lines, start) if table else []
    late = data.get("late", {})
    if isinstance(late, dict) and "per_day" in late and "table" in late:
        problems.append((lines.table("late"), "[late] has both per_day and table: give one"))
    if isinstance(late, dict) and late.get("of", "max_score") not in ("max_score", "score"):
        problems.append((lines.key("of", lines.table("late")), '[late] of must be "max_score" or "score"'))
    steps_seen = data.get("gradescope", {})
    if isinstance(steps_seen, dict) and isinstance(steps_seen.get("step_visibility"), dict):
        start = lines.table("gradescope")
        named = list(steps_seen["step_visibility"])
        where = "[gradescope] step_visibility"
        problems += _check_steps(
            named, step_ids + _custom_ids(data), where, lambda n: lines.key(n, start) or start
        )
    custom = data.get("custom_step", [])
    if not isinstance(custom, list) or not all(isinstance(entry, dict) for entry in custom):
        problems.append((lines.key("custom_step"), "custom_step must be tables: [[custom_step]]"))
        custom = []
    for index, entry in enumerate(custom):
        start = lines.table("custom_step", index)
        problems += _check_keys("[[custom_step]]", entry, CUSTOM_STEP, lines, start)
        if entry.get("id") in step_ids:
            problems.append((start, f"custom step {entry['id']!r} has the id of a step of the catalog"))
    if problems:
        raise CourseError(
            "\n".join(
                f"{path}:{line}: {message}" if line else f"{path}: {message}"
                for line, message in sorted(problems, key=lambda p: p[0])
            )
        )
    return data
