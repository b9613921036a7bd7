"""From the reference solution to student stubs, one small transformation at a time.

Like nbgrader's preprocessors: each function takes source text and returns source
text, so each can be read and tested alone. Nothing here is written by hand per
step: change the assignment's reference (e.g. `solutions/backprop.py`) and the stubs follow.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import dataclass
from types import ModuleType

from backprop_lab.exercises.i18n import N_, tr
from backprop_lab.exercises.step import Step

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")  # what nbgrader puts there too


def reference_source(reference: ModuleType) -> str:
    return inspect.getsource(reference)


def strip_solutions(source: str) -> str:
    """Every BEGIN/END SOLUTION region → the stub, at the region's indentation."""
    out, inside = [], False
    for line in source.splitlines(keepends=True):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise ValueError("nested ### BEGIN SOLUTION")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out += [indent + STUB[0] + "\n", indent + STUB[1] + "\n"]
        elif stripped == END:
            if not inside:
                raise ValueError("### END SOLUTION without a BEGIN")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError("### BEGIN SOLUTION without an END")
    return "".join(out)


@dataclass(frozen=True)
class FunctionSource:
    name: str
    text: str  # the whole def, as in the file


def functions(source: str) -> dict[str, FunctionSource]:
    """The module's top-level functions, by name, in order."""
    lines = source.splitlines(keepends=True)
    body = ast.parse(source).body
    found = {}
    for node, after in zip(body, [*body[1:], None], strict=True):
        if isinstance(node, ast.FunctionDef):
            start = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
            # up to the next statement, so that trailing comments (### END SOLUTION) come along
            end = after.lineno - 1 if after is not None else len(lines)
            found[node.name] = FunctionSource(node.name, "".join(lines[start:end]).rstrip() + "\n")
    return found


def replace_docstring(function: str, docstring: str) -> str:
    """The function with its docstring replaced (the student's reads the catalog's words)."""
    node = ast.parse(function).body[0]
    first = node.body[0]
    if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)):
        raise ValueError(f"{node.name} has no docstring to replace")
    lines = function.splitlines(keepends=True)
    indent = " " * first.col_offset
    body = textwrap.fill(docstring, width=88 - len(indent), subsequent_indent=indent)
    new = [f'{indent}"""{body}\n', f'{indent}"""\n'] if "\n" in body else [f'{indent}"""{body}"""\n']
    return "".join(lines[: first.lineno - 1] + new + lines[first.end_lineno :])


def prelude(source: str) -> str:
    """What stands between the module docstring and the first function: imports, type names."""
    tree = ast.parse(source)
    first_def = next(node for node in tree.body if isinstance(node, ast.FunctionDef))
    docstring = tree.body[0] if isinstance(tree.body[0], ast.Expr) else None
    lines = source.splitlines(keepends=True)
    start = docstring.end_lineno if docstring is not None else 0
    return "".join(lines[start : first_def.lineno - 1]).strip() + "\n"


def step_docstring(info: Step, lang: str) -> str:
    title, instructions = tr(lang, info.title), tr(lang, info.instructions)
    return tr(lang, N_("{title}. {instructions}"), title=title, instructions=instructions)


def student_function(info: Step, lang: str, source: str, solution: bool = False) -> str:
    """One step's function for the student: the catalog's docstring, the body stubbed.

    `source` is the module that defines the step: the reference's, or an instructor's own.
    """
    text = functions(source)[info.id].text
    text = replace_docstring(text, step_docstring(info, lang))
    return text if solution else strip_solutions(text)
