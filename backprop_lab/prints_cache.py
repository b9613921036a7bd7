"""Copy detection's fingerprints kept beside the result cache, so a rerun does not make them again.

A cached result is not graded again, and its fingerprints were made in the worker
that graded it: without this, a rerun of 3,000 submissions spent about 20 s in the
grading process fingerprinting code it had fingerprinted before. An entry is named
by the submission's digest under the given code's key (`Given.key`) and holds only
numbers: a header of two lengths, then each array's bytes. Its size must be exactly
what the lengths say, and a file that is not is ignored and the fingerprints made
again. (An .npz took 3 ms a submission to read, about what making them costs.)
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from backprop_lab.fingerprints import Fingerprints, Given, Printed
from backprop_lab.graders.batch import write_private

MAGIC = b"backprop-lab prints 1\n"
HEADER = struct.Struct("<II")  # k-grams kept, units of the student's own
FIELDS = (  # in the order written; `own` (int64) follows
    ("hashes", np.dtype("<u8")),
    ("positions", np.dtype("<i4")),
    ("starts", np.dtype("<i4")),
    ("ends", np.dtype("<i4")),
    ("given", np.dtype("<u2")),
)
OWN = np.dtype("<i8")


class PrintsCache:
    """Fingerprints by submission digest, for one given code."""

    def __init__(self, folder: Path, given: Given) -> None:
        self.folder = folder / f"prints-{given.key[:16]}"

    def _path(self, digest: str) -> Path:
        return self.folder / f"{digest[:32]}.prints"

    def get(self, digest: str, units: int) -> Printed | None:
        """The fingerprints kept for this code (of `units` units), or None (none kept, or not
        readable as ours)."""
        try:
            data = self._path(digest).read_bytes()
        except OSError:
            return None
        if not data.startswith(MAGIC) or len(data) < len(MAGIC) + HEADER.size:
            return None
        count, own_count = HEADER.unpack_from(data, len(MAGIC))
        at = len(MAGIC) + HEADER.size
        if len(data) != at + count * sum(d.itemsize for _, d in FIELDS) + own_count * OWN.itemsize:
            return None
        arrays = []
        for _, dtype in FIELDS:
            arrays.append(np.frombuffer(data, dtype, count, at).astype(dtype.newbyteorder("=")))
            at += count * dtype.itemsize
        own = np.frombuffer(data, OWN, own_count, at)
        if not ((own >= 0) & (own < units)).all():
            return None
        return Printed(own.tolist(), Fingerprints(*arrays))

    def put(self, digest: str, done: Printed) -> None:
        """Keep fingerprints that were made (a skipped submission is tried again next run)."""
        if done.prints is None:
            return
        count = len(done.prints.hashes)
        pieces = [MAGIC, HEADER.pack(count, len(done.own))]
        for name, dtype in FIELDS:
            pieces.append(np.asarray(getattr(done.prints, name), dtype=dtype).tobytes())
        pieces.append(np.asarray(done.own, dtype=OWN).tobytes())
        try:
            write_private(self._path(digest), b"".join(pieces))
        except OSError:
            pass  # a full or read-only disk: the next run makes them again
