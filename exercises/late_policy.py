"""The course's rule for late work: a deadline, a penalty per day late (or a table of
them) up to a cap, and each student's extension.

    [late]
    deadline = 2026-03-01T23:59:00+08:00   # a TOML date-time with its offset
    per_day = 10          # percent taken for each day or part of a day late ...
    table = [10, 25, 50]  # ... or per day late: the 1st, the 2nd, the 3rd and after
    cap = 50              # the most a penalty takes, percent (default 100)
    of = "max_score"      # a percent of the assignment's points (default) or of the "score"
    grace_minutes = 10    # late by less than this is on time (default 0)
    extensions = "roster.csv"        # beside the course file: an `id` column and ...
    extension_column = "extension"   # ... days (a number) or a new deadline (a date-time)

Penalties are percent; a day late is any part of 24 hours past the student's deadline.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

DAY = timedelta(days=1)


@dataclass(frozen=True)
class LatePolicy:
    deadline: datetime  # aware
    per_day: float = 0.0
    table: tuple[float, ...] = ()
    cap: float = 100.0
    of: str = "max_score"
    grace: timedelta = timedelta(0)
    extensions: dict[str, datetime] = field(default_factory=dict)  # student id → their deadline
    extensions_file: Path | None = None  # where they were read (Gradescope's zip carries it)

    def deadline_for(self, student: str) -> datetime:
        return self.extensions.get(student, self.deadline)

    def days_late(self, submitted: datetime, student: str) -> int:
        """Whole days late, a part of a day counting as one; 0 when on time or within the grace."""
        late = submitted - self.deadline_for(student)
        if late <= self.grace:
            return 0
        return math.ceil(late / DAY)

    def percent(self, days: int) -> float:
        """The penalty for `days` late, percent, capped."""
        if days <= 0:
            return 0.0
        taken = self.table[min(days, len(self.table)) - 1] if self.table else self.per_day * days
        return min(taken, self.cap, 100.0)

    def points(self, days: int, score: float, max_score: float) -> float:
        """Points taken from a score: never more than the score itself."""
        base = max_score if self.of == "max_score" else score
        return min(score, base * self.percent(days) / 100)


def _aware(value: Any, where: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(
                f"{where}: {value!r} is not a date-time like 2026-03-01T23:59:00+08:00"
            ) from None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValueError(
            f"{where}: {value!r} needs a date, a time and an offset, e.g. 2026-03-01T23:59:00+08:00"
        )
    return value


def read_extensions(path: Path, column: str, deadline: datetime) -> dict[str, datetime]:
    """Each student's own deadline from a CSV (a roster or a file of its own): a number in
    `column` is days added to the course deadline, a date-time is the new deadline; empty: none."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ValueError(f"{path}: the extensions cannot be read: {error}") from None
    if rows and ("id" not in rows[0] or column not in rows[0]):
        raise ValueError(f"{path}: extensions need the columns id and {column}")
    found: dict[str, datetime] = {}
    for line, row in enumerate(rows, start=2):
        student, text = (row.get("id") or "").strip(), (row.get(column) or "").strip()
        if not student or not text:
            continue
        try:
            days = float(text)
        except ValueError:
            moved = datetime.fromisoformat(text) if "T" in text or " " in text else None
            if moved is not None and moved.tzinfo is None:
                moved = moved.replace(tzinfo=deadline.tzinfo)  # the course's own offset
            found[student] = _aware(moved if moved is not None else text, f"{path}:{line}")
            continue
        if not math.isfinite(days) or days < 0:
            raise ValueError(f"{path}:{line}: an extension of {text!r} days is not a number of days ≥ 0")
        found[student] = deadline + timedelta(days=days)
    return found


def late_policy(table: dict[str, Any], folder: Path) -> LatePolicy:
    """The [late] table of a course file (already checked against the schema) as a policy."""
    deadline = _aware(table["deadline"], "[late] deadline")
    extensions, extensions_file = {}, None
    if "extensions" in table:
        column = table.get("extension_column", "extension")
        extensions_file = (folder / table["extensions"]).resolve()
        extensions = read_extensions(extensions_file, column, deadline)
    return LatePolicy(
        deadline=deadline,
        per_day=float(table.get("per_day", 0.0)),
        table=tuple(float(p) for p in table.get("table", ())),
        cap=float(table.get("cap", 100.0)),
        of=table.get("of", "max_score"),
        grace=timedelta(minutes=float(table.get("grace_minutes", 0))),
        extensions=extensions,
        extensions_file=extensions_file,
    )
