"""What an instructor adds without editing the package: steps of their own, wrong formulas of their own.

Both are trusted files, like the course file that names them: a step's module is
imported, and a misconception's formula is Python evaluated over the step's arguments.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from backprop_lab.exercises.i18n import own_text
from backprop_lab.exercises.step import GENERAL, UNCHANGED, Misconception, Property, Step

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CUSTOM_CASES = 8  # cases of a custom step's general property
TRIAL_SEED = 0  # the generator a custom step is tried on before anyone is graded


def _cause(error: BaseException) -> str:
    """An error of the instructor's code in one line: its type, message and where in their file."""
    if isinstance(error, SyntaxError):
        return f"SyntaxError: {error.msg} (line {error.lineno})"
    frames = traceback.extract_tb(error.__traceback__)
    where = f" (line {frames[-1].lineno})" if frames else ""
    message = " ".join(str(error).split())
    return f"{type(error).__name__}: {message}{where}" if message else f"{type(error).__name__}{where}"


def _module(path: Path) -> ModuleType:
    name = "backprop_lab_custom_" + hashlib.sha256(str(path).encode()).hexdigest()[:12]
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules[name] = module
    return module


def _tried(step: Step) -> Step:
    """The step, once its inputs and its solution ran on every case of its general property:
    an instructor's slip found here stops the command, instead of every student's grade."""
    draw = step.properties[0].draw
    rng = np.random.default_rng(TRIAL_SEED)
    for index in range(CUSTOM_CASES):
        call = f"{step.id}_inputs(rng, {index})"
        try:
            args = draw(rng, index)
        except Exception as error:  # the instructor's code: any error is theirs to see
            raise ValueError(f"{call} raised {_cause(error)}") from None
        if not isinstance(args, dict):
            raise ValueError(f"{call} returned {type(args).__name__}; it must return a dict of arguments")
        missing = [name for name in step.params if name not in args]
        if missing:
            wanted = f"{step.id}({', '.join(step.params)})"
            raise ValueError(f"{call} returned no {', '.join(missing)} for {wanted}")
        try:
            step.reference(**args)
        except Exception as error:
            raise ValueError(f"{step.id} raised {_cause(error)} on the arguments of {call}") from None
    return step


def custom_step(entry: dict[str, Any], folder: Path) -> Step:
    """A `[[custom_step]]` of a course file: its module defines `<id>` and `<id>_inputs(rng, index)`.
    The module is imported and the step tried on its own inputs now; whatever fails is a
    ValueError in one line naming the module, the step and the cause."""
    step_id = entry.get("id", "?")
    path = (folder / str(entry.get("module", "?"))).resolve()
    if not path.is_file():
        raise ValueError(f"custom step {step_id!r}: no module {path}")
    try:
        module = _module(path)
    except Exception as error:  # a syntax error, a missing import, any error at import time
        cause = _cause(error)
        raise ValueError(f"{path}: custom step {step_id!r}: cannot import the module: {cause}") from None
    try:
        step = Step(
            id=str(entry["id"]),
            title=own_text(dict(entry["title"])),
            instructions=own_text(dict(entry["instructions"])),
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
        raise ValueError(f"{path}: custom step {step_id!r} lacks {error}") from None
    try:
        return _tried(step)
    except ValueError as error:
        raise ValueError(f"{path}: custom step {step_id!r}: {error}") from None


def _formula(source: str, reference: ModuleType) -> Any:
    """A wrong answer written as Python over the step's arguments (a block assigns `result`),
    with the reference's functions at hand (its `backward` also as `reference_backward`)."""
    code = compile(source, "<misconception>", "exec" if "result" in source else "eval")
    functions = {name: value for name, value in vars(reference).items() if inspect.isfunction(value)}

    def answer(**args: Any) -> Any:
        namespace = {
            "np": np,
            **functions,
            "reference_backward": reference.backward,
            **{k: v.copy() if isinstance(v, np.ndarray) else v for k, v in args.items()},
        }
        if "result" in source:
            exec(code, namespace)
            return namespace.get("result")
        return eval(code, namespace)

    return answer


def load_misconceptions(path: Path, reference: ModuleType) -> dict[str, tuple[Misconception, ...]]:
    """An instructor's catalog: step id → the wrong formulas students write for it."""
    try:
        with open(path, "rb") as f:
            entries = tomllib.load(f).get("misconception", [])
    except OSError as error:
        raise ValueError(f"{path}: the misconceptions file cannot be read: {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: the misconceptions file is not valid TOML: {error}") from None
    found: dict[str, list[Misconception]] = {}
    for entry in entries:
        try:
            hint = own_text({"en": entry["hint"]["en"], "zh": entry["hint"]["zh"]})
            formula_hint = own_text(entry["formula_hint"]) if "formula_hint" in entry else ""
            wrong = [
                Misconception(str(entry["id"]), _formula(f, reference), hint, formula_hint)
                for f in entry["formula"]
            ]
            for step_id in entry["steps"]:
                found.setdefault(step_id, []).extend(wrong)
        except (KeyError, TypeError, SyntaxError) as error:
            raise ValueError(f"{path}: misconception {entry.get('id', '?')!r}: {error}") from None
    return {step_id: tuple(items) for step_id, items in found.items()}
