"""Late work: when each submission came in, and the course's penalty taken from its score.

The time comes from the best witness there is:

1. nbgrader's `timestamp.txt`, which `nbgrader submit` writes into the submission when the
   student submits (and `collect` keeps): the student's own submit time;
2. Gradescope's `submission_metadata.json` (`created_at`), inside the autograder;
3. else the files' modification times (the newest), which copying or a checkout resets
   and a student's own zip sets: a last resort, named as such in every output.

A timestamp.txt outside an nbgrader `submitted/` tree is the student's own file and is
not read.

The penalty is taken after grading, from the total: step scores stay what was earned,
and the raw score is kept beside the final one (results.json, grades.csv, the feedback,
the Gradescope JSON, the gradebook and the exports all show both).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path
from typing import Any

from backprop_lab.exercises.i18n import N_, tr
from backprop_lab.exercises.late_policy import LatePolicy
from backprop_lab.graders.results import Lateness, SubmissionResult

TIMESTAMP_FILE = "timestamp.txt"  # nbgrader's
FILE_TIMES_CAP = 10_000  # files whose times are read: a folder of a million files costs no more
SOURCES = {
    "nbgrader": N_("nbgrader's timestamp.txt"),
    "gradescope": N_("Gradescope's submission time"),
    "file_times": N_("the files' modification times (no submit time was recorded)"),
}


@dataclass(frozen=True)
class SubmittedAt:
    at: datetime  # aware
    source: str  # a key of SOURCES


def parse_nbgrader_timestamp(text: str) -> datetime:
    """nbgrader's timestamp (`%Y-%m-%d %H:%M:%S.%f %Z`; older releases without the fraction; the
    zone a name or an offset), read by nbgrader's own parser; no zone means UTC, as in nbgrader."""
    from nbgrader.utils import parse_utc

    return parse_utc(text.strip()).replace(tzinfo=timezone.utc)


def gradescope_time(metadata: Path) -> datetime:
    """`created_at` of Gradescope's submission_metadata.json (ISO 8601 with offset)."""
    data = json.loads(metadata.read_text(encoding="utf-8"))
    moment = datetime.fromisoformat(str(data["created_at"]).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)  # Gradescope's are UTC


def _newest_file_time(path: Path) -> datetime | None:
    if path.is_file():
        stamps = [path.lstat().st_mtime]
    else:
        found = (
            Path(root) / name
            for root, _, files in os.walk(path)  # never into a linked folder
            for name in files
            if name != TIMESTAMP_FILE
        )
        stamps = [p.lstat().st_mtime for p in islice(found, FILE_TIMES_CAP)]
    return datetime.fromtimestamp(max(stamps), timezone.utc) if stamps else None


def in_nbgrader_tree(origin: Path) -> bool:
    """A submission nbgrader collected: `submitted/<student>/<assignment>` or `submitted/<student>`.
    Anywhere else a timestamp.txt is a file the student uploaded, not nbgrader's record."""
    return "submitted" in (origin.parent.name, origin.parent.parent.name)


def submitted_at(origin: Path) -> SubmittedAt | None:
    """When the submission found at `origin` came in, by the best witness; None if unknowable."""
    stamp = origin / TIMESTAMP_FILE
    try:
        if in_nbgrader_tree(origin) and origin.is_dir() and stamp.is_file() and not stamp.is_symlink():
            return SubmittedAt(parse_nbgrader_timestamp(stamp.read_text(encoding="utf-8")[:200]), "nbgrader")
    except (OSError, ValueError, OverflowError):
        pass  # a timestamp nbgrader did not write: the files' times, as with none
    try:
        newest = _newest_file_time(origin)
    except (OSError, ValueError, OverflowError):
        return None
    return SubmittedAt(newest, "file_times") if newest else None


def apply_penalty(result: SubmissionResult, policy: LatePolicy, when: SubmittedAt) -> SubmissionResult:
    """The result with the penalty taken from its score and the lateness recorded (in place)."""
    raw = result.late.raw_score if result.late else result.score  # never twice
    days = policy.days_late(when.at, result.id)
    points = round(policy.points(days, raw, result.max_score), 6)
    result.late = Lateness(
        submitted=when.at.isoformat(),
        source=when.source,
        deadline=policy.deadline_for(result.id).isoformat(),
        days=days,
        percent=policy.percent(days),
        points=points,
        raw_score=raw,
    )
    result.score = round(raw - points, 6)
    return result


def mark_late(result: SubmissionResult, origin: str, policy: LatePolicy | None) -> SubmissionResult:
    """After grading: the course's penalty for a submission found at `origin` (unchanged
    without a policy, or when no time can be read)."""
    when = submitted_at(Path(origin)) if policy is not None else None
    return apply_penalty(result, policy, when) if policy is not None and when is not None else result


def mark_late_on_gradescope(
    result: SubmissionResult, policy: LatePolicy | None, metadata: Path | None
) -> SubmissionResult:
    """Inside Gradescope's autograder: the penalty by the submission's `created_at`."""
    if policy is None or metadata is None:
        return result
    try:
        when = SubmittedAt(gradescope_time(metadata), "gradescope")
    except (OSError, ValueError, KeyError, TypeError):
        return result  # no metadata to go by: graded as on time, as Gradescope itself would show it
    return apply_penalty(result, policy, when)


def late_note(late: Lateness | dict | None, lang: str) -> str:
    """One line for the student and the instructor: when, against which deadline, what it cost."""
    if late is None:
        return ""
    data = late if isinstance(late, dict) else late.__dict__
    source = tr(lang, SOURCES.get(data["source"], data["source"]))
    if not data["days"]:
        return tr(lang, N_("Submitted {submitted}, on time (deadline {deadline}; time from {source})."),
                  submitted=data["submitted"], deadline=data["deadline"], source=source)  # fmt: skip
    return tr(
        lang,
        N_("Submitted {submitted}, {days} day(s) after the deadline {deadline} (time from {source}): "
           "a late penalty of {percent:g}%, {points:g} points, from {raw:g}."),
        submitted=data["submitted"], days=data["days"], deadline=data["deadline"], source=source,
        percent=data["percent"], points=data["points"], raw=data["raw_score"],
    )  # fmt: skip


def record_in_gradebook(gradebook: Any, result: SubmissionResult, assignment: str, notebook: str) -> None:
    """nbgrader's own fields for lateness, so formgrader and `nbgrader export` show it: the
    submission's timestamp, and the penalty (points) on its notebook; the cells keep the raw scores."""
    if result.late is None:
        return
    submission = gradebook.find_submission(assignment, result.id)
    submission.timestamp = (
        datetime.fromisoformat(result.late.submitted).astimezone(timezone.utc).replace(tzinfo=None)
    )
    gradebook.find_submission_notebook(
        notebook, assignment, result.id
    ).late_submission_penalty = result.late.points


def late_flag(late: Lateness, lang: str) -> str | None:
    """The class report's flag on a late student: days late, points taken, the raw score."""
    if not late.days:
        return None
    return tr(lang, N_("{days} day(s) late: −{points:g} from {raw:g}"), days=late.days, points=late.points,
              raw=late.raw_score)  # fmt: skip
