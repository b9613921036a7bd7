"""A course: which steps of the assignment it asks for, their points, and what the instructor added.

The steps themselves are records (`backprop_steps.STEPS`). A course file (TOML, e.g.
`course/course.toml`) picks steps and changes points:

    [assignment]
    steps = ["sigmoid", "output_delta", "hidden_delta", "backward"]   # default: all
    answers_points = 10                                               # default: 0
    formula_hints = false        # default: hints name the idea; true also states the formula
    misconceptions = ["my_mistakes.toml"]    # wrong formulas of the instructor's own, with hints

    [points]
    hidden_delta = 20

    [copying]
    threshold = 0.5     # the class report flags pairs whose own code is this much shared

    [late]                          # late work: see late_policy.py
    deadline = 2026-03-01T23:59:00+08:00
    per_day = 10

    [gradescope]                    # when Gradescope shows results: see visibility.py
    visibility = "after_published"

    [[custom_step]]                 # a step of the instructor's own, no package edit needed
    id = "relu_grad"
    points = 5
    module = "my_steps.py"          # beside the course file: the solution (with ### BEGIN/END
    title.en = "..."                # SOLUTION), `relu_grad_inputs(rng, index)` returning its keyword
    title.zh = "..."                # arguments drawn with a NumPy generator, and optionally
    instructions.en = "..."         # OUTPUTS = {"relu_grad": "array" | "float" | "arrays"}
    instructions.zh = "..."
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backprop_lab.exercises.backprop_steps import BY_ID, STEPS
from backprop_lab.exercises.course_schema import validate
from backprop_lab.exercises.instructor import custom_step, load_misconceptions
from backprop_lab.exercises.late_policy import LatePolicy, late_policy
from backprop_lab.exercises.step import Step
from backprop_lab.exercises.visibility import Visibility

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

COPY_THRESHOLD = 0.5  # default share of a student's own code found in another's that flags a pair


def _default_steps() -> dict[str, Step]:
    return {step.id: step for step in STEPS}


@dataclass
class Course:
    """What an instructor chose: the steps (with their points), the numeric questions' points."""

    steps: dict[str, Step] = field(default_factory=_default_steps)
    answers_points: float = 0.0
    formula_hints: bool = False
    path: Path | None = None  # the course file it was read from
    files: tuple[Path, ...] = ()  # the instructor's files it names (modules, misconception catalogs)
    copy_threshold: float = COPY_THRESHOLD  # the class report's flag for similar code
    late: LatePolicy | None = None  # no [late] table: no penalty
    visibility: Visibility = field(default_factory=Visibility)  # on Gradescope

    @property
    def points(self) -> dict[str, float]:
        return {step_id: step.points for step_id, step in self.steps.items()}

    @property
    def max_score(self) -> float:
        return sum(self.points.values()) + self.answers_points

    def step(self, step_id: str) -> Step:
        """A step of the course, or one it gives students solved."""
        return self.steps.get(step_id) or BY_ID[step_id]

    def given(self) -> list[str]:
        """The reference's steps this course does not ask for: students get them solved."""
        return [step.id for step in STEPS if step.id not in self.steps]

    def source_of(self, step_id: str) -> str | None:
        """The instructor's module for a custom step; None for the package's own steps."""
        module = self.steps[step_id].module
        return Path(module).read_text(encoding="utf-8") if module else None

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled as what it was made from: its records hold functions that live in modules."""
        return _rebuilt, (self.path, self.points, self.answers_points, self.formula_hints)

    @classmethod
    def load(cls, path: Path | None) -> Course:
        if path is None:
            return cls()
        path = Path(path)
        validate(path, list(BY_ID))  # CourseError, with lines, before anything is used
        with open(path, "rb") as f:
            data: dict[str, Any] = tomllib.load(f)
        assignment = data.get("assignment", {})
        chosen = assignment.get("steps") or [s.id for s in STEPS]
        overrides = data.get("points", {})
        unknown = (set(chosen) | set(overrides)) - set(BY_ID)
        if unknown:
            raise ValueError(f"{path}: unknown steps {sorted(unknown)}; known: {list(BY_ID)}")
        steps = {
            step_id: dataclasses.replace(
                BY_ID[step_id], points=float(overrides.get(step_id, BY_ID[step_id].points))
            )
            for step_id in chosen
        }
        files: list[Path] = []
        for entry in data.get("custom_step", []):
            step = custom_step(entry, path.parent)
            steps[step.id] = step
            files.append(Path(step.module))
        catalogs = [(path.parent / name).resolve() for name in assignment.get("misconceptions", [])]
        for catalog in catalogs:
            for step_id, extra in load_misconceptions(catalog).items():
                if step_id not in steps and step_id not in BY_ID:
                    named = ", ".join(repr(m.id) for m in extra)
                    raise ValueError(
                        f"{catalog}: misconception {named} names an unknown step {step_id!r}; "
                        f"known: {', '.join([*steps, *(s for s in BY_ID if s not in steps)])}"
                    )
                if step_id in steps:
                    step = steps[step_id]
                    steps[step_id] = dataclasses.replace(step, misconceptions=step.misconceptions + extra)
        return cls(
            steps,
            float(assignment.get("answers_points", 0.0)),
            bool(assignment.get("formula_hints", False)),
            path.resolve(),
            (*files, *catalogs),
            float(data.get("copying", {}).get("threshold", COPY_THRESHOLD)),
            late_policy(data["late"], path.parent) if "late" in data else None,
            Visibility.from_table(data.get("gradescope", {})),
        )


def _rebuilt(path: Path | None, points: dict[str, float], answers_points: float, hints: bool) -> Course:
    base = Course.load(path)
    steps = {
        step_id: dataclasses.replace(base.steps.get(step_id) or BY_ID[step_id], points=value)
        for step_id, value in points.items()
    }
    return dataclasses.replace(base, steps=steps, answers_points=answers_points, formula_hints=hints)
