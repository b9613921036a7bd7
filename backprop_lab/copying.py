"""Copy detection across a class: code that is unusually similar, and borrowed personal numbers.

Only what a student wrote is compared. What the assignment gives every student, in
every format (the module's stub, the reference, the generated notebook's cells with
the personal numbers and the self-check), is removed first, and so are passages most
of the class shares (the assignment's canonical code: `sigmoid` is written one way by
half a class). Blank and stub-only submissions have no own code and are never flagged;
identical own code is.

It scales with the class, not with its pairs (docs/copying.md):
- each submission's winnowed fingerprints (`fingerprints`) are made once, as it is graded;
- an inverted index maps each fingerprint to the distinct codes that hold it;
- candidate pairs come only from fingerprints few codes share (as rare as a budget of
  pair votes allows), and only candidates are compared in full.

Each submission has a size and a time budget; whoever is over it is skipped and named.
Student files are only read as text here; ANSWERS is parsed with `ast.literal_eval`,
never run.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import math
import pickle
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np

from backprop_lab import exercises, fingerprints
from backprop_lab.exercises.assignment import Answers
from backprop_lab.exercises.catalog import COPY_THRESHOLD, Course
from backprop_lab.exercises.i18n import LANGUAGES, N_
from backprop_lab.fingerprints import (
    MAX_CHARS,
    Fingerprints,
    Given,
    K,
    Printed,
    covered,
    given_tokens,
    joined,
    printed,
    spans,
)
from backprop_lab.graders.grade import ANSWER_ATOL, ANSWER_RTOL
from backprop_lab.graders.submissions import Submission

MIN_SHARED = 24  # own tokens in common, below which a one-liner would count (a typed id is one)
MIN_BORROWED = 2  # answers that must equal another student's values to flag them
# A passage at least one in twenty distinct submissions wrote alike, and at least ten, is the
# assignment's canonical code (MOSS's default ignores any passage found in more than ten
# programs). At one in two, independent students who happened to pick the same common
# styles for half their functions were flagged by the hundred (docs/copying.md).
CANONICAL_SHARE = 0.05
CANONICAL_MIN = 10
PAIR_VOTES = 4_000_000  # pairs a class's rare fingerprints may propose, summed: fixes how rare is rare
MIN_VOTES = 2  # rare fingerprints two codes must share to be compared in full
MAX_CANDIDATES = 200_000  # pairs compared in full, the most voted first
PAIR_LIMIT = 10_000  # pairs listed (report table, copying.csv), the most similar first
COULD_NOT = N_("{student} could not be compared: {error}")


@dataclass
class SimilarPair:
    """Two submissions whose own code is unusually alike, with the shared regions of each."""

    first: str
    second: str
    shares: tuple[float, float]  # of each one's own code, the part found in the other
    codes: tuple[str, str]  # each one's own code, as compared
    spans: tuple[list[tuple[int, int]], list[tuple[int, int]]]  # shared [start, end) characters

    @property
    def similarity(self) -> float:
        return max(self.shares)


@dataclass
class Skipped:
    """A submission copy detection did not compare, and why (a message id and its values)."""

    student: str
    message: str
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class CopyFindings:
    """Similar pairs, the most similar first, and what was left out."""

    pairs: list[SimilarPair]  # at most PAIR_LIMIT
    total: int  # pairs reaching the threshold, listed or not
    skipped: list[Skipped]
    rare_limit: int | None  # passages held by more codes than this proposed no pair (None: no cut)
    compared: int  # candidate pairs compared in full
    units: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # each one's own code, as compared


@dataclass
class BorrowedAnswers:
    """A student's ANSWERS equal to another student's personal values, not their own."""

    student: str
    owner: str
    keys: list[str]


def source_of(submission: Submission) -> str:
    """The code a student wrote: the main module, or a notebook's code cells in order."""
    return joined(submission.units)


def common_base(course: Course | None = None) -> list[str]:
    """What every student is given, in every language and format: the module's stub and its
    solution copy, and every code cell of the generated notebooks (student and nbgrader
    source: personal numbers, ANSWERS, self-check, autograder cells).
    """
    from backprop_lab.exercises.assemble import notebook, student_module  # nbformat: seconds to import

    course = course or Course()
    texts = [student_module(lang, course, solution) for lang in LANGUAGES for solution in (False, True)]
    for lang in LANGUAGES:
        for nbgrader in (False, True):
            texts += [c.source for c in notebook(lang, course, nbgrader).cells if c.cell_type == "code"]
    return texts


def given_code(course: Course) -> Given:
    """`common_base` as copy detection sets it aside, kept in the instructor's cache folder
    (beside the case corpus) under everything it derives from: the course's files and the
    code that writes the assignment. Making it (and importing nbformat for it) cost every
    run 2–3 s."""
    from backprop_lab.audit import course_fingerprint
    from backprop_lab.graders.batch import code_fingerprint, corpus_cache_dir, write_private

    h = hashlib.sha256(f"{code_fingerprint()}\0{course_fingerprint(course)}".encode())
    folder = Path(exercises.__file__).parent
    written = sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in [*written, Path(__file__), Path(fingerprints.__file__)]:  # and how it is hashed
        h.update(b"\0" + path.name.encode() + b"\0" + path.read_bytes())
    path = corpus_cache_dir() / f"given-{h.hexdigest()[:16]}.pickle"
    try:
        given = pickle.loads(path.read_bytes())  # our own file, written below; never student data
        if isinstance(given, Given):
            return given
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
        pass
    given = Given.of(common_base(course))
    try:
        write_private(path, pickle.dumps(given, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass  # a read-only home: the next run makes it again
    return given


def fingerprinted(submission: Submission, given: Given) -> Printed:
    """A submission's fingerprints, as the worker that grades it makes them (see grade_class)."""
    return printed(submission.units, given)


class CopyIndex:
    """The class's fingerprints, added one submission at a time (as each is graded), then compared."""

    def __init__(self, base: list[str] | Given) -> None:
        self.given = base if isinstance(base, Given) else Given.of(base)
        self.prints: dict[str, Fingerprints] = {}
        self.units: dict[str, list[dict[str, str]]] = {}
        self.skipped: dict[str, Skipped] = {}

    def own_units(self, units: list[dict[str, str]]) -> list[dict[str, str]]:
        """A submission's units without those the assignment gave as they are (unchanged cells)."""
        return [units[i] for i in self.given.own(units)]

    def add(self, student: str, units: list[dict[str, str]]) -> None:
        """Fingerprint one submission; whatever its code does, only it is skipped (and named)."""
        self.add_printed(student, units, printed(units, self.given))

    def add_printed(self, student: str, units: list[dict[str, str]], done: Printed) -> None:
        """A submission fingerprinted already (where it was graded: see graders.batch)."""
        if done.prints is not None:
            self.prints[student] = done.prints
            self.units[student] = [units[i] for i in done.own]
        else:
            self.skipped[student] = Skipped(student, done.message or COULD_NOT, done.values)

    def add_submission(self, submission: Submission, done: Printed | None = None) -> None:
        if done is None:
            self.add(submission.id, submission.units)
        else:
            self.add_printed(submission.id, submission.units, done)

    def findings(self, threshold: float = COPY_THRESHOLD) -> CopyFindings:
        """Every pair whose own code reaches the threshold, the first PAIR_LIMIT listed."""
        groups: dict[bytes, list[str]] = {}  # students whose own code is the same, normalised
        for student in sorted(self.prints):
            fp = self.prints[student]
            if len(fp.hashes):
                groups.setdefault(fp.identity, []).append(student)
        owners = list(groups.values())
        code_of = {student: code for code, members in enumerate(owners) for student in members}
        canonical, rare_limit, candidates = _candidates([self.prints[m[0]] for m in owners])
        kept = [_Kept(self.prints[members[0]], canonical) for members in owners]
        scored = [(1.0, code, code) for code, members in enumerate(owners) if len(members) > 1]
        scored = [s for s in scored if kept[s[1]].own >= MIN_SHARED]
        for a, b in candidates:
            shares = _shares(kept[a], kept[b])
            if shares is not None and max(shares) >= threshold:
                scored.append((max(shares), a, b))
        scored.sort(key=lambda s: (-s[0], owners[s[1]][0], owners[s[2]][0]))
        pairs: list[SimilarPair] = []
        total = 0
        texts: dict[str, str] = {}
        for _, a, b in scored:
            combos = _student_pairs(owners[a], owners[b])
            total += len(combos)
            for first, second in combos[: max(0, PAIR_LIMIT - len(pairs))]:
                first_kept, second_kept = kept[code_of[first]], kept[code_of[second]]
                pairs.append(self._pair(first, second, first_kept, second_kept, texts))
        pairs.sort(key=lambda p: (-p.similarity, p.first, p.second))
        skipped = [self.skipped[s] for s in sorted(self.skipped)]
        return CopyFindings(pairs, total, skipped, rare_limit, len(candidates), self.units)

    def _pair(self, first: str, second: str, a: _Kept, b: _Kept, texts: dict[str, str]) -> SimilarPair:
        """The pair with each one's own code and the regions of it found in the other."""
        found = []
        for student, mine, theirs in ((first, a, b), (second, b, a)):
            fp = self.prints[student]  # its hashes equal its group's, in order; its characters its own
            shared = mine.held_by(theirs)
            if student not in texts:
                texts[student] = joined(self.units[student])
            share = mine.found_in(theirs) / mine.own
            found.append((share, spans(fp.starts[shared], fp.ends[shared])))
        return SimilarPair(
            first,
            second,
            (found[0][0], found[1][0]),
            (texts[first], texts[second]),
            (found[0][1], found[1][1]),
        )


class _Kept:
    """A code's own tokens (not of the base, not covered by a canonical fingerprint) and its
    fingerprints that are evidence (not canonical).

    Measured in tokens, a k-gram that runs from a student's own line into commonly written
    code counts only the tokens of their own line.
    """

    def __init__(self, fp: Fingerprints, canonical: np.ndarray) -> None:
        self.every = fp.hashes
        self.positions = fp.positions
        is_canonical = np.isin(fp.hashes, canonical)
        self.keep = ~is_canonical
        self.hashes = np.unique(fp.hashes[self.keep])  # sorted, for searchsorted
        self.length = int(fp.positions.max()) + K if len(fp.positions) else 0
        common = given_tokens(fp, self.length) | covered(fp.positions[is_canonical], self.length)
        self.own_tokens = covered(fp.positions[self.keep], self.length) & ~common
        self.own = int(self.own_tokens.sum())

    def held_by(self, other: _Kept) -> np.ndarray:
        """Per fingerprint: kept, and held by the other too."""
        if not len(other.hashes):
            return np.zeros(len(self.every), dtype=bool)
        at = np.minimum(np.searchsorted(other.hashes, self.every), len(other.hashes) - 1)
        return self.keep & (other.hashes[at] == self.every)

    def found_in(self, other: _Kept) -> int:
        """Own tokens of this code that lie in k-grams the other holds too."""
        return int((covered(self.positions[self.held_by(other)], self.length) & self.own_tokens).sum())


def _shares(a: _Kept, b: _Kept) -> tuple[float, float] | None:
    """Of each code's own code, the share found in the other; None when too little is shared."""
    if not a.own or not b.own:
        return None
    in_b, in_a = a.found_in(b), b.found_in(a)
    if min(in_a, in_b) < MIN_SHARED:
        return None
    return in_b / a.own, in_a / b.own


def _candidates(prints: list[Fingerprints]) -> tuple[np.ndarray, int | None, list[tuple[int, int]]]:
    """The canonical fingerprints, how rare a fingerprint must be to propose pairs (None: any
    that is not canonical), and the pairs of codes proposed by at least MIN_VOTES of them.
    """
    count = len(prints)
    held = [np.unique(fp.hashes) for fp in prints]
    hashes = np.concatenate(held) if held else np.zeros(0, dtype=np.uint64)
    holders = np.repeat(np.arange(count, dtype=np.int64), [len(h) for h in held])
    order = np.argsort(hashes, kind="stable")
    hashes, holders = hashes[order], holders[order]
    distinct, first, frequency = np.unique(hashes, return_index=True, return_counts=True)
    is_canonical = (frequency >= CANONICAL_MIN) & (frequency > CANONICAL_SHARE * count)
    canonical = distinct[is_canonical]
    sizes, how_many = np.unique(frequency[~is_canonical & (frequency >= 2)], return_counts=True)
    votes = np.cumsum(how_many * sizes * (sizes - 1) // 2)
    allowed = sizes[votes <= PAIR_VOTES]
    rare_limit = None if len(allowed) == len(sizes) else int(allowed.max(initial=1))
    keys = []
    for size in allowed.tolist():
        starts = first[(frequency == size) & ~is_canonical]
        members = holders[starts[:, None] + np.arange(size)]  # each row: the codes holding one fingerprint
        left, right = np.triu_indices(size, 1)
        keys.append(members[:, left].ravel() * count + members[:, right].ravel())
    if not keys:
        return canonical, rare_limit, []
    proposed, counts = np.unique(np.concatenate(keys), return_counts=True)
    chosen = proposed[counts >= MIN_VOTES]
    if len(chosen) > MAX_CANDIDATES:
        strongest = np.argsort(-counts[counts >= MIN_VOTES], kind="stable")[:MAX_CANDIDATES]
        chosen = np.sort(chosen[strongest])
    return canonical, rare_limit, [(int(k // count), int(k % count)) for k in chosen]


def _student_pairs(these: list[str], those: list[str]) -> list[tuple[str, str]]:
    """Every pair of two different students, one from each list (the same list: each pair once)."""
    if these is those:
        return list(combinations(these, 2))
    return sorted((min(x, y), max(x, y)) for x in these for y in those)


def similar_pairs(
    sources: dict[str, str], base: list[str] | None = None, threshold: float = COPY_THRESHOLD
) -> list[SimilarPair]:
    """Every pair of sources (student → code) whose similarity reaches the threshold, most
    similar first; base defaults to the default course's `common_base`.
    """
    index = CopyIndex(common_base() if base is None else base)
    for student, code in sources.items():
        index.add(student, [{"name": "code", "source": code}])
    return index.findings(threshold).pairs


def submitted_answers(submission: Submission, keys: tuple[str, ...]) -> dict[str, float]:
    """The numbers a student wrote into ANSWERS under `keys`, read as data (the last assignment wins).

    A number no float can hold (a 401-digit integer) is left out like any other non-answer;
    a unit past the size budget is not parsed at all.
    """
    found: dict[str, float] = {}
    for unit in submission.units:
        if "ANSWERS" not in unit["source"] or len(unit["source"]) > MAX_CHARS:
            continue
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
                    numbers = {key: _number(value[key]) for key in keys if key in value}
                    found = {key: number for key, number in numbers.items() if number is not None}
    return found


def _number(value: object) -> float | None:
    """An answer as a float; None for what is not one (a bool, a string, inf, past a float's range)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def borrowed_answers(answers: dict[str, dict[str, float]], question: Answers) -> list[BorrowedAnswers]:
    """Students whose answers are another student's personal values rather than their own.

    Compared as the grader compares an answer (np.isclose with its tolerances), against
    every classmate's values at once.
    """
    owners, keys_of = sorted(answers), question.keys
    personal = np.array([[values[key] for key in keys_of] for values in map(question.answers, owners)])
    flagged = []
    for row, student in enumerate(owners):
        keys = [key for key in keys_of if key in answers[student]]
        if len(keys) < MIN_BORROWED:
            continue
        columns = [keys_of.index(key) for key in keys]
        given = np.array([answers[student][key] for key in keys])
        close = np.isclose(given, personal[:, columns], rtol=ANSWER_RTOL, atol=ANSWER_ATOL)
        borrowed = close & ~close[row]  # equal to the owner's value, and not to their own
        for other in np.flatnonzero(borrowed.sum(axis=1) >= MIN_BORROWED):  # never the student's own row
            shared = [key for key, hit in zip(keys, borrowed[other], strict=True) if hit]
            flagged.append(BorrowedAnswers(student, owners[other], shared))
    return flagged


def shared_lines(units: list[dict[str, str]], regions: list[tuple[int, int]]) -> str:
    """Where shared regions of `joined(units)` lie, as each unit's lines: "cell 3: 2-9, 12; cell 5: 1-4"."""
    text = joined(units)
    newlines = np.flatnonzero(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32) == ord("\n"))
    starts = np.cumsum([0] + [len(u["source"]) + 2 for u in units])  # `joined` puts a blank line between
    places: dict[str, list[str]] = {}
    for start, stop in regions:
        for number in range(int(np.searchsorted(starts, start, "right")) - 1, len(units)):
            begin, end = int(starts[number]), int(starts[number]) + len(units[number]["source"])
            if begin >= stop:
                break
            if end <= start:
                continue
            before = int(np.searchsorted(newlines, begin))
            first = int(np.searchsorted(newlines, max(start, begin))) - before + 1
            last = int(np.searchsorted(newlines, min(stop, end) - 1)) - before + 1
            places.setdefault(units[number]["name"], []).append(
                f"{first}" if first == last else f"{first}-{last}"
            )
    return "; ".join(f"{name}: {', '.join(lines)}" for name, lines in places.items())


CSV_COLUMNS = ["first", "second", "similarity", "first_share", "second_share", "first_lines", "second_lines"]


def write_csv(found: CopyFindings, path: Path) -> None:
    """copying.csv, for the instructor's records: every listed pair (at most PAIR_LIMIT, the most
    similar first) with each one's share of own code found in the other and where it lies.
    """
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_COLUMNS)
        for p in found.pairs:
            writer.writerow(
                [
                    _cell(p.first),
                    _cell(p.second),
                    f"{p.similarity:.3f}",
                    f"{p.shares[0]:.3f}",
                    f"{p.shares[1]:.3f}",
                    shared_lines(found.units.get(p.first, []), p.spans[0]),
                    shared_lines(found.units.get(p.second, []), p.spans[1]),
                ]
            )


def _cell(text: str) -> str:
    """Ids are safe for spreadsheets already (safe_id); a cell starting a formula is the second lock."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r", "\n") else text
