"""Known misconceptions as data: each a wrong formula the graders can compare answers with.

The catalog lives in `misconceptions.toml` beside this file; an instructor may add
entries from a file of the same form. A wrong formula is evaluated on the trusted
side, on the reference's inputs, once per case of the shared corpus.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from backprop_lab.solutions import backprop as ref

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CATALOG = Path(__file__).with_name("misconceptions.toml")


@dataclass(frozen=True)
class Misconception:
    id: str
    steps: tuple[str, ...]
    formulas: tuple[str, ...]
    hint: dict[str, str]
    property: str | None = None

    def applies_to(self, step_id: str) -> bool:
        return step_id in self.steps or "*" in self.steps

    def answers(self, args: dict[str, Any]) -> list[Any]:
        """What each variant of the mistake answers for these inputs (None where undefined)."""
        return [_evaluate(formula, args) for formula in self.formulas]


def _evaluate(formula: str, args: dict[str, Any]) -> Any:
    namespace: dict[str, Any] = {
        "np": np,
        "sigmoid": ref.sigmoid,
        "forward": ref.forward,
        "reference_backward": ref.backward,
        **{name: value.copy() if isinstance(value, np.ndarray) else value for name, value in args.items()},
    }
    if isinstance(args.get("f"), dict):  # numerical_gradient: f is described by data
        from backprop_lab.graders.steps import poly_value

        namespace["f_value"] = lambda theta: poly_value(args["f"], theta)
    try:
        if "result" in formula:
            exec(formula, namespace)
            return namespace.get("result")
        return eval(formula, namespace)
    except Exception:  # the mistake has no answer for this shape: not a probe for it
        return None


def _parse(entry: dict[str, Any], source: Path) -> Misconception:
    try:
        return Misconception(
            id=str(entry["id"]),
            steps=tuple(entry["steps"]),
            formulas=tuple(entry.get("formula", [])),
            hint={"en": str(entry["hint"]["en"]), "zh": str(entry["hint"]["zh"])},
            property=entry.get("property"),
        )
    except (KeyError, TypeError) as error:
        raise ValueError(f"{source}: misconception entry {entry.get('id', '?')!r} lacks {error}") from None


def load_catalog(*extra: Path) -> tuple[Misconception, ...]:
    """The built-in catalog, then any instructor's files, in order."""
    entries = []
    for path in (CATALOG, *extra):
        with open(path, "rb") as f:
            entries += [_parse(entry, path) for entry in tomllib.load(f).get("misconception", [])]
    return tuple(entries)


@cache
def default_catalog() -> tuple[Misconception, ...]:
    return load_catalog()


@cache
def catalog_with(*extra: str) -> tuple[Misconception, ...]:
    """The built-in catalog and an instructor's files (read once per run)."""
    return load_catalog(*map(Path, extra))


def misconceptions_for(step_id: str, catalog: tuple[Misconception, ...] | None = None) -> list[Misconception]:
    """The formula-based entries for a step (properties are checked by the graders)."""
    return [m for m in catalog or default_catalog() if m.applies_to(step_id) and m.formulas]
