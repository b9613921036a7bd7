"""What an instructor adds without editing the package: steps of their own, wrong formulas of their own.

Both are trusted files, like the course file that names them: a step's module is
imported, and a misconception's formula is Python evaluated over the step's arguments.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from backprop_lab.exercises.step import GENERAL, UNCHANGED, Misconception, Property, Step
from backprop_lab.solutions import backprop as ref

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CUSTOM_CASES = 8  # cases of a custom step's general property


def _module(path: Path) -> ModuleType:
    name = "backprop_lab_custom_" + hashlib.sha256(str(path).encode()).hexdigest()[:12]
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules[name] = module
    return module


def custom_step(entry: dict[str, Any], folder: Path) -> Step:
    """A `[[custom_step]]` of a course file: its module defines `<id>` and `<id>_inputs(rng, index)`."""
    step_id = entry.get("id", "?")
    try:
        path = (folder / entry["module"]).resolve()
        if not path.is_file():
            raise ValueError(f"custom step {step_id!r}: no module {path}")
        module = _module(path)
        return Step(
            id=str(entry["id"]),
            title=dict(entry["title"]),
            instructions=dict(entry["instructions"]),
            latex=str(entry.get("latex", "")),
            points=float(entry["points"]),
            reference=getattr(module, step_id),
            output=getattr(module, "OUTPUTS", {}).get(step_id, "array"),
            properties=(
                Property(GENERAL, 0.9, getattr(module, f"{step_id}_inputs"), CUSTOM_CASES),
                Property(UNCHANGED, 0.1),
            ),
            module=str(path),
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"custom step {step_id!r} lacks {error}") from None


def _formula(source: str) -> Any:
    """A wrong answer written as Python over the step's arguments (a block assigns `result`)."""
    code = compile(source, "<misconception>", "exec" if "result" in source else "eval")

    def answer(**args: Any) -> Any:
        namespace = {
            "np": np,
            "sigmoid": ref.sigmoid,
            "forward": ref.forward,
            "reference_backward": ref.backward,
            **{k: v.copy() if isinstance(v, np.ndarray) else v for k, v in args.items()},
        }
        if "result" in source:
            exec(code, namespace)
            return namespace.get("result")
        return eval(code, namespace)

    return answer


def load_misconceptions(path: Path) -> dict[str, tuple[Misconception, ...]]:
    """An instructor's catalog: step id → the wrong formulas students write for it."""
    with open(path, "rb") as f:
        entries = tomllib.load(f).get("misconception", [])
    found: dict[str, list[Misconception]] = {}
    for entry in entries:
        try:
            hint = {"en": str(entry["hint"]["en"]), "zh": str(entry["hint"]["zh"])}
            formula_hint = dict(entry.get("formula_hint", {}))
            wrong = [
                Misconception(str(entry["id"]), _formula(f), hint, formula_hint) for f in entry["formula"]
            ]
            for step_id in entry["steps"]:
                found.setdefault(step_id, []).extend(wrong)
        except (KeyError, TypeError, SyntaxError) as error:
            raise ValueError(f"{path}: misconception {entry.get('id', '?')!r}: {error}") from None
    return {step_id: tuple(items) for step_id, items in found.items()}
