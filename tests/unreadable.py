"""The unreadable kinds git cannot store, built at test time (see tests/corpus/unreadable/README.md)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from tests.submissions import BASE

CORPUS = Path(__file__).parent / "corpus" / "unreadable"
SPARSE_SIZE = 8 << 30


def fifo(folder: Path) -> None:
    """A FIFO named like a submission: opening it to read would block forever."""
    os.mkfifo(folder / "pipe.py")


def deep_folder(folder: Path, depth: int = 1000) -> None:
    """A student folder 1000 levels deep, the module at the bottom (os.walk: RecursionError)."""
    fd = os.open(folder, os.O_RDONLY)
    for level in range(depth):
        name = "d" if level else "deep"
        os.mkdir(name, dir_fd=fd)
        below = os.open(name, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = below
    with open(os.open("backprop.py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as f:
        f.write(BASE)
    os.close(fd)


def sparse_helper(folder: Path) -> None:
    """A correct student folder beside an 8 GiB sparse helper: the correct code must count."""
    (folder / "sam").mkdir()
    (folder / "sam" / "backprop.py").write_text(BASE)
    with open(folder / "sam" / "helper.py", "wb") as f:
        f.truncate(SPARSE_SIZE)


def names_not_utf8(folder: Path) -> None:
    """Correct files under names that are bytes, not UTF-8 (one the encoding of a surrogate)."""
    for name in (b"caf\xe9.py", b"sur\xed\xa0\x80.py"):
        with open(os.path.join(os.fsencode(folder), name), "w") as f:
            f.write(BASE)


def suffixed_ids(folder: Path) -> None:
    """x?.py makes x_, which x_.py is; x_-<the suffix x? would get>.py takes that suffixed id."""
    suffix = hashlib.sha256(b"x?").hexdigest()[:8]
    for name in ("x?.py", "x_.py", f"x_-{suffix}.py"):
        (folder / name).write_text(BASE)


def tree_inside_a_student(folder: Path) -> None:
    """mallory's folder holds submitted/carol/...: it must not make carol a student."""
    module = folder / "mallory" / "submitted" / "carol" / "backprop" / "backprop.py"
    module.parent.mkdir(parents=True)
    module.write_text("# mallory's code under carol's name\n" + BASE)


BUILT = (fifo, deep_folder, sparse_helper, names_not_utf8, suffixed_ids, tree_inside_a_student)


def unreadable_members(folder: Path) -> None:
    """Every unreadable kind, stored and built, into a class folder (18 members)."""
    for path in sorted(CORPUS.iterdir()):
        if path.suffix in (".py", ".ipynb", ".zip") and path.stem != "stray_stub_if_true":
            shutil.copy(path, folder / path.name)
    for build in BUILT:
        build(folder)


def hostile_class(folder: Path) -> None:
    """Every unreadable kind in one class folder, and two correct submissions."""
    folder.mkdir(parents=True)
    unreadable_members(folder)
    for name in ("zz_correct_a.py", "zz_correct_b.py"):
        (folder / name).write_text(BASE)


def remove(folder: Path) -> None:
    """rm -rf: shutil.rmtree recurses on the Python stack, and a 1000-level folder exhausts it."""
    subprocess.run(["rm", "-rf", str(folder)], check=True)
