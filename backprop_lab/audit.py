"""Regrades with an audit: grading into a folder that holds an earlier run records, for each
student whose score changed, the old and new score, the steps that moved, and why.

Why is read from what each run records in results.json: the submission's digest (its
content), its submission time, the course file's fingerprint, backprop-lab's version and
code, and the secret's fingerprint and seed. Everything that differs is named; when
nothing does, the change is said to be unexplained (a timeout on a busy machine, say).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backprop_lab.atomic import csv_text, write_atomically
from backprop_lab.exercises.catalog import Course
from backprop_lab.exercises.i18n import N_, tr
from backprop_lab.graders.results import SubmissionResult

CHANGES_FILE = "changes.csv"
REASONS = {
    "new": N_("a new submission"),
    "gone": N_("no longer submitted"),
    "submission": N_("the submission changed"),
    "submission_time": N_("the submission time changed"),
    "course": N_("the course file changed"),
    "version": N_("a new backprop-lab version"),
    "secret": N_("a different secret or seed"),
    "unexplained": N_("the same inputs: a step's outcome differed (a timeout on a busy machine?)"),
    "unrecorded": N_("not known: the earlier run did not record what it graded"),
}
CLASS_WIDE = {"course": ("course",), "version": ("backprop_lab", "code"), "secret": ("secret", "seed")}
TOLERANCE = 1e-9


@dataclass
class Change:
    id: str
    old_score: float | None  # None: not in the earlier run
    new_score: float | None  # None: not in this run
    steps: list[tuple[str, float | None, float | None]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # keys of REASONS


def course_fingerprint(course: Course) -> str:
    """What of the course decides a grade or a penalty: its file, the files it names, its late policy."""
    h = hashlib.sha256()
    for path in ([course.path] if course.path else []) + list(course.files):
        h.update(path.read_bytes() + b"\0")
    h.update(repr(course.late).encode())
    return h.hexdigest()[:16]


def read_earlier(out: Path) -> dict[str, Any] | None:
    """The run already in `out` (its results.json), or None when there is none to compare with."""
    try:
        data = json.loads((out / "results.json").read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and isinstance(data.get("submissions"), list) else None
    except (OSError, ValueError):
        return None


def _differs(old: Any, new: Any) -> bool:
    """A recorded value changed (a value the earlier run did not record proves nothing)."""
    return old is not None and new is not None and old != new


def _moved(old: float | None, new: float | None) -> bool:
    return old is None or new is None or abs(old - new) > TOLERANCE


def changes(earlier: dict[str, Any], results: list[SubmissionResult], meta: dict[str, Any]) -> list[Change]:
    """Each student whose score changed since `earlier`, with the steps that moved and why."""
    before = {str(e.get("id")): e for e in earlier["submissions"] if isinstance(e, dict)}
    wide = [
        key
        for key, fields in CLASS_WIDE.items()
        if any(_differs(earlier.get(f), meta.get(f)) for f in fields)
    ]
    found = []
    for r in results:
        old = before.pop(r.id, None)
        if old is None:
            found.append(Change(r.id, None, r.score, [], ["new"]))
            continue
        old_score = float(old.get("score", 0.0))
        if not _moved(old_score, r.score):
            continue
        old_steps = {s.get("id"): float(s.get("score", 0.0)) for s in old.get("steps", [])}
        new_steps = {s.id: s.score for s in r.steps}
        steps = [
            (step, old_steps.get(step), new_steps.get(step))
            for step in dict.fromkeys([*old_steps, *new_steps])
            if _moved(old_steps.get(step), new_steps.get(step))
        ]
        reasons = ["submission"] if _differs(old.get("digest") or None, r.digest or None) else []
        old_time = (old.get("late") or {}).get("submitted")
        reasons += ["submission_time"] if _differs(old_time, r.late.submitted if r.late else None) else []
        reasons += wide
        unknown = "unrecorded" if earlier.get("code") is None or not old.get("digest") else "unexplained"
        found.append(Change(r.id, old_score, r.score, steps, reasons or [unknown]))
    for sub_id, old in before.items():
        found.append(Change(sub_id, float(old.get("score", 0.0)), None, [], ["gone"]))
    return sorted(found, key=lambda c: c.id)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def change_rows(found: list[Change], lang: str) -> list[dict[str, str]]:
    """Each change as the class report and changes.csv show it, reasons in `lang`."""
    return [
        {
            "id": c.id,
            "old": _number(c.old_score),
            "new": _number(c.new_score),
            "steps": "; ".join(
                f"{step} {_number(old) or '—'} → {_number(new) or '—'}" for step, old, new in c.steps
            ),
            "reasons": ";".join(c.reasons),
            "why": "; ".join(tr(lang, REASONS[r]) for r in c.reasons),
        }
        for c in found
    ]


def write_changes(found: list[Change], out: Path, lang: str) -> Path:
    """changes.csv: one row per student whose score changed (a header alone: nothing changed)."""
    rows = [["id", "old_score", "new_score", "steps", "reasons", "why"]]
    rows += [
        [r["id"], r["old"], r["new"], r["steps"], r["reasons"], r["why"]] for r in change_rows(found, lang)
    ]
    path = out / CHANGES_FILE
    write_atomically(path, csv_text(rows))
    return path
