"""Grades out to a learning management system: the CSV files Canvas and Moodle import.

Both read a finished run's results.json (final scores, with the late penalty already
taken; raw scores beside them) and write their file atomically.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from backprop_lab.exercises.i18n import N_, tr
from backprop_lab.exercises.student_ids import printable

LATE_LINE = N_("{count} of them include a late penalty (raw and final scores: results.json).")


class ExportError(ValueError):
    """An input an export cannot use (a results folder, a gradebook export, a roster): one line."""


@dataclass(frozen=True)
class Graded:
    """One submission's grade as a run recorded it."""

    id: str
    score: float  # final: after any late penalty
    max_score: float
    raw_score: float  # before the late penalty
    late: dict[str, Any] | None = None  # results.json's record of the lateness (see lateness.py)


def read_results(folder: Path, lang: str = "en") -> list[Graded]:
    """The graded submissions of the run in `folder` (its results.json)."""
    path = Path(folder) / "results.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        graded = []
        for entry in data["submissions"]:
            score = float(entry["score"])
            raw = float(entry.get("raw_score", score))
            late = entry.get("late") if isinstance(entry.get("late"), dict) else None
            graded.append(Graded(str(entry["id"]), score, float(entry["max_score"]), raw, late))
        return graded
    except OSError as error:
        raise ExportError(tr(lang, N_("{path}: no results to export ({reason})"),
                             path=printable(str(path)), reason=error.strerror)) from None  # fmt: skip
    except (ValueError, KeyError, TypeError):
        raise ExportError(
            tr(
                lang,
                N_("{path} is not a results.json written by backprop-lab grade"),
                path=printable(str(path)),
            )
        ) from None


def scaled(score: float, max_score: float, points: float) -> str:
    """A score on a column worth `points`, to the hundredth (half up), as an LMS reads it."""
    value = Decimal(repr(score / max_score * points)) if max_score > 0 else Decimal(0)
    text = str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return text.rstrip("0").rstrip(".") if "." in text else text


def read_roster(path: Path, column: str, lang: str = "en") -> dict[str, str]:
    """A roster CSV's map from submission id (column `id`) to the LMS identity in `column`."""
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ExportError(tr(lang, N_("{path}: the roster cannot be read: {reason}"),
                             path=printable(str(path)), reason=str(error))) from None  # fmt: skip
    fields = rows[0].keys() if rows else ()
    if "id" not in fields or column not in fields:
        raise ExportError(
            tr(lang, N_("{path}: the roster needs the columns id and {column}"),
               path=printable(str(path)), column=column)
        )  # fmt: skip
    mapping: dict[str, str] = {}
    for line, row in enumerate(rows, start=2):
        sub_id, identity = (row.get("id") or "").strip(), (row.get(column) or "").strip()
        if sub_id in mapping:
            raise ExportError(tr(lang, N_("{path}:{line}: the id {id} is in the roster twice"),
                                 path=printable(str(path)), line=line, id=sub_id))  # fmt: skip
        if sub_id and identity:
            mapping[sub_id] = identity
    return mapping
