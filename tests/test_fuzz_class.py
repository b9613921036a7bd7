"""Hostile class folders, drawn by hypothesis, beside two correct submissions: the class always
grades to the end (issue 18). Names that are bytes (surrogates' encodings), controls, NFD/NFC and
case variants; zips with random flags and bytes; random notebook JSON; FIFOs; links; deep trees;
sparse files; huge numbers and strings in ANSWERS.

Discovery is cheap, so it is drawn often; grading costs ~0.3 s a submission, so few classes are
graded, through the command (with --format junit and gradescope, and --gradebook on a generated
nbgrader course), and every output is parsed by a real parser. Derandomised, no database: the
same classes every run.
"""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import html5lib
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from backprop_lab.cli import main
from backprop_lab.exercises.student_ids import printable
from backprop_lab.graders.submissions import SUFFIXES, discover
from tests.submissions import BASE
from tests.unreadable import remove

CORRECT = (b"zz_correct_a.py", b"zz_correct_b.py")
MEMORY_GROWTH_CAP = 400 * 1024  # KiB the grading process may grow by while grading one class
SPARSE_SIZE = 4 << 30
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # a failure is shown as drawn: shrinking a class takes minutes
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)

# ---------------------------------------------------------------- names

SPECIAL_STEMS = [
    b"\xed\xa0\x80",  # a surrogate's UTF-8 encoding: not UTF-8, a lone surrogate once decoded
    b"caf\xe9",
    unicodedata.normalize("NFC", "café").encode(),
    unicodedata.normalize("NFD", "café").encode(),
    b"CAF\xc3\x89",
    b"zz_CORRECT_a",
    b"x?",
    b"x_",
    b"x_-" + b"074ab178",
    b"=1+1",
    b"-rf",
    b"\x1b[31mred",
    b"a\nb",
    b"\t",
    b".hidden",
    b"__MACOSX",
    "王小明".encode(),
]
# Names whose layouts discovery refuses by design (a stray backprop.py, an nbgrader course
# beside strangers): tested in test_discovery_layouts, left out of the classes drawn here.
REFUSED_STEMS = (b"backprop", b"submitted", b"nbgrader_config", b"gradebook", b"source", b"release")
stems = st.one_of(
    st.sampled_from(SPECIAL_STEMS),
    st.text(st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1, max_size=10).map(
        str.encode
    ),
    st.binary(min_size=1, max_size=10),
).filter(lambda b: b"/" not in b and b"\x00" not in b and b not in (b".", b"..", *REFUSED_STEMS))

# ---------------------------------------------------------------- contents

ANSWER_VALUES = st.one_of(
    st.integers(min_value=-(10**400), max_value=10**400),
    st.sampled_from(["1e400", "-1e400", "float('nan')", "'x' * 1_000_000", "[[1.0] * 300] * 300", "True"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@st.composite
def answers_source(draw) -> bytes:
    values = draw(st.lists(ANSWER_VALUES, min_size=1, max_size=4))
    keys = ("dE_dW5", "dE_db3", "dE_da1", "dE_dW1")
    entries = ", ".join(f"{k!r}: {v}" for k, v in zip(keys, values, strict=False))
    return (BASE + f"\nANSWERS = {{{entries}}}\n").encode()


hostile_text = st.text(
    st.one_of(st.characters(), st.sampled_from(["\ud800", "\udfff", "\ufffe", "\x1b"])), max_size=20
)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), hostile_text),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@st.composite
def notebook(draw) -> bytes:
    cell = st.fixed_dictionaries(
        {
            "cell_type": st.sampled_from(["code", "markdown", 3]),
            "source": st.one_of(hostile_text, json_values),
        },
        optional={"metadata": json_values},
    )
    document = draw(st.one_of(json_values, st.fixed_dictionaries({"cells": st.lists(cell, max_size=4)})))
    if draw(st.booleans()):
        document = {"cells": [{"cell_type": "code", "source": BASE + "\n# \ud800 \ufffe"}]}
    return json.dumps(document).encode()  # ensure_ascii: surrogates travel as "\ud800" escapes


@st.composite
def zipped(draw) -> bytes:
    buffer = io.BytesIO()
    compression = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr(draw(st.sampled_from(["backprop.py", "x/backprop.py", "../backprop.py"])), BASE)
        if draw(st.booleans()):
            archive.writestr("helpers.py", draw(st.binary(max_size=64)))
    data = bytearray(buffer.getvalue())
    for header, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # general-purpose flags
        where = data.find(header)
        data[where + at] |= draw(st.integers(0, 255))
    for offset, value in draw(
        st.lists(st.tuples(st.integers(0, len(data) - 1), st.integers(0, 255)), max_size=6)
    ):
        data[offset] = value
    return bytes(data)


file_contents = st.one_of(
    st.binary(max_size=200),
    answers_source(),
    st.just(b"# coding: unicode_escape\nNAME = '\\ud800'\n" + BASE.encode()),
    st.just(BASE.encode()),
)


@st.composite
def member(draw) -> tuple:
    """(kind, stem, content): one thing in the class folder."""
    kind = draw(st.sampled_from(["py", "ipynb", "zip", "fifo", "link", "deep", "sparse", "folder"]))
    content = {
        "py": file_contents,
        "ipynb": notebook(),
        "zip": zipped(),
        "link": st.sampled_from(["correct", "dangling", "loop", "device"]),
        "deep": st.sampled_from([3, 30, 200]),  # 1000 levels: tests/test_unreadable_class.py
    }.get(kind, st.none())
    return kind, draw(stems), draw(content)


def write_member(folder: Path, kind: str, stem: bytes, content: object) -> bytes | None:
    """Writes one member; returns its name (bytes), or None when that name is taken."""
    suffix = {"py": b".py", "ipynb": b".ipynb", "zip": b".zip", "fifo": b".py", "link": b".py"}.get(kind, b"")
    name = stem + suffix
    path = os.path.join(os.fsencode(folder), name)
    if len(name) > 200 or os.path.lexists(path):
        return None
    if kind in ("py", "ipynb", "zip"):
        with open(path, "wb") as f:
            f.write(content)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "link":
        target = {
            "correct": os.path.join(os.fsencode(folder), CORRECT[0]),
            "dangling": b"/nonexistent/backprop.py",
            "loop": path,
            "device": b"/dev/zero",
        }[content]
        os.symlink(target, path)
    elif kind == "deep":
        os.mkdir(path)
        fd = os.open(path, os.O_RDONLY)
        for _ in range(content):
            os.mkdir("d", dir_fd=fd)
            below = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = below
        with open(os.open("backprop.py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as f:
            f.write(BASE)
        os.close(fd)
    else:  # a student's folder: the module, and beside it a helper (sparse, for "sparse")
        os.mkdir(path)
        with open(os.path.join(path, b"backprop.py"), "w") as f:
            f.write(BASE)
        with open(os.path.join(path, b"helper.py"), "wb") as f:
            if kind == "sparse":
                f.truncate(SPARSE_SIZE)
            else:
                f.write(b"X = 1\n")
    return name


def hostile_class(root: Path, members: list[tuple]) -> tuple[Path, list[bytes]]:
    folder = Path(tempfile.mkdtemp(dir=root))
    for name in CORRECT:
        (folder / os.fsdecode(name)).write_text(BASE)
    written = [name for m in members if (name := write_member(folder, *m)) is not None]
    return folder, written


def is_member(folder: Path, name: bytes) -> bool:
    """The documented rule (README, "Which files are graded"): what in a class is a submission."""
    path = folder / os.fsdecode(name)
    if name.startswith((b".", b"__")) or name == b"submitted":
        return False
    return path.is_symlink() or path.is_dir() or path.suffix in SUFFIXES


def valid_utf8(text: str) -> None:
    text.encode("utf-8")  # raises on a lone surrogate


# ---------------------------------------------------------------- discovery, drawn often


@settings(FUZZ, max_examples=60)
@given(members=st.lists(member(), min_size=1, max_size=5))
def test_discovery_accounts_for_every_member_of_a_hostile_class(tmp_path, members) -> None:
    folder, written = hostile_class(tmp_path, members)
    try:
        found = discover([folder])
        by_origin = {s.origin: s for s in found}
        ids = [s.id for s in found]
        assert len(set(ids)) == len(ids)
        assert len({i.casefold() for i in ids}) == len(ids)
        for name in [*CORRECT, *written]:
            if is_member(folder, name):
                assert printable(str(folder / os.fsdecode(name))) in by_origin, name
        for name in CORRECT:
            assert by_origin[str(folder / os.fsdecode(name))].units[0]["source"] == BASE
        for s in found:
            for text in (s.id, s.origin, s.name, *s.files, *s.files.values()):
                valid_utf8(text)
            for unit in s.units:
                valid_utf8(unit["name"] + unit["source"])
            for problem in s.problems:
                valid_utf8(problem.message.format(**problem.values))
            assert len(s.digest) == 64
        assert [s.id for s in discover([folder])] == ids  # stable between runs
        listed = CliRunner().invoke(main, ["grade", str(folder), "--out", str(tmp_path / "o"), "--dry-run"])
        assert listed.exit_code == 0 and listed.exception is None, listed.output
        assert f"{len(found)} submission(s) would be graded" in listed.output
    finally:
        remove(folder)


# ---------------------------------------------------------------- grading, drawn rarely


@pytest.fixture(scope="module")
def nbgrader_course(tmp_path_factory) -> Path | None:
    """A generated nbgrader course with its gradebook, for --gradebook (None without nbgrader)."""
    try:
        from tests.test_nbgrader import nbgrader
    except pytest.skip.Exception:
        return None
    from backprop_lab.exercises.generate import generate

    root = tmp_path_factory.mktemp("course")
    generate(root, formats=("nbgrader",))
    nbgrader(root / "nbgrader", "generate_assignment", "backprop")
    return root / "nbgrader"


def parse_every_output(out: Path, count: int) -> dict:
    written = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert len(written["submissions"]) == count
    assert len(ET.parse(out / "junit.xml").getroot()) == count
    assert len(list(csv.reader((out / "grades.csv").open(encoding="utf-8", newline="")))) == count + 1
    parser = html5lib.HTMLParser(strict=True)
    for page in [out / "report.html", *(out / "feedback").glob("*.html")]:
        parser.parse(page.read_bytes(), transport_encoding="utf-8")
    for document in (out / "gradescope").glob("*.json"):
        json.loads(document.read_text(encoding="utf-8"))
    assert len(list((out / "gradescope").glob("*.json"))) == count
    return written


@settings(FUZZ, max_examples=6)
@given(members=st.lists(member(), min_size=2, max_size=3))
def test_a_hostile_class_grades_to_the_end_with_every_output_valid(
    tmp_path, nbgrader_course, members
) -> None:
    folder, written = hostile_class(tmp_path, members)
    out = Path(tempfile.mkdtemp(dir=tmp_path))
    command = [
        "grade",
        str(folder),
        "--out",
        str(out),
        "--jobs",
        "1",
        "--format",
        "junit",
        "--format",
        "gradescope",
    ]
    if nbgrader_course is not None:
        command += ["--gradebook", str(nbgrader_course)]
    try:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        done = CliRunner().invoke(main, command)
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        assert done.exit_code == 0 and done.exception is None, done.output
        assert "Traceback" not in done.output
        assert grown < MEMORY_GROWTH_CAP
        found = discover([folder])
        outputs = parse_every_output(out, len(found))
        scores = {s["origin"]: s["score"] for s in outputs["submissions"]}
        assert [scores[str(folder / os.fsdecode(n))] for n in CORRECT] == [100.0, 100.0]
        if nbgrader_course is not None:
            from nbgrader.api import Gradebook

            with Gradebook(f"sqlite:///{nbgrader_course / 'gradebook.db'}") as gradebook:
                assert {s.id for s in found} <= {student.id for student in gradebook.students}
        checked = CliRunner().invoke(
            main, ["check", str(folder / os.fsdecode(written[0]))] if written else ["--help"]
        )
        assert checked.exit_code in (0, 1, 2) and "Traceback" not in checked.output
        assert checked.exception is None or isinstance(checked.exception, SystemExit), checked.output
    finally:
        remove(folder)
        remove(out)
