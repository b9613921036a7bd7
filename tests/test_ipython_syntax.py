"""IPython syntax in a notebook cell becomes calls of get_ipython(); Python that only looks like
it (`a % b`, `x != y`, a question in a string) stays as written, whatever the cell mixes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_lab.graders.notebook import MAX_TRANSFORMED, _is_python, _line, to_python

LINES = [
    "import numpy as np",
    "x = a % b",
    "if x != y:",
    "    pass",
    "s = 'why?'",
    "# is it right?",
    "%matplotlib inline",
    "!pip install nothing",
    "  %time forward(X, params)",
    "files = !ls",
    "a, b = %who_ls",
    "np.exp?",
    "??sigmoid",
    "%%time",
    "print('100%!')",
    "y = x ! z",
    "",
    "def f(z):",
    "    return z % 2",
]


def _as_the_rule_says(source: str) -> str:
    """The rule as first written: a cell that compiles is Python; any other is transformed."""
    if len(source) > MAX_TRANSFORMED or not any(mark in source for mark in "%!?") or _is_python(source):
        return source
    first, _, rest = source.partition("\n")
    if first.startswith("%%"):
        name, _, args = first[2:].partition(" ")
        return f"get_ipython().run_cell_magic({name!r}, {args!r}, {rest!r})"
    return "\n".join(_line(line) for line in source.split("\n"))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(LINES) | st.text(alphabet="ab%!?= .,'\n", max_size=12), max_size=8))
def test_a_cell_becomes_what_the_rule_says(lines) -> None:
    source = "\n".join(lines)
    assert to_python(source) == _as_the_rule_says(source)


def test_magics_become_calls_and_python_stays() -> None:
    assert to_python("x = a % b\nif x != y:\n    s = 'why?'") == "x = a % b\nif x != y:\n    s = 'why?'"
    assert to_python("%matplotlib inline\nfiles = !ls") == (
        "get_ipython().run_line_magic('matplotlib', 'inline')\nfiles = get_ipython().getoutput('ls')"
    )
    assert to_python("np.exp?") == "get_ipython().run_line_magic('pinfo', 'np.exp')"
