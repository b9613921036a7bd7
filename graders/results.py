"""The results model: what grading found, as plain dataclasses that round-trip through JSON.

Grading fills it in, the cache stores it, and every report and exporter reads it; none
of them invents a shape of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

ANSWERS_ID = "personal_answers"


@dataclass
class Failure:
    """The smallest failing case, with everything the feedback shows."""

    reason: str
    values: dict[str, Any]
    args: dict[str, Any]
    expected: Any
    received: Any
    error: dict[str, str] | None = None
    shrunk: bool = False  # hypothesis shrank it (else: the smallest failing case of the corpus)


@dataclass
class PropertyResult:
    """One named property of a step (e.g. right on a general batch): its share of the points."""

    id: str
    points: float
    passed: bool
    cases: int = 0  # how many cases test it
    failed: int = 0  # how many of them failed


@dataclass
class StepResult:
    id: str
    score: float
    max_score: float
    status: str  # passed | partial | failed | error | timeout | missing
    misconceptions: list[str] = field(default_factory=list)
    passed: int = 0
    total: int = 0
    failure: Failure | None = None
    detail: str = ""  # why a step was not graded: a message template ...
    detail_values: dict[str, str] = field(default_factory=dict)  # ... and its values
    carried_forward: list[str] = field(default_factory=list)
    printed: str = ""
    hints: dict[str, dict[str, str]] = field(default_factory=dict)  # misconception → language → hint
    properties: list[PropertyResult] = field(default_factory=list)
    suspects: list[str] = field(default_factory=list)  # failed building blocks that likely caused it
    # carried_forward block → what it did: the property it failed ("general": wrong values,
    # "unchanged": wrote into `names`, …) and `what` part of this step's answer it spoiled
    carried_causes: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StepResult:
        failure = Failure(**data["failure"]) if data.get("failure") else None
        properties = [PropertyResult(**p) for p in data.get("properties", [])]
        return cls(**{**data, "failure": failure, "properties": properties})


@dataclass
class Lateness:
    """When a submission came in against its student's deadline, and what that cost. The
    penalty is taken after grading: the step scores and `raw_score` are what was earned."""

    submitted: str  # ISO 8601 with offset
    source: str  # where that time was read: nbgrader | gradescope | file_times
    deadline: str  # the student's own (extensions included), ISO 8601
    days: int  # days late, a part of a day counting as one; 0: on time
    percent: float  # the penalty, percent
    points: float  # taken from the raw score
    raw_score: float


@dataclass
class SubmissionResult:
    id: str
    score: float
    max_score: float
    steps: list[StepResult]
    problems: list[dict[str, Any]] = field(default_factory=list)
    units: list[dict[str, Any]] = field(default_factory=list)
    isolation: str = ""
    digest: str = ""
    name: str = ""  # the name the submission was found under (escaped); the id is its safe form
    origin: str = ""  # where it was found (escaped)
    late: Lateness | None = None  # set after grading when the course has a [late] policy

    def to_json(self) -> dict[str, Any]:
        """asdict(self), sharing the plain values (lists, dicts, numbers) instead of copying
        them: it is encoded at once, and asdict's deep copy of every failure's arrays cost the
        grading process about 3 ms a submission."""
        return {**_fields(self), "steps": [_step_json(s) for s in self.steps],
                "late": _fields(self.late) if self.late else None}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SubmissionResult:
        late = Lateness(**data["late"]) if data.get("late") else None
        return cls(**{**data, "steps": [StepResult.from_json(s) for s in data["steps"]], "late": late})


def _fields(value: Any) -> dict[str, Any]:
    """A dataclass whose fields hold only plain values, as a dict (asdict without the copy)."""
    return {f.name: getattr(value, f.name) for f in fields(value)}


def _step_json(step: StepResult) -> dict[str, Any]:
    return {**_fields(step), "failure": _fields(step.failure) if step.failure else None,
            "properties": [_fields(p) for p in step.properties]}  # fmt: skip
