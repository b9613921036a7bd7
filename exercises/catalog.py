"""The catalog of derivation steps, and a course's choice of steps and points.

The catalog (`steps.toml`) is data: id, title and instructions in English and
Chinese, the formula, the default points, the part of the derivation practised.
A course file (TOML, e.g. `course/course.toml`) picks steps and changes points:

    [assignment]
    steps = ["sigmoid", "output_delta", "hidden_delta", "backward"]   # default: all
    answers_points = 10                                               # default: 0

    [points]
    hidden_delta = 20
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CATALOG = Path(__file__).with_name("steps.toml")


@dataclass(frozen=True)
class StepInfo:
    id: str
    points: float
    practises: str
    latex: str
    title: dict[str, str]
    instructions: dict[str, str]


@cache
def steps() -> tuple[StepInfo, ...]:
    with CATALOG.open("rb") as f:
        entries = tomllib.load(f)["step"]
    return tuple(
        StepInfo(
            e["id"], float(e["points"]), e["practises"], e["latex"], dict(e["title"]), dict(e["instructions"])
        )
        for e in entries
    )


def step(step_id: str) -> StepInfo:
    for info in steps():
        if info.id == step_id:
            return info
    raise KeyError(f"no step {step_id!r} in the catalog; known: {', '.join(s.id for s in steps())}")


@dataclass
class Course:
    """What an instructor chose: the steps, their points, the numeric questions' points."""

    points: dict[str, float] = field(default_factory=lambda: {s.id: s.points for s in steps()})
    answers_points: float = 0.0

    @classmethod
    def load(cls, path: Path | None) -> Course:
        if path is None:
            return cls()
        with open(path, "rb") as f:
            data: dict[str, Any] = tomllib.load(f)
        assignment = data.get("assignment", {})
        chosen = assignment.get("steps") or [s.id for s in steps()]
        overrides = data.get("points", {})
        unknown = (set(chosen) | set(overrides)) - {s.id for s in steps()}
        if unknown:
            raise ValueError(f"{path}: unknown steps {sorted(unknown)}; known: {[s.id for s in steps()]}")
        points = {step_id: float(overrides.get(step_id, step(step_id).points)) for step_id in chosen}
        return cls(points=points, answers_points=float(assignment.get("answers_points", 0.0)))
