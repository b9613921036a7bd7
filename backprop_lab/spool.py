"""Texts kept on disk by index until a document is written in order at the end.

Results arrive in the order they finish; results.json lists them in the order they
were found. Each entry's text is made once, when its submission is graded (beside its
feedback, sharing the steps' Markdown), and waits here, not in memory: the grading
process holds a few bytes per submission, whatever the class's size.
"""

from __future__ import annotations

import tempfile


class TextSpool:
    """Append-only texts in an anonymous temporary file (gone when closed), read back by index."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()
        self._where: dict[int, tuple[int, int]] = {}  # index -> (offset, length in bytes)
        self._end = 0

    def put(self, index: int, text: str) -> None:
        data = text.encode("utf-8")
        self._file.seek(self._end)
        self._file.write(data)
        self._where[index] = (self._end, len(data))
        self._end += len(data)

    def get(self, index: int) -> str | None:
        """The text put for index (the last one), or None."""
        if index not in self._where:
            return None
        offset, length = self._where[index]
        self._file.seek(offset)
        return self._file.read(length).decode("utf-8")

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> TextSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
