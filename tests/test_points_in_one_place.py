"""A step's points live in its record: the contract's table and the sample course file agree."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from backprop_lab.exercises.assignments import DEFAULT
from backprop_lab.exercises.catalog import Course

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
ROW = re.compile(r"^\| `(\w+)` \| `[^`]*` \| .* \| (\d+(?:\.\d+)?) \|$", re.M)


def recorded() -> list[tuple[str, float]]:
    return [(step.id, step.points) for step in Course.load(None, DEFAULT).assignment.steps]


def test_the_contract_table_lists_the_records_points() -> None:
    table = (ROOT / "docs" / "assignment.md").read_text(encoding="utf-8")
    assert [(name, float(points)) for name, points in ROW.findall(table)] == recorded()


def test_the_sample_course_file_writes_out_the_records_points() -> None:
    data = tomllib.loads((ROOT / "course" / "course.toml").read_text(encoding="utf-8"))
    assert list(data["assignment"]["steps"]) == [step for step, _ in recorded()]
    assert [(step, float(points)) for step, points in data["points"].items()] == recorded()


def test_a_changed_point_is_seen() -> None:
    table = (ROOT / "docs" / "assignment.md").read_text(encoding="utf-8").replace("| 15 |", "| 16 |", 1)
    assert [(name, float(points)) for name, points in ROW.findall(table)] != recorded()
