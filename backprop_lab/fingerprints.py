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

What the assignment gives every student (the `base`: stub, reference, the generated
notebook's cells) is removed before winnowing. Student code is only read as text.
"""

from __future__ import annotations

import builtins
import keyword
import re
import time
import zlib
from dataclasses import dataclass
from hashlib import blake2b

import numpy as np

from backprop_lab.exercises.i18n import N_

K = 12  # tokens in a k-gram: shorter shared runs are noise (`return 1 / (1 + np.exp(-z))` is 14)
WINDOW = 8  # k-grams per winnowing window (at most K, see above)
MAX_CHARS = 400_000  # characters of code compared per submission; a real one has 5,000–20,000
TIME_BUDGET = 5.0  # seconds of tokenising per submission, a guard against the unforeseen

_TOKEN = re.compile(
    r"""
    (?P<skip>[ \t\f\r\n\\]+|\#[^\r\n]*)
  | (?P<string>[rRbBuUfF]{0,2}(?:'''[\s\S]*?(?:'''|\Z)|\"\"\"[\s\S]*?(?:\"\"\"|\Z)
                |'(?:\\.|[^'\\\r\n])*'?|"(?:\\.|[^"\\\r\n])*"?))
  | (?P<number>(?:\d|\.\d)[\w.]*(?:[eE][+-]\d+)?)
  | (?P<name>[^\W\d]\w*)
  | (?P<op>\*\*=?|//=?|>>=?|<<=?|->|:=|[-+*/%&|^@<>=!]=|.)
    """,
    re.X,
)
_KEPT_NAMES = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))
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

    @property
    def identity(self) -> bytes:
        """Equal for two submissions whose own code is the same once normalised."""
        return blake2b(self.hashes.tobytes() + np.diff(self.positions).tobytes(), digest_size=16).digest()


def _symbol(text: str, cache: dict[str, int] = {}) -> int:  # noqa: B006  # a deliberate memo
    value = cache.get(text)
    if value is None:
        if len(cache) > 200_000:
            cache.clear()
        value = cache[text] = zlib.crc32(text.encode("utf-8", "surrogatepass")) + 1
    return value


def tokens(code: str, deadline: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Normalised tokens as symbols, with where each starts and ends in code."""
    symbols, starts, ends = [], [], []
    previous = ""
    for count, match in enumerate(_TOKEN.finditer(code)):
        if deadline is not None and count % 4096 == 4095 and time.monotonic() > deadline:
            raise OverBudget(TOO_SLOW, {"seconds": f"{TIME_BUDGET:g}"})
        kind = match.lastgroup
        if kind == "skip":
            continue
        text = match.group()
        if kind == "string":
            text = "S"
        elif kind == "name" and previous != "." and text not in _KEPT_NAMES:
            text = "V"
        elif kind == "number":
            text = text[:40]
        symbols.append(_symbol(text))
        starts.append(match.start())
        ends.append(match.end())
        previous = text
    return (
        np.array(symbols, dtype=np.uint64),
        np.array(starts, dtype=np.int64),
        np.array(ends, dtype=np.int64),
    )


def kgram_hashes(symbols: np.ndarray) -> np.ndarray:
    """One hash per run of K tokens, the same in every process (uint64 arithmetic wraps)."""
    count = len(symbols) - K + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint64)
    h = np.zeros(count, dtype=np.uint64)
    for j in range(K):
        h = h * _PRIME + symbols[j : j + count]
    h ^= h >> np.uint64(31)  # mixed, so that the window minima spread evenly over the code
    h *= np.uint64(0x9E3779B97F4A7C15)
    h ^= h >> np.uint64(29)
    return np.minimum(h, _MASK - np.uint64(1))


def base_hashes(texts: list[str]) -> np.ndarray:
    """Every k-gram of what every student is given, sorted: never evidence of copying."""
    found = [kgram_hashes(tokens(text)[0]) for text in texts]
    return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.uint64)


def fingerprint(code: str, base: np.ndarray) -> Fingerprints:
    """The winnowed fingerprints of code with the base removed; OverBudget past the budgets."""
    if len(code) > MAX_CHARS:
        raise OverBudget(TOO_LARGE, {"size": str(len(code)), "cap": str(MAX_CHARS)})
    symbols, starts, ends = tokens(code, time.monotonic() + TIME_BUDGET)
    h = kgram_hashes(symbols)
    h[np.isin(h, base, assume_unique=False)] = _MASK
    if len(h) == 0:
        chosen = np.zeros(0, dtype=np.int64)
    elif len(h) <= WINDOW:
        chosen = np.array([int(np.argmin(h))])
    else:
        windows = np.lib.stride_tricks.sliding_window_view(h, WINDOW)
        chosen = np.unique(np.arange(len(windows)) + windows.argmin(axis=1))
    chosen = chosen[h[chosen] != _MASK]
    return Fingerprints(
        h[chosen],
        chosen.astype(np.int32),
        starts[chosen].astype(np.int32),
        ends[chosen + K - 1].astype(np.int32),
    )


def coverage(positions: np.ndarray) -> int:
    """How many tokens the k-grams starting at these positions cover together."""
    if len(positions) == 0:
        return 0
    ordered = np.sort(positions)
    return int(np.minimum(np.diff(ordered), K).sum()) + K


def spans(starts: np.ndarray, ends: np.ndarray) -> list[tuple[int, int]]:
    """Overlapping [start, end) character ranges merged, in order."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(zip(starts.tolist(), ends.tolist(), strict=True)):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
