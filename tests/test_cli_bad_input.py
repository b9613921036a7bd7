"""Every command against inputs a new user gets wrong: a clear `Error:`, a non-zero exit,
and never a Python traceback (issue 11)."""

from __future__ import annotations

import os
import re
import shutil
import traceback
from pathlib import Path

import pytest
from click.testing import CliRunner

from backprop_lab.cli import main

CORRECT = Path(__file__).parent / "corpus" / "correct" / "vectorised.py"


@pytest.fixture
def place(tmp_path) -> Path:
    """A working folder with the things the bad inputs point at."""
    (tmp_path / "a_file").write_text("x")
    (tmp_path / "empty").mkdir()
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "readme.txt").write_text("hi")
    (tmp_path / "class").mkdir()
    shutil.copy(CORRECT, tmp_path / "class" / "ada.py")
    shutil.copy(CORRECT, tmp_path / "class" / "bo.py")
    (tmp_path / "not_a_course").mkdir()
    courses = {
        "typo_table.toml": "[point]\nsigmoid = 5\n",
        "typo_key.toml": "[assignment]\nanswer_points = 10\n",
        "ten.toml": '[assignment]\nanswers_points = "ten"\n',
        "unknown_step.toml": '[assignment]\nsteps = ["sigmoidd"]\n',
        "syntax.toml": "[assignment\n",
        "duplicate.toml": "[points]\nsigmoid = 1\nsigmoid = 2\n",
        "no_module.toml": '[[custom_step]]\nid = "r"\npoints = 1\nmodule = "nowhere.py"\n'
        'title.en = "t"\ninstructions.en = "i"\n',
        "binary.toml": "\udcff",
    }
    for name, text in courses.items():
        (tmp_path / name).write_bytes(text.encode("utf-8", "surrogateescape"))
    rosters = {
        "evil.csv": b"../evil\n",
        "dups.csv": b"id\nada\nada\n",
        "binary.csv": b"\xff\xfe\x00\x01id\n",
        "empty.csv": b"",
    }
    for name, data in rosters.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "short.txt").write_text("too short")
    (tmp_path / "gen").mkdir()
    (tmp_path / "gen" / "backprop.py").write_text("# my own work\n")
    return tmp_path


COURSES = ["typo_table", "typo_key", "ten", "unknown_step", "syntax", "duplicate", "no_module", "binary"]
BAD = [
    *(["derive", "--student", s] for s in ("../x", "\x1b[2J", "a b", "")),
    ["derive", "--lang", "fr"],
    ["demo", "--out", "a_file"],
    ["grade", "nowhere", "--out", "out"],
    ["grade", "empty", "--out", "out"],
    ["grade", "texts", "--out", "out"],
    ["grade", "class", "--out", "a_file"],
    ["grade", "class", "--out", "a_file/sub"],
    ["grade", "--out", "out"],
    ["grade", "class"],
    *(["grade", "class", "--out", "out", "--jobs", j] for j in ("0", "-1", "two")),
    *(["grade", "class", "--out", "out", "--timeout", t] for t in ("-1", "0", "nan", "inf", "1e9")),
    ["grade", "class", "--out", "out", "--seed", "-1"],
    ["grade", "class", "--out", "out", "--shrink", "1"],
    *(["grade", "class", "--out", "out", "--secret-file", f] for f in ("nowhere", "empty", "short.txt")),
    ["grade", "class", "--out", "out", "--format", "pdf"],
    ["grade", "class", "--out", "out", "--lang", "fr"],
    ["grade", "class", "--out", "out", "--course", "nowhere.toml"],
    ["grade", "class", "--out", "out", "--course", "empty"],
    *(["grade", "class", "--out", "out", "--course", f"{c}.toml"] for c in COURSES),
    ["grade", "class", "--out", "out", "--gradebook", "not_a_course"],
    ["grade", "class", "--out", "out", "--gradebook", "a_file"],
    ["check", "class"],
    ["check", "empty"],
    ["check", "nowhere.py"],
    *(["check", "class/ada.py", "--course", f"{c}.toml"] for c in COURSES),
    *(["check", "class/ada.py", "--student", s] for s in ("../x", "\x1b[2J", "")),
    ["derive", "--student", "ada"],  # an answer key: needs the course secret
    ["derive", "--student", "ada", "--secret-file", "short.txt"],
    ["generate", "--out", "a_file"],
    ["generate", "--out", "gen", "--format", "py"],
    ["generate", "--out", "g2", "--format", "doc"],
    *(
        ["generate", "--out", "g2", "--roster", r]
        for r in ("evil.csv", "dups.csv", "binary.csv", "empty.csv")
    ),
    ["generate", "--out", "g2", "--roster", "empty"],
    *(["generate", "--out", "g2", "--course", f"{c}.toml"] for c in COURSES),
    ["notes", "--out", "a_file"],
    ["nosuchcommand"],
]


@pytest.mark.parametrize("args", BAD, ids=[" ".join(a).encode("unicode_escape").decode() for a in BAD])
def test_bad_input_gets_a_message_never_a_traceback(place, args, monkeypatch) -> None:
    monkeypatch.delenv("BACKPROP_LAB_SECRET", raising=False)
    cwd = os.getcwd()
    os.chdir(place)
    try:
        result = CliRunner().invoke(main, args)
    finally:
        os.chdir(cwd)
    shown = "".join(traceback.format_exception(result.exception)) if result.exception else ""
    assert isinstance(result.exception, SystemExit), shown
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output and "Error" in result.output, result.output
    assert not (place / "not_a_course" / "gradebook.db").exists()
    assert not (place / "evil.md").exists() and not (place / "g2" / "personal").exists()
    assert (place / "gen" / "backprop.py").read_text() == "# my own work\n"


def test_dry_run_lists_ids_and_grades_nothing(place) -> None:
    result = CliRunner().invoke(
        main, ["grade", str(place / "class"), "--out", str(place / "out"), "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["id", "found", "at", "problem"]
    assert [line.split()[0] for line in lines[2:4]] == ["ada", "bo"]
    assert "2 submission(s) would be graded." in result.output and not (place / "out").exists()


def test_the_table_has_headers_and_aligned_columns(place) -> None:
    (place / "class" / "eve.py").write_text("def sigmoid(z)\n    return z\n")
    result = CliRunner().invoke(main, ["grade", str(place / "class"), "--out", str(place / "out")])
    assert result.exit_code == 0, result.output
    table = result.output[re.search(r"submission +score", result.output).start() :]  # after the progress bar
    header, rule, *rows = table.split("\n\n")[0].splitlines()
    assert header.split()[:3] == ["submission", "score", "max"] and header.split()[-1] == "problem"
    assert len(rows[0].rstrip()) == len(rows[1].rstrip())  # two clean rows end in the same column
    starts = [i for i in range(len(header)) if header[i] != " " and (i == 0 or header[i - 1] == " ")]
    assert starts == [i for i in range(len(rule)) if rule[i] == "-" and (i == 0 or rule[i - 1] == " ")]
    assert all(row[starts[3]] == "✓" and row[starts[14]] == "✓" for row in rows[:2])  # steps 1 and 12
    assert rows[0].split()[:3] == ["ada", "100", "100"] and rows[2].split()[:3] == ["eve", "0", "100"]
    assert "SyntaxError" in rows[2] and "(line 1)" in rows[2]
