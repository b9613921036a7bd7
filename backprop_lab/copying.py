"""Copy detection across a class: code that is unusually similar, and borrowed personal numbers.

Code is compared with copydetect's winnowing (Schleimer, Wilkerson and Aiken, 2003) on
tokens normalised by its filter: names, strings, comments and layout do not count. The
reference solution and the generated stub are a common base every student starts from,
so their fingerprints are removed first. Every k-gram is kept (a window of 1): a class's
files are small, and the scores then do not depend on which k-grams Python's per-process
string hash would make winnowing pick.

Student files are only read as text here; ANSWERS is parsed with `ast.literal_eval`,
never run.
"""

from __future__ import annotations

import ast
import io
import math
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from backprop_lab.exercises.assemble import student_module
from backprop_lab.exercises.catalog import COPY_THRESHOLD
from backprop_lab.exercises.i18n import LANGUAGES
from backprop_lab.graders.grade import ANSWER_ATOL, ANSWER_RTOL
from backprop_lab.graders.submissions import Submission
from backprop_lab.solutions.named import ANSWER_KEYS, personal_answers

NOISE = 25  # characters of normalised code shorter than this never count as shared
MIN_SHARED = 100  # characters of normalised code in common, below which a one-liner would count
MIN_BORROWED = 2  # answers that must equal another student's values to flag them


@dataclass
class SimilarPair:
    """Two submissions whose own code is unusually alike, with the shared regions of each."""

    first: str
    second: str
    shares: tuple[float, float]  # of each file's own code, the part found in the other
    codes: tuple[str, str]
    spans: tuple[list[tuple[int, int]], list[tuple[int, int]]]  # shared [start, end) characters

    @property
    def similarity(self) -> float:
        return max(self.shares)


@dataclass
class BorrowedAnswers:
    """A student's ANSWERS equal to another student's personal values, not their own."""

    student: str
    owner: str
    keys: list[str]


def source_of(submission: Submission) -> str:
    """The code a student wrote: the main module, or a notebook's code cells in order."""
    return "\n\n".join(unit["source"] for unit in submission.units)


def common_base() -> list[str]:
    """What every student starts from: the stub and the reference, in every language."""
    return [student_module(lang, solution=solution) for lang in LANGUAGES for solution in (False, True)]


def _fingerprint(code: str, boilerplate: np.ndarray | None = None):
    from copydetect import CodeFingerprint

    return CodeFingerprint(
        "submission.py", NOISE, 1, boilerplate=boilerplate, language="python", fp=io.StringIO(code)
    )


def _spans(slices: np.ndarray) -> list[tuple[int, int]]:
    """copydetect's 2×N array of starts and ends (an empty 1-d array when nothing is shared)."""
    return [(int(start), int(end)) for start, end in np.reshape(slices, (2, -1)).T]


def similar_pairs(
    sources: dict[str, str], base: list[str], threshold: float = COPY_THRESHOLD
) -> list[SimilarPair]:
    """Every pair whose similarity reaches the threshold, most similar first."""
    from copydetect import compare_files

    boilerplate = np.array(sorted(set().union(*(_fingerprint(code).hashes for code in base))))
    prints = {sid: _fingerprint(code, boilerplate) for sid, code in sources.items()}
    prints = {sid: fp for sid, fp in prints.items() if fp.token_coverage > 0}
    pairs = []
    for a, b in combinations(sorted(prints), 2):
        shared, shares, slices = compare_files(prints[a], prints[b])
        pair = SimilarPair(
            a,
            b,
            (float(shares[0]), float(shares[1])),
            (sources[a], sources[b]),
            (_spans(slices[0]), _spans(slices[1])),
        )
        if shared >= MIN_SHARED and pair.similarity >= threshold:
            pairs.append(pair)
    return sorted(pairs, key=lambda p: (-p.similarity, p.first, p.second))


def submitted_answers(submission: Submission) -> dict[str, float]:
    """The numbers a student wrote into ANSWERS, read as data (the last assignment wins)."""
    found: dict[str, float] = {}
    for unit in submission.units:
        try:
            tree = ast.parse(unit["source"])
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            if any(isinstance(t, ast.Name) and t.id == "ANSWERS" for t in targets):
                try:
                    value = ast.literal_eval(node.value)
                except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
                    continue
                if isinstance(value, dict):
                    found = {
                        key: float(number)
                        for key, number in value.items()
                        if key in ANSWER_KEYS
                        and isinstance(number, (int, float))
                        and not isinstance(number, bool)
                        and math.isfinite(number)
                    }
    return found


def _equal(answers: dict[str, float], values: dict[str, float]) -> list[str]:
    return [
        key
        for key, number in answers.items()
        if math.isclose(number, values[key], rel_tol=ANSWER_RTOL, abs_tol=ANSWER_ATOL)
    ]


def borrowed_answers(answers: dict[str, dict[str, float]]) -> list[BorrowedAnswers]:
    """Students whose answers are another student's personal values rather than their own."""
    personal = {sid: personal_answers(sid) for sid in answers}
    flagged = []
    for student, given in sorted(answers.items()):
        own = set(_equal(given, personal[student]))
        for owner in sorted(answers):
            if owner == student:
                continue
            shared = [key for key in _equal(given, personal[owner]) if key not in own]
            if len(shared) >= MIN_BORROWED:
                flagged.append(BorrowedAnswers(student, owner, shared))
    return flagged
