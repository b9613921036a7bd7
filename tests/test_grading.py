"""The grader on real submissions: correct ones in several styles, one per misconception, hostile ones."""

from __future__ import annotations

import json
import shutil

import pytest

from backprop_lab.exercises.catalog import Course
from backprop_lab.grade_class import grade_paths
from backprop_lab.graders.batch import Grader
from backprop_lab.graders.grade import GradingConfig
from backprop_lab.graders.results import ANSWERS_ID
from backprop_lab.graders.submissions import load
from backprop_lab.solutions.named import personal_answers
from tests.submissions import BASE, CORPUS, CORRECT, buggy_submissions, replace_function

POINTS = GradingConfig().points
BUGGY = buggy_submissions()


@pytest.fixture(scope="module")
def grader():
    with Grader(GradingConfig(seed=0)) as g:
        yield g


def grade_source(grader, tmp_path, name: str, source: str):
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    return grader.grade(load(path))


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_correct_submissions_get_full_marks_and_no_label(grader, path) -> None:
    result = grader.grade(load(path))
    failing = {s.id: (s.status, s.failure) for s in result.steps if s.status != "passed"}
    assert result.score == 100.0, failing
    assert all(s.misconceptions == [] for s in result.steps)


def test_the_catalog_is_covered_by_the_buggy_corpus() -> None:
    from backprop_lab.exercises.backprop.steps import STEPS

    assert {m.id for s in STEPS for m in s.misconceptions} | {"mutates_input"} == set(BUGGY)


@pytest.mark.parametrize("misconception", sorted(BUGGY))
def test_each_misconception_loses_exactly_its_step_and_is_named(grader, tmp_path, misconception) -> None:
    step_id, source = BUGGY[misconception]
    result = grade_source(grader, tmp_path, misconception, source)
    by_id = {s.id: s for s in result.steps}
    assert by_id[step_id].misconceptions == [misconception], by_id[step_id]
    if misconception == "mutates_input":  # right values: only "leaves its inputs unchanged" is lost
        lost = [p for p in by_id[step_id].properties if not p.passed]
        assert [p.id for p in lost] == ["unchanged"] and by_id[step_id].status == "partial"
        assert by_id[step_id].score == POINTS[step_id] - lost[0].points
    else:
        assert by_id[step_id].score == 0.0 and by_id[step_id].status == "failed"
    others = {s.id: s.status for s in result.steps if s.id != step_id}
    assert set(others.values()) == {"passed"}, others
    assert all(not s.misconceptions for s in result.steps if s.id != step_id)
    assert result.score == 100.0 - POINTS[step_id] + by_id[step_id].score


def test_a_later_step_is_not_charged_for_an_earlier_mistake(grader, tmp_path) -> None:
    result = grade_source(grader, tmp_path, "carry", BUGGY["missing_transpose"][1])
    backward = next(s for s in result.steps if s.id == "backward")
    assert backward.status == "passed" and backward.carried_forward == ["hidden_delta"]


def test_unimplemented_and_missing_functions_score_zero_for_their_step_only(grader, tmp_path) -> None:
    source = replace_function(BASE, "hidden_delta", "def hidden_delta(A_hidden, W_out, delta_out):\n"
                              "    raise NotImplementedError\n")  # fmt: skip
    source = replace_function(source, "sgd_step", "")
    result = grade_source(grader, tmp_path, "unfinished", source)
    by_id = {s.id: s for s in result.steps}
    assert (by_id["hidden_delta"].status, by_id["hidden_delta"].detail) == ("missing", "not_implemented")
    assert (by_id["sgd_step"].status, by_id["sgd_step"].detail) == ("missing", "not_defined")
    assert by_id["backward"].status == "passed"  # it called the stand-in for the missing step
    assert result.score == 100.0 - POINTS["hidden_delta"] - POINTS["sgd_step"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("    return np.zeros((A_hidden.shape[0], A_hidden.shape[1] + 1))", "wrong_shape"),
        ("    return (A_hidden * (1 - A_hidden) * (delta_out @ W_out)).astype(np.float32)", "wrong_dtype"),
        ("    return np.ma.masked_array(A_hidden * (1 - A_hidden) * (delta_out @ W_out))", "wrong_type"),
        ("    return (A_hidden * (1 - A_hidden) * (delta_out @ W_out)).tolist()", "wrong_type"),
        ("    return np.full(A_hidden.shape, np.nan)", "not_finite"),
        ("    return (A_hidden * (1 - A_hidden) * (delta_out @ W_out)).astype(complex)", "wrong_type"),
        ("    return 0.0", "wrong_type"),
    ],
)
def test_wrong_kinds_of_answer_fail_with_a_reason(grader, tmp_path, change, reason) -> None:
    source = replace_function(
        BASE, "hidden_delta", "def hidden_delta(A_hidden, W_out, delta_out):\n" + change + "\n"
    )
    result = grade_source(grader, tmp_path, "kinds", source)
    step = next(s for s in result.steps if s.id == "hidden_delta")
    assert step.score == 0.0 and step.failure.reason == reason and step.misconceptions == []


def test_an_answer_that_changes_between_calls_is_caught(grader, tmp_path) -> None:
    drift = (  # a global that creeps: every answer within tolerance, no two calls alike
        "CALLS = []\n\ndef bias_grad(delta):\n    CALLS.append(1)\n"
        "    return delta.mean(axis=0) * (1 + 1e-12 * len(CALLS))\n"
    )
    source = replace_function(BASE, "bias_grad", drift)
    step = next(s for s in grade_source(grader, tmp_path, "drift", source).steps if s.id == "bias_grad")
    assert step.status == "failed" and step.score == 0.0 and step.failure.reason == "hidden_state"


def test_right_only_for_small_batches_earns_nothing(grader, tmp_path) -> None:
    table = "    return delta.mean(axis=0) if delta.shape[0] < 4 else np.zeros(delta.shape[1])\n"
    source = replace_function(BASE, "bias_grad", "def bias_grad(delta):\n" + table)
    step = next(s for s in grade_source(grader, tmp_path, "table", source).steps if s.id == "bias_grad")
    earned = {p.id for p in step.properties if p.passed}
    assert "single_example" in earned and "general" not in earned  # right for m = 1 counts for nothing
    assert step.status == "failed" and step.score == 0.0


def test_personal_answers_are_graded_from_the_submission_name(tmp_path) -> None:
    answers = personal_answers("nora")
    right = BASE + f"\nANSWERS = {answers!r}\n"
    (tmp_path / "nora.py").write_text(right)
    (tmp_path / "omar.py").write_text(right)  # a copied file: someone else's numbers
    config = GradingConfig(Course(answers_points=10.0))
    with Grader(config) as grader:
        nora, omar = (grader.grade(load(tmp_path / f"{n}.py")) for n in ("nora", "omar"))
    assert nora.score == 110.0 and omar.score == 100.0
    omar_answers = next(s for s in omar.steps if s.id == ANSWERS_ID)
    assert omar_answers.status == "failed" and omar_answers.max_score == 10.0


def test_hostile_submissions_score_and_do_not_disturb_the_others(tmp_path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    for name in (
        "patches_numpy",
        "segfault",
        "kill_parent",
        "fake_stdout_results",
        "rigged_return",
        "fork_bomb",
    ):
        shutil.copy(CORPUS / "hostile" / f"{name}.py", folder)
    for path in CORRECT:
        shutil.copy(path, folder / f"good_{path.name}")
    results = {r.id: r for r in grade_paths([folder], tmp_path / "out", jobs=2, show_progress=False)}
    assert all(results[f"good_{p.stem}"].score == 100.0 for p in CORRECT)
    for name in ("patches_numpy", "fake_stdout_results", "rigged_return"):  # all answer σ(z) = 0
        sigmoid = results[name].steps[0]
        assert sigmoid.status in ("failed", "partial") and results[name].score < 1.0, name
    assert (
        results["segfault"].score == POINTS["sigmoid"] and results["kill_parent"].score == POINTS["sigmoid"]
    )
    written = json.loads((tmp_path / "out" / "results.json").read_text())
    assert {s["id"] for s in written["submissions"]} == set(results)


def test_reruns_are_identical_and_other_seeds_agree_on_the_scores(tmp_path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(CORRECT[0], folder / "pat.py")
    for mid in ("missing_transpose", "sign_error", "bias_wrong_axis"):
        (folder / f"{mid}.py").write_text(BUGGY[mid][1])
    runs = {}
    for label, seed in (("a", 3), ("b", 3), ("c", 11)):
        grade_paths([folder], tmp_path / label, GradingConfig(seed=seed), show_progress=False)
        runs[label] = json.loads((tmp_path / label / "results.json").read_text())
    assert runs["a"] == runs["b"]
    assert runs["a"]["seed"] == 3 and runs["c"]["seed"] == 11
    scores = {label: {s["id"]: s["score"] for s in run["submissions"]} for label, run in runs.items()}
    assert scores["a"] == scores["c"]
    cached = grade_paths([folder], tmp_path / "a", GradingConfig(seed=3), show_progress=False)
    assert {r.id: r.score for r in cached} == scores["a"]


def test_the_failing_input_shown_is_small_readable_and_the_same_every_time(tmp_path) -> None:
    (tmp_path / "shrunk.py").write_text(BUGGY["missing_transpose"][1])

    def hidden_delta(config: GradingConfig):
        with Grader(config) as grader:
            return next(s for s in grader.grade(load(tmp_path / "shrunk.py")).steps if s.id == "hidden_delta")

    step, again, plain_step = (
        hidden_delta(GradingConfig()),
        hidden_delta(GradingConfig()),
        hidden_delta(GradingConfig(shrink=False)),
    )
    assert step.failure.shrunk and not plain_step.failure.shrunk and step.failure == again.failure
    numbers = [x for v in step.failure.args.values() for row in v for x in row]
    assert all(round(x, 2) == x for x in numbers)  # two decimals: a student can read and retype them
    assert len(numbers) <= sum(len(row) for v in plain_step.failure.args.values() for row in v)
    assert step.failure.reason == plain_step.failure.reason == "wrong_value"
    assert step.misconceptions == ["missing_transpose"] and step.score == 0.0


def test_a_file_name_cannot_become_a_spreadsheet_formula(tmp_path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "=HYPERLINK(1).py").write_text(BASE)
    grade_paths([folder], tmp_path / "out", show_progress=False)
    rows = (tmp_path / "out" / "grades.csv").read_text().splitlines()
    assert rows[1].startswith("_HYPERLINK_1_,100,")  # the id is made safe (student_ids.safe_id)
