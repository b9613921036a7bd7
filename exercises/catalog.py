"""A course: which assignment, which of its steps it asks for, their points, what the instructor added.

The steps themselves are records (e.g. `exercises/backprop/steps.py`). A course file
(TOML, e.g. `course/course.toml`) picks the assignment and steps and changes points:

    [assignment]
    name = "backprop"                                                 # default; or "deep"
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

from backprop_lab.exercises import assignments
from backprop_lab.exercises.assignment import Assignment
from backprop_lab.exercises.course_schema import validate
from backprop_lab.exercises.instructor import custom_step, load_misconceptions
from backprop_lab.exercises.late_policy import LatePolicy, late_policy
from backprop_lab.exercises.step import Step
from backprop_lab.exercises.stubs import reference_source
from backprop_lab.exercises.visibility import Visibility

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

COPY_THRESHOLD = 0.5  # default share of a student's own code found in another's that flags a pair


@dataclass
class Course:
    """What an instructor chose: the assignment, its steps (with their points), the numeric
    questions' points. Without steps, all the assignment's."""

    assignment: Assignment = field(default_factory=assignments.get)
    steps: dict[str, Step] = field(default_factory=dict)
    answers_points: float = 0.0
    formula_hints: bool = False
    path: Path | None = None  # the course file it was read from
    files: tuple[Path, ...] = ()  # the instructor's files it names (modules, misconception catalogs)
    copy_threshold: float = COPY_THRESHOLD  # the class report's flag for similar code
    late: LatePolicy | None = None  # no [late] table: no penalty
    visibility: Visibility = field(default_factory=Visibility)  # on Gradescope

    def __post_init__(self) -> None:
        if not self.steps:
            self.steps = dict(self.assignment.by_id)

    @property
    def points(self) -> dict[str, float]:
        return {step_id: step.points for step_id, step in self.steps.items()}

    @property
    def max_score(self) -> float:
        return sum(self.points.values()) + self.answers_points

    def step(self, step_id: str) -> Step:
        """A step of the course, or one it gives students solved."""
        return self.steps.get(step_id) or self.assignment.by_id[step_id]

    def given(self) -> list[str]:
        """The reference's steps this course does not ask for: students get them solved."""
        return [step.id for step in self.assignment.steps if step.id not in self.steps]

    def source_of(self, step_id: str) -> str:
        """The module that defines a step: the instructor's for a custom step, else the reference."""
        module = self.step(step_id).module
        if module:
            return Path(module).read_text(encoding="utf-8")
        return reference_source(self.assignment.reference)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled as what it was made from: its records hold functions that live in modules."""
        return _rebuilt, (
            self.path,
            self.assignment.name,
            self.points,
            self.answers_points,
            self.formula_hints,
        )

    @classmethod
    def load(cls, path: Path | None, assignment_name: str | None = None) -> Course:
        """The course a file describes; `assignment_name` (the command line's) overrides its own."""
        if path is None:
            return cls(assignments.get(assignment_name or assignments.DEFAULT))
        path = Path(path)

        def step_ids(named: str | None) -> list[str]:
            return list(assignments.get(assignment_name or named or assignments.DEFAULT).by_id)

        # CourseError, with lines, before anything is used
        validate(path, step_ids, list(assignments.KNOWN))
        with open(path, "rb") as f:
            data: dict[str, Any] = tomllib.load(f)
        assignment = data.get("assignment", {})
        chosen_assignment = assignments.get(assignment_name or assignment.get("name") or assignments.DEFAULT)
        by_id = chosen_assignment.by_id
        chosen = assignment.get("steps") or list(by_id)
        overrides = data.get("points", {})
        unknown = (set(chosen) | set(overrides)) - set(by_id)
        if unknown:
            raise ValueError(f"{path}: unknown steps {sorted(unknown)}; known: {list(by_id)}")
        steps = {
            step_id: dataclasses.replace(
                by_id[step_id], points=float(overrides.get(step_id, by_id[step_id].points))
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
            for step_id, extra in load_misconceptions(catalog, chosen_assignment.reference).items():
                if step_id not in steps and step_id not in by_id:
                    named = ", ".join(repr(m.id) for m in extra)
                    raise ValueError(
                        f"{catalog}: misconception {named} names an unknown step {step_id!r}; "
                        f"known: {', '.join([*steps, *(s for s in by_id if s not in steps)])}"
                    )
                if step_id in steps:
                    step = steps[step_id]
                    steps[step_id] = dataclasses.replace(step, misconceptions=step.misconceptions + extra)
        return cls(
            chosen_assignment,
            steps,
            float(assignment.get("answers_points", 0.0)),
            bool(assignment.get("formula_hints", False)),
            path.resolve(),
            (*files, *catalogs),
            float(data.get("copying", {}).get("threshold", COPY_THRESHOLD)),
            late_policy(data["late"], path.parent) if "late" in data else None,
            Visibility.from_table(data.get("gradescope", {})),
        )


def assignment_named(path: Path) -> str:
    """The assignment a course file names (the default if it names none, or cannot be read:
    `Course.load` then says why)."""
    try:
        with open(path, "rb") as f:
            name = tomllib.load(f).get("assignment", {}).get("name")
    except (OSError, tomllib.TOMLDecodeError, AttributeError):
        return assignments.DEFAULT
    return name if isinstance(name, str) else assignments.DEFAULT


def _rebuilt(
    path: Path | None, name: str, points: dict[str, float], answers_points: float, hints: bool
) -> Course:
    base = Course.load(path, name)
    steps = {
        step_id: dataclasses.replace(base.step(step_id), points=value)
        for step_id, value in points.items()
    }
    return dataclasses.replace(base, steps=steps, answers_points=answers_points, formula_hints=hints)
