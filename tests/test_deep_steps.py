"""The `deep` records: their promises about inputs, oracles and mistakes, checked on drawn cases.

Mutants and corpus files are run here, in this process (they are ours, not students');
grading them in the sandbox is tests/test_deep_grading.py's.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from backprop_lab.exercises.deep import ASSIGNMENT, answers, inputs
from backprop_lab.exercises.deep.steps import STEPS
from backprop_lab.exercises.i18n import tr
from backprop_lab.exercises.step import GENERAL
from backprop_lab.solutions import deep as ref
from backprop_lab.solutions.deep_example import example
from tests.deep_local import BY_ID, agree, call, cases, leaves, load, unchanged
from tests.mutants_deep import MUTANTS

SEEDS = range(3)
CORPUS = Path(__file__).parent / "corpus" / "deep"
# Where a recursion mistake has nothing to act on: a network of one layer has no hidden δ.
RECURSION_MISTAKES = {"missing_f_prime", "wrong_layer_index"}
# A stability mistake: right wherever e^z is finite, wrong only at the extremes.
STABILITY_MISTAKES = {"softmax_no_shift"}


# ------------------------------------------------------------------ the records


def test_points_shares_and_words() -> None:
    assert sum(step.points for step in STEPS) == 100
    assert len({step.id for step in STEPS}) == len(STEPS)
    for step in STEPS:
        assert abs(sum(p.share for p in step.properties) - 1.0) < 1e-12, step.id
        assert step.properties[0].id == GENERAL, step.id
        assert set(step.uses) <= set(BY_ID), step.id
        texts = [step.title, step.instructions]
        texts += [t for m in step.misconceptions for t in (m.hint, m.formula_hint)]
        for text in texts:  # English message ids, each with its Chinese in the catalog
            assert text.strip() and tr("zh", text).strip() and tr("zh", text) != text, (step.id, text)
        if step.id != "numerical_gradient":  # its reference is the closed form of the grader's f
            assert step.reference is getattr(ref, step.id)


def test_at_least_twelve_misconceptions_with_the_required_ids() -> None:
    ids = {m.id for step in STEPS for m in step.misconceptions}
    assert len(ids) >= 12
    assert {
        "relu_grad_at_zero",
        "jacobian_twice",
        "delta_for_input_layer",
        "wrong_layer_index",
        "softmax_no_shift",
    } <= ids


def test_the_assignment_value() -> None:
    assert ASSIGNMENT.name == "deep" and ASSIGNMENT.module == "deep.py"
    assert ASSIGNMENT.reference is ref and ASSIGNMENT.steps is STEPS
    assert all(callable(getattr(ref, name)) for name in ASSIGNMENT.given)
    assert set(ASSIGNMENT.self_check().checks) == set(BY_ID)


# ------------------------------------------------------------------ the inputs keep their promises


def test_general_networks_are_deep_mixed_and_small() -> None:
    depths, activations, seen_equal_widths = set(), set(), 0
    for seed in SEEDS:
        for prop, args in cases(BY_ID["backward"], seed):
            X, layers = args["X"], args["layers"]
            widths = [X.shape[1]] + [W.shape[0] for W, _ in layers]
            assert 1 <= len(layers) <= 4 and all(2 <= n <= 5 for n in widths)
            assert len(args["activations"]) == len(layers) - 1
            assert X.shape[0] == 1 if prop == "single_example" else X.shape[0] >= 3
            assert np.allclose(args["Y"].sum(axis=1), 1.0) and (args["Y"] > 0).all()
            depths.add(len(layers))
            activations |= set(args["activations"])
            seen_equal_widths += prop == GENERAL and len(set(widths)) == 1 and len(layers) >= 2
            logits = ref.forward(X, layers, args["activations"])["Z"][-1]
            assert np.abs(logits).max() <= inputs.OUTPUT_Z_BOUND + 1e-9
    assert depths == {1, 2, 3, 4} and activations == set(ref.HIDDEN_ACTIVATIONS)
    assert seen_equal_widths >= 2 * len(SEEDS)  # where a wrong layer index or a transpose computes


def test_extremes_reach_far_and_the_reference_stays_finite() -> None:
    for seed in SEEDS:
        softmax_extremes = [a["Z"] for p, a in cases(BY_ID["softmax"], seed) if p == "extremes"]
        assert max(np.abs(z).max() for z in softmax_extremes) >= 999.0
        forward_extremes = [a for p, a in cases(BY_ID["forward"], seed) if p == "extremes"]
        # e^z overflows above 709.78: every case has a logit past it, not only a large negative one
        assert all(ref.forward(**a)["Z"][-1].max() >= 1e3 for a in forward_extremes)
        zeros = [a["Z"] for _, a in cases(BY_ID["relu_grad"], seed)]
        assert all((z == 0).any() for z in zeros)  # the convention at the kink is asked every time
        for step in STEPS:
            for _, args in cases(step, seed):
                answer, _ = call(step.reference, step, args, student=False)
                assert not isinstance(answer, BaseException), step.id
                assert all(
                    np.isfinite(np.asarray(x)).all() for x in leaves(answer) if not isinstance(x, tuple)
                )


def test_every_case_is_small() -> None:
    for step in STEPS:
        for _, args in cases(step, 0):
            size = sum(
                np.asarray(x).size for v in args.values() for x in leaves(v) if not isinstance(x, tuple | str)
            )
            assert size <= 200, step.id


# ------------------------------------------------------------------ oracles


@pytest.mark.parametrize("step", [s for s in STEPS if s.oracle is not None], ids=lambda s: s.id)
def test_every_oracle_agrees_with_its_reference(step) -> None:
    for seed in SEEDS:
        for prop, args in cases(step, seed):
            assert agree(step.oracle(**args), step.reference(**args), rtol=1e-5, atol=1e-7), (step.id, prop)


def test_the_oracles_catch_a_wrong_gradient() -> None:
    """An oracle that agreed with anything would prove nothing: a backward off by a sign disagrees."""
    step = BY_ID["backward"]
    _, args = next(cases(step, 0))
    wrong = [(-dW, -db) for dW, db in step.reference(**args)]
    assert not agree(step.oracle(**args), wrong, rtol=1e-5, atol=1e-7)


def test_every_gradient_step_has_an_oracle() -> None:
    gradients = {
        "tanh_grad",
        "relu_grad",
        "sigmoid_grad",
        "output_delta",
        "hidden_delta",
        "layer_grads",
        "backward",
    }
    assert {step.id for step in STEPS if step.oracle is not None} == gradients


# ------------------------------------------------------------------ misconceptions


@pytest.mark.parametrize(
    "step, mistake",
    [(s, m) for s in STEPS for m in s.misconceptions],
    ids=lambda x: getattr(x, "id", ""),
)
def test_every_misconception_is_a_real_mistake_the_cases_can_name(step, mistake) -> None:
    for seed in SEEDS:
        answered = telling = 0
        for prop, args in cases(step, seed):
            expected = step.reference(**args)
            answer, _ = call(mistake.answer, step, args, student=False)
            if answer is None or isinstance(answer, BaseException):
                continue
            answered += 1
            same = agree(answer, expected)
            telling += not same
            if prop == GENERAL and same:
                # The one place a mistake may coincide with the right answer on a general case.
                assert mistake.id in STABILITY_MISTAKES or (
                    mistake.id in RECURSION_MISTAKES and len(args["layers"]) == 1
                ), (seed, prop)
        # graders/diagnose.py names a mistake on ≥ 2 probes of which one at least tells it apart.
        assert answered >= 2 and telling >= 1, (seed, answered, telling)


# ------------------------------------------------------------------ mutants


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_every_mutant_changes_its_step(mutant) -> None:
    step = BY_ID[mutant.step]
    function = load(mutant.source())[mutant.step]
    for seed in range(5):
        by_property: dict[str, list[bool]] = {}
        inputs_kept = True
        for prop, args in cases(step, seed):
            answer, after = call(function, step, args)
            by_property.setdefault(prop, []).append(
                agree(answer, step.reference(**args), atol=step.atol or 1e-10)
            )
            inputs_kept &= unchanged(args, after)
        if mutant.loses == GENERAL:
            assert not all(by_property[GENERAL]), seed
        elif mutant.loses == "extremes":
            assert all(by_property[GENERAL]) and not all(by_property["extremes"]), seed
        else:
            assert all(all(v) for v in by_property.values()) and not inputs_kept, seed


def test_at_least_sixty_mutants_over_every_step() -> None:
    assert len(MUTANTS) >= 60
    assert {m.step for m in MUTANTS} == set(BY_ID)
    assert len({m.name for m in MUTANTS}) == len(MUTANTS)


# ------------------------------------------------------------------ the corpus, run here


def _corpus_answers(source: str) -> dict[str, list[tuple[str, bool, bool]]]:
    """step → (property, right, inputs unchanged) of every case on seeds 0–2."""
    namespace, found = load(source), {}
    for step in STEPS:
        for seed in SEEDS:
            for prop, args in cases(step, seed):
                answer, after = call(namespace[step.id], step, args)
                right = agree(answer, step.reference(**args), atol=step.atol or 1e-10)
                found.setdefault(step.id, []).append((prop, right, unchanged(args, after)))
    return found


@pytest.mark.parametrize("path", sorted((CORPUS / "correct").glob("*.py")), ids=lambda p: p.stem)
def test_correct_corpus_files_are_right_everywhere(path) -> None:
    for step_id, results in _corpus_answers(path.read_text()).items():
        assert all(right and kept for _, right, kept in results), step_id


def _built_on(step_id: str) -> set[str]:
    """The steps built, directly or not, on this one: run here, they go on with its mistake
    (the grader charges it to the block alone; that is tests/test_deep_grading.py's)."""
    found, grew = set(), True
    while grew:
        more = {s.id for s in STEPS if set(s.uses) & (found | {step_id})} - found
        found |= more
        grew = bool(more)
    return found


@pytest.mark.parametrize(
    "path", sorted((CORPUS / "buggy").glob("**/*.py")), ids=lambda p: p.relative_to(CORPUS / "buggy").stem
)
def test_buggy_corpus_files_break_exactly_their_step(path) -> None:
    text = path.read_text()
    step_id, mistake, lost = re.match(r"# A student's (\w+), .*: (\w+) \(loses (\w+)\)\.", text).groups()
    if path.parent.name != "properties":  # a catalogued mistake, not a property broken by a right formula
        assert mistake in {m.id for s in STEPS for m in s.misconceptions} | {"mutates_input"}
    for other, results in _corpus_answers(text).items():
        if other == step_id and lost == "unchanged":
            assert all(right for _, right, _ in results) and not all(kept for *_, kept in results)
        elif other == step_id:
            assert not all(right for prop, right, _ in results if prop == lost)
            if lost != GENERAL:
                assert all(right for prop, right, _ in results if prop != lost)
        elif other not in _built_on(step_id):
            assert all(right and kept for _, right, kept in results), other


# ------------------------------------------------------------------ the personal question and self-check


def test_the_worked_example_round_trips_and_its_derivation_agrees_with_the_matrices() -> None:
    X, Y, layers, activations = example()
    again = answers.to_layers(answers.EXAMPLE)
    assert agree([again[0], again[1], again[2]], [X, Y, layers]) and again[3] == activations
    d = answers.derive(answers.EXAMPLE)
    grads = ref.backward(X, Y, layers, activations)
    assert d["dE_dW3_11"] == pytest.approx(grads[2][0][0, 0], abs=1e-12)
    assert d["dE_db2_2"] == 0.0  # the ReLU unit the example switches off passes nothing down


@pytest.mark.parametrize("student_id", ["alice", "s1234567", "bob.smith", "学生-7"])
def test_personal_numbers_and_answers(student_id) -> None:
    numbers = answers.personal_numbers(student_id)
    assert all(round(v, 2) == v for v in numbers.values())
    assert sorted((numbers["y1"], numbers["y2"])) == [0.0, 1.0]
    X, Y, layers, activations = answers.to_layers(numbers)
    grads = ref.backward(X, Y, layers, activations)
    cache = ref.forward(X, layers, activations)
    got = answers.personal_answers(student_id)
    # For one example, δ1 is the first layer's bias gradient.
    want = {
        "dE_dW3_11": grads[2][0][0, 0],
        "dE_db2_1": grads[1][1][0],
        "delta1_1": grads[0][1][0],
        "dE_dW1_11": grads[0][0][0, 0],
    }
    assert got == pytest.approx(want, abs=1e-12)
    assert cache["Z"][1][0, 0] >= 0.05 and cache["Z"][1][0, 1] <= -0.05  # one ReLU unit on, one off
    assert all(abs(v) > 1e-6 for v in got.values())
    for lang in ("en", "zh"):
        text = answers.derivation(numbers, lang)
        assert all(f"{value:.6f}" in text for value in got.values()), lang


def test_different_students_get_different_numbers() -> None:
    drawn = {tuple(answers.personal_numbers(f"s{i}").values()) for i in range(20)}
    assert len(drawn) == 20


def test_the_notebook_cell_prints_the_same_numbers_without_backprop_lab() -> None:
    for lang in ("en", "zh"):
        source = answers.cell(lang)
        assert "backprop_lab" not in source
        namespace: dict = {"__name__": "cell"}
        exec(compile(source, "<cell>", "exec"), namespace)
        assert namespace["personal_numbers"]("alice") == answers.personal_numbers("alice")


def test_the_self_check_expressions_give_their_values_with_the_reference() -> None:
    check = ASSIGNMENT.self_check()
    namespace = {name: getattr(ref, name) for name in dir(ref) if not name.startswith("_")}
    exec("\n".join(check.setup), namespace)
    for step_id, (expression, value) in check.checks.items():
        assert agree(
            np.asarray(eval(expression, namespace), dtype=np.float64),
            np.asarray(value, dtype=np.float64),
            rtol=1e-6,
            atol=1e-9,
        ), step_id


@pytest.mark.parametrize("path", sorted((CORPUS / "buggy").glob("*.py")), ids=lambda p: p.stem)
def test_each_buggy_file_follows_its_misconception_wherever_it_has_an_answer(path) -> None:
    """What graders/diagnose.py asks before naming it: the answers match on every probe, ≥ 2 of them."""
    text = path.read_text()
    step_id, mistake_id = re.match(r"# A student's (\w+), .*: (\w+) \(", text).groups()
    step = BY_ID[step_id]
    mistake = step.misconception(mistake_id)
    if mistake is None:  # writing into an input is seen in the fingerprints, not in a formula
        assert mistake_id == "mutates_input"
        return
    function = load(text)[step_id]
    for seed in SEEDS:
        probes = 0
        for _, args in cases(step, seed):
            wrong, _ = call(mistake.answer, step, args, student=False)
            answer, _ = call(function, step, args)
            if wrong is None or isinstance(answer, BaseException):
                continue
            probes += 1
            assert agree(answer, wrong, atol=step.atol or 1e-10), seed
        assert probes >= 2, seed


def test_the_contract_table_and_ids_are_the_records() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "deep.md").read_text()
    rows = re.findall(r"^\| `(\w+)` \| `[^`]*` \| .* \| (\d+) \|$", text, re.M)
    assert [(step.id, step.points) for step in STEPS] == [(name, int(points)) for name, points in rows]
    listed = set(re.findall(r"`(\w+)`", text.split("## Misconception ids")[1]))
    assert listed == {m.id for step in STEPS for m in step.misconceptions} | {"mutates_input"}


# ------------------------------------------------------------------ what students receive


def test_the_students_module_stubs_every_step_and_its_solution_is_the_reference() -> None:
    from backprop_lab.exercises.assemble import self_check_source, student_module
    from backprop_lab.exercises.catalog import Course

    course = Course.load(None, "deep")
    for lang in ("en", "zh"):
        stub = load(student_module(lang, course))
        for step in STEPS:
            _, args = next(cases(step, 0))
            answer, _ = call(stub[step.id], step, args)
            assert isinstance(answer, NotImplementedError), step.id
        solved = load(student_module(lang, course, solution=True))
        assert all(callable(solved[name]) for name in ASSIGNMENT.given)
        for step in STEPS:
            for _, args in cases(step, 1):
                assert agree(
                    call(solved[step.id], step, args)[0], step.reference(**args), atol=step.atol or 1e-10
                )
        printed = []
        namespace = {**solved, "print": lambda *words, out=printed: out.append(" ".join(map(str, words)))}
        exec(compile(self_check_source(lang, course), "<self-check>", "exec"), namespace)
        assert len(printed) == len(STEPS) and all(line.startswith("✓") for line in printed), printed
