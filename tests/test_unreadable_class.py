"""A class of every unreadable kind (tests/corpus/unreadable and tests/unreadable.py) grades to
the end: each member gets a result or a reason, the correct code 100, every output parses."""

from __future__ import annotations

import csv
import json
import os
import shutil
import xml.etree.ElementTree as ET

import html5lib
import pytest
from click.testing import CliRunner

from backprop_lab.cli import main
from backprop_lab.grade_class import grade_paths
from backprop_lab.graders.grade import GradingConfig
from backprop_lab.graders.submissions import DiscoveryError, discover
from tests.submissions import BASE
from tests.unreadable import CORPUS, hostile_class, remove

CORRECT = {
    *("zz_correct_a", "zz_correct_b", "sam", "traversal_and_bomb", "huge_int_answers"),
    *("caf_xe9", "sur_xed_xa0_x80", "x_"),
}
MEMBERS = 20  # 9 stored files (the stray stub aside), 9 built, 2 correct
NOT_READ = {  # member → what its reason says
    "encrypted_member": "encrypted",
    "corrupt_deflate": "decompressing",
    "lying_sizes": "EOFError",
    "pipe": "FIFO",
    "deep": "deeper than",
    "mallory": "nbgrader tree",
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("unreadable")
    hostile_class(root / "class")
    found = discover([root / "class"])
    results = grade_paths(
        [root / "class"],
        root / "out",
        GradingConfig(),
        jobs=2,
        formats=("junit", "gradescope"),
        show_progress=False,
    )
    yield root, found, {r.id: r for r in results}
    remove(root)


def reasons(result) -> str:
    return json.dumps(result.problems, ensure_ascii=False)


def test_every_member_gets_a_result_and_correct_code_counts(graded) -> None:
    _, found, results = graded
    assert len(results) == len(found) == MEMBERS
    for member in CORRECT:
        assert results[member].score == 100.0, (member, reasons(results[member]))
    for member, why in NOT_READ.items():
        assert results[member].score == 0.0 and why in reasons(results[member]), member
    assert "carol" not in results  # a student's folder never chooses a classmate's id


def test_the_8_gib_sparse_helper_is_reported_not_read(graded) -> None:
    assert "8589934592 (sparse)" in reasons(graded[2]["sam"])
    bomb = reasons(graded[2]["traversal_and_bomb"])
    assert "points outside the zip" in bomb and "../../escape.py" in bomb
    assert '"name": "helpers/zeros.py", "size": "41943040"' in bomb  # a 40 MB helper: not read


def test_lone_surrogates_are_replaced_and_reported_whatever_decodes_them(graded) -> None:
    _, found, results = graded
    for member in ("surrogate_cell", "coding_unicode_escape"):
        assert "lone surrogates" in reasons(results[member])
    cell = next(s for s in found if s.id == "surrogate_cell")
    cell.units[0]["source"].encode("utf-8")  # valid UTF-8 from discovery on
    assert next(s for s in results["surrogate_cell"].steps if s.id == "sigmoid").status == "passed"


def test_ids_are_unique_by_construction_and_stable(graded) -> None:
    root, found, _ = graded
    ids = [s.id for s in found]
    assert len(set(ids)) == len(ids)
    x = {s.name: s.id for s in found if s.name.startswith("x")}
    assert x["x_"] == "x_" and x["x?"] not in ("x_", *(i for n, i in x.items() if n != "x?"))
    descriptors = len(os.listdir("/proc/self/fd"))
    assert [s.id for s in discover([root / "class"])] == ids  # the same ids on the next run
    assert len(os.listdir("/proc/self/fd")) == descriptors  # every file and zip opened is closed
    assert all(len(results_id) <= 64 for results_id in ids)


def test_a_huge_string_answer_is_a_bounded_summary_everywhere(graded) -> None:
    root, _, results = graded
    sigmoid = next(s for s in results["huge_string_answer"].steps if s.id == "sigmoid")
    assert sigmoid.score == 0.0
    assert (root / "out" / "feedback" / "huge_string_answer.md").stat().st_size < 100_000
    assert (root / "out" / "feedback" / "huge_string_answer.html").stat().st_size < 100_000
    assert (root / "out" / "gradescope" / "huge_string_answer.json").stat().st_size < 100_000
    assert (root / "out" / "results.json").stat().st_size < 2_000_000


def test_every_output_parses_with_a_real_parser(graded) -> None:
    out = graded[0] / "out"
    suites = ET.parse(out / "junit.xml").getroot()
    assert len(suites) == MEMBERS
    failures = " ".join(f.text or "" for f in suites.iter("failure"))
    assert "\\ufffe" in failures and "\ufffe" not in failures  # shown escaped, never raw
    written = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert len(written["submissions"]) == MEMBERS
    rows = list(csv.reader((out / "grades.csv").open(encoding="utf-8")))
    assert len(rows) == MEMBERS + 1
    parser = html5lib.HTMLParser(strict=True)
    for page in [out / "report.html", *sorted((out / "feedback").glob("*.html"))]:
        try:
            parser.parse(page.read_bytes(), transport_encoding="utf-8")
        except html5lib.html5parser.ParseError as error:
            raise AssertionError(f"{page.name}: {error}") from None
    for document in (out / "gradescope").glob("*.json"):
        json.loads(document.read_text(encoding="utf-8"))


def test_the_command_says_how_many_could_not_be_read(tmp_path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("encrypted_member.zip", "corrupt_deflate.zip"):
        shutil.copy(CORPUS / name, folder / name)
    (folder / "ok.py").write_text(BASE)
    runner = CliRunner()
    listed = runner.invoke(main, ["grade", str(folder), "--out", str(tmp_path / "o"), "--dry-run"])
    assert (
        listed.exit_code == 0
        and "3 submission(s) would be graded. 2 of them could not be read" in listed.output
    )
    graded = runner.invoke(main, ["grade", str(folder), "--out", str(tmp_path / "o"), "--jobs", "1"])
    assert graded.exit_code == 0, graded.output
    assert "2 of 3 submission(s) could not be read" in graded.output
    checked = runner.invoke(main, ["check", str(CORPUS / "encrypted_member.zip")])
    assert checked.exit_code == 1 and "encrypted" in checked.output
    assert checked.exception is None or isinstance(checked.exception, SystemExit)
    assert "Traceback" not in checked.output


def test_a_stray_stub_whose_functions_hide_under_if_true_is_recognised(tmp_path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(CORPUS / "stray_stub_if_true.py", folder / "backprop.py")
    (folder / "alice.py").write_text(BASE)
    (folder / "bob.py").write_text(BASE)
    with pytest.raises(DiscoveryError, match=r"other students' submissions \(alice.py, bob.py\)"):
        discover([folder])


def test_helpers_beyond_what_the_sandbox_takes_are_not_passed_and_the_module_counts(tmp_path) -> None:
    # 40 helpers of 390 kB: 15.6 MB read, more than a load message may carry (4 MiB); passed
    # whole, they broke the pipe and scored the correct module beside them 0.
    sam = tmp_path / "class" / "sam"
    sam.mkdir(parents=True)
    (sam / "backprop.py").write_text(BASE)
    for n in range(40):
        (sam / f"h{n:02}.py").write_text("#" * 390_000 + "\n")
    [result] = grade_paths(
        [tmp_path / "class"], tmp_path / "out", GradingConfig(), jobs=1, show_progress=False
    )
    assert result.score == 100.0
    assert "was not passed to your code" in reasons(result) and '"name": "h39.py"' in reasons(result)
