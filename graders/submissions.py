"""Finding submissions and reading their code, whatever shape they arrive in.

The discovery rules (README, "Which files are graded"): a path given is
- an nbgrader tree (`submitted/` or a folder holding one): one submission per
  `submitted/<student>/`, id `<student>`, graded on its `backprop/` folder; a folder
  holding `submitted/` beside anything nbgrader does not put there is a class (below)
  if it has none of nbgrader's own files, else an error;
- a folder holding the assignment's module (`backprop.py` or `backprop.ipynb`): one
  student's folder, id the folder's name, other `.py` files beside it are modules it
  may import; an error if other students' submissions seem to lie beside it;
- any other folder: a class, every `.py`, `.ipynb`, `.zip` and folder in it is one
  submission (id: the file's stem, the folder's name), but a nested nbgrader tree
  gives its students;
- a `.py`, `.ipynb` or `.zip` file: one submission, id its stem.
A folder or zip graded as one student that holds the module in several folders (none
shallower) is an error: it would grade several students as one. Discovery never
silently merges or drops students; where a layout is ambiguous it stops and says
which path and what to do.
Ids are made safe for file names, terminals and spreadsheets (`safe_id`); the name as
found is kept. Two submissions with one id are an error naming both. Symbolic links
inside a submission or a class folder are never followed: a student's folder that is
a link to another's would otherwise get the other's grade. Reading never raises for
a broken file: the problem is recorded for the student and the submission is graded
on what could be read.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import tokenize
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from backprop_lab.exercises.i18n import N_
from backprop_lab.exercises.student_ids import ID_CAP, printable, safe_id
from backprop_lab.graders.notebook import NotebookError, code_cells

MODULE_NAME = "backprop.py"
MODULE_NOTEBOOK = "backprop.ipynb"
SUFFIXES = (".py", ".ipynb", ".zip")  # what, in a class folder, is one submission


class DiscoveryError(ValueError):
    """The paths given cannot be graded as a class: nothing found, or two students with one id."""


FILE_CAP = 2 * 1024 * 1024  # bytes of one source file that are read
READ_CAP = 16 * 1024 * 1024  # bytes of code read from one submission, a zip's or a folder's
SIBLING_CAP = 50  # source files passed beside the main module


@dataclass
class Problem:
    """Something wrong with the file itself, said to the student (message id + values)."""

    message: str
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class Submission:
    id: str  # safe: letters, digits, `._-`; see safe_id
    origin: str  # where it was found, printable (undecodable bytes of a file name escaped)
    units: list[dict[str, str]] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    name: str = ""  # the name it was found under (escaped), from which the id was made

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
            cells = code_cells(text)
        except NotebookError as error:
            problems.append(Problem(N_("The notebook could not be read: {reason}"), {"reason": str(error)}))
            return []
        if not any(cell["source"].strip() for cell in cells):
            problems.append(Problem(N_("The notebook has no code.")))
        return cells
    if not text.strip():
        problems.append(Problem(N_("The file is empty.")))
    return [{"name": PurePosixPath(name).name, "source": text}]


def _from_files(sub_id: str, origin: str, files: dict[str, bytes]) -> Submission:
    """A submission from a folder's files (relative POSIX paths → bytes)."""
    submission = Submission(sub_id, origin)
    python = sorted(p for p in files if p.endswith(".py"))
    notebooks = sorted(p for p in files if p.endswith(".ipynb") and ".ipynb_checkpoints" not in p)
    modules = [p for p in python if PurePosixPath(p).name == MODULE_NAME]
    main = min(modules, key=lambda p: (len(PurePosixPath(p).parts), p), default=None)  # the shallowest
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
        # modules the main one may import, placed as they were; nothing outside its folder
        if path != main and PurePosixPath(path).is_relative_to(base):
            submission.files[str(PurePosixPath(path).relative_to(base))] = decode_source(files[path], [])
    return submission


def _skip_link(path: Path, problems: list[Problem]) -> None:
    problems.append(
        Problem(N_("{name} is a symbolic link; links are not followed."), {"name": printable(path.name)})
    )


def _read_folder(folder: Path, problems: list[Problem]) -> dict[str, bytes]:
    """Code files under folder, READ_CAP bytes in all; symbolic links are skipped and reported."""
    files, total = {}, 0
    for root, dirs, names in os.walk(folder):  # os.walk never descends into a linked folder
        here = Path(root)
        for name in sorted(dirs):
            if (here / name).is_symlink():
                _skip_link(here / name, problems)
        for name in sorted(names):
            path = here / name
            if path.suffix not in (".py", ".ipynb"):
                continue
            if path.is_symlink():
                _skip_link(path, problems)
            elif path.is_file():
                with path.open("rb") as f:
                    data = f.read(min(FILE_CAP + 1, READ_CAP - total + 1))
                total += len(data)
                if total > READ_CAP:
                    problems.append(Problem(N_("The submission holds too much code; the rest was skipped.")))
                    return dict(sorted(files.items()))
                relative = path.relative_to(folder).as_posix()
                files[os.fsencode(relative).decode("utf-8", "replace")] = data
    return dict(sorted(files.items()))


def _is_link(info: zipfile.ZipInfo) -> bool:
    """A zip may store symbolic links (unix mode S_IFLNK); their content is a path, never code."""
    return stat.S_ISLNK(info.external_attr >> 16)


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
                if _is_link(info):
                    problems.append(
                        Problem(
                            N_("{name} is a symbolic link; links are not followed."),
                            {"name": printable(str(name))},
                        )
                    )
                    continue
                total += min(info.file_size, FILE_CAP + 1)
                if total > READ_CAP:
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
    """One submission from a file, zip or folder; its id is made safe (see safe_id)."""
    path = Path(path)
    name = sub_id or (path.name if path.is_dir() else path.stem)
    sub_id, origin = safe_id(name), printable(str(path))
    if path.is_dir() or path.suffix == ".zip":
        problems: list[Problem] = []
        read = _read_folder(path, problems) if path.is_dir() else _read_zip(path, problems)
        submission = _from_files(sub_id, origin, read)
        submission.name = printable(name)
        submission.problems[:0] = problems
        return submission
    submission = Submission(sub_id, origin, name=printable(name))
    try:
        with path.open("rb") as f:
            data = f.read(FILE_CAP + 1)
    except OSError as error:
        submission.problems.append(
            Problem(N_("The file could not be read: {reason}"), {"reason": str(error)})
        )
        return submission
    submission.units = _units_of(printable(path.name), data, submission.problems)
    return submission


def _linked(path: Path, sub_id: str) -> Submission:
    """A student entry that is a symbolic link: reported and graded on nothing, never followed."""
    submission = Submission(safe_id(sub_id), printable(str(path)), name=printable(sub_id))
    _skip_link(path, submission.problems)
    return submission


def _module_folders(path: Path) -> list[str]:
    """The folders, inside a submission, holding the assignment's module at the shallowest depth.

    More than one means several students' work (or versions) in one submission."""
    if path.is_dir():
        names = [
            (Path(root) / name).relative_to(path).as_posix()
            for root, _, files in os.walk(path)  # never into a linked folder
            for name in files
        ]
    elif path.suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                names = [n for n in archive.namelist() if "__MACOSX" not in PurePosixPath(n).parts]
        except (zipfile.BadZipFile, OSError, ValueError):
            return []  # reported to the student when the zip is read
    else:
        return []
    modules = [PurePosixPath(n) for n in names if PurePosixPath(n).name in (MODULE_NAME, MODULE_NOTEBOOK)]
    shallowest = min((len(m.parts) for m in modules), default=0)
    return sorted({m.parent.as_posix() for m in modules if len(m.parts) == shallowest})


def _one_student(path: Path, sub_id: str | None = None) -> Submission:
    """One student's file, zip or folder; refused when it holds several students' modules."""
    folders = _module_folders(path)
    if len(folders) > 1:
        shown = ", ".join(f"{printable(f)}/" for f in folders[:5]) + (", ..." if len(folders) > 5 else "")
        raise DiscoveryError(
            f"{printable(str(path))} would be graded as one student, but it holds {MODULE_NAME} or "
            f"{MODULE_NOTEBOOK} in {len(folders)} folders ({shown}): if they are different students, "
            "give each a folder or file of their own in the class; if they are versions of one "
            "student's work, keep one"
        )
    return load(path, sub_id)


def _nbgrader_students(submitted: Path) -> list[Submission]:
    found = []
    for student in sorted(p for p in submitted.iterdir() if p.is_dir() or p.is_symlink()):
        if student.is_symlink():
            found.append(_linked(student, student.name))
            continue
        assignments = sorted(p for p in student.iterdir() if p.is_dir() or p.is_symlink())
        target = assignments[0] if len(assignments) == 1 else student
        for assignment in assignments:
            if assignment.name == "backprop":
                target = assignment
        if target.is_symlink():
            found.append(_linked(target, student.name))
        else:
            found.append(_one_student(target, sub_id=student.name))
    return found


def is_student_folder(folder: Path) -> bool:
    """One student's folder: it holds the assignment's module. Any other folder is a class."""
    return any((folder / name).is_file() for name in (MODULE_NAME, MODULE_NOTEBOOK))


def _class_members(folder: Path) -> list[Path]:
    return [
        child
        for child in sorted(folder.iterdir())
        if not child.name.startswith((".", "__"))
        and (child.is_dir() or child.is_symlink() or child.suffix in SUFFIXES)
    ]


def _holds_nbgrader_tree(folder: Path) -> bool:
    """A folder named `submitted`, or holding one (never through a symbolic link)."""
    tree = folder if folder.name == "submitted" else folder / "submitted"
    return tree.is_dir() and not tree.is_symlink()


# What nbgrader itself keeps in a course folder beside `submitted/`: none of it is a student.
NBGRADER_OWN = ("source", "release", "autograded", "feedback", "solution", "downloaded", "nbgrader_config.py")
NBGRADER_MARKS = (*NBGRADER_OWN, "gradebook.db")


def _shown(paths: list[Path]) -> str:
    return ", ".join(printable(p.name) for p in paths[:5]) + (", ..." if len(paths) > 5 else "")


def _code_text(path: Path) -> str:
    """A file's code as text, for comparing names only (never run); '' when it cannot be read."""
    try:
        with path.open("rb") as f:
            text = decode_source(f.read(FILE_CAP + 1), [])
        return "\n".join(c["source"] for c in code_cells(text)) if path.suffix == ".ipynb" else text
    except (OSError, NotebookError):
        return ""


def _defined(text: str) -> set[str]:
    """Names of the top-level functions (a regular expression: it also works on broken code)."""
    return set(re.findall(r"^def\s+(\w+)", text, re.MULTILINE))


def _imported(text: str) -> set[str]:
    """Every name on an import line: more than the modules imported, never fewer."""
    lines = re.findall(r"^[ \t]*(?:import|from)[ \t].*$", text, re.MULTILINE)
    return set(re.findall(r"\w+", "\n".join(lines)))


def _module_of(folder: Path) -> Path:
    """A student folder's module: `backprop.py`, else `backprop.ipynb`."""
    return folder / MODULE_NAME if (folder / MODULE_NAME).is_file() else folder / MODULE_NOTEBOOK


def _classmates(folder: Path) -> list[Path]:
    """What, beside a folder's assignment module, looks like other students' submissions.

    A zip, a student's folder or an nbgrader tree; a module or notebook the assignment's
    module does not import that defines functions it defines too (or, when it defines none,
    any function): an instructor's stub or a student's file copied in among classmates.
    Helpers it imports, and scripts of other functions (a student's own tests), are not."""
    text = _code_text(_module_of(folder))
    defined, imported = _defined(text), _imported(text)
    found = []
    for child in _class_members(folder):
        if child.name in (MODULE_NAME, MODULE_NOTEBOOK) or child.is_symlink():
            continue
        if child.is_dir():
            if is_student_folder(child) or _holds_nbgrader_tree(child):
                found.append(child)
        elif child.suffix == ".zip":
            found.append(child)
        elif child.stem not in imported:
            theirs = _defined(_code_text(child))
            if theirs & defined if defined else theirs:
                found.append(child)
    return found


def _student_folder(folder: Path) -> Submission:
    """A folder given that holds the assignment's module: one student, unless it is a class."""
    others = _classmates(folder)
    if others:
        module = _module_of(folder).name
        raise DiscoveryError(
            f"{printable(str(folder))} holds {module}, so it would be graded as one student, but it also "
            f"holds what look like other students' submissions ({_shown(others)}): if it is a class, move "
            f"{module} out of it (an instructor's copy) or rename it after its student; if it is one "
            "student's folder, move the others out of it"
        )
    return _one_student(folder)


def _course(folder: Path) -> list[Submission]:
    """A folder holding `submitted/`: an nbgrader course, or a class with a nested nbgrader tree."""
    others = [c for c in _class_members(folder) if c.name != "submitted" and c.name not in NBGRADER_OWN]
    if not others:
        return _nbgrader_students(folder / "submitted")
    marks = [name for name in NBGRADER_MARKS if (folder / name).exists()]
    if marks:
        raise DiscoveryError(
            f"{printable(str(folder))} is an nbgrader course (it holds submitted/ and {marks[0]}), "
            f"but it also holds {_shown(others)}, which nbgrader does not put there: grade "
            f"{printable(str(folder / 'submitted'))} for the course's students, and give any other "
            "submission as a path of its own"
        )
    return _class(folder)


def _class(folder: Path) -> list[Submission]:
    found: list[Submission] = []
    for child in _class_members(folder):
        if child.is_symlink():
            found.append(_linked(child, child.name))
        elif child.is_dir() and _holds_nbgrader_tree(child):
            found += _found_in(child)  # a nested nbgrader tree: its students, each under their own id
        elif child.is_dir():
            found.append(_one_student(child))
        else:
            found.append(_one_student(child))
    return found


def _found_in(path: Path) -> list[Submission]:
    """The submissions one path given holds (the rules of the module's docstring, in order)."""
    if path.is_dir() and path.name == "submitted":
        return _nbgrader_students(path)
    if path.is_dir() and (path / "submitted").is_dir():
        return _course(path)
    if path.is_dir() and is_student_folder(path):
        return [_student_folder(path)]
    if path.is_dir():
        return _class(path)
    return [_one_student(path)]


def _separate_made_ids(found: list[Submission]) -> None:
    """Give a submission whose id was made from another name (`bob?` → `bob_`) an id of its
    own where it meets another's, so no file name can take a classmate's id or stop the
    class; two submissions under one name (x.py and x.ipynb) are left for discover to refuse."""
    count: dict[str, int] = {}
    for submission in found:
        count[submission.id] = count.get(submission.id, 0) + 1
    for submission in found:
        if count[submission.id] > 1 and submission.name and submission.name != submission.id:
            made = submission.id
            suffix = hashlib.sha256(submission.name.encode()).hexdigest()[:8]
            submission.id = f"{made[: ID_CAP - 9]}-{suffix}"
            submission.problems.append(
                Problem(
                    N_(
                        "Its name {name} makes the id {made}, as another submission's does; "
                        "it was graded as {id}."
                    ),
                    {"name": submission.name, "made": made, "id": submission.id},
                )
            )


def discover(paths: list[Path]) -> list[Submission]:
    """Every submission under the given paths, in a stable order, each id once.

    Raises DiscoveryError when nothing is found, two submissions have one id, or a path
    would grade several students' work as one submission (it says which and what to do)."""
    found = [submission for path in paths for submission in _found_in(Path(path))]
    if not found:
        shown = ", ".join(printable(str(p)) for p in paths)
        raise DiscoveryError(
            f"no submissions found in {shown}: expected .py, .ipynb or .zip files, student folders "
            "or an nbgrader submitted/ tree"
        )
    _separate_made_ids(found)
    first: dict[str, Submission] = {}
    for submission in found:
        other = first.setdefault(submission.id, submission)
        if other is not submission:
            raise DiscoveryError(
                f"two submissions have the id {submission.id!r}: {other.origin} and {submission.origin}; "
                "rename one of them"
            )
    return found
