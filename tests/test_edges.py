"""A class folder is a class, a bad name or link cannot take another student's grade, and
every output escapes what came from a student (issues 10 and 11)."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from backprop_lab.graders.submissions import DiscoveryError, discover, load, safe_id

CORPUS = Path(__file__).parent / "corpus"
CORRECT = CORPUS / "correct" / "vectorised.py"
SIGMOID = "import numpy as np\n\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n"


def ids(paths: list[Path]) -> list[str]:
    return [s.id for s in discover(paths)]


# ------------------------------------------------------------------ discovery


def test_a_folder_with_one_notebook_among_modules_is_a_class(tmp_path) -> None:
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    for name in ("ben.ipynb", "ada.py", "cy.py", "student_v2.py"):
        (mixed / name).write_text(SIGMOID if name.endswith(".py") else "{}")
    assert ids([mixed]) == ["ada", "ben", "cy", "student_v2"]


def test_a_folder_of_empty_files_is_a_class_of_empty_submissions(tmp_path) -> None:
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_bytes(b"")
    found = discover([tmp_path])
    assert [s.id for s in found] == ["a", "b"]
    assert all("empty" in s.problems[0].message for s in found)


def test_a_folder_with_the_module_is_one_student_with_helpers(tmp_path) -> None:
    gus = tmp_path / "gus"
    gus.mkdir()
    (gus / "backprop.py").write_text("from helpers import f\n")
    (gus / "helpers.py").write_text("f = 1\n")
    (found,) = discover([gus])
    assert found.id == "gus" and set(found.files) == {"helpers.py"}


@pytest.mark.parametrize("paths", [[], ["empty"], ["texts"]])
def test_nothing_to_grade_is_an_error(tmp_path, paths) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "notes.txt").write_text("hello")
    with pytest.raises(DiscoveryError, match="no submissions found"):
        discover([tmp_path / p for p in paths])


def test_two_submissions_with_one_id_are_an_error_naming_both(tmp_path) -> None:
    (tmp_path / "x.py").write_text(SIGMOID)
    (tmp_path / "x.ipynb").write_text("{}")
    with pytest.raises(DiscoveryError) as error:
        discover([tmp_path])
    assert "x.py" in str(error.value) and "x.ipynb" in str(error.value)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("alice", "alice"),
        ("li.wei-2", "li.wei-2"),
        ("王小明", "王小明"),
        ("../evil", "_._evil"),
        ("\x1b[31mred\x1b[0m", "_x1b_31mred_x1b_0m"),
        ("a\nb", "a_nb"),
        ("\t=HYPERLINK(1)", "_t_HYPERLINK_1_"),
        ("\r=1+1", "_r_1_1"),
        ("-1", "_1"),
        (".hidden", "_hidden"),
        ("", "_"),
    ],
)
def test_ids_are_safe_for_files_terminals_and_spreadsheets(name, expected) -> None:
    assert safe_id(name) == expected


def test_a_non_utf8_file_name_gets_a_safe_id_and_the_name_is_kept_escaped(tmp_path) -> None:
    folder = os.fsencode(tmp_path)
    with open(os.path.join(folder, b"caf\xe9.py"), "w") as f:
        f.write(SIGMOID)
    (tmp_path / "ok.py").write_text(SIGMOID)
    found = {s.id: s for s in discover([tmp_path])}
    assert set(found) == {"caf_xe9", "ok"}
    assert found["caf_xe9"].name == "caf\\xe9"
    json.dumps(found["caf_xe9"].origin, ensure_ascii=False).encode("utf-8")  # no lone surrogates


def test_symlinked_student_folders_are_never_followed(tmp_path) -> None:
    submitted = tmp_path / "submitted"
    (submitted / "alice" / "backprop").mkdir(parents=True)
    (submitted / "alice" / "backprop" / "backprop.py").write_text(SIGMOID)
    (submitted / "bob").mkdir()
    os.symlink(submitted / "alice" / "backprop", submitted / "bob" / "backprop")
    os.symlink(submitted / "alice", submitted / "mallory")
    found = {s.id: s for s in discover([submitted])}
    assert found["alice"].units and not found["bob"].units and not found["mallory"].units
    for student in ("bob", "mallory"):
        assert "symbolic link" in found[student].problems[0].message


def test_links_inside_a_folder_or_a_zip_are_not_followed(tmp_path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "backprop.py").write_text(SIGMOID)
    eve = tmp_path / "class" / "eve"
    eve.mkdir(parents=True)
    os.symlink(other / "backprop.py", eve / "backprop.py")
    os.symlink(other, eve / "lib")
    os.symlink(other, tmp_path / "class" / "zed")
    info = zipfile.ZipInfo("backprop.py")
    info.external_attr = 0o120777 << 16
    with zipfile.ZipFile(tmp_path / "class" / "zoe.zip", "w") as archive:
        archive.writestr(info, str(other / "backprop.py"))
    found = {s.id: s for s in discover([tmp_path / "class"])}
    assert set(found) == {"eve", "zed", "zoe"}
    assert all(not s.units and not s.files for s in found.values())
    assert len(found["eve"].problems) == 3  # two links, then no module found
    assert all("symbolic link" in s.problems[0].message for s in found.values())


def test_a_single_file_keeps_working(tmp_path) -> None:
    shutil.copy(CORRECT, tmp_path / "pat.py")
    assert load(tmp_path / "pat.py").id == "pat"
