"""Class layouts that look like one student: discovery grades each student under their own
id or stops and says which path is ambiguous, never merging nor dropping a student."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from backprop_lab.cli import main
from backprop_lab.graders.submissions import DiscoveryError, discover
from tests.submissions import BASE, buggy_submissions

STUB = "def sigmoid(z):\n    raise NotImplementedError\n"


def put(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def signed(student: str) -> str:
    """The correct submission, marked so a test can tell whose code was graded."""
    return f"# by {student}\n{BASE}"


def whose(submission) -> str:
    return submission.units[0]["source"].splitlines()[0]


def found(paths: list[Path]) -> dict:
    return {s.id: s for s in discover(paths)}


# ---------------------------------------------- a loose backprop.py beside the students


def test_a_stub_beside_students_files_stops_with_what_to_do(tmp_path) -> None:
    put(tmp_path / "class" / "backprop.py", STUB)
    put(tmp_path / "class" / "alice.py", signed("alice"))
    put(tmp_path / "class" / "carol.py", signed("carol"))
    with pytest.raises(DiscoveryError) as error:
        discover([tmp_path / "class"])
    message = str(error.value)
    assert str(tmp_path / "class") in message and "alice.py, carol.py" in message
    assert "move backprop.py out of it" in message

    shutil.move(tmp_path / "class" / "backprop.py", tmp_path / "stub.py")  # what the message says
    students = found([tmp_path / "class"])
    assert list(students) == ["alice", "carol"]
    assert [whose(s) for s in students.values()] == ["# by alice", "# by carol"]
    assert all(s.files == {} for s in students.values())


@pytest.mark.parametrize(
    ("loose", "beside"),
    [
        ("", {"bob.py": signed("bob")}),  # an empty file under the assignment's name
        (BASE, {"bob.py": signed("bob")}),  # a student's file under the assignment's name
        (STUB, {"bob.ipynb": '{"cells": [{"cell_type": "code", "source": "def sigmoid(z): pass"}]}'}),
        (STUB, {"bob/backprop.py": signed("bob")}),
        (STUB, {"bob/submitted/kim/backprop/backprop.py": signed("kim")}),
        (STUB, {"bob.zip": ""}),
    ],
    ids=["empty", "complete", "notebook", "folder", "nbgrader", "zip"],
)
def test_any_classmate_beside_the_module_is_named(tmp_path, loose, beside) -> None:
    put(tmp_path / "class" / "backprop.py", loose)
    for name, text in beside.items():
        put(tmp_path / "class" / name, text)
    with pytest.raises(DiscoveryError, match=r"look like other students' submissions \(bob"):
        discover([tmp_path / "class"])


def test_a_students_helpers_and_own_tests_stay_one_student(tmp_path) -> None:
    gus = tmp_path / "gus"
    put(gus / "backprop.py", "from helpers import sigmoid\n\ndef sigmoid_grad(a):\n    return a * (1 - a)\n")
    put(gus / "helpers.py", "import numpy as np\n\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n")
    put(
        gus / "test_mine.py",
        "from backprop import sigmoid_grad\n\ndef test_grad():\n    assert sigmoid_grad(0.5)\n",
    )
    put(gus / "backprop.ipynb", "{}")  # the notebook the student started from
    (only,) = discover([gus])
    assert only.id == "gus" and set(only.files) == {"helpers.py", "test_mine.py"}
    assert only.units[0]["source"].startswith("from helpers import sigmoid")


# ---------------------------------------------- an nbgrader tree inside a class folder


def test_a_submitted_tree_beside_student_folders_gives_each_student(tmp_path) -> None:
    class_ = tmp_path / "class"
    put(class_ / "alice" / "backprop.py", signed("alice"))
    put(class_ / "submitted" / "mallory" / "backprop" / "backprop.py", signed("mallory"))
    put(class_ / "submitted" / "nils" / "backprop" / "backprop.py", signed("nils"))
    students = found([class_])
    assert list(students) == ["alice", "mallory", "nils"]
    assert {i: whose(s) for i, s in students.items()} == {i: f"# by {i}" for i in students}
    assert students["mallory"].origin == str(class_ / "submitted" / "mallory" / "backprop")


def test_an_nbgrader_tree_inside_a_member_is_never_looked_into(tmp_path) -> None:
    # A member of a class is one student: the tree inside it gives no students, and the
    # member says why it could not be read (a course is graded by giving its own path).
    class_ = tmp_path / "class"
    put(class_ / "ada.py", signed("ada"))
    put(class_ / "evening" / "nbgrader_config.py", "c = get_config()\n")
    put(class_ / "evening" / "source" / "backprop" / "backprop.py", STUB)
    put(class_ / "mallory" / "submitted" / "carol" / "backprop" / "backprop.py", signed("mallory"))
    for student in ("jo", "kim"):
        put(class_ / "evening" / "submitted" / student / "backprop" / "backprop.py", signed(student))
    students = found([class_])
    assert list(students) == ["ada", "evening", "mallory"]
    for member in ("evening", "mallory"):
        assert not students[member].units
        assert "nbgrader tree" in students[member].problems[0].values["reason"]
    assert list(found([class_ / "evening"])) == ["jo", "kim"]  # the way out


def test_an_nbgrader_course_holding_a_stranger_stops(tmp_path) -> None:
    course = tmp_path / "course"
    put(course / "nbgrader_config.py", "c = get_config()\n")
    put(course / "source" / "backprop" / "backprop.py", STUB)
    put(course / "release" / "backprop" / "backprop.py", STUB)
    put(course / "submitted" / "jo" / "backprop" / "backprop.py", signed("jo"))
    assert list(found([course])) == ["jo"]  # nbgrader's own folders are no students

    put(course / "alice" / "backprop.py", signed("alice"))
    with pytest.raises(DiscoveryError) as error:
        discover([course])
    assert "nbgrader course" in str(error.value) and "alice" in str(error.value)
    assert str(course / "submitted") in str(error.value)
    assert list(found([course / "submitted", course / "alice"])) == ["jo", "alice"]  # the way out


def test_a_student_in_the_class_and_in_the_tree_gets_two_ids(tmp_path) -> None:
    put(tmp_path / "alice" / "backprop.py", signed("alice"))
    put(tmp_path / "submitted" / "alice" / "backprop" / "backprop.py", signed("alice in the tree"))
    first, second = discover([tmp_path])
    assert first.id == "alice" and second.id.startswith("alice-")
    assert second.problems[-1].values == {"name": "alice", "made": "alice", "id": second.id}


# ---------------------------------------------- several students inside one student's folder


def test_a_folder_of_student_folders_in_a_class_is_one_that_could_not_be_read(tmp_path) -> None:
    put(tmp_path / "class" / "ada.py", signed("ada"))
    put(tmp_path / "class" / "section" / "alice" / "backprop.py", signed("alice"))
    put(tmp_path / "class" / "section" / "bob" / "backprop.ipynb", "{}")
    students = found([tmp_path / "class"])
    assert list(students) == ["ada", "section"] and not students["section"].units
    reason = students["section"].problems[0].values["reason"]
    assert str(tmp_path / "class" / "section") in reason and "(alice/, bob/)" in reason
    assert list(found([tmp_path / "class" / "section"])) == ["alice", "bob"]  # a class of its own


def test_a_zip_of_several_students_is_one_that_could_not_be_read(tmp_path) -> None:
    with zipfile.ZipFile(tmp_path / "group.zip", "w") as archive:
        archive.writestr("group/alice/backprop.py", signed("alice"))
        archive.writestr("group/bob/backprop.py", signed("bob"))
    put(tmp_path / "ada.py", signed("ada"))
    students = found([tmp_path])
    assert list(students) == ["ada", "group"] and not students["group"].units
    assert "group.zip would be graded as one student" in students["group"].problems[0].values["reason"]
    with pytest.raises(DiscoveryError, match=r"group.zip would be graded as one student.*\(group/alice/"):
        discover([tmp_path / "group.zip"])  # given on its own: the instructor is told


def test_a_backup_deeper_in_a_students_folder_is_not_graded(tmp_path) -> None:
    put(tmp_path / "class" / "eve" / "backprop.py", signed("eve"))
    put(tmp_path / "class" / "eve" / "a_copy" / "backprop.py", signed("an old copy"))
    (eve,) = discover([tmp_path / "class"])
    assert whose(eve) == "# by eve"


# ---------------------------------------------- the CLI shows the same decision


def test_dry_run_shows_the_same_decision(tmp_path) -> None:
    put(tmp_path / "c14" / "alice" / "backprop.py", signed("alice"))
    put(tmp_path / "c14" / "submitted" / "mallory" / "backprop" / "backprop.py", signed("mallory"))
    put(tmp_path / "c13" / "backprop.py", STUB)
    put(tmp_path / "c13" / "alice.py", signed("alice"))
    runner = CliRunner()
    listed = runner.invoke(main, ["grade", str(tmp_path / "c14"), "--out", str(tmp_path / "o"), "--dry-run"])
    assert listed.exit_code == 0, listed.output
    rows = [line.split()[0] for line in listed.output.splitlines()[2:] if line.strip()]
    assert rows[:2] == ["alice", "mallory"] and "2 submission(s)" in listed.output
    refused = runner.invoke(main, ["grade", str(tmp_path / "c13"), "--out", str(tmp_path / "o"), "--dry-run"])
    assert refused.exit_code != 0 and "Error:" in refused.output and "alice.py" in refused.output
    assert "Traceback" not in refused.output and not (tmp_path / "o").exists()


def test_grading_a_class_with_a_nested_tree_gives_every_student_their_own_result(tmp_path) -> None:
    from backprop_lab.grade_class import grade_paths

    class_ = tmp_path / "class"
    put(class_ / "alice" / "backprop.py", BASE)
    put(class_ / "submitted" / "mallory" / "backprop" / "backprop.py", buggy_submissions()["sign_error"][1])
    put(class_ / "submitted" / "nils" / "backprop" / "backprop.py", STUB)
    out = tmp_path / "out"
    results = {r.id: r for r in grade_paths([class_], out, show_progress=False)}
    assert set(results) == {"alice", "mallory", "nils"}
    assert results["alice"].score == results["alice"].max_score
    assert 0 < results["mallory"].score < results["mallory"].max_score
    assert results["nils"].score == 0
    for student in results:
        assert (out / "feedback" / f"{student}.md").is_file()
    rows = (out / "grades.csv").read_text().splitlines()[1:]
    assert sorted(row.split(",")[0] for row in rows) == ["alice", "mallory", "nils"]


# ---------------------------------------------- names a student chooses


def test_a_file_name_that_makes_a_classmates_id_gets_one_of_its_own(tmp_path) -> None:
    # bob?.py makes the id bob_, which is bob_.py's: bob_ keeps it, and nobody stops the class.
    put(tmp_path / "class" / "bob_.py", signed("bob_"))
    put(tmp_path / "class" / "bob?.py", signed("mallory"))
    by_id = found([tmp_path / "class"])
    assert whose(by_id["bob_"]) == "# by bob_"
    [other] = [s for i, s in by_id.items() if i != "bob_"]
    assert other.id.startswith("bob_-") and whose(other) == "# by mallory"
    assert other.problems[-1].values == {"name": "bob?", "made": "bob_", "id": other.id}


def test_two_files_under_one_name_are_both_graded_under_ids_of_their_own(tmp_path) -> None:
    put(tmp_path / "class" / "x.py", BASE)
    put(tmp_path / "class" / "x.ipynb", "{}")
    first, second = discover([tmp_path / "class"])
    assert (first.origin, first.id) == (str(tmp_path / "class" / "x.ipynb"), "x")
    assert second.origin.endswith("x.py") and second.id.startswith("x-")


def test_a_folder_is_read_up_to_a_cap_like_a_zip(tmp_path) -> None:
    # 40 files of 1 MiB: the read stops at 16 MiB with a problem, not at 40 MiB.
    student = tmp_path / "class" / "mallory"
    put(student / "backprop.py", BASE)
    for n in range(40):
        put(student / "junk" / f"m{n:02}.py", "#" * (1 << 20))
    [submission] = discover([tmp_path / "class"])
    kept = sum(len(text) for text in submission.files.values())
    assert kept <= 16 << 20
    assert "too much code" in submission.problems[-1].message
