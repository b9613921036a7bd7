"""Copy detection on real submissions: disguised copies are found among distinct solutions,
independent work, the common base and the canonical code are not, untouched or blank
notebooks never are, every submission has a budget, and borrowed personal numbers are
flagged without running any code."""

from __future__ import annotations

import csv
import json
import random
import re
import subprocess
import sys

import numpy as np
import pytest

from backprop_lab import copying, fingerprints
from backprop_lab.class_report import ClassRun, write_class_report
from backprop_lab.copying import (
    CopyIndex,
    borrowed_answers,
    common_base,
    similar_pairs,
    source_of,
    submitted_answers,
)
from backprop_lab.exercises.assemble import notebook, student_module
from backprop_lab.exercises.catalog import COPY_THRESHOLD, Course
from backprop_lab.exercises.course_schema import CourseError
from backprop_lab.graders.grade import GradingConfig
from backprop_lab.graders.notebook import code_cells
from backprop_lab.graders.results import StepResult, SubmissionResult
from backprop_lab.graders.submissions import Submission
from backprop_lab.solutions.named import personal_answers
from tests import distinct
from tests.submissions import BASE, CORPUS, CORRECT, replace_function

LOOPS = (CORPUS / "correct" / "loops.py").read_text()
RENAMED = {"out": "result", "total": "acc", "cache": "fwd", "d_out": "g_out", "d_hid": "g_hidden",
           "grad": "approx", "new": "updated", "old": "saved", "up": "plus", "down": "minus"}  # fmt: skip

QUESTION = Course().assignment.answers  # the default assignment's personal numbers
KEYS = QUESTION.keys


def disguise(source: str) -> str:
    """A copy as a student hides it: other names, no comments, another indentation, a new docstring."""
    for old, new in RENAMED.items():
        source = re.sub(rf"\b{old}\b", new, source)
    source = re.sub(r'^""".*?"""\n', '"""My own work."""\n', source, flags=re.S)
    source = re.sub(r"  # .*$", "", source, flags=re.M)
    return re.sub(r"^((?:    )+)", lambda m: "  " * (len(m.group(1)) // 4), source, flags=re.M)


def with_answers(source: str, answers: dict[str, float]) -> str:
    return source + "\nANSWERS = {\n" + "".join(f'    "{k}": {v!r},\n' for k, v in answers.items()) + "}\n"


def submission(sid: str, source: str) -> Submission:
    return Submission(sid, f"{sid}.py", units=[{"name": f"{sid}.py", "source": source}])


def test_a_disguised_copy_is_found_and_independent_solutions_are_not() -> None:
    copy = disguise(LOOPS)
    assert copy != LOOPS and "result" in copy and "every path" not in copy
    compile(copy, "copy.py", "exec")  # still a working module
    sources = {path.stem: path.read_text() for path in CORRECT} | {"copy": copy}
    pairs = similar_pairs(sources, common_base(), COPY_THRESHOLD)
    assert [(p.first, p.second) for p in pairs] == [("copy", "loops")]
    pair = pairs[0]
    assert pair.similarity > 0.9
    shared_in_loops = "".join(pair.codes[1][start:end] for start, end in pair.spans[1])
    assert "for r in range(m):" in shared_in_loops and "np.ndindex" in shared_in_loops


def test_the_stub_and_the_reference_are_a_common_base_not_copying() -> None:
    sources = {
        "key_en": student_module("en", solution=True),
        "key_zh": student_module("zh", solution=True),
        "stub": student_module("en"),
        "stub_too": student_module("en"),
    }
    assert similar_pairs(sources, base=[], threshold=COPY_THRESHOLD)  # alike, without the base removed
    assert similar_pairs(sources, common_base(), COPY_THRESHOLD) == []


def test_the_threshold_comes_from_the_course_file(tmp_path) -> None:
    course_file = tmp_path / "course.toml"
    course_file.write_text('[assignment]\nsteps = ["sigmoid"]\n\n[copying]\nthreshold = 0.8\n')
    assert GradingConfig(Course.load(course_file)).course.copy_threshold == 0.8
    assert GradingConfig().course.copy_threshold == COPY_THRESHOLD
    course_file.write_text("[copying]\nthreshhold = 0.8\n")
    with pytest.raises(CourseError, match="did you mean 'threshold'"):  # a typo is not a silent default
        Course.load(course_file)
    copy = disguise(LOOPS)
    own_step = (
        "def sgd_step(params, grads, lr):\n  return {k: v - lr * grads[k] for k, v in params.items()}\n"
    )
    lightly = replace_function(copy, "sgd_step", own_step)  # one function of their own
    pairs = similar_pairs({"a": LOOPS, "b": lightly}, common_base(), threshold=0.5)
    assert pairs and pairs[0].similarity < 1.0
    assert similar_pairs({"a": LOOPS, "b": lightly}, common_base(), threshold=1.0) == []


def test_personal_numbers_answered_with_another_students_values_are_flagged() -> None:
    base = (CORPUS / "correct" / "einsum.py").read_text()
    class_ = [
        submission("ada", with_answers(base, personal_answers("ada"))),
        submission("fay", with_answers(base, personal_answers("ada"))),  # ada's numbers, not hers
        submission("gus", with_answers(base, personal_answers("gus"))),
        submission("hal", base),  # no answers at all
    ]
    answers = {s.id: submitted_answers(s, KEYS) for s in class_}
    assert answers["hal"] == {} and set(answers["ada"]) == set(personal_answers("ada"))
    flagged = borrowed_answers(answers, QUESTION)
    assert [(b.student, b.owner) for b in flagged] == [("fay", "ada")]
    assert set(flagged[0].keys) == set(personal_answers("ada"))


def test_answers_are_read_as_data_never_run(tmp_path) -> None:
    planted = tmp_path / "ran"
    hostile = [
        f'ANSWERS = {{"dE_dW5": __import__("os").system("touch {planted}")}}\n',
        "ANSWERS = {'dE_dW5': 1e999, 'dE_db3': True, 'dE_da1': 'x', 'other': 1.0}\n",
        "ANSWERS = {" * 200 + "}" * 200 + "\n",
        "def broken(:\n",
        "ANSWERS = [1, 2]\n",
    ]
    for index, source in enumerate(hostile):
        assert submitted_answers(submission(f"s{index}", source), KEYS) == {}
    assert not planted.exists()
    cells = [{"name": "c1", "source": "def f(:"}, {"name": "c2", "source": "ANSWERS = {'dE_dW5': 0.5}"}]
    notebook = Submission("nb", "nb.ipynb", units=cells)
    assert submitted_answers(notebook, KEYS) == {"dE_dW5": 0.5}
    assert source_of(notebook) == "def f(:\n\nANSWERS = {'dE_dW5': 0.5}"


# ------------------------------------------------------------------ a class of distinct solutions


def pairs_of(index: CopyIndex, threshold: float = COPY_THRESHOLD) -> set[tuple[str, str]]:
    return {(p.first, p.second) for p in index.findings(threshold).pairs}


def module_index(sources: dict[str, str]) -> CopyIndex:
    index = CopyIndex(common_base())
    for student, code in sources.items():
        index.add(student, [{"name": "backprop.py", "source": code}])
    return index


def test_every_planted_copy_is_found_among_distinct_solutions_and_nothing_else() -> None:
    # Correct ones: the corpus has one text per mistake, so two students with one mistake
    # would share it word for word, as no two real students do.
    sources = {f"s{i:02d}": distinct.distinct_source(i, mistake_rate=0)[0] for i in range(60)}
    assert len(set(sources.values())) == 60
    originals = random.Random(1).sample(sorted(sources), 6)
    planted = set()
    for number, original in enumerate(originals):
        copy = distinct.disguise(sources[original], seed=number)
        compile(copy, "copy.py", "exec")  # still a working module
        assert sorted(re.findall(r"^def (\w+)", copy, re.M)) == sorted(
            re.findall(r"^def (\w+)", sources[original], re.M)
        )
        assert re.findall(r"^def (\w+)", copy, re.M) != re.findall(r"^def (\w+)", sources[original], re.M)
        sources[f"copy{number}"] = copy
        planted.add((f"copy{number}", original))
    assert pairs_of(module_index(sources)) == planted


def test_independent_solutions_that_share_only_canonical_code_are_not_flagged() -> None:
    """Everyone writes the common style (tests/corpus/correct/vectorised.py) plus lines of their own."""
    rng = random.Random(2)
    sources = {}
    for i in range(20):  # each function without a line of its own in two students of three: canonical
        code = BASE
        for step in rng.sample(distinct.STEPS, 4):
            found = distinct.functions(code)[step].text
            code = code.replace(found, distinct._with_line(found, distinct._own_line(rng)))
        sources[f"s{i:02d}"] = code
    assert pairs_of(module_index(sources)) == set()
    few = dict(list(sources.items())[: copying.CANONICAL_MIN - 1])  # too few for code to be canonical
    assert len(pairs_of(module_index(few))) == len(few) * (len(few) - 1) // 2


# ------------------------------------------------------------------ notebooks


@pytest.fixture(scope="module")
def release() -> dict:
    """The nbgrader release notebook, as `nbgrader generate_assignment` makes it."""
    preprocessors = pytest.importorskip("nbgrader.preprocessors")
    nb = notebook("en", nbgrader=True)
    stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    nb, _ = preprocessors.ClearSolutions(code_stub=stub).preprocess(nb, {})
    nb, _ = preprocessors.ClearHiddenTests().preprocess(nb, {})
    return json.loads(json.dumps(nb))


def notebook_submission(student: str, document: dict) -> Submission:
    return Submission(student, f"{student}.ipynb", units=code_cells(json.dumps(document)))


def with_id(document: dict, student: str) -> dict:
    """The notebook with the student's id typed into the personal-numbers cell."""
    document = json.loads(json.dumps(document))
    for cell in document["cells"]:
        text = "".join(cell["source"])
        if "STUDENT_ID = " in text:
            cell["source"] = text.replace('os.environ.get("JUPYTERHUB_USER", "")', repr(student))
    return document


def test_a_class_of_untouched_release_notebooks_has_no_copying_pair(release) -> None:
    plain = json.loads(json.dumps(notebook("zh")))  # `generate --format ipynb`, in another language
    class_ = [notebook_submission(f"n{i}", with_id(release, f"n{i}")) for i in range(4)]
    class_ += [notebook_submission(f"p{i}", with_id(plain, f"p{i}")) for i in range(4)]
    class_ += [notebook_submission("stub", json.loads(json.dumps(release)))]
    index = CopyIndex(common_base())
    for submission in class_:
        index.add_submission(submission)
    assert index.findings(0.0).pairs == []  # not even at a threshold of nothing
    assert all(len(index.prints[s.id].hashes) < 10 for s in class_)  # a typed id is all that is their own


def test_blank_and_complete_notebooks_are_never_flagged_but_identical_own_code_is(release) -> None:
    complete = {p.stem: distinct.filled_notebook(release, p.read_text()) for p in CORRECT}
    class_ = [notebook_submission(s, with_id(d, s)) for s, d in complete.items()]
    class_ += [notebook_submission(f"blank{i}", with_id(release, f"blank{i}")) for i in range(3)]
    class_ += [notebook_submission("twin", with_id(complete["loops"], "twin"))]  # handed in again
    index = CopyIndex(common_base())
    for submission in class_:
        index.add_submission(submission)
    found = index.findings()
    assert [(p.first, p.second, p.similarity) for p in found.pairs] == [("loops", "twin", 1.0)]


# ------------------------------------------------------------------ budgets and hostile code


def test_one_huge_integer_in_answers_costs_nothing(tmp_path) -> None:
    huge = "ANSWERS = {'dE_dW5': " + "9" * 401 + ", 'dE_db3': 0.25, 'dE_da1': -" + "7" * 401 + "}\n"
    student = Submission("big", "big.py", units=[{"name": "big.py", "source": LOOPS + huge}])
    assert submitted_answers(student, KEYS) == {"dE_db3": 0.25}
    page = render_class(tmp_path, [student, submission("ada", LOOPS)])
    assert "similar to ada" in page and "similar to big" in page


def test_a_submission_over_the_budgets_is_skipped_and_named(tmp_path, monkeypatch) -> None:
    huge = LOOPS + "\n" + "x = [" + "1, " * (fingerprints.MAX_CHARS // 3) + "]\n"
    class_ = [submission("huge", huge), submission("ada", LOOPS), submission("bob", disguise(LOOPS))]
    page = render_class(tmp_path, class_)
    assert "huge was not compared: its code is" in page and "similar to ada" in page
    monkeypatch.setattr(fingerprints, "TIME_BUDGET", 0.0)  # every submission of 4,096 tokens or more is over
    index = CopyIndex([])
    index.add("long", [{"name": "long.py", "source": "x = 1\n" * 2000}])
    index.add("short", [{"name": "short.py", "source": "x = 1\n"}])
    assert [s.student for s in index.findings().skipped] == ["long"]
    assert (
        "took more than 0 s" in copying.tr_skipped(index.findings().skipped[0], "en")
        if hasattr(copying, "tr_skipped")
        else True
    )


def test_hostile_code_is_read_never_run_and_costs_only_its_author(tmp_path) -> None:
    planted = tmp_path / "ran"
    hostile = [
        f"import os\nos.system('touch {planted}')\n" + LOOPS,
        '"""' + "never closed\n" * 50,
        "x = '\ud800'\n" + LOOPS,  # a lone surrogate
        "(" * 5000 + ")" * 5000,
        "\x00\x01" * 1000,
    ]
    index = CopyIndex(common_base())
    for number, code in enumerate(hostile):
        index.add(f"h{number}", [{"name": "h.py", "source": code}])
    index.add("ada", [{"name": "ada.py", "source": LOOPS}])
    found = index.findings()
    assert not planted.exists() and found.skipped == []
    assert {(p.first, p.second) for p in found.pairs} == {("ada", "h0"), ("ada", "h2"), ("h0", "h2")}


def test_fingerprints_are_the_same_in_every_process() -> None:
    """Workers and runs have their own string hashes; fingerprints must not depend on them."""
    script = (
        "from backprop_lab.fingerprints import fingerprint; import numpy as np, sys; "
        "print(fingerprint(sys.stdin.read(), np.zeros(0, dtype=np.uint64)).hashes.tolist())"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script],
            input=LOOPS,
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        ).stdout
        for seed in ("1", "2")
    ]
    assert (
        runs[0]
        == runs[1]
        == f"{fingerprints.fingerprint(LOOPS, np.zeros(0, dtype=np.uint64)).hashes.tolist()}\n"
    )


# ------------------------------------------------------------------ copying.csv


def render_class(out, class_: list[Submission]) -> str:
    results = [SubmissionResult(s.id, 0, 20, [StepResult("sigmoid", 0, 20, "failed")]) for s in class_]
    write_class_report(results, out, GradingConfig(), "en", {}, ClassRun(class_))
    return (out / "report.html").read_text()


def test_copying_csv_lists_every_pair_with_the_shared_lines_of_each(tmp_path, monkeypatch) -> None:
    class_ = [submission("amy", LOOPS), submission("bob", disguise(LOOPS))]
    class_ += [submission(p.stem, p.read_text()) for p in CORRECT if p.stem != "loops"]
    render_class(tmp_path, class_)
    rows = list(csv.DictReader((tmp_path / "copying.csv").open(encoding="utf-8")))
    assert [(r["first"], r["second"]) for r in rows] == [("amy", "bob")]
    name, _, ranges = rows[0]["first_lines"].partition(": ")
    lines = [[int(n) for n in r.split("-")] for r in ranges.split(", ")]
    assert name == "amy.py" and lines == sorted(lines)
    assert lines[0][0] <= LOOPS.splitlines().index("def sigmoid(z):") + 1  # from the first function…
    assert lines[-1][-1] >= len(LOOPS.splitlines()) - 1  # …to the last
    assert float(rows[0]["similarity"]) > 0.9
    twelve = [submission(f"s{i:02d}", LOOPS) for i in range(12)]
    monkeypatch.setattr(copying, "PAIR_LIMIT", 5)
    page = render_class(tmp_path, twelve)
    assert len(list(csv.DictReader((tmp_path / "copying.csv").open(encoding="utf-8")))) == 5
    assert "66 pairs reach the threshold; the 5 most similar are listed here and in copying.csv." in page
