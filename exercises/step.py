"""What the framework knows about one derivation step, declared in one record.

A step is the reference function plus everything needed to teach and grade it: its
words in both languages, its points, how to draw inputs for each property it is
credited by, an independent finite-difference oracle, the steps it may be built
from, and the wrong formulas students are known to write. Adding a step to an
assignment means writing its solution and one `Step(...)`; nothing else changes.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from backprop_lab.exercises.i18n import N_, tr

Args = dict[str, Any]
Draw = Callable[[np.random.Generator, int], Args]  # (rng, index of the case) → keyword arguments

GENERAL = "general"  # the property every other one is gated by
UNCHANGED = "unchanged"  # judged over every case: the caller's arrays are left as they were

# The properties a teacher names (English message ids, translated by `tr`). A step may name
# others with titles of its own.
PROPERTY_TITLES: dict[str, str] = {
    GENERAL: N_("right on a general batch"),
    "single_example": N_("right for a single example (m = 1)"),
    "extremes": N_("right, finite and stable at extreme values"),
    UNCHANGED: N_("leaves its inputs unchanged"),
}


@dataclass(frozen=True)
class Property:
    """A named property with its share of the step's points.

    `draw` makes the inputs that test it; `None` means it is judged over every case of
    the step (inputs unchanged). A property earns its share only when all its cases
    pass, and only when the general property passes too: a wrong formula can be right
    for m = 1 or at the edges, so those cases never earn anything on their own.
    """

    id: str
    share: float
    draw: Draw | None = None
    count: int = 0
    title: str = ""  # English message id; default: the teacher's name for it

    def titled(self, lang: str) -> str:
        return tr(lang, self.title or PROPERTY_TITLES.get(self.id, self.id))


@dataclass(frozen=True)
class Misconception:
    """A wrong formula students write, as a function of the step's own arguments.

    `hint` names the idea without giving the answer away; `formula_hint` states the
    corrected formula and is shown only where the course file allows it.
    `answer` returns None where the mistake has no answer for those inputs.
    """

    id: str
    answer: Callable[..., Any] | None
    hint: str  # English message id, as every text of a record (translated by `tr`)
    formula_hint: str = ""


@dataclass(frozen=True)
class Step:
    """One derivation step of an assignment."""

    id: str
    title: str  # English message ids: the Chinese is in the catalog (exercises/i18n.py)
    instructions: str
    latex: str
    points: float
    reference: Callable[..., Any]
    output: str  # "array", "float", "arrays" (a dict of arrays)
    properties: tuple[Property, ...]
    oracle: Callable[..., Any] | None = None  # finite differences of the reference forward pass
    misconceptions: tuple[Misconception, ...] = ()
    uses: tuple[str, ...] = ()  # steps it may be built from: their mistakes are not charged here
    bounded: bool = False  # outputs must lie in [0, 1]
    atol: float | None = None  # an absolute tolerance of the step's own (e.g. a numerical estimate)
    # Other right ways to compute the step that the contract or notes teach (solutions/textbook.py):
    # each case accepts what lies within a margin of their spread from the reference.
    forms: tuple[Callable[..., Any], ...] = ()
    functions: tuple[str, ...] = ()  # arguments that are test functions described by data (the f of a check)
    module: str | None = None  # an instructor's file defining the step; None for the package's own

    @cached_property
    def params(self) -> tuple[str, ...]:
        """The arguments every call passes, in order (those without a default)."""
        signature = inspect.signature(self.reference)
        return tuple(n for n, p in signature.parameters.items() if p.default is inspect.Parameter.empty)

    def get_property(self, property_id: str) -> Property:
        return next(p for p in self.properties if p.id == property_id)

    def misconception(self, misconception_id: str) -> Misconception | None:
        return next((m for m in self.misconceptions if m.id == misconception_id), None)


def general(draw: Draw, share: float, count: int = 6) -> Property:
    return Property(GENERAL, share, draw, count)


def single_example(draw: Draw, share: float, count: int = 3) -> Property:
    return Property("single_example", share, draw, count)


def extremes(draw: Draw, share: float, count: int = 2) -> Property:
    return Property("extremes", share, draw, count)


def unchanged(share: float) -> Property:
    return Property(UNCHANGED, share)


# Named by the engine itself, in every assignment: a step that writes into an array it was given.
MUTATES_INPUT = Misconception(
    "mutates_input",
    None,
    N_(
        "The function changed an array it was given. The caller still needs its inputs: work on a copy or "
        "build new arrays."
    ),
)
