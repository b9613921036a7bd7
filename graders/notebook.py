"""The student's code in a notebook, as Jupyter's "Restart & Run All" would run it.

Every code cell, in order, is one unit; a unit that fails loses only itself. Cells
are found by what they are, not by id or position (students delete, split and
retype cells), and nbgrader's autograder-test cells are left out. IPython syntax
(`%matplotlib inline`, `!pip install`) is turned into plain Python by IPython's own
transformer; the worker gives `get_ipython()` a shell that does nothing.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

MAX_CELLS = 2000


class NotebookError(ValueError):
    """The file is not a notebook we can read; the message says why, for the student."""


@cache
def _transformer():
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # without IPython, magics stay as they are and fail as syntax errors
        return None
    return TransformerManager()


def to_python(source: str) -> str:
    """IPython cell syntax → Python; ordinary Python comes back unchanged."""
    manager = _transformer()
    if manager is None or not any(mark in source for mark in ("%", "!", "?")):
        return source
    try:
        return manager.transform_cell(source)
    except Exception:  # leave the cell as written: compiling it will say what is wrong
        return source


def _source_text(cell: dict[str, Any]) -> str:
    source = cell.get("source", cell.get("input", ""))
    return "".join(source) if isinstance(source, list) else str(source)


def is_autograder_test(cell: dict[str, Any]) -> bool:
    meta = (cell.get("metadata") or {}).get("nbgrader") or {}
    return bool(meta.get("grade")) and not meta.get("solution")


def code_cells(text: str) -> list[dict[str, str]]:
    """The units of a notebook: [{"name": "cell 3", "source": python}, ...]."""
    try:
        notebook = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise NotebookError(f"this file is not valid notebook JSON ({error})") from None
    if not isinstance(notebook, dict):
        raise NotebookError("this file is not a notebook (no cells)")
    cells = notebook.get("cells")
    if cells is None:  # nbformat 3 kept cells in worksheets
        cells = [c for sheet in notebook.get("worksheets") or [] for c in sheet.get("cells") or []]
    if not isinstance(cells, list):
        raise NotebookError("this file is not a notebook (no cells)")
    units = []
    for number, cell in enumerate(cells[:MAX_CELLS], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code" or is_autograder_test(cell):
            continue
        source = _source_text(cell)
        if source.strip():
            units.append({"name": f"cell {number}", "source": to_python(source)})
    return units
