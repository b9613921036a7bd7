"""The catalog of derivation steps, and a course's choice of steps and points.

The catalog (`steps.toml`) is data: id, title and instructions in English and
Chinese, the formula, the default points, the part of the derivation practised.
A course file (TOML, e.g. `course/course.toml`) picks steps and changes points:

    [assignment]
    steps = ["sigmoid", "output_delta", "hidden_delta", "backward"]   # default: all
    answers_points = 10                                               # default: 0
    misconceptions = ["my_mistakes.toml"]    # more catalog entries, as in graders/misconceptions.toml

    [points]
    hidden_delta = 20

    [[custom_step]]                 # a step of the instructor's own, no package edit needed
    id = "relu_grad"
    points = 5
    module = "my_steps.py"          # beside the course file: the solution (with ### BEGIN/END
    title.en = "..."                # SOLUTION), `relu_grad_args()` returning a hypothesis strategy
    title.zh = "..."                # of its keyword arguments, and optionally OUTPUTS = {"relu_grad":
    instructions.en = "..."         # "array" | "float" | "arrays"}
    instructions.zh = "..."
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
    custom: dict[str, StepInfo] = field(default_factory=dict)
    modules: dict[str, Path] = field(default_factory=dict)  # custom step id → the module defining it
    path: Path | None = None  # the course file it was read from
    misconceptions: tuple[Path, ...] = ()  # the instructor's own misconception catalogs

    def info(self, step_id: str) -> StepInfo:
        return self.custom[step_id] if step_id in self.custom else step(step_id)

    def given(self) -> list[str]:
        """The reference's steps this course does not ask for: students get them solved."""
        return [s.id for s in steps() if s.id not in self.points]

    def source_of(self, step_id: str) -> str | None:
        """The instructor's module for a custom step; None for the reference's own steps."""
        return self.modules[step_id].read_text(encoding="utf-8") if step_id in self.modules else None

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
        custom, modules = {}, {}
        for entry in data.get("custom_step", []):
            try:
                info = StepInfo(
                    entry["id"],
                    float(entry["points"]),
                    entry.get("practises", ""),
                    entry.get("latex", ""),
                    dict(entry["title"]),
                    dict(entry["instructions"]),
                )
                module = (Path(path).parent / entry["module"]).resolve()
            except (KeyError, TypeError) as error:
                raise ValueError(f"{path}: custom step {entry.get('id', '?')!r} lacks {error}") from None
            if not module.is_file():
                raise ValueError(f"{path}: custom step {info.id!r}: no module {module}")
            custom[info.id], modules[info.id], points[info.id] = info, module, info.points
        catalogs = tuple(
            (Path(path).parent / name).resolve() for name in assignment.get("misconceptions", [])
        )
        missing = [str(c) for c in catalogs if not c.is_file()]
        if missing:
            raise ValueError(f"{path}: no misconception catalog {missing}")
        answers = float(assignment.get("answers_points", 0.0))
        return cls(points, answers, custom, modules, Path(path).resolve(), catalogs)
