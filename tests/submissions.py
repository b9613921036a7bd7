"""The corpus of real submissions the tests and the benchmark grade.

tests/corpus/correct/*.py are correct in different styles; tests/corpus/buggy/<id>.py
each hold one function, with the misconception <id>, that replaces the same function
of the vectorised correct submission (its first line names the step).
tests/corpus/buggy/properties/*.py hold a function right in value that breaks one other
property ("loses <property>" on its first line): in place writes, extremes, m = 1.
"""

from __future__ import annotations

import re
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
CORRECT = sorted((CORPUS / "correct").glob("*.py"))
BASE = (CORPUS / "correct" / "vectorised.py").read_text()
# The deep assignment's corpus: whole modules. Each of tests/corpus/deep/buggy/ holds one
# catalogued mistake, each of its properties/ a block right in value that breaks one other
# property; their first line names the step and the property it loses.
DEEP_CORRECT = sorted((CORPUS / "deep" / "correct").glob("*.py"))
DEEP_BUGGY = sorted((CORPUS / "deep" / "buggy").glob("*.py"))
DEEP_PROPERTIES = sorted((CORPUS / "deep" / "buggy" / "properties").glob("*.py"))


def replace_function(source: str, name: str, new: str) -> str:
    """source with the top-level function `name` replaced by the code `new`."""
    pattern = re.compile(rf"^def {name}\(.*?(?=^def |\Z)", re.S | re.M)
    if not pattern.search(source):
        raise ValueError(f"no function {name} to replace")
    return pattern.sub(lambda _: new + "\n\n", source, count=1)


def buggy_submissions() -> dict[str, tuple[str, str]]:
    """misconception id → (the step it breaks, the whole submission's source)."""
    found = {}
    for path in sorted((CORPUS / "buggy").glob("*.py")):
        text = path.read_text()
        step = re.match(r"# A student's (\w+),", text).group(1)
        found[path.stem] = (step, replace_function(BASE, step, text[text.index("def ") :]))
    return found


def property_mistakes() -> dict[str, tuple[str, str, str]]:
    """name → (the step it breaks, the property it loses, the whole submission's source)."""
    found = {}
    for path in sorted((CORPUS / "buggy" / "properties").glob("*.py")):
        text = path.read_text()
        step, lost = re.match(r"# A student's (\w+), replacing the correct one: loses (\w+)\.", text).groups()
        found[path.stem] = (step, lost, replace_function(BASE, step, text[text.index("def ") :]))
    return found
