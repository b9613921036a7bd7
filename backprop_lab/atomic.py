"""Writing a file whole or not at all: a run killed mid-write leaves the previous file (or
none), never half an export, half a grades.csv or half a results.json."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path


def write_atomically(path: Path, data: str | bytes | Iterable[str]) -> None:
    """Write `data` to a temporary file beside `path`, then rename it over `path` (one step).
    Text in pieces (an iterable of str) is written as it comes, never held whole."""
    path = Path(path)
    pieces = [data] if isinstance(data, (str, bytes)) else data
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as f:
            for piece in pieces:
                f.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
        os.chmod(temporary, 0o644)  # what a plain write would leave, not mkstemp's 0600
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """Rows as CSV text (RFC 4180 quoting, CRLF line ends, as spreadsheets and LMSs write it)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()
