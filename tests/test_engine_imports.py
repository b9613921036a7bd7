"""The grading engine is handed an assignment: it imports none, nor any reference solution."""

from __future__ import annotations

import ast
from pathlib import Path

from backprop_lab.exercises.assignments import KNOWN

GRADERS = Path(__file__).resolve().parents[1] / "graders"
# An assignment's package, and the reference solutions: what an assignment is made of.
CONCRETE = (*KNOWN.values(), "backprop_lab.solutions")


def imported(path: Path) -> list[str]:
    """Every module a file imports, lazily or not, as absolute names."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def concrete(name: str) -> bool:
    return any(name == c or name.startswith(c + ".") for c in CONCRETE)


def test_the_engine_imports_no_concrete_assignment() -> None:
    found = {
        str(path.relative_to(GRADERS)): [n for n in imported(path) if concrete(n)]
        for path in sorted(GRADERS.rglob("*.py"))
    }
    assert {file: names for file, names in found.items() if names} == {}


def test_the_check_sees_an_import_of_one(tmp_path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "def f():\n    from backprop_lab.solutions import backprop\n"
        "from backprop_lab.exercises import backprop as b\n"
    )
    assert [n for n in imported(module) if concrete(n)] == [
        "backprop_lab.exercises.backprop",
        "backprop_lab.solutions",
        "backprop_lab.solutions.backprop",
    ]
