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
  submission (id: the file's stem, the folder's name); its `submitted/` is an nbgrader
  tree, but no tree deeper inside a member is: a member is one student, whatever it holds;
- a `.py`, `.ipynb` or `.zip` file: one submission, id its stem.
A path given that holds the module in several folders (none shallower) is an error: it
would grade several students as one; where a layout given is ambiguous, discovery stops
and says which path and what to do. Inside a class, nothing a member holds stops the
class: a member that cannot be read (several students in it, an nbgrader tree, a zip that
fails, any error at all) is a submission that "could not be read", with the reason.
Ids are made safe for file names, terminals and spreadsheets (`safe_id`) and unique by
construction (`_allocate_ids`); the name as found is kept. Symbolic links inside a
submission or a class folder are never followed: a student's folder that is a link to
another's would otherwise get the other's grade. Bytes are read by `reading` (regular
files only, bounded), and reading never raises for a broken file: the problem is
recorded for the student and the submission is graded on what could be read.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable
from contextlib import ExitStack
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from backprop_lab.exercises.assignments import DEFAULT, KNOWN
from backprop_lab.exercises.i18n import N_
from backprop_lab.exercises.student_ids import ID_CAP, printable, safe_id
from backprop_lab.graders.notebook import NotebookError, code_cells
from backprop_lab.graders.reading import (
    FILE_CAP,
    READ_CAP,
    Listing,
    NotRead,
    Problem,
    decode_source,
    list_folder,
    list_zip,
    open_zip,
    read_listed,
    read_regular,
    valid_text,
)

__all__ = [
    "FILE_CAP",
    "READ_CAP",
    "DiscoveryError",
    "Problem",
    "Submission",
    "decode_source",
    "discover",
    "load",
]

# Every assignment's module and notebook names are recognised, so work handed in for another
# assignment than the one graded is found and named, not scored as nothing (see `assignment`).
MODULE_NAMES = tuple(f"{name}.py" for name in KNOWN)
NOTEBOOK_NAMES = tuple(f"{name}.ipynb" for name in KNOWN)
ASSIGNMENT_FILES = MODULE_NAMES + NOTEBOOK_NAMES
# The assignment being graded (discover's): its module comes first where a submission holds several.
_graded: ContextVar[str] = ContextVar("graded assignment", default=DEFAULT)
SUFFIXES = (".py", ".ipynb", ".zip")  # what, in a class folder, is one submission
SIBLING_CAP = 50  # source files passed beside the main module
# Bytes the code handed to the sandbox may take, JSON-encoded as the worker protocol sends it
# (non-ASCII as \uXXXX): the protocol refuses a message over 4 MiB, and a refused load would
# score a correct module 0 for what lies beside it.
SOURCE_BUDGET = 3 * 1024 * 1024
UNREADABLE = N_("The submission could not be read: {reason}")


class DiscoveryError(ValueError):
    """The paths given cannot be graded as a class: nothing found, or a layout that is ambiguous."""


@dataclass
class Submission:
    id: str  # safe: letters, digits, `._-`; see safe_id
    origin: str  # where it was found, printable (undecodable bytes of a file name escaped)
    units: list[dict[str, str]] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    name: str = ""  # the name it was found under (escaped), from which the id was made
    assignment: str = ""  # the assignment whose module it holds, by the module's name ("": unnamed)

    @property
    def digest(self) -> str:
        """A content hash: the same code graded with the same seed gives the same result.
        (Text is valid Unicode by construction; surrogatepass keeps the hash total anyway.)"""
        h = hashlib.sha256(self.id.encode())
        for unit in self.units:
            h.update(b"\0unit\0" + _bytes(unit["name"]) + b"\0" + _bytes(unit["source"]))
        for name in sorted(self.files):
            h.update(b"\0file\0" + _bytes(name) + b"\0" + _bytes(self.files[name]))
        return h.hexdigest()

    @property
    def readable(self) -> bool:
        """Whether any code could be read from it."""
        return bool(self.units)


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def unreadable(path: Path, name: str, reason: str) -> Submission:
    """A member that could not be read: graded on nothing, with the reason, never stopping the class."""
    submission = Submission(safe_id(name), printable(str(path)), name=printable(name))
    submission.problems.append(Problem(UNREADABLE, {"reason": valid_text(reason, [])[:500]}))
    return submission


def _contained(path: Path, name: str, build: Callable[[], Submission]) -> Submission:
    """build(), or, whatever it raises, the member as a submission that could not be read."""
    try:
        return build()
    except DiscoveryError as error:
        return unreadable(path, name, str(error))
    except Exception as error:
        return unreadable(path, name, f"{type(error).__name__}: {error}")


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
        # a notebook's JSON may escape lone surrogates ("\ud800"): the one decoding rule again
        return [{"name": cell["name"], "source": valid_text(cell["source"], problems)} for cell in cells]
    if not text.strip():
        problems.append(Problem(N_("The file is empty.")))
    return [{"name": PurePosixPath(name).name, "source": text}]


def _main_of(paths: list[str], problems: list[Problem]) -> str | None:
    """Which listed file is the assignment's module, from the names alone (before any is read)."""
    python = sorted(p for p in paths if p.endswith(".py"))
    notebooks = sorted(p for p in paths if p.endswith(".ipynb") and ".ipynb_checkpoints" not in p)
    ours = f"{_graded.get()}.py"
    modules = [p for p in python if PurePosixPath(p).name in MODULE_NAMES]
    # the graded assignment's module first, then the shallowest
    main = min(
        modules, key=lambda p: (PurePosixPath(p).name != ours, len(PurePosixPath(p).parts), p), default=None
    )
    if main is None and len(python) == 1:
        main = python[0]
    if main is None and notebooks:
        main = notebooks[0]
        if len(notebooks) > 1:
            problems.append(Problem(N_("Several notebooks were found; {name} was graded."), {"name": main}))
    if main is None:
        problems.append(
            Problem(
                N_("No {module} or notebook was found in the submission."), {"module": f"{_graded.get()}.py"}
            )
        )
    return main


def _from_listing(sub_id: str, origin: str, listing: Listing, archive=None) -> Submission:
    """A submission from a folder's or zip's listing: the module read (truncated past the cap),
    the modules beside it that it may import read whole or not at all."""
    submission = Submission(sub_id, origin, problems=listing.problems)
    main = _main_of(list(listing.paths), submission.problems)
    if main is None:
        return submission
    if PurePosixPath(main).stem in KNOWN:
        submission.assignment = PurePosixPath(main).stem
    data = read_listed(listing, main, archive)
    if data is not None:
        submission.units = _units_of(main, data, submission.problems)
    spent = sum(_encoded(unit["source"]) for unit in submission.units)
    base = PurePosixPath(main).parent
    helpers = [p for p in listing.paths if p.endswith(".py") and p != main]
    for path in helpers[:SIBLING_CAP]:
        # modules the main one may import, placed as they were; nothing outside its folder
        if PurePosixPath(path).is_relative_to(base):
            data = read_listed(listing, path, archive, whole=True)
            if data is None:
                continue
            text = decode_source(data, submission.problems)
            spent += _encoded(text)
            if spent > SOURCE_BUDGET:
                submission.problems.append(
                    Problem(
                        N_("{name} was not passed to your code: the submission's code is over {cap} bytes."),
                        {"name": printable(path), "cap": str(SOURCE_BUDGET)},
                    )
                )
                continue
            submission.files[str(PurePosixPath(path).relative_to(base))] = text
    return submission


def _encoded(text: str) -> int:
    """Bytes text takes in the worker protocol's JSON (exact for ASCII, counted for the rest)."""
    return len(text) + 16 if text.isascii() else len(json.dumps(text))


def _one_folder(listing: Listing) -> Listing:
    """A zip of one folder: grade that folder's content."""
    tops = {PurePosixPath(p).parts[0] for p in listing.paths}
    if len(tops) == 1 and all(len(PurePosixPath(p).parts) > 1 for p in listing.paths):
        top = tops.pop()
        listing.paths = {str(PurePosixPath(p).relative_to(top)): info for p, info in listing.paths.items()}
    return listing


def _module_folders(listing: Listing) -> list[str]:
    """The folders, inside a submission, holding the assignment's module at the shallowest depth.

    More than one means several students' work (or versions) in one submission."""
    modules = [
        PurePosixPath(n) for n in listing.paths if PurePosixPath(n).name in ASSIGNMENT_FILES
    ]
    shallowest = min((len(m.parts) for m in modules), default=0)
    return sorted({m.parent.as_posix() for m in modules if len(m.parts) == shallowest})


def _refuse_several(path: Path, listing: Listing) -> None:
    folders = _module_folders(listing)
    if len(folders) > 1:
        shown = ", ".join(f"{printable(f)}/" for f in folders[:5]) + (", ..." if len(folders) > 5 else "")
        raise DiscoveryError(
            f"{printable(str(path))} would be graded as one student, but it holds an assignment's module "
            f"or notebook in {len(folders)} folders ({shown}): if they are different students, "
            "give each a folder or file of their own in the class; if they are versions of one "
            "student's work, keep one"
        )


def _read(path: Path, sub_id: str, name: str, several: bool) -> Submission:
    """One file, zip or folder as a submission; several=True: refuse one holding several students."""
    origin = printable(str(path))
    if path.is_dir():  # a link among members never gets here (see _member)
        listing = list_folder(path)
        if several:
            _refuse_several(path, listing)
        submission = _from_listing(sub_id, origin, listing)
    elif path.suffix == ".zip":
        opened = ExitStack()
        try:
            archive = opened.enter_context(open_zip(path))
        except NotRead as refused:
            return _with_problem(Submission(sub_id, origin), refused.problem, name)
        except Exception as error:  # BadZipFile, OSError, a lying header, ...
            problem = Problem(N_("The zip file could not be opened: {reason}"), {"reason": str(error)[:300]})
            return _with_problem(Submission(sub_id, origin), problem, name)
        with opened:
            listing = list_zip(archive)
            if several:
                _refuse_several(path, listing)
            submission = _from_listing(sub_id, origin, _one_folder(listing), archive)
    else:
        submission = Submission(sub_id, origin)
        try:
            data = read_regular(path)
        except NotRead as refused:
            return _with_problem(submission, refused.problem, name)
        except OSError as error:
            problem = Problem(N_("The file could not be read: {reason}"), {"reason": str(error)})
            return _with_problem(submission, problem, name)
        submission.units = _units_of(printable(path.name), data, submission.problems)
    submission.name = printable(name)
    return submission


def _with_problem(submission: Submission, problem: Problem, name: str) -> Submission:
    submission.problems.append(problem)
    submission.name = printable(name)
    return submission


def load(path: Path, sub_id: str | None = None) -> Submission:
    """One submission from a file, zip or folder; its id is made safe (see safe_id). Never raises."""
    path = Path(path)
    name = sub_id or (path.name if path.is_dir() else path.stem)
    return _contained(path, name, lambda: _read(path, safe_id(name), name, several=False))


def _one_student(path: Path, sub_id: str | None = None) -> Submission:
    """One student's file, zip or folder; refused (DiscoveryError) when it holds several students'
    modules, or an nbgrader tree instead of a module."""
    name = sub_id or (path.name if path.is_dir() else path.stem)
    if path.is_dir() and (path / "submitted").is_dir() and not is_student_folder(path):
        raise DiscoveryError(
            f"{printable(str(path))} holds an nbgrader tree (submitted/), which is not looked into "
            "inside a class: if it is a course, give its path to grade"
        )
    return _read(path, safe_id(name), name, several=True)


def _given(path: Path) -> Submission:
    """A file given on its own: an ambiguous layout is refused (DiscoveryError), the rest contained."""
    try:
        return _one_student(path)
    except DiscoveryError:
        raise
    except Exception as error:
        return unreadable(path, path.stem, f"{type(error).__name__}: {error}")


def _member(path: Path, sub_id: str | None = None) -> Submission:
    """A class member, contained: whatever its bytes do, a submission comes back."""
    name = sub_id or (path.name if path.is_dir() else path.stem)
    if path.is_symlink():
        return _linked(path, name)
    return _contained(path, name, lambda: _one_student(path, sub_id))


def _linked(path: Path, sub_id: str) -> Submission:
    """A student entry that is a symbolic link: reported and graded on nothing, never followed."""
    submission = Submission(safe_id(sub_id), printable(str(path)), name=printable(sub_id))
    submission.problems.append(
        Problem(N_("{name} is a symbolic link; links are not followed."), {"name": printable(path.name)})
    )
    return submission


def _nbgrader_students(submitted: Path) -> list[Submission]:
    found = []
    for student in sorted(p for p in submitted.iterdir() if p.is_dir() or p.is_symlink()):
        found.append(_contained(student, student.name, lambda student=student: _nbgrader_student(student)))
    return found


def _nbgrader_student(student: Path) -> Submission:
    if student.is_symlink():
        return _linked(student, student.name)
    assignments = sorted(p for p in student.iterdir() if p.is_dir() or p.is_symlink())
    target = assignments[0] if len(assignments) == 1 else student
    for assignment in assignments:
        if assignment.name == _graded.get():
            target = assignment
    if target.is_symlink():
        return _linked(target, student.name)
    return _one_student(target, sub_id=student.name)


def is_student_folder(folder: Path) -> bool:
    """One student's folder: it holds the assignment's module. Any other folder is a class."""
    return any((folder / name).is_file() for name in ASSIGNMENT_FILES)


def _class_members(folder: Path) -> list[Path]:
    return [
        child
        for child in sorted(folder.iterdir())
        if not child.name.startswith((".", "__"))
        and (child.is_symlink() or child.is_dir() or child.suffix in SUFFIXES)
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
        text = decode_source(read_regular(path), [])
        return "\n".join(c["source"] for c in code_cells(text)) if path.suffix == ".ipynb" else text
    except (OSError, NotRead, NotebookError):
        return ""


def _defined(text: str) -> set[str]:
    """Names of the functions a module defines, at any depth (a `def` under `if True:` counts);
    code that does not parse: every line that starts a `def`, however indented."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set(re.findall(r"^[ \t]*(?:async[ \t]+)?def[ \t]+(\w+)", text, re.MULTILINE))
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def _imported(text: str) -> set[str]:
    """Every name on an import line: more than the modules imported, never fewer."""
    lines = re.findall(r"^[ \t]*(?:import|from)[ \t].*$", text, re.MULTILINE)
    return set(re.findall(r"\w+", "\n".join(lines)))


def _module_of(folder: Path) -> Path:
    """A student folder's module: the graded assignment's (`backprop.py`, else `backprop.ipynb`),
    else another assignment's."""
    graded = _graded.get()
    names = (f"{graded}.py", f"{graded}.ipynb", *ASSIGNMENT_FILES)
    return next((folder / n for n in names if (folder / n).is_file()), folder / names[0])


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
        if child.name in ASSIGNMENT_FILES or child.is_symlink():
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
    """A folder holding `submitted/`: an nbgrader course, or a class holding an nbgrader tree."""
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
    """Every member of a class folder, each contained; its own `submitted/` gives its students."""
    found: list[Submission] = []
    for child in _class_members(folder):
        if child.name == "submitted" and _holds_nbgrader_tree(child):
            found += _nbgrader_students(child)
        else:
            found.append(_member(child))
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
    return [_given(path)]


def _key(sub_id: str) -> str:
    """Ids that are one on a case-insensitive disk or after Unicode normalisation are one."""
    return unicodedata.normalize("NFKC", sub_id).casefold()


def _allocate_ids(found: list[Submission]) -> None:
    """Ids unique by construction and stable between runs: a submission whose name is its id
    keeps it (the first, in discovery order, among equal ones); every other one gets
    `<id>-<8 hex digits>` from its name, checked against every id taken (a file may be named
    after another's suffixed id), and told so."""
    taken: set[str] = set()
    later = []
    for submission in found:
        if submission.name in ("", submission.id) and _key(submission.id) not in taken:
            taken.add(_key(submission.id))
        else:
            later.append(submission)
    for submission in later:
        made = submission.id
        if _key(made) not in taken:
            taken.add(_key(made))
            continue
        for attempt in range(1_000_000):
            seed = f"{submission.name}\0{attempt}" if attempt else submission.name
            candidate = f"{made[: ID_CAP - 9]}-{hashlib.sha256(_bytes(seed)).hexdigest()[:8]}"
            if _key(candidate) not in taken:
                break
        taken.add(_key(candidate))
        submission.id = candidate
        submission.problems.append(
            Problem(
                N_(
                    "Its name {name} makes the id {made}, as another submission's does; "
                    "it was graded as {id}."
                ),
                {"name": submission.name, "made": made, "id": submission.id},
            )
        )


def discover(paths: list[Path], assignment: str = DEFAULT) -> list[Submission]:
    """Every submission under the given paths, in a stable order, each id once.

    Raises DiscoveryError when nothing is found or a path given would grade several students'
    work as one submission (it says which and what to do); inside a class, a member that
    cannot be read is a submission that says why. Where a submission holds the modules of
    several assignments, `assignment`'s is graded."""
    token = _graded.set(assignment)
    try:
        found = [submission for path in paths for submission in _found_in(Path(path))]
    finally:
        _graded.reset(token)
    if not found:
        shown = ", ".join(printable(str(p)) for p in paths)
        raise DiscoveryError(
            f"no submissions found in {shown}: expected .py, .ipynb or .zip files, student folders "
            "or an nbgrader submitted/ tree"
        )
    _allocate_ids(found)
    return found
