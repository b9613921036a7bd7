"""The assignment's given code, compiled once by the zygote (Sandbox.trust), runs exactly as if
each worker had compiled the student's unit itself: same code objects, same file names and
lines in every function, same errors."""

from __future__ import annotations

import pytest

from backprop_lab.copying import given_code
from backprop_lab.exercises.catalog import Course
from backprop_lab.graders.sandbox.inside.protocol import Received
from backprop_lab.graders.sandbox.runner import Call, Sandbox

# A student's second unit: what the first unit's functions are, down to their bytecode and
# line tables (plain data, as any answer travels).
PROBE = """
import types


def probe():
    found = []
    for name, value in sorted(globals().items()):
        code = getattr(value, "__code__", None)
        if isinstance(code, types.CodeType):
            lines = [[start, end, -1 if line is None else line] for start, end, line in code.co_lines()]
            found.append([name, code.co_filename, code.co_firstlineno, code.co_code.hex(), lines])
    return found
"""


def _texts(assignment: str) -> list[str]:
    return sorted(given_code(Course.load(None, assignment)).texts)


@pytest.fixture(scope="module")
def sandboxes():
    trusted, plain = Sandbox(), Sandbox()
    trusted.start()
    plain.start()
    trusted.trust(_texts("backprop") + _texts("deep"))
    yield trusted, plain
    trusted.close()
    plain.close()


def _plain(value):
    if isinstance(value, Received):
        return _plain(value.value)
    return [_plain(v) for v in value] if isinstance(value, list) else value


def _run(sandbox: Sandbox, source: str):
    """The load's report, and what the probe found of the first unit's functions."""
    units = [{"name": "cell 7", "source": source}, {"name": "cell 9", "source": PROBE}]
    result = sandbox.run(units, [Call("probe", [[]])])
    [case] = result.outcomes[0].results
    assert case.error is None, case.error
    return result.load.units, result.load.defined, _plain(case.value)


@pytest.mark.parametrize("assignment", ["backprop", "deep"])
def test_each_given_cell_runs_as_the_worker_would_have_compiled_it(sandboxes, assignment) -> None:
    trusted, plain = sandboxes
    texts = _texts(assignment)
    assert len(texts) > 20
    functions = 0
    for text in texts:
        for tail in ("\n", "  \n\n"):  # as a notebook's cell or a file holds it
            got, want = _run(trusted, text + tail), _run(plain, text + tail)
            assert got == want, text[:200]
            functions += sum(name != "probe" for name, *_ in got[2])
    assert functions > 20  # the probe saw the given functions (stubs, helpers) it compares


def test_a_unit_that_only_looks_like_given_code_is_compiled_as_it_is(sandboxes) -> None:
    """Leading blank lines move every line; a character after the text may not compile at all."""
    trusted, plain = sandboxes
    text = next(t for t in _texts("backprop") if "def sigmoid(" in t)
    for source in ("\n\n" + text, text + "\u2028", " " + text, text + "\nx = (\n"):
        assert _run(trusted, source) == _run(plain, source)
    units, _, _ = _run(trusted, text + "\u2028")
    assert not units[0].ok and "SyntaxError" in units[0].error["type"]
