"""Copy detection's fingerprints kept beside the result cache, so a rerun does not make them again.

A cached result is not graded again, and its fingerprints were made in the worker
that graded it: without this, a rerun of 3,000 submissions spent about 20 s in the
grading process fingerprinting code it had fingerprinted before. An entry is named
by the submission's digest under the given code's key (`Given.key`), holds only
arrays (read with `allow_pickle=False`), and is checked before use: a damaged or
foreign file is ignored and the fingerprints made again.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from backprop_lab.fingerprints import Fingerprints, Given, Printed
from backprop_lab.graders.batch import write_private

FIELDS = ("hashes", "positions", "starts", "ends", "given")
DTYPES = {
    "hashes": np.uint64,
    "positions": np.int32,
    "starts": np.int32,
    "ends": np.int32,
    "given": np.uint16,
}


class PrintsCache:
    """Fingerprints by submission digest, for one given code."""

    def __init__(self, folder: Path, given: Given) -> None:
        self.folder = folder / f"prints-{given.key[:16]}"

    def _path(self, digest: str) -> Path:
        return self.folder / f"{digest[:32]}.npz"

    def get(self, digest: str, units: int) -> Printed | None:
        """The fingerprints kept for this code (of `units` units), or None (none kept, or not
        readable as ours)."""
        try:
            with np.load(self._path(digest), allow_pickle=False) as kept:
                arrays = {name: kept[name] for name in (*FIELDS, "own")}
        except Exception:  # absent, or damaged in any way a zip or an array can be: make them again
            return None
        length = len(arrays["hashes"])
        for name in FIELDS:
            if arrays[name].dtype != DTYPES[name] or arrays[name].shape != (length,):
                return None
        own = arrays["own"]
        if own.dtype != np.int64 or own.ndim != 1 or not ((own >= 0) & (own < units)).all():
            return None
        return Printed(arrays["own"].tolist(), Fingerprints(*(arrays[name] for name in FIELDS)))

    def put(self, digest: str, done: Printed) -> None:
        """Keep fingerprints that were made (a skipped submission is tried again next run)."""
        if done.prints is None:
            return
        arrays = {name: np.asarray(getattr(done.prints, name), dtype=DTYPES[name]) for name in FIELDS}
        buffer = io.BytesIO()
        np.savez(buffer, own=np.asarray(done.own, dtype=np.int64), **arrays)
        try:
            write_private(self._path(digest), buffer.getvalue())
        except OSError:
            pass  # a full or read-only disk: the next run makes them again
