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


def _positional_share(a, b) -> float:
    """A cheap estimate of how much of a is found in b: the share of a's k-gram positions matched."""
    shared = a.hashes & b.hashes
    total = sum(len(positions) for positions in a.hash_idx.values())
    return sum(len(a.hash_idx[h]) for h in shared) / total if total else 0.0


def similar_pairs(
    sources: dict[str, str], base: list[str], threshold: float = COPY_THRESHOLD
) -> list[SimilarPair]:
    """Every pair whose similarity reaches the threshold, most similar first.

    Identical files are fingerprinted and compared once, and pairs that a cheap estimate
    puts far below the threshold are not compared in full: a class of hundreds takes seconds.
    """
    from copydetect import compare_files

    boilerplate = np.array(sorted(set().union(*(_fingerprint(code).hashes for code in base))))
    owners: dict[str, list[str]] = {}
    for sid in sorted(sources):
        owners.setdefault(sources[sid], []).append(sid)
    prints = {code: _fingerprint(code, boilerplate) for code in owners}
    codes = [code for code, fp in prints.items() if fp.token_coverage > 0]
    pairs = []
    for a, b in [(c, c) for c in codes if len(owners[c]) > 1] + list(combinations(codes, 2)):
        fa, fb = prints[a], prints[b]
        if a != b and max(_positional_share(fa, fb), _positional_share(fb, fa)) < threshold / 2:
            continue
        shared, shares, slices = compare_files(fa, fb)
        if shared < MIN_SHARED or max(shares) < threshold:
            continue
        spans = (_spans(slices[0]), _spans(slices[1]))
        for first, second in _student_pairs(owners[a], owners[b]):
            swap = first not in owners[a]
            pairs.append(
                SimilarPair(
                    first,
                    second,
                    (float(shares[swap]), float(shares[not swap])),
                    (sources[first], sources[second]),
                    (spans[swap], spans[not swap]),
                )
            )
    return sorted(pairs, key=lambda p: (-p.similarity, p.first, p.second))


def _student_pairs(these: list[str], those: list[str]) -> list[tuple[str, str]]:
    """Every pair of two different students, one from each list (the same list: each pair once)."""
    if these is those:
        return list(combinations(these, 2))
    return [(min(x, y), max(x, y)) for x in these for y in those]


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


def borrowed_answers(answers: dict[str, dict[str, float]]) -> list[BorrowedAnswers]:
    """Students whose answers are another student's personal values rather than their own.

    Compared as the grader compares an answer (np.isclose with its tolerances), against
    every classmate's values at once.
    """
    owners = sorted(answers)
    personal = np.array([[values[key] for key in ANSWER_KEYS] for values in map(personal_answers, owners)])
    flagged = []
    for row, student in enumerate(owners):
        keys = [key for key in ANSWER_KEYS if key in answers[student]]
        if len(keys) < MIN_BORROWED:
            continue
        columns = [ANSWER_KEYS.index(key) for key in keys]
        given = np.array([answers[student][key] for key in keys])
        close = np.isclose(given, personal[:, columns], rtol=ANSWER_RTOL, atol=ANSWER_ATOL)
        borrowed = close & ~close[row]  # equal to the owner's value, and not to their own
        for other in np.flatnonzero(borrowed.sum(axis=1) >= MIN_BORROWED):  # never the student's own row
            shared = [key for key, hit in zip(keys, borrowed[other], strict=True) if hit]
            flagged.append(BorrowedAnswers(student, owners[other], shared))
    return flagged
