"""Classes of distinct submissions, made programmatically, and copies disguised as students do.

No two students are alike, as in a real class: each function is taken from one of the
correct styles of tests/corpus/correct (or, for some students, one catalogued mistake),
each student writes a few lines of their own, and names and comments are their own.
The copy-detection tests and scripts/bench_grading.py use them.
"""

from __future__ import annotations

import ast
import builtins
import io
import json
import keyword
import random
import re
import tokenize
from itertools import pairwise

from backprop_lab.exercises.stubs import functions
from tests.submissions import CORPUS, CORRECT

STEPS = list(functions(CORRECT[0].read_text()))  # the steps, in the order a student writes them
# The four styles these classes were calibrated on. Each student takes every function
# word for word from one of them: with more styles (the seed sweep's corpus has seven),
# each text is rarer than the canonical-code threshold in a class of 60, and students
# sharing rare texts word for word are flagged, as they should be in a real class.
STYLE_NAMES = ("einsum", "loops", "naive_sigmoid", "vectorised")
STYLES = [functions(path.read_text()) for path in CORRECT if path.stem in STYLE_NAMES]
HELPERS = {name: f for style in STYLES for name, f in style.items() if name not in STEPS}
MISTAKES = {
    path.stem: functions(path.read_text()) for path in sorted((CORPUS / "buggy").glob("*.py"))
}  # each holds the one function it breaks
WORDS = ["check", "scale", "note", "tmp", "guard", "limit", "count", "width", "size", "eps", "mark"]
KEPT = {"np", "numpy", "math", *STEPS, *HELPERS}  # what a student cannot rename without breaking the module


def _own_line(rng: random.Random) -> str:
    """A line only this student wrote: harmless, with numbers and a shape of its own."""
    name = f"{rng.choice(WORDS)}_{rng.randrange(100)}"
    a, b, c = (rng.randrange(2, 10_000) for _ in range(3))
    templates = [
        f"{name} = {a} * {b} + {c}",
        f"{name} = [{a}, {b}, {c}][{rng.randrange(3)}]",
        f"{name} = ({a} - {b}) // {c}",
        f"assert {a} + {b} > {a - 1}, {name!r}",
        f"{name} = {{'{name}': {a}, 'n': {b} % {c}}}",
    ]
    return rng.choice(templates)


def _with_line(function: str, line: str) -> str:
    """function with line inserted before its first statement after the docstring."""
    tree = ast.parse(function).body[0]
    body = tree.body
    first = body[1] if len(body) > 1 and isinstance(body[0], ast.Expr) else body[0]
    lines = function.splitlines(keepends=True)
    indent = " " * first.col_offset
    return "".join([*lines[: first.lineno - 1], indent + line + "\n", *lines[first.lineno - 1 :]])


def distinct_source(number: int, seed: int = 0, mistake_rate: float = 0.5) -> tuple[str, str | None]:
    """One student's module and the mistake it makes (None: correct)."""
    rng = random.Random(f"{seed}-{number}")
    chosen = {step: rng.choice(STYLES)[step].text for step in STEPS}
    mistake = None
    if rng.random() < mistake_rate:
        mistake = rng.choice(sorted(MISTAKES))
        step, function = next(iter(MISTAKES[mistake].items()))
        chosen[step] = function.text
    for step in rng.sample(STEPS, rng.randint(3, 5)):
        chosen[step] = _with_line(chosen[step], _own_line(rng))
    used = [name for name in HELPERS if any(re.search(rf"\b{name}\(", text) for text in chosen.values())]
    parts = [f'"""Backpropagation, student {number}."""\n\nimport math\n\nimport numpy as np\n']
    parts += [HELPERS[name].text for name in used] + list(chosen.values())
    return "\n\n".join(parts), mistake


def _renamed(source: str, rng: random.Random) -> str:
    """Every local name and parameter renamed consistently (what find-and-replace does); keyword
    arguments (`dtype=float`) and what the module must keep stay."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    depth, keywords = 0, set()  # names given as `name=` in parentheses keep their name everywhere
    for token, after in pairwise(tokens):
        depth += (token.string in "([{") - (token.string in ")]}") if token.type == tokenize.OP else 0
        if depth > 0 and token.type == tokenize.NAME and after.string == "=":
            keywords.add(token.string)
    names: dict[str, str] = {}
    out = []
    for i, token in enumerate(tokens):
        text = token.string
        if (
            token.type == tokenize.NAME
            and not keyword.iskeyword(text)
            and text not in KEPT | keywords
            and text not in vars(builtins)
            and (i == 0 or tokens[i - 1].string != ".")
        ):
            text = names.setdefault(text, f"v{len(names)}_{rng.randrange(1000)}")
        out.append((token.type, text))
    return tokenize.untokenize(out)


def disguise(source: str, seed: int = 0) -> str:
    """A copy as a student hides it: names renamed, functions reordered, comments rewritten,
    another indentation."""
    rng = random.Random(seed)
    source = re.sub(r"\s*#.*$", "", source, flags=re.M)  # the comments go…
    source = _renamed(source, rng)
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    head = "".join(lines[: defs[0].lineno - 1])
    chunks = ["".join(lines[n.lineno - 1 : n.end_lineno]) for n in defs]
    rng.shuffle(chunks)
    chunks = [f"# {rng.choice(WORDS)} part, done by me\n" + chunk for chunk in chunks]  # …new ones come
    text = head + "\n\n".join(chunks)
    return re.sub(r"^((?:    )+)", lambda m: "  " * (len(m.group(1)) // 4), text, flags=re.M)


def filled_notebook(release: dict, source: str) -> dict:
    """The release notebook with each solution cell answered from source; the source's own
    imports and helpers go first, in the first solution cell, as a student would put them.
    """
    answers = functions(source)
    notebook = json.loads(json.dumps(release))
    graded = [c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("solution")]
    ids = {c["metadata"]["nbgrader"].get("grade_id") for c in graded}
    lines = source.splitlines(keepends=True)
    own = [
        "".join(lines[node.lineno - 1 : node.end_lineno]) + "\n"
        for node in ast.parse(source).body
        if not (isinstance(node, ast.FunctionDef) and node.name in ids)
        and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
    ]
    for number, cell in enumerate(graded):
        grade_id = cell["metadata"]["nbgrader"].get("grade_id")
        if grade_id in answers:
            cell["source"] = ("".join(own) + "\n" if number == 0 else "") + answers[grade_id].text
    return notebook
