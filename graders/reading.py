"""Reading a student's bytes: regular files only, within bounds, into valid text.

Everything discovery reads from a submission passes through here, so every limit is
kept in one place: a file is opened only after `fstat` says it is a regular file
(a FIFO would block forever, a device would never end), never through a symbolic
link, and read up to a cap; a folder is walked with an explicit stack (no recursion
on the Python stack) up to a depth, a number of entries and a number of bytes; a zip
is read member by member, and any failure of a member (encryption, corrupt data,
sizes that lie, a decompression bomb) is the submission's problem, never the class's.
Text is decoded by one rule for modules, notebooks and helpers, and what it gives is
valid Unicode: lone surrogates (a `unicode_escape` coding line, a notebook's `"\\ud800"`)
are replaced and reported.
"""

from __future__ import annotations

import io
import os
import re
import stat
import tokenize
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from backprop_lab.exercises.i18n import N_
from backprop_lab.exercises.student_ids import printable

FILE_CAP = 2 * 1024 * 1024  # bytes of one source file that are read
READ_CAP = 16 * 1024 * 1024  # bytes of code read from one submission, a zip's or a folder's
MAX_DEPTH = 24  # folders below a submission's own that are looked into
MAX_ENTRIES = 10_000  # names (files, folders, zip members) looked at in one submission
CODE = (".py", ".ipynb")
SURROGATES = re.compile("[\ud800-\udfff]")


@dataclass
class Problem:
    """Something wrong with the file itself, said to the student (message id + values)."""

    message: str
    values: dict[str, str] = field(default_factory=dict)


def valid_text(text: str, problems: list[Problem]) -> str:
    """text with lone surrogates replaced by U+FFFD (and reported): valid UTF-8 from here on."""
    if SURROGATES.search(text) is None:
        return text
    problems.append(
        Problem(
            N_("The file holds characters that are not valid Unicode (lone surrogates); they were replaced.")
        )
    )
    return SURROGATES.sub("\ufffd", text)


def decode_source(data: bytes, problems: list[Problem]) -> str:
    """Bytes of Python source → valid text, as Python itself would decode it (PEP 263, BOM)."""
    if len(data) > FILE_CAP:
        problems.append(
            Problem(
                N_("The file is {size} bytes; only the first {cap} were read."),
                {"size": str(len(data)), "cap": str(FILE_CAP)},
            )
        )
        data = data[:FILE_CAP]
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except Exception:  # any codec a coding line names may fail in its own way
        problems.append(Problem(N_("The file is not valid UTF-8 text; unreadable characters were replaced.")))
        text = data.decode("utf-8", errors="replace")
    return valid_text(text, problems)


def _kind(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return kind
    return "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file"


class NotRead(Exception):
    """A file that was not read: the message, for the student, says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message.format(**problem.values))
        self.problem = problem


def not_regular(name: str, mode: int) -> Problem:
    return Problem(
        N_("{name} is {kind}, not a regular file; it was not read."), {"name": name, "kind": _kind(mode)}
    )


def too_large(name: str, size: int, sparse: bool = False) -> Problem:
    return Problem(
        N_("{name} is {size} bytes, more than the {cap} a file may have; it was not read."),
        {"name": name, "size": f"{size} (sparse)" if sparse else str(size), "cap": str(FILE_CAP)},
    )


def open_regular(path: Path | str, dir_fd: int | None = None) -> tuple[int, os.stat_result]:
    """A descriptor of path, only if it is a regular file (never through a link, never blocking)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, dir_fd=dir_fd)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise NotRead(not_regular(printable(os.path.basename(os.fsdecode(path))), st.st_mode))
    return fd, st


def read_regular(path: Path, cap: int = FILE_CAP, whole: bool = False) -> bytes:
    """Up to cap + 1 bytes of a regular file (decode_source truncates a longer one);
    whole=True: a file longer than cap is refused before any byte is read (an 8 GiB
    sparse file costs one fstat). Raises NotRead or OSError."""
    fd, st = open_regular(path)
    with os.fdopen(fd, "rb") as f:
        if whole and st.st_size > cap:
            raise NotRead(too_large(printable(path.name), st.st_size, st.st_blocks * 512 < st.st_size // 2))
        return f.read(cap + 1)


@dataclass
class Listing:
    """The code files of a folder or zip, by relative POSIX path, and what was left out."""

    paths: dict[str, object] = field(default_factory=dict)  # relative path → where to read it
    problems: list[Problem] = field(default_factory=list)
    read: int = 0  # bytes read from it so far
    full: bool = False  # READ_CAP reached: nothing more is read


def _relative(parts: tuple[str, ...]) -> str:
    return PurePosixPath(*(os.fsencode(p).decode("utf-8", "replace") for p in parts)).as_posix()


def list_folder(folder: Path) -> Listing:
    """The code files under folder: an explicit stack, at most MAX_DEPTH deep and MAX_ENTRIES
    names; links and special files are reported, never followed or opened."""
    listing = Listing()
    stack: list[tuple[Path, tuple[str, ...]]] = [(folder, ())]
    entries, deep = 0, False
    while stack:
        here, parts = stack.pop()
        try:
            with os.scandir(here) as it:
                children = sorted(it, key=lambda e: e.name, reverse=True)
        except OSError as error:
            listing.problems.append(_unlisted(parts, error))
            continue
        for entry in children:
            entries += 1
            if entries > MAX_ENTRIES:
                listing.problems.append(_too_many())
                return listing
            name = (*parts, entry.name)
            if entry.is_symlink():
                if entry.name.endswith(CODE) or entry.is_dir():
                    listing.problems.append(_link(_relative(name)))
            elif entry.is_dir(follow_symlinks=False):
                if len(name) < MAX_DEPTH:
                    stack.append((Path(entry.path), name))
                elif not deep:
                    deep = True
                    listing.problems.append(
                        Problem(
                            N_("Folders deeper than {depth} levels were not read."), {"depth": str(MAX_DEPTH)}
                        )
                    )
            elif entry.name.endswith(CODE):
                listing.paths[_relative(name)] = Path(entry.path)
    listing.paths = dict(sorted(listing.paths.items()))
    return listing


def _too_many() -> Problem:
    return Problem(
        N_("The submission holds more than {count} files and folders; the rest were not read."),
        {"count": str(MAX_ENTRIES)},
    )


def _unlisted(parts: tuple[str, ...], error: OSError) -> Problem:
    return Problem(
        N_("The folder {name} could not be read: {reason}"),
        {"name": _relative(parts) or ".", "reason": error.strerror or type(error).__name__},
    )


def _link(name: str) -> Problem:
    return Problem(N_("{name} is a symbolic link; links are not followed."), {"name": printable(name)})


def _is_link(info: zipfile.ZipInfo) -> bool:
    """A zip may store symbolic links (unix mode S_IFLNK); their content is a path, never code."""
    return stat.S_ISLNK(info.external_attr >> 16)


@contextmanager
def open_zip(path: Path) -> Iterator[zipfile.ZipFile]:
    """A zip file, opened only if it is a regular file (and closed with its descriptor).
    Raises NotRead, OSError or zipfile's errors."""
    fd, _ = open_regular(path)
    with os.fdopen(fd, "rb") as file, zipfile.ZipFile(file) as archive:
        yield archive


def list_zip(archive: zipfile.ZipFile) -> Listing:
    """The code members of a zip, by name; links, traversal and special entries reported, not read."""
    listing = Listing()
    for number, info in enumerate(archive.infolist()):
        if number >= MAX_ENTRIES:
            listing.problems.append(_too_many())
            break
        name = PurePosixPath(info.filename)
        if info.is_dir() or name.suffix not in CODE or "__MACOSX" in name.parts:
            continue
        if name.is_absolute() or ".." in name.parts or "\\" in info.filename:
            listing.problems.append(
                Problem(
                    N_("{name} points outside the zip file; it was not read."), {"name": printable(str(name))}
                )
            )
        elif _is_link(info):
            listing.problems.append(_link(str(name)))
        elif len(name.parts) > MAX_DEPTH:
            listing.problems.append(
                Problem(N_("Folders deeper than {depth} levels were not read."), {"depth": str(MAX_DEPTH)})
            )
        else:
            listing.paths[name.as_posix()] = info
    listing.paths = dict(sorted(listing.paths.items()))
    return listing


def read_listed(
    listing: Listing, relative: str, archive: zipfile.ZipFile | None = None, whole: bool = False
) -> bytes | None:
    """A listed file's bytes (see read_regular for whole), READ_CAP bytes per listing in all;
    None when it could not be read, and why is added to listing.problems."""
    where = listing.paths[relative]
    try:
        if archive is not None:
            data = _read_member(archive, where)  # type: ignore[arg-type]
            if whole and len(data) > FILE_CAP:
                raise NotRead(too_large(printable(relative), where.file_size))  # type: ignore[union-attr]
        else:
            data = read_regular(where, FILE_CAP, whole)  # type: ignore[arg-type]
    except NotRead as refused:
        listing.problems.append(refused.problem)
        return None
    except Exception as error:
        reason = f"{type(error).__name__}: {error}"
        listing.problems.append(
            Problem(
                N_("{name} could not be read: {reason}"),
                {"name": printable(relative), "reason": reason[:300]},
            )
        )
        return None
    if listing.read + len(data) > READ_CAP:
        if not listing.full:
            listing.full = True
            listing.problems.append(Problem(N_("The submission holds too much code; the rest was skipped.")))
        return None
    listing.read += len(data)
    return data


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A member's bytes up to FILE_CAP + 1, whatever size its header claims."""
    with archive.open(info) as member:
        return member.read(FILE_CAP + 1)
