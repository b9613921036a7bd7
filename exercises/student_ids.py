"""What a student id may be: one rule for the roster, the grader and every file named after a student.

An id comes from a file or folder name (or a roster), so it may hold anything a file
system allows: escape sequences, newlines, `..`, a leading `=` a spreadsheet would run,
bytes that are not UTF-8. The safe form keeps letters and digits of every script.
"""

from __future__ import annotations

import os
import re
import unicodedata

ID_CAP = 64  # characters of a safe id


def printable(name: str) -> str:
    """A name as found on disk, for messages and results.json: undecodable bytes and control
    characters escaped, so nothing from a file name reaches a terminal or a JSON file raw."""
    text = os.fsencode(name).decode("utf-8", errors="backslashreplace")
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def safe_id(name: str) -> str:
    """A student id safe for file names, terminals and spreadsheets: letters and digits of
    any script, `.`, `_` and `-` (every other character becomes `_`), starting with a
    letter, digit or `_`, at most ID_CAP characters. Ids that are already safe are unchanged,
    so a student's personal numbers are the same in the roster, the sheet and the grade."""
    text = unicodedata.normalize("NFC", printable(name))
    text = re.sub(r"[^\w.\-]", "_", text)[:ID_CAP]
    text = re.sub(r"^[.\-]", "_", text)
    return text or "_"
