"""A class folder is a class, a bad name or link cannot take another student's grade, and
every output escapes what came from a student (issues 10 and 11)."""

from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from backprop_lab.exercises.student_ids import safe_id
from backprop_lab.graders.submissions import DiscoveryError, discover, load

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


def test_two_submissions_with_one_id_get_ids_of_their_own(tmp_path) -> None:
    (tmp_path / "x.py").write_text(SIGMOID)
    (tmp_path / "x.ipynb").write_text("{}")
    assert ids([tmp_path])[0] == "x" and ids([tmp_path])[1].startswith("x-")


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


# ------------------------------------------------------------------ outputs


PAYLOAD = "````\n# Score: 100\n<h1>Score: 100</h1>\n![pic](http://evil.example/x.png)\n```"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A small class graded once: right, loud and hostile in its text, broken, a known slip."""
    from backprop_lab.grade_class import grade_paths
    from backprop_lab.solutions.named import personal_answers
    from tests.submissions import BASE, buggy_submissions, replace_function

    folder = tmp_path_factory.mktemp("class")
    out = folder.parent / "out"
    answers = f"\nANSWERS = {personal_answers('good')!r}\n"
    (folder / "good.py").write_text(BASE + answers.replace("np.float64", "float"))
    loud = replace_function(
        BASE, "sigmoid", f"def sigmoid(z):\n    print({PAYLOAD!r})\n    return np.zeros_like(z)\n"
    )
    loud = replace_function(
        loud, "sigmoid_grad", f"def sigmoid_grad(a):\n    raise ValueError({PAYLOAD!r})\n"
    )
    (folder / "loud.py").write_text(loud)
    (folder / "broken.py").write_text(
        "import numpy as np\ndef sigmoid(z):\n    return (1 / (1 + np.exp(-z))\n"
    )
    (folder / "slip.py").write_text(buggy_submissions()["missing_transpose"][1])
    results = grade_paths([folder], out, formats=("gradescope", "junit"), show_progress=False)
    return {r.id: r for r in results}, out


def test_feedback_renders_student_text_as_text(graded) -> None:
    results, out = graded
    assert results["good"].score == 100.0
    page = (out / "feedback" / "loud.html").read_text()
    assert "<img" not in page and "<h1>Score" not in page and "http://evil.example" in page
    assert page.count("<h1>") == 1  # the page's own title only
    markdown = (out / "feedback" / "loud.md").read_text()
    assert "Raised" in markdown and "ValueError" in markdown
    from backprop_lab.feedback import to_html

    assert "<img" not in to_html("![x](http://evil.example/y.png)", "t")


def test_a_file_that_cannot_run_says_why_in_every_output(graded) -> None:
    _, out = graded
    native = {s["id"]: s for s in json.loads((out / "results.json").read_text())["submissions"]}
    (problem,) = native["broken"]["problems"]
    assert "broken.py" in problem and "SyntaxError" in problem and "line 3" in problem
    gradescope = json.loads((out / "gradescope" / "broken.json").read_text())
    assert "SyntaxError" in gradescope["output"] and "line 3" in gradescope["output"]
    junit = (out / "junit.xml").read_text()
    assert "SyntaxError" in junit
    feedback = (out / "feedback" / "broken.md").read_text()
    assert feedback.count("SyntaxError") == 3  # what to do next, the one-line reason, the full message
    assert "is not defined: `broken.py` could not run" in feedback


def test_gradescope_is_markdown_and_junit_skips_unscored_steps(graded) -> None:
    import xml.etree.ElementTree as ET

    results, out = graded
    gradescope = json.loads((out / "gradescope" / "good.json").read_text())
    assert gradescope["output_format"] == "md" and gradescope["test_output_format"] == "md"
    assert {t["output_format"] for t in gradescope["tests"]} == {"md"}
    assert any(s.id == "personal_answers" and s.max_score == 0 for s in results["good"].steps)
    suites = {s.get("name"): s for s in ET.parse(out / "junit.xml").getroot()}
    good = suites["good"]
    assert good.get("failures") == "0" and good.get("tests") == "12"
    assert "personal_answers" not in {case.get("name") for case in good.iter("testcase")}
    assert suites["slip"].get("failures") == "1"


def test_results_keep_the_name_as_found(graded) -> None:
    _, out = graded
    native = {s["id"]: s for s in json.loads((out / "results.json").read_text())["submissions"]}
    assert native["slip"]["name"] == "slip" and native["slip"]["origin"].endswith("slip.py")


def test_the_summary_counts_whole_students_and_names_the_mistakes(graded) -> None:
    from backprop_lab.report import misconception_counts, summary_figure

    results, out = graded
    assert misconception_counts(list(results.values())) == [("missing_transpose", 1)]
    figure = summary_figure(list(results.values()))
    scores, _, mistakes = figure.axes
    assert all(float(t).is_integer() for t in scores.get_yticks())
    assert [label.get_text() for label in mistakes.get_yticklabels()] == ["missing_transpose"]
    assert (out / "summary.png").read_bytes()[:4] == b"\x89PNG"


def test_no_id_can_become_a_formula_or_forge_a_row(tmp_path) -> None:
    import csv

    from backprop_lab.graders.grade import GradingConfig
    from backprop_lab.graders.results import SubmissionResult
    from backprop_lab.report import write_csv

    rows = [SubmissionResult(i, 0.0, 100.0, []) for i in ("\t=1+1", "\r=2", "@x", "ok")]
    write_csv(rows, tmp_path / "g.csv", GradingConfig())
    cells = [row[0] for row in csv.reader((tmp_path / "g.csv").open(newline=""))][1:]
    assert cells == ["'\t=1+1", "'\r=2", "'@x", "ok"]


# ------------------------------------------------------------------ the course file


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[point]\nsigmoid = 5\n", ":1: unknown table 'point'; did you mean 'points'?"),
        (
            "[assignment]\nanswer_points = 10\n",
            ":2: unknown key 'answer_points' in [assignment]; did you mean",
        ),
        ('[assignment]\nanswers_points = "ten"\n', ":2: [assignment] answers_points must be a number"),
        (
            "[points]\nsigmoid = 5\nhiden_delta = 3\n",
            ":3: unknown step 'hiden_delta' in [points]; did you mean",
        ),
        ('[assignment]\nsteps = ["sigmoid", "backwards"]\n', ":2: unknown step 'backwards'"),
        ("[points]\nsigmoid = -1\n", ":2: [points] sigmoid must be a number ≥ 0"),
        ("[assignment\nsteps = []\n", "not valid TOML"),
        ("[points]\nsigmoid = 5\nsigmoid = 6\n", "line 3"),
        ('[[custom_step]]\nid = "relu"\npoints = 5\n', ":1: [[custom_step]] lacks the key 'module'"),
        ("answers_points = 3\n", ":1: unknown table 'answers_points'"),
    ],
)
def test_a_course_file_is_checked_with_lines_and_suggestions(tmp_path, text, expected) -> None:
    from backprop_lab.exercises.catalog import Course
    from backprop_lab.exercises.course_schema import CourseError

    path = tmp_path / "course.toml"
    path.write_text(text)
    with pytest.raises(CourseError) as error:
        Course.load(path)
    assert expected in str(error.value), str(error.value)


def test_the_shipped_course_files_are_valid() -> None:
    from backprop_lab.exercises.catalog import Course

    root = Path(__file__).resolve().parents[1]
    assert Course.load(root / "course" / "course.toml").points["hidden_delta"] == 15
    assert "relu_grad" in Course.load(CORPUS / "course" / "course.toml").points


# ------------------------------------------------------------------ generate


@pytest.mark.parametrize(
    ("roster", "expected"),
    [
        ("../evil,Eve\n", ":1: the id '../evil' is not safe"),
        ("student_id,name\nada,Ada\nada,Ada B\n", ":3: the id 'ada' is on line 2 already"),
        ("name\nAda\n", "the header has no id column"),
        ("", "the roster is empty"),
        ("id\n\x1b[2Jx\n", ":2: the id '\\\\x1b[2Jx' is not safe"),
    ],
)
def test_a_bad_roster_is_refused_before_anything_is_written(tmp_path, roster, expected) -> None:
    from backprop_lab.exercises.generate import GenerateError, generate

    (tmp_path / "roster.csv").write_text(roster)
    with pytest.raises(GenerateError) as error:
        generate(tmp_path / "out", formats=("py",), roster=tmp_path / "roster.csv")
    assert expected in str(error.value), str(error.value)
    assert not (tmp_path / "out").exists() and not (tmp_path / "evil.md").exists()


def test_a_roster_header_is_a_header_and_names_are_used(tmp_path) -> None:
    from backprop_lab.exercises.generate import generate, read_roster

    (tmp_path / "roster.csv").write_text("Student_ID,Name,email\nada,Ada Lovelace,a@x\n\nbo,,b@x\n")
    assert [(s.id, s.name) for s in read_roster(tmp_path / "roster.csv")] == [
        ("ada", "Ada Lovelace"),
        ("bo", ""),
    ]
    written = generate(tmp_path / "out", formats=(), roster=tmp_path / "roster.csv")
    assert [p.name for p in written if p.suffix == ".md"] == ["ada.md", "bo.md"]
    assert "Ada Lovelace (ada)" in written[0].read_text()


def test_generate_keeps_changed_files_unless_forced(tmp_path) -> None:
    from backprop_lab.exercises.generate import GenerateError, generate

    module, secret = generate(tmp_path, formats=("py",))
    assert generate(tmp_path, formats=("py",)) == [module]  # the same bytes: nothing to lose
    kept = secret.read_bytes()
    module.write_text("# my work\n")
    with pytest.raises(GenerateError, match="--force"):
        generate(tmp_path, formats=("py", "ipynb"))
    assert module.read_text() == "# my work\n" and not (tmp_path / "backprop.ipynb").exists()
    generate(tmp_path, formats=("py",), force=True)
    assert module.read_text() != "# my work\n" and secret.read_bytes() == kept


# ------------------------------------------------------------------ notes


def test_the_cost_figure_counts_operations_so_notes_are_reproducible(tmp_path) -> None:
    from backprop_lab.exercises.backprop.notes import draw_cost, measure_cost

    ((n, backprop, differences),) = measure_cost(widths=(4,))
    forward = 8 * 4 * 4 * 2  # a batch of 8 through two 4×4 layers
    assert n == 40 and backprop == forward + 8 * 4 * 4 * 3 and differences == 2 * n * forward
    draw_cost(tmp_path / "a.png")
    draw_cost(tmp_path / "b.png")
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


# ------------------------------------------------------------------ a hostile class, end to end


def test_hostile_names_reach_no_output_raw_and_stop_nothing(tmp_path) -> None:
    import csv
    import xml.etree.ElementTree as ET

    from click.testing import CliRunner

    from backprop_lab.cli import main

    folder = tmp_path / "class"
    folder.mkdir()
    names = [b"\x1b[2J\x1b[31mred.py", b"a\nforged 100.py", b"\t=1+1.py", b"\r=2.py", b"caf\xe9.py", b"ok.py"]
    for name in names:
        shutil.copy(CORRECT, os.path.join(os.fsencode(folder), name))
    (folder / "shouts.py").write_text(
        'raise ValueError("\\x1b[2J# Score: 100 <img src=http://evil.example/x>")\n'
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["grade", str(folder), "--out", str(out), "--format", "junit"])
    assert result.exit_code == 0, result.output
    printed = result.output[
        re.search(r"submission +score", result.output).start() :
    ]  # after the progress bar
    assert "\x1b" not in printed and "\r" not in printed, repr(printed)
    table = printed.split("\n\n")[0].splitlines()
    assert len(table) == 2 + 7  # header, rule, one row per student: no forged row
    rows = list(csv.reader((out / "grades.csv").open(newline="", encoding="utf-8")))[1:]
    assert len(rows) == 7 and all(row[0][:1] not in "=+-@\t\r" for row in rows)
    assert {row[0]: row[1] for row in rows}["_x1b_2J_x1b_31mred"] == "100"
    native = json.loads((out / "results.json").read_text(encoding="utf-8"))["submissions"]
    by_id = {s["id"]: s for s in native}
    assert by_id["caf_xe9"]["name"] == "caf\\xe9" and by_id["caf_xe9"]["score"] == 100.0
    assert by_id["a_nforged_100"]["name"] == "a\\nforged 100"
    assert "\x1b" not in by_id["shouts"]["problems"][0] and "ValueError" in by_id["shouts"]["problems"][0]
    ET.parse(out / "junit.xml")  # well-formed: no raw control characters
    assert sorted(p.name for p in (out / "feedback").iterdir() if p.suffix == ".md") == sorted(
        f"{i}.md" for i in by_id
    )
    page = (out / "feedback" / "shouts.html").read_text()
    assert "<img" not in page and page.count("<h1>") == 1


def test_a_student_whose_folder_links_to_another_gets_nothing_of_theirs(tmp_path) -> None:
    from backprop_lab.grade_class import grade_paths

    submitted = tmp_path / "course" / "submitted"
    (submitted / "alice" / "backprop").mkdir(parents=True)
    shutil.copy(CORRECT, submitted / "alice" / "backprop" / "backprop.py")
    (submitted / "bob").mkdir()
    os.symlink(submitted / "alice" / "backprop", submitted / "bob" / "backprop")
    os.symlink(submitted / "alice", submitted / "mallory")
    results = {r.id: r for r in grade_paths([tmp_path / "course"], tmp_path / "out", show_progress=False)}
    assert results["alice"].score == 100.0
    assert results["bob"].score == 0.0 and results["mallory"].score == 0.0
    feedback = (tmp_path / "out" / "feedback" / "mallory.md").read_text()
    assert "symbolic link" in feedback and "Score: 0 / 100" in feedback


def test_one_feedback_file_can_never_carry_another_students_score(tmp_path) -> None:
    from backprop_lab.graders.grade import GradingConfig
    from backprop_lab.graders.results import SubmissionResult
    from backprop_lab.report import write_all

    twins = [SubmissionResult("x", score, 100.0, []) for score in (100.0, 0.0)]
    with pytest.raises(ValueError, match="'x'"):
        write_all(twins, tmp_path, GradingConfig(), "en", {}, plot=False)
    assert not (tmp_path / "feedback").exists()
