"""The student's code in a notebook, as Jupyter's "Restart & Run All" would run it.

Every code cell, in order, is one unit; a unit that fails loses only itself. Cells
are found by what they are, not by id or position (students delete, split and
retype cells), and nbgrader's autograder-test cells are left out. IPython syntax
(`%matplotlib inline`, `!pip install`, `x = !ls`, `%%time`, `f?`) becomes calls of
`get_ipython()`, to which the worker gives a shell that does nothing. The
transformation is our own, one pass over the lines: IPython's transformer, run
here in the grader's process, took 16.6 s on one notebook of magic lines.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

MAX_CELLS = 2000
MAX_TRANSFORMED = 200_000  # characters; a larger cell is left as written
_HELP = re.compile(r"\?{1,2}[\w.]+|[\w.]+\?{1,2}")
_ASSIGNED = re.compile(r"([\w.]+(?:\s*,\s*[\w.]+)*)\s*=\s*([%!])(.*)")


class NotebookError(ValueError):
    """The file is not a notebook we can read; the message says why, for the student."""


def _is_python(source: str) -> bool:
    try:
        compile(source, "<cell>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _magic_call(mark: str, text: str) -> str:
    if mark == "!":
        return f"get_ipython().system({text!r})"
    name, _, args = text.lstrip("%").partition(" ")
    return f"get_ipython().run_line_magic({name!r}, {args!r})"


def _line(line: str) -> str:
    body = line.lstrip()
    indent = line[: len(line) - len(body)]
    if body[:1] in ("%", "!"):
        return indent + _magic_call(body[0], body[1:])
    if _HELP.fullmatch(body):
        return f"{indent}get_ipython().run_line_magic('pinfo', {body.strip('?')!r})"
    assigned = _ASSIGNED.fullmatch(body)
    if assigned:
        target, mark, text = assigned.groups()
        if mark == "!":
            return f"{indent}{target} = get_ipython().getoutput({text!r})"
        return f"{indent}{target} = {_magic_call(mark, text)}"
    return line


def to_python(source: str) -> str:
    """IPython cell syntax → Python; ordinary Python, or a cell over the size cap, comes back unchanged."""
    if len(source) > MAX_TRANSFORMED or not any(mark in source for mark in "%!?"):
        return source
    first, _, rest = source.partition("\n")
    if first.startswith("%%"):  # a cell magic takes the whole cell
        name, _, args = first[2:].partition(" ")
        transformed = f"get_ipython().run_cell_magic({name!r}, {args!r}, {rest!r})"
    else:
        transformed = "\n".join(_line(line) for line in source.split("\n"))
    # Python that only looks like IPython (`a % b`, `x != y`, "why?") stays as written; where no
    # line looks like it, there is nothing to ask (compiling the cell cost discovery a fifth of its time)
    if transformed == source or _is_python(source):
        return source
    return transformed


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
