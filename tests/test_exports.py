"""Canvas and Moodle imports from a real run: the files are checked cell by cell against the
formats the two systems document (Canvas's gradebook export; Moodle's CSV grade import)."""

from __future__ import annotations

import csv
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from backprop_lab import atomic
from backprop_lab.cli import main
from backprop_lab.grade_class import grade_paths, grading_config
from tests.submissions import BASE, buggy_submissions

SECRET = "exports-test-secret"
COURSE = "[late]\ndeadline = 2026-03-01T12:00:00Z\nper_day = 10\n"
ON_TIME = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
A_DAY_LATE = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)  # 20 hours: one day late, 10% of 100
# Canvas's export: identity columns, assignments titled "Name (id)", read-only totals, the Points
# Possible row (with Canvas's leading spaces), two sections, a hand-entered grade, the test student.
CANVAS_EXPORT = """\
Student,ID,SIS User ID,SIS Login ID,Section,Backprop lab (4412),Quiz 1 (4413),Current Score,Final Score
    Points Possible,,,,,12.34,10.00,(read only),(read only)
"Lovelace, Ada",101,9001,ana,CS101 A,,8.00,80.00,80.00
"Babbage, Ben",102,9002,BEN,CS101 B,,,,
"Chen, Wei",103,9003,chen,CS101 B,,,,
"Ng, Eve",104,9004,eve,CS101 A,5.00,,50.00,50.00
"Diaz, Fay",105,9005,fay,CS101 B,,,,
"Student, Test",106,,,CS101 A,,,,
"""


@pytest.fixture(autouse=True, scope="module")
def course_secret() -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BACKPROP_LAB_SECRET", SECRET)
        yield


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """A graded class (ana, chen, dave correct; ben with a catalogued bug, a day late by his file's
    time); returns its folder and what ben's bug costs before the penalty."""
    root = tmp_path_factory.mktemp("exports")
    step, buggy = buggy_submissions()["batch_mean_missing"]
    (root / "class").mkdir()
    for student, source, when in (("ana", BASE, ON_TIME), ("ben", buggy, A_DAY_LATE),
                                  ("chen", BASE, ON_TIME), ("dave", BASE, ON_TIME)):  # fmt: skip
        path = root / "class" / f"{student}.py"
        path.write_text(source)
        os.utime(path, (when.timestamp(), when.timestamp()))
    (root / "course.toml").write_text(COURSE)
    config = grading_config(root / "course.toml", root / "out")
    results = {r.id: r for r in grade_paths([root / "class"], root / "out", config, show_progress=False)}
    ben = results["ben"]
    assert ben.late.source == "file_times" and ben.late.days == 1
    assert ben.late.raw_score == 100 - config.points[step]  # the step the bug breaks, and only it
    assert ben.score == ben.late.raw_score - 10
    (root / "export.csv").write_text(CANVAS_EXPORT)
    return root, ben.score


def _csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def _export(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["export", *args])
    return result.exit_code, result.output


def test_a_canvas_import_fills_one_column_scaled_to_its_points_possible(run) -> None:
    root, ben = run
    code, output = _export("canvas", str(root / "out"), "--gradebook", str(root / "export.csv"),
                           "--out", str(root / "import.csv"), "--column", "Backprop lab")  # fmt: skip
    assert code == 0, output
    ben_points = f"{ben * 12.34 / 100:.2f}"  # 80% of 12.34 = 9.872: to the hundredth
    assert _csv(root / "import.csv") == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Backprop lab (4412)"],
        ["    Points Possible", "", "", "", "", "12.34"],
        ["Lovelace, Ada", "101", "9001", "ana", "CS101 A", "12.34"],
        ["Babbage, Ben", "102", "9002", "BEN", "CS101 B", ben_points],  # a login in capitals still matches
        ["Chen, Wei", "103", "9003", "chen", "CS101 B", "12.34"],
        ["Ng, Eve", "104", "9004", "eve", "CS101 A", "5.00"],  # no submission: her hand-entered grade stays
        ["Diaz, Fay", "105", "9005", "fay", "CS101 B", ""],  # no submission: blank, not 0
    ]  # the test student, the quiz and the read-only totals are not in the import
    assert ben_points == "9.87"
    assert "3 scores written" in output  # ana, ben, chen
    assert "1 of them include a late penalty" in output
    assert "Ng, Eve; Diaz, Fay" in output  # by name: the students without a submission
    assert "Submissions with no student in the gradebook: dave" in output


def test_canvas_by_a_roster_column_and_zeros_only_when_asked(run) -> None:
    root, ben = run
    (root / "roster.csv").write_text("id,name,sis_user\nana,Ada,9001\nben,Ben,9002\nchen,Wei,9003\n")
    code, output = _export("canvas", str(root / "out"), "--gradebook", str(root / "export.csv"), "--out",
                           str(root / "zeros.csv"), "--column", "4412", "--match", "sis_user",
                           "--roster", str(root / "roster.csv"), "--missing-zero")  # fmt: skip
    assert code == 0, output
    assert [row[-1] for row in _csv(root / "zeros.csv")] == [
        "Backprop lab (4412)", "12.34", "12.34", f"{ben * 12.34 / 100:.2f}", "12.34", "0", "0",
    ]  # fmt: skip
    assert "given 0: Ng, Eve; Diaz, Fay" in output and "dave" in output  # dave: not in the roster


@pytest.mark.parametrize(
    ("export", "message"),
    [
        ("Name,ID\nx,1\n", "its first column is not Student"),
        ("Student,ID,SIS Login ID,Lab (1)\nAda,1,ana,\n", "its second row is not Points Possible"),
        ("Student,ID,SIS Login ID,Lab (1)\n    Points Possible,,,10\nAda,1,ana\n", "row 3 has 3 cells"),
        ("Student,ID,SIS Login ID,Lab (1)\n    Points Possible,,,10\n", None),  # no such column: listed
        ("Student,ID,Lab (1)\n    Points Possible,,10\n", "no column SIS Login ID"),
    ],
)
def test_a_malformed_canvas_export_is_one_error_line(
    run, tmp_path: Path, export: str, message: str | None
) -> None:
    root, _ = run
    (tmp_path / "export.csv").write_text(export)
    args = [
        "canvas",
        str(root / "out"),
        "--gradebook",
        str(tmp_path / "export.csv"),
        "--out",
        str(tmp_path / "i.csv"),
    ]
    code, output = _export(*args, *(["--column", "Quiz"] if message is None else []))
    lines = output.strip().splitlines()
    assert code == 1 and len(lines) == 1 and lines[0].startswith("Error: ")
    assert (message or "no assignment column 'Quiz'; its columns: Lab (1)") in lines[0]
    assert not (tmp_path / "i.csv").exists()


def test_a_moodle_import_maps_an_identity_and_a_grade_with_the_penalty_as_feedback(run) -> None:
    root, ben = run
    (root / "emails.csv").write_text(
        "id,email\nana,ada@uni.edu\nben,ben@uni.edu\nchen,wei@uni.edu\neve,eve@uni.edu\n"
    )
    code, output = _export("moodle", str(root / "out"), "--out", str(root / "moodle.csv"), "--identity",
                           "email", "--roster", str(root / "emails.csv"), "--max-grade", "20")  # fmt: skip
    assert code == 0, output
    rows = _csv(root / "moodle.csv")
    assert rows[0] == ["Email address", "backprop", "backprop feedback"]
    assert [row[:2] for row in rows[1:]] == [
        ["ada@uni.edu", "20"], ["ben@uni.edu", f"{ben / 5:g}"], ["wei@uni.edu", "20"],
    ]  # fmt: skip  # eve has no submission and no row: an empty cell would clear her Moodle grade
    assert rows[1][2] == rows[3][2] == ""
    assert rows[2][2].startswith("Submitted 2026-03-02T08:00:00+00:00, 1 day(s) after the deadline")
    assert "a late penalty of 10%, 10 points, from 90" in rows[2][2]
    assert "No submission, no row: eve@uni.edu" in output and "no student in the roster: dave" in output


def test_moodle_by_username_is_the_submission_id(run) -> None:
    root, ben = run
    code, _ = _export("moodle", str(root / "out"), "--out", str(root / "plain.csv"))
    assert code == 0
    assert [row[:2] for row in _csv(root / "plain.csv")] == [
        ["Username", "backprop"], ["ana", "100"], ["ben", f"{ben:g}"], ["chen", "100"], ["dave", "100"],
    ]  # fmt: skip


def test_the_summary_is_in_chinese_when_asked(run) -> None:
    root, _ = run
    code, output = _export("moodle", str(root / "out"), "--out", str(root / "zh.csv"), "--lang", "zh")
    assert code == 0 and "成绩" in output


def test_a_killed_write_leaves_the_earlier_file_whole(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "import.csv"
    path.write_text("the earlier export\n")

    def killed(*_: object) -> None:
        raise KeyboardInterrupt  # the run is stopped between writing and renaming

    monkeypatch.setattr(atomic.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        atomic.write_atomically(path, "a new export\n" * 1000)
    assert path.read_text() == "the earlier export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["import.csv"]  # no temporary file left behind
