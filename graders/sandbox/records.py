"""What the grader keeps of the worker's reports: plain strings and numbers of bounded size.

The worker runs the student's code in its own process, so anything it sends may be
forged: a report of the wrong shape, a "string" that is a dict, a message of a
megabyte. These functions turn a received report into the grader's own plain
values, or raise ProtocolError where the report's shape is wrong.
"""

from __future__ import annotations

from typing import Any

from backprop_lab.graders.sandbox.inside.protocol import ProtocolError, Received, plain

ERROR_FIELDS = {"type": 100, "message": 2000, "where": 500, "function": 100}
PRINTED_CAP = 10_000
NAMES_CAP = 1000
ANSWER_TEXT_CAP = 1000  # characters kept of a string in an answer: no step's answer is a string


def text(value: Any, cap: int) -> str:
    """value if it is a plain string (cut to cap characters), else the empty string."""
    return value[:cap] if type(value) is str else ""


def error_record(raw: Any) -> dict[str, str] | None:
    """An error as the four plain strings the grader shows (or None where there was none)."""
    if raw is None:
        return None
    raw = plain(raw)
    if not isinstance(raw, dict):
        raw = {"message": "the error could not be described"}
    record = {key: text(raw.get(key), cap) for key, cap in ERROR_FIELDS.items()}
    record["type"] = record["type"] or "Error"
    return record


def printed(raw: Any) -> str:
    return text(plain(raw), PRINTED_CAP)


def defined_names(raw: Any) -> list[str]:
    names = plain(raw)
    if not isinstance(names, list):
        return []
    return [name[:200] for name in names[:NAMES_CAP] if type(name) is str]


def unit_reports(raw: Any, names: list[str]) -> list[tuple[str, bool, dict[str, str] | None]]:
    """(name, ok, error) for every unit sent, named by the grader, not by the worker."""
    if not isinstance(raw, list) or len(raw) != len(names):
        raise ProtocolError("a load report for other units than were sent")
    reports = []
    for name, unit in zip(names, raw, strict=True):
        if not isinstance(unit, dict):
            raise ProtocolError("malformed unit report")
        ok = plain(unit.get("ok")) is True
        reports.append((name, ok, None if ok else error_record(unit.get("error") or {})))
    return reports


def fingerprints(raw: Any) -> list[Any] | None:
    """The arguments' fingerprints after a call: digests, dicts or lists of digests (a network's
    layers) or None; None if malformed."""

    def one(value: Any, depth: int) -> Any:
        if value is None or (type(value) is str and len(value) <= 64):
            return value
        if isinstance(value, dict) and depth < 3 and len(value) <= NAMES_CAP:
            return {key[:200]: one(inner, depth + 1) for key, inner in value.items()}
        if isinstance(value, list) and depth < 3 and len(value) <= NAMES_CAP:
            return [one(inner, depth + 1) for inner in value]
        raise ProtocolError("malformed fingerprint")

    found = plain(raw)
    if not isinstance(found, list) or len(found) > NAMES_CAP:
        return None
    try:
        return [one(value, 0) for value in found]
    except ProtocolError:
        return None


def answer(value: Any) -> Any:
    """An answer as the grader keeps it: every string in it (a dict's keys too) cut to
    ANSWER_TEXT_CAP characters, so a wrong answer of megabytes of text is kept in kilobytes."""

    def cut(text: str) -> str:
        return (
            text if len(text) <= ANSWER_TEXT_CAP else text[:ANSWER_TEXT_CAP] + f"… ({len(text)} characters)"
        )

    def walk(node: Any) -> Any:
        if type(node) is str:
            return cut(node)
        if isinstance(node, list):
            return [walk(inner) for inner in node]
        if isinstance(node, dict):
            return {cut(key): walk(inner) for key, inner in node.items()}
        if isinstance(node, Received) and type(node.value) is str:
            return Received(cut(node.value), node.claimed_type, node.claimed_dtype)
        return node

    try:
        return walk(value)
    except RecursionError:
        raise ProtocolError("an answer nested too deeply") from None
