"""Finding submissions and reading their code, whatever shape they arrive in.

Accepted: a `.py` file; a folder holding the module (`backprop.py`, or its only
`.py` file, or a notebook) with sibling modules it may import; an `.ipynb`; an
nbgrader tree `submitted/<student>/<assignment>/*.ipynb`; a `.zip` of any of these;
or a folder of any of these. Reading never raises for a broken file: the problem is
recorded for the student and the submission is graded on what could be read.
"""

from __future__ import annotations

import hashlib
import io
import tokenize
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from backprop_lab.exercises.i18n import N_
from backprop_lab.graders.notebook import NotebookError, code_cells

MODULE_NAME = "backprop.py"
FILE_CAP = 2 * 1024 * 1024  # bytes of one source file that are read
ZIP_CAP = 16 * 1024 * 1024  # bytes unpacked from one zip
SIBLING_CAP = 50  # source files passed beside the main module


@dataclass
class Problem:
    """Something wrong with the file itself, said to the student (message id + values)."""

    message: str
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class Submission:
    id: str
    origin: str
    units: list[dict[str, str]] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def digest(self) -> str:
        """A content hash: the same code graded with the same seed gives the same result."""
        h = hashlib.sha256(self.id.encode())
        for unit in self.units:
            h.update(b"\0unit\0" + unit["name"].encode() + b"\0" + unit["source"].encode())
        for name in sorted(self.files):
            h.update(b"\0file\0" + name.encode() + b"\0" + self.files[name].encode())
        return h.hexdigest()


def decode_source(data: bytes, problems: list[Problem]) -> str:
    """Bytes of Python source → text, as Python itself would decode it (PEP 263, BOM)."""
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
        return data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        problems.append(Problem(N_("The file is not valid UTF-8 text; unreadable characters were replaced.")))
        return data.decode("utf-8", errors="replace")


def _units_of(name: str, data: bytes, problems: list[Problem]) -> list[dict[str, str]]:
    text = decode_source(data, problems)
    if name.endswith(".ipynb"):
        try:
            return code_cells(text)
        except NotebookError as error:
            problems.append(Problem(N_("The notebook could not be read: {reason}"), {"reason": str(error)}))
            return []
    if not text.strip():
        problems.append(Problem(N_("The file is empty.")))
    return [{"name": PurePosixPath(name).name, "source": text}]


def _from_files(sub_id: str, origin: str, files: dict[str, bytes]) -> Submission:
    """A submission from a folder's files (relative POSIX paths → bytes)."""
    submission = Submission(sub_id, origin)
    python = sorted(p for p in files if p.endswith(".py"))
    notebooks = sorted(p for p in files if p.endswith(".ipynb") and ".ipynb_checkpoints" not in p)
    main = next((p for p in python if PurePosixPath(p).name == MODULE_NAME), None)
    if main is None and len(python) == 1:
        main = python[0]
    if main is None and notebooks:
        main = notebooks[0]
        if len(notebooks) > 1:
            submission.problems.append(
                Problem(N_("Several notebooks were found; {name} was graded."), {"name": main})
            )
    if main is None:
        submission.problems.append(
            Problem(N_("No {module} or notebook was found in the submission."), {"module": MODULE_NAME})
        )
        return submission
    submission.units = _units_of(main, files[main], submission.problems)
    base = PurePosixPath(main).parent
    for path in python[:SIBLING_CAP]:
        if path != main:  # sibling modules the main one may import, placed as they were
            relative = PurePosixPath(path).relative_to(base) if base != PurePosixPath(".") else path
            if ".." not in PurePosixPath(relative).parts:
                submission.files[str(relative)] = decode_source(files[path], [])
    return submission


def _read_folder(folder: Path) -> dict[str, bytes]:
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.suffix in (".py", ".ipynb"):
            with path.open("rb") as f:
                files[path.relative_to(folder).as_posix()] = f.read(FILE_CAP + 1)
    return files


def _read_zip(path: Path, problems: list[Problem]) -> dict[str, bytes]:
    files, total = {}, 0
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                name = PurePosixPath(info.filename)
                if info.is_dir() or ".." in name.parts or name.suffix not in (".py", ".ipynb"):
                    continue
                if "__MACOSX" in name.parts:
                    continue
                total += min(info.file_size, FILE_CAP + 1)
                if total > ZIP_CAP:
                    problems.append(
                        Problem(N_("The zip file unpacks to too much data; the rest was skipped."))
                    )
                    break
                with archive.open(info) as member:
                    files[name.as_posix()] = member.read(FILE_CAP + 1)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as error:
        problems.append(Problem(N_("The zip file could not be opened: {reason}"), {"reason": str(error)}))
    # A zip of one folder: grade that folder's content.
    tops = {PurePosixPath(p).parts[0] for p in files}
    if len(tops) == 1 and all(len(PurePosixPath(p).parts) > 1 for p in files):
        top = tops.pop()
        files = {str(PurePosixPath(p).relative_to(top)): data for p, data in files.items()}
    return files


def load(path: Path, sub_id: str | None = None) -> Submission:
    """One submission from a file, zip or folder."""
    path = Path(path)
    sub_id = sub_id or (path.name if path.is_dir() else path.stem)
    if path.is_dir():
        return _from_files(sub_id, str(path), _read_folder(path))
    if path.suffix == ".zip":
        problems: list[Problem] = []
        submission = _from_files(sub_id, str(path), _read_zip(path, problems))
        submission.problems[:0] = problems
        return submission
    submission = Submission(sub_id, str(path))
    try:
        with path.open("rb") as f:
            data = f.read(FILE_CAP + 1)
    except OSError as error:
        submission.problems.append(
            Problem(N_("The file could not be read: {reason}"), {"reason": str(error)})
        )
        return submission
    submission.units = _units_of(path.name, data, submission.problems)
    return submission


def _nbgrader_students(submitted: Path) -> list[Submission]:
    found = []
    for student in sorted(p for p in submitted.iterdir() if p.is_dir()):
        assignments = sorted(p for p in student.iterdir() if p.is_dir())
        target = assignments[0] if len(assignments) == 1 else student
        for assignment in assignments:
            if assignment.name == "backprop":
                target = assignment
        found.append(load(target, sub_id=student.name))
    return found


def _is_submission_folder(folder: Path) -> bool:
    """One student's folder (their module, or their one notebook), not a folder of submissions."""
    notebooks = [p for p in folder.iterdir() if p.is_file() and p.suffix == ".ipynb"]
    return (folder / MODULE_NAME).is_file() or len(notebooks) == 1


def discover(paths: list[Path]) -> list[Submission]:
    """Every submission under the given paths, in a stable order."""
    found: list[Submission] = []
    for path in map(Path, paths):
        if path.is_dir() and path.name == "submitted":
            found += _nbgrader_students(path)
        elif path.is_dir() and (path / "submitted").is_dir():
            found += _nbgrader_students(path / "submitted")
        elif path.is_dir() and not _is_submission_folder(path):
            for child in sorted(path.iterdir()):
                if child.name.startswith(".") or child.name.startswith("__"):
                    continue
                if child.is_dir() or child.suffix in (".py", ".ipynb", ".zip"):
                    found.append(load(child))
        else:
            found.append(load(path))
    return found
