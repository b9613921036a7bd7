"""A submission's own code as winnowed fingerprints: what copy detection compares.

Tokens are normalised so that names, strings, comments and layout do not count: a
renamed variable, a rewritten comment or another indentation changes nothing, while
keywords, operators, numbers, builtins and attribute names (`np.exp`, `.T`) stay as
written. Every run of K tokens (a k-gram) is hashed with a hash that is the same in
every process and every run, so fingerprints made in different workers can be
compared. Winnowing (Schleimer, Wilkerson and Aiken, 2003) keeps the smallest hash of
each window of WINDOW k-grams: any passage of WINDOW + K − 1 tokens that two files
share gives both at least one fingerprint in common, and WINDOW ≤ K means the kept
k-grams cover a file's code without gaps, so coverage can be measured on them alone.

No k-gram spans two top-level definitions (or two notebook cells): the order in which
a student puts their functions changes nothing, and the seams between commonly
written functions are not mistaken for code of one's own.

What the assignment gives every student (the `base`: stub, reference, the generated
notebook's cells) is removed before winnowing. Student code is only read as text.
"""

from __future__ import annotations

import builtins
import keyword
import re
import sys
import time
import zlib
from dataclasses import dataclass, field
from hashlib import blake2b
from pathlib import Path

import numpy as np

from backprop_lab.exercises.i18n import N_

K = 12  # tokens in a k-gram: shorter shared runs are noise (`return 1 / (1 + np.exp(-z))` is 14)
WINDOW = 8  # k-grams per winnowing window (at most K, see above)
MAX_CHARS = 400_000  # characters of code compared per submission; a real one has 5,000–20,000
TIME_BUDGET = 5.0  # seconds of tokenising per submission, a guard against the unforeseen

_TOKEN = re.compile(
    r"""
    (?P<skip>[\s\\]+|\#[^\r\n]*)
  | (?P<string>[rRbBuUfF]{0,2}(?:'''[\s\S]*?(?:'''|\Z)|\"\"\"[\s\S]*?(?:\"\"\"|\Z)
                |'(?:\\.|[^'\\\r\n])*'?|"(?:\\.|[^"\\\r\n])*"?))
  | (?P<number>(?:\d|\.\d)[\w.]*(?:[eE][+-]\d+)?)
  | (?P<name>[^\W\d]\w*)
  | (?P<op>\*\*=?|//=?|>>=?|<<=?|->|:=|[-+*/%&|^@<>=!]=|[^\s\\])
    """,
    re.X,
)
_KEPT_NAMES = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))
_TOP_LEVEL = frozenset({"def", "class", "async", "@"})
_MASK = np.uint64(2**64 - 1)  # a k-gram of the base: never chosen by winnowing
_PRIME = np.uint64(1_099_511_628_211)


TOO_LARGE = N_("{student} was not compared: its code is {size} characters, more than the {cap} compared.")
TOO_SLOW = N_("{student} was not compared: reading its code took more than {seconds} s.")


class OverBudget(Exception):
    """This submission's code is too large or too slow to fingerprint: it is skipped, and named."""

    def __init__(self, message: str, values: dict[str, str]) -> None:
        super().__init__(message.format(student="this submission", **values))
        self.message, self.values = message, values


@dataclass
class Fingerprints:
    """The winnowed k-grams of one submission's own code, in order of position."""

    hashes: np.ndarray  # uint64
    positions: np.ndarray  # int32: token index where each k-gram starts
    starts: np.ndarray  # int32: character where each k-gram starts in the source
    ends: np.ndarray  # int32: character where it ends
    given: np.ndarray  # uint16: bit j set when the k-gram's token j lies in a k-gram of the base

    @property
    def identity(self) -> bytes:
        """Equal for two submissions whose own code is the same once normalised."""
        return blake2b(self.hashes.tobytes() + np.diff(self.positions).tobytes(), digest_size=16).digest()


_SYMBOLS: dict[str, int] = {}  # token → symbol, kept across submissions


def _symbol(text: str) -> int:
    if len(_SYMBOLS) > 200_000:
        _SYMBOLS.clear()
    value = _SYMBOLS[text] = zlib.crc32(text.encode("utf-8", "surrogatepass")) + 1
    return value


def tokens(
    code: str, deadline: float | None = None, breaks: frozenset[int] = frozenset()
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Normalised tokens as symbols, where each starts and ends in code, and the piece of code
    each belongs to (a new piece at each top-level `def`, `class` or decorator, and at each
    offset in breaks).
    """
    symbols, spans, top = [], [], []
    previous = ""
    memo = _SYMBOLS
    for count, match in enumerate(_TOKEN.finditer(code)):
        if count & 4095 == 4095 and deadline is not None and time.monotonic() > deadline:
            raise OverBudget(TOO_SLOW, {"seconds": f"{TIME_BUDGET:g}"})
        kind = match.lastgroup
        if kind == "skip":
            continue
        text = match.group()
        if kind == "string":
            text = "S"
        elif kind == "name":
            if previous != "." and text not in _KEPT_NAMES:
                text = "V"
            elif text in _TOP_LEVEL:
                top.append(len(spans))
        elif kind == "number":
            text = text[:40]
        elif text == "@":
            top.append(len(spans))
        symbol = memo.get(text)
        symbols.append(symbol if symbol is not None else _symbol(text))
        spans.append(match.span())
        previous = text
    where = np.array(spans, dtype=np.int64).reshape(-1, 2)
    starts, ends = where[:, 0], where[:, 1]
    new = np.zeros(len(starts), dtype=np.int64)
    at_top = np.array([i for i in top if starts[i] == 0 or code[starts[i] - 1] == "\n"], dtype=np.int64)
    new[at_top] = 1
    first = np.searchsorted(starts, sorted(breaks))  # the first token of each unit
    new[first[first < len(starts)]] = 1
    return np.array(symbols, dtype=np.uint64), starts, ends, np.cumsum(new)


def kgram_hashes(symbols: np.ndarray, pieces: np.ndarray) -> np.ndarray:
    """One hash per run of K tokens, the same in every process (uint64 arithmetic wraps); a run
    that spans two pieces gets the mask, as the base does.
    """
    count = len(symbols) - K + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint64)
    h = np.zeros(count, dtype=np.uint64)
    for j in range(K):
        h = h * _PRIME + symbols[j : j + count]
    h ^= h >> np.uint64(31)  # mixed, so that the window minima spread evenly over the code
    h *= np.uint64(0x9E3779B97F4A7C15)
    h ^= h >> np.uint64(29)
    h = np.minimum(h, _MASK - np.uint64(1))
    h[pieces[: len(h)] != pieces[K - 1 :]] = _MASK
    return h


def base_hashes(texts: list[str]) -> np.ndarray:
    """Every k-gram of what every student is given, sorted: never evidence of copying."""
    found = []
    for text in texts:
        symbols, _, _, pieces = tokens(text)
        found.append(kgram_hashes(symbols, pieces))
    every = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.uint64)
    return every[every != _MASK]  # a run across two pieces is nobody's code, the base's neither


def fingerprint(code: str, base: np.ndarray, breaks: frozenset[int] = frozenset()) -> Fingerprints:
    """The winnowed fingerprints of code with the base removed (breaks: where its cells start);
    OverBudget past the budgets.
    """
    if len(code) > MAX_CHARS:
        raise OverBudget(TOO_LARGE, {"size": str(len(code)), "cap": str(MAX_CHARS)})
    symbols, starts, ends, pieces = tokens(code, time.monotonic() + TIME_BUDGET, breaks)
    h = kgram_hashes(symbols, pieces)
    of_base = np.flatnonzero(np.isin(h, base))
    given = covered(of_base, len(symbols))
    h[of_base] = _MASK
    if len(h) == 0:
        chosen = np.zeros(0, dtype=np.int64)
    elif len(h) <= WINDOW:
        chosen = np.array([int(np.argmin(h))])
    else:
        windows = np.lib.stride_tricks.sliding_window_view(h, WINDOW)
        chosen = np.unique(np.arange(len(windows)) + windows.argmin(axis=1))
    chosen = chosen[h[chosen] != _MASK]
    bits = np.lib.stride_tricks.sliding_window_view(given, K)[chosen] if len(chosen) else np.zeros((0, K))
    return Fingerprints(
        h[chosen],
        chosen.astype(np.int32),
        starts[chosen].astype(np.int32),
        ends[chosen + K - 1].astype(np.int32),
        (bits.astype(np.uint16) << np.arange(K, dtype=np.uint16)).sum(axis=1).astype(np.uint16),
    )


def covered(positions: np.ndarray, length: int) -> np.ndarray:
    """Per token of a code of `length` tokens: does a k-gram starting at one of these positions
    (each given once) cover it?
    """
    steps = np.zeros(length + K + 1, dtype=np.int32)
    steps[positions] += 1
    steps[np.asarray(positions) + K] -= 1
    return np.cumsum(steps)[:length] > 0


def given_tokens(fp: Fingerprints, length: int) -> np.ndarray:
    """Per token: does it lie in a k-gram of the base (as far as the fingerprints' k-grams say)?"""
    marked = np.zeros(length, dtype=bool)
    bits = ((fp.given[:, None] >> np.arange(K, dtype=np.uint16)) & 1).astype(bool)
    marked[(fp.positions[:, None] + np.arange(K))[bits]] = True
    return marked


def spans(starts: np.ndarray, ends: np.ndarray) -> list[tuple[int, int]]:
    """Overlapping [start, end) character ranges merged, in order."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(zip(starts.tolist(), ends.tolist(), strict=True)):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def joined(units: list[dict[str, str]]) -> str:
    """Units' code as one text, as compared and shown."""
    return "\n\n".join(unit["source"] for unit in units)


def starts(units: list[dict[str, str]]) -> frozenset[int]:
    """Where each unit starts in `joined(units)`."""
    return frozenset(np.cumsum([0] + [len(u["source"]) + 2 for u in units[:-1]]).tolist())


@dataclass(frozen=True)
class Given:
    """What every student is given, as copy detection sets it aside: its k-grams, and its texts
    (a unit equal to one of them is not the student's own). Made once per run, sent to workers."""

    hashes: np.ndarray
    texts: frozenset[str]

    @classmethod
    def of(cls, base: list[str]) -> Given:
        return cls(base_hashes(base), frozenset(text.strip() for text in base))

    @property
    def key(self) -> str:
        """Equal only for the same given code and the same way of fingerprinting (this file, and
        the Python whose keywords and builtins it normalises): what a kept fingerprint (see
        prints_cache) was made under."""
        h = blake2b(Path(__file__).read_bytes() + sys.version.encode(), digest_size=16)
        h.update(self.hashes.tobytes())
        for text in sorted(self.texts):
            h.update(b"\0" + text.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def own(self, units: list[dict[str, str]]) -> list[int]:
        """Which units are the student's own (not as the assignment gave them)."""
        return [i for i, unit in enumerate(units) if unit["source"].strip() not in self.texts]


@dataclass
class Printed:
    """One submission's fingerprints, made where it was graded: which of its units are its own
    (indices, so its code travels once), and their fingerprints, or why they could not be made
    (`message` with `values`; no message and an `error` value: a bug of ours)."""

    own: list[int]
    prints: Fingerprints | None
    message: str = ""
    values: dict[str, str] = field(default_factory=dict)


def printed(units: list[dict[str, str]], given: Given) -> Printed:
    """A submission's own code fingerprinted; whatever the code is, this never raises."""
    own = given.own(units)
    chosen = [units[i] for i in own]
    try:
        return Printed(own, fingerprint(joined(chosen), given.hashes, starts(chosen)))
    except OverBudget as error:
        return Printed(own, None, error.message, error.values)
    except (Exception, RecursionError, MemoryError) as error:  # a bug of ours costs one student
        return Printed(own, None, "", {"error": f"{type(error).__name__}: {error}"[:200]})
