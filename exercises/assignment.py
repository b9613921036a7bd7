"""An assignment as a value: everything the generator, the engine and the app need to know of it.

The grading engine is handed one (through the course) and imports none: a new
assignment is a folder under exercises/ that builds an `Assignment`, a reference module
under solutions/, and a line in `assignments.KNOWN`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import ModuleType
from typing import Any

from backprop_lab.exercises.step import Step


@dataclass(frozen=True)
class Answers:
    """The personal numeric question: numbers drawn from a student's id, and the right answers.

    `numbers(student_id)` gives the network a student answers about; `answers(student_id)`
    the right value of each key. `cell(lang)` is the notebook cell that prints a student's
    numbers (it runs in the student's kernel: no import of backprop_lab), `question` the
    words above it (an English message id), `derivation(numbers, lang)` the worked
    derivation `backprop-lab derive` prints, and `example` the notes' worked example.
    """

    keys: tuple[str, ...]
    numbers: Callable[[str], dict[str, float]]
    answers: Callable[[str], dict[str, float]]
    cell: Callable[[str], str]
    question: str
    derivation: Callable[[dict[str, float], str], str]
    example: dict[str, float]


@dataclass(frozen=True)
class SelfCheck:
    """The notebook's ungraded self-check: setup lines, then per step an expression and its value."""

    setup: tuple[str, ...]
    checks: Mapping[str, tuple[str, Any]]


@dataclass(frozen=True)
class Notes:
    """The assignment's lecture notes: how to write them, and where each mistake is taught."""

    write: Callable[..., list[Any]]  # (out folder) → the files written
    text: Callable[[str], str]  # (lang) → the notes in Markdown
    sections: Mapping[str, int]  # misconception id → the section of the notes that teaches it


@dataclass(frozen=True)
class Assignment:
    """One assignment: its name (module file, notebook folder, results), reference, steps and more."""

    name: str
    title: str  # English message id: the Chinese is in the catalog
    intro: str  # English message id, may use {file}
    reference: ModuleType  # its functions between BEGIN/END SOLUTION become the stubs
    steps: tuple[Step, ...]
    answers: Answers
    self_check: Callable[[], SelfCheck]
    notes: Callable[[], Notes] | None = None  # imported when asked for: notes draw with matplotlib
    # Functions of the reference given to students solved (helpers the steps call; not graded):
    # name → the docstring they read (an English message id).
    given: Mapping[str, str] = field(default_factory=dict)
    # Test functions described by data (the f of a gradient check), evaluated on the
    # grader's side: their "kind" → f(described, θ).
    functions: Mapping[str, Callable[[dict[str, Any], Any], float]] = field(default_factory=dict)
    # A classic slip for the demo: (step id, that step's function written with one catalogued mistake).
    slip: tuple[str, str] = ("", "")

    @property
    def module(self) -> str:
        return f"{self.name}.py"

    @property
    def notebook(self) -> str:
        return f"{self.name}.ipynb"

    @cached_property
    def by_id(self) -> dict[str, Step]:
        """The steps by id, built once (the engine looks steps up per submission)."""
        return {step.id: step for step in self.steps}
