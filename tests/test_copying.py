"""Copy detection on real submissions: a disguised copy is found, independent work and the
common base are not, and borrowed personal numbers are flagged without running any code."""

from __future__ import annotations

import re

import pytest

from backprop_lab.copying import (
    borrowed_answers,
    common_base,
    similar_pairs,
    source_of,
    submitted_answers,
)
from backprop_lab.exercises.assemble import student_module
from backprop_lab.exercises.catalog import COPY_THRESHOLD, Course
from backprop_lab.exercises.course_schema import CourseError
from backprop_lab.graders.grade import GradingConfig
from backprop_lab.graders.submissions import Submission
from backprop_lab.solutions.named import personal_answers
from tests.submissions import CORPUS, CORRECT, replace_function

LOOPS = (CORPUS / "correct" / "loops.py").read_text()
RENAMED = {"out": "result", "total": "acc", "cache": "fwd", "d_out": "g_out", "d_hid": "g_hidden",
           "grad": "approx", "new": "updated", "old": "saved", "up": "plus", "down": "minus"}  # fmt: skip


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
    answers = {s.id: submitted_answers(s) for s in class_}
    assert answers["hal"] == {} and set(answers["ada"]) == set(personal_answers("ada"))
    flagged = borrowed_answers(answers)
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
        assert submitted_answers(submission(f"s{index}", source)) == {}
    assert not planted.exists()
    cells = [{"name": "c1", "source": "def f(:"}, {"name": "c2", "source": "ANSWERS = {'dE_dW5': 0.5}"}]
    notebook = Submission("nb", "nb.ipynb", units=cells)
    assert submitted_answers(notebook) == {"dE_dW5": 0.5}
    assert source_of(notebook) == "def f(:\n\nANSWERS = {'dE_dW5': 0.5}"
