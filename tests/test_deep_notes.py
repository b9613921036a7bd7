"""The `deep` lecture notes: every number they print recomputed, both languages alike, a fresh build.

The oracle below computes each named number of the notes afresh, with autograd (an
automatic differentiator this project did not write) for every derivative and with plain
numpy for the rest; it imports from solutions/ only the example's inputs. The notes are
read back by matching the filled text against its template, so each number is checked
where it is printed, in both languages and in the instructor's answers.
"""

from __future__ import annotations

import math
import re
import sys
from itertools import pairwise
from pathlib import Path

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import elementwise_grad, grad, jacobian

from backprop_lab.exercises.deep import notes
from backprop_lab.exercises.deep import notes_numbers as nums
from backprop_lab.exercises.i18n import LANGUAGES
from backprop_lab.solutions import deep
from backprop_lab.solutions.deep_example import example

COURSE = Path(__file__).resolve().parents[1] / "course" / "deep"
KINDS = ("notes", "answers")
PLACEHOLDER = re.compile(r"<<(\w+)>>")
NUMBER = r"-?(?:\d+(?:\.\d+)?(?:e[-+]\d+)?|inf|nan)"
PRINTED = re.compile(rf"{NUMBER}|[()\[\], ]")  # what a filled placeholder may consist of
EXERCISE = re.compile(r"\*\*(?:Exercise|练习) (\d+)\.(\d+)\*\*\s*[（(]`(\w+)`[)）]")
ANSWER = re.compile(r"^\*\*(\d+)\.(\d+)\*\*\s*[（(]`(\w+)`[)）]", re.M)
# The misconceptions issue 20 and the brief name for the deep notes.
TAUGHT = {
    "relu_grad_at_zero", "tanh_grad_of_z", "sigmoid_grad_of_z", "softmax_no_shift", "softmax_wrong_axis",
    "jacobian_twice", "output_delta_sign", "wrong_layer_index", "missing_f_prime", "delta_for_input_layer",
    "sum_not_mean", "forward_difference", "sign_error", "activation_on_output",
}  # fmt: skip


# ------------------------------------------------------------------ the oracle, written afresh


def _relu(z):
    return anp.maximum(z, 0.0)


def _sigmoid(z):
    return 1.0 / (1.0 + anp.exp(-z))


def _log_softmax(Z):
    top = anp.max(Z, axis=1, keepdims=True)
    return Z - top - anp.log(anp.sum(anp.exp(Z - top), axis=1, keepdims=True))


def _mean_loss(Z3, Y):
    return -anp.mean(anp.sum(Y * _log_softmax(Z3), axis=1))


def _from_Z1(Z1, layers, Y):
    A1 = anp.tanh(Z1)
    return _from_A1(A1, layers, Y)


def _from_A1(A1, layers, Y):
    return _from_Z2(anp.dot(A1, layers[1][0].T) + layers[1][1], layers, Y)


def _from_Z2(Z2, layers, Y):
    return _from_A2(_relu(Z2), layers, Y)


def _from_A2(A2, layers, Y):
    return _mean_loss(anp.dot(A2, layers[2][0].T) + layers[2][1], Y)


def _loss(flat, X, Y):
    """E of the 2-3-2-2 example as a function of [W1, b1, W2, b2, W3, b3] and of X."""
    layers = [(flat[0], flat[1]), (flat[2], flat[3]), (flat[4], flat[5])]
    return _from_Z1(anp.dot(X, flat[0].T) + flat[1], layers, Y)


def _summed_loss(flat, X, Y):
    return X.shape[0] * _loss(flat, X, Y)  # m·E: what a gradient without the 1/m differentiates


def _forward(flat, X):
    Z1 = X @ flat[0].T + flat[1]
    A1 = np.tanh(Z1)
    Z2 = A1 @ flat[2].T + flat[3]
    A2 = np.maximum(Z2, 0.0)
    Z3 = A2 @ flat[4].T + flat[5]
    return Z1, A1, Z2, A2, Z3, np.exp(_log_softmax(Z3))


def _moved(flat, index, entry, step):
    out = [array.copy() for array in flat]
    out[index][entry] += step
    return out


def _cost(depth: int) -> tuple[float, float, float]:
    """(parameters, multiply-adds of backprop, of central differences) from the shapes alone."""
    widths = [nums.COST_WIDTH] * depth + [2]
    m = nums.COST_BATCH
    products = [m * n_in * n_out for n_in, n_out in pairwise(widths)]
    n = sum(n_in * n_out + n_out for n_in, n_out in pairwise(widths))
    forward = sum(products)
    # forward again inside backward, one δᵀA per layer, one δW per layer but the first
    backprop = forward + sum(products) + sum(products[1:])
    return n, backprop, 2 * n * forward


def oracle() -> dict[str, object]:
    """Every name the templates use, computed without solutions/deep.py."""
    X, Y, layers, _ = example()
    flat = [array for layer in layers for array in layer]
    Z1, A1, Z2, A2, Z3, P = _forward(flat, X)
    E = float(_loss(flat, X, Y))
    grads = grad(_loss)(flat, X, Y)
    softmax_row = lambda z: anp.exp(_log_softmax(z[None, :]))[0]  # noqa: E731
    J = jacobian(softmax_row)(Z3[0])
    delta3 = grad(_mean_loss)(Z3, Y)  # m = 1: ∂E/∂Z³ per row
    values = {
        "x": X, "y": Y, "W1": flat[0], "b1": flat[1], "W2": flat[2], "b2": flat[3], "W3": flat[4],
        "b3": flat[5], "Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2, "Z3": Z3, "P": P, "E": E,
        "n_params": sum(array.size for array in flat),
        # section 2: derivatives by autograd; each mistake is its formula
        "fp1": elementwise_grad(anp.tanh)(Z1), "fp1_of_z": 1 - Z1**2, "fp2": elementwise_grad(_relu)(Z2),
        "tanh_z": 2.0, "tanh_grad_at_z": grad(anp.tanh)(2.0), "tanh_grad_of_z_at_z": 1 - 2.0**2,
        "relu_at_0": 0.0, "relu_at_0_wrong": 1.0,  # the convention, and z ≥ 0 in its place
        "sig_z": 0.19, "sig_a": _sigmoid(0.19), "sig_grad": grad(_sigmoid)(0.19),
        "sig_grad_of_z": 0.19 * (1 - 0.19),
        # section 3
        "float_max": sys.float_info.max, "log_float_max": math.log(sys.float_info.max),
        "big_z": [1000.0, 999.0], "big_exp": [math.inf, math.inf], "big_naive": [math.nan, math.nan],
        "big_shifted": [0.0, -1.0], "big_P": [1 / (1 + math.exp(-1)), 1 / (1 + math.exp(1))],
        "Z3_shifted": Z3 - Z3.max(), "exp_Z3": np.exp(Z3), "exp_Z3_shifted": np.exp(Z3 - Z3.max()),
        "P_axis0": np.ones(2), "E_axis0": 0.0,  # one row: each column's softmax is 1
        # section 4
        "J": J, "dE_dP": grad(lambda p: -anp.sum(Y[0] * anp.log(p)))(P[0]),
        "dE_dP_J": delta3, "delta3": delta3, "delta3_jacobian_twice": delta3 @ J, "delta3_sign": -delta3,
        # section 5: each δ and each ∂E/∂A by autograd from that point of the network upwards
        "back2": grad(_from_A2)(A2, layers, Y), "delta2": grad(_from_Z2)(Z2, layers, Y),
        "delta2_no_fp": grad(_from_A2)(A2, layers, Y), "back1": grad(_from_A1)(A1, layers, Y),
        "delta1": grad(_from_Z1)(Z1, layers, Y), "delta1_no_fp": grad(_from_A1)(A1, layers, Y),
        "delta0": grad(_loss, 1)(flat, X, Y), "delta0_madds": layers[0][0].size,
        # section 6
        "dW1": grads[0], "db1": grads[1], "dW2": grads[2], "db2": grads[3], "dW3": grads[4], "db3": grads[5],
    }  # fmt: skip
    values.update(_batch(flat), **_check(flat, X, Y, grads), **_descent(flat, X, Y, grads))
    for depth in nums.COST_DEPTHS:
        n, backprop, differences = _cost(depth)
        values.update({f"cost_n_{depth}": n, f"cost_bp_{depth}": backprop, f"cost_fd_{depth}": differences})
        values[f"cost_ratio_{depth}"] = differences / backprop
    values.update({"cost_width": nums.COST_WIDTH, "cost_batch": nums.COST_BATCH})
    target = np.array([[0.0, 1.0, 0.0]])
    values.update(
        {
            "ex_relu": [0.0, 0.0, 1.0],  # z = −0.3, 0 (the convention), 0.3
            "ex_sig0_a": _sigmoid(0.0), "ex_sig0_grad": grad(_sigmoid)(0.0), "ex_sig0_of_z": 0.0,
            "ex_delta": grad(_mean_loss)(np.log(np.array([[0.7, 0.2, 0.1]])), target),
        }
    )  # fmt: skip
    return values


def _batch(flat) -> dict[str, object]:
    X, Y = np.array([[0.5, -0.2], [1.0, 1.0]]), np.eye(2)
    _, _, _, A2, Z3, P = _forward(flat, X)
    mean, summed = grad(_loss)(flat, X, Y), grad(_summed_loss)(flat, X, Y)
    activated = np.exp(_log_softmax(np.maximum(Z3, 0.0)))
    return {
        "batch_X": X, "batch_Y": Y, "batch_Z3": Z3, "batch_P": P, "batch_A2": A2,
        "batch_delta3": grad(lambda Z: 2 * _mean_loss(Z, Y))(Z3),  # per row: ∂(ΣE_r)/∂Z³
        "batch_E": float(_loss(flat, X, Y)), "batch_dW3": mean[4], "batch_db3": mean[5],
        "batch_dW3_sum": summed[4], "batch_db3_sum": summed[5],
        "batch_P_activated": activated,
        "batch_E_activated": float(-np.mean(np.sum(Y * np.log(activated), axis=1))),
    }  # fmt: skip


def _check(flat, X, Y, grads) -> dict[str, object]:
    """The checks by hand and over all of θ, from this file's loss; autograd is the exact side."""
    eps, hand = 1e-6, 1e-3
    plus, minus = (float(_loss(_moved(flat, 4, (0, 0), s * hand), X, Y)) for s in (1, -1))
    exact = np.concatenate([g.ravel() for g in grads])
    base = float(_loss(flat, X, Y))
    central, forward = [], []
    for index, array in enumerate(flat):
        for entry in np.ndindex(array.shape):
            up = float(_loss(_moved(flat, index, entry, eps), X, Y))
            down = float(_loss(_moved(flat, index, entry, -eps), X, Y))
            central.append((up - down) / (2 * eps))
            forward.append((up - base) / eps)

    def error_of(gradient, estimate):
        gradient, estimate = np.asarray(gradient), np.asarray(estimate)
        return float(
            np.max(np.abs(gradient - estimate) / np.maximum(np.abs(gradient) + np.abs(estimate), 1e-12))
        )

    def error(estimate):
        return error_of(exact, estimate)

    _, A1, _, A2, _, P = _forward(flat, X)
    delta3 = P - Y
    delta2 = delta3 @ flat[4]  # the mistake: no f′
    delta1 = delta2 @ flat[2]
    # m = 1: ∂E/∂W = δᵀA is an outer product and ∂E/∂b = δ, in the order W1, b1, W2, b2, W3, b3
    pairs = ((delta1, X), (delta2, A1), (delta3, A2))
    without_f_prime = np.concatenate([part for d, a in pairs for part in (np.outer(d, a).ravel(), d.ravel())])
    return {
        "eps": eps, "hand_eps": hand, "fd_plus": plus, "fd_minus": minus,
        "fd_estimate": (plus - minus) / (2 * hand), "err_central": error(central),
        "err_forward": error(forward), "check_evaluations": 2 * exact.size,
        "err_missing_f_prime": error_of(without_f_prime, central),
    }  # fmt: skip


def _descent(flat, X, Y, grads) -> dict[str, object]:
    stepped = [array - 0.5 * g for array, g in zip(flat, grads, strict=True)]
    uphill = [array + 0.5 * g for array, g in zip(flat, grads, strict=True)]
    return {
        "eta": 0.5, "new_W3": stepped[4], "new_b3": stepped[5],
        "new_E": float(_loss(stepped, X, Y)), "uphill_E": float(_loss(uphill, X, Y)),
    }  # fmt: skip


@pytest.fixture(scope="module")
def expected() -> dict[str, object]:
    return oracle()


# ------------------------------------------------------------------ reading the notes back


def printed_values(kind: str, lang: str) -> list[tuple[str, str]]:
    """(name, text printed for it) for every placeholder of the template, in order, read from the output."""
    template = notes.template(kind, lang)
    names = PLACEHOLDER.findall(template)
    pattern = "".join(
        re.escape(piece) if index % 2 == 0 else r"([^\n]+?)"
        for index, piece in enumerate(PLACEHOLDER.split(template))
    )
    text = notes.notes_text(lang) if kind == "notes" else notes.answers_text(lang)
    match = re.fullmatch(pattern, text)
    assert match, f"the {kind} ({lang}) are not their template filled in"
    return list(zip(names, match.groups(), strict=True))


def _numbers(text: str) -> np.ndarray:
    assert "".join(PRINTED.findall(text)) == text, f"not a printed number or array: {text!r}"
    return np.array([float(token) for token in re.findall(NUMBER, text)])


def _agree(name: str, printed: np.ndarray, value: object) -> None:
    value = np.asarray(value, dtype=np.float64).ravel()
    assert printed.shape == value.shape, name
    assert (np.isnan(printed) == np.isnan(value)).all(), name
    finite = ~np.isnan(value)
    if name == "err_central":  # rounding noise: only its size is a fact; both far below a bug's 1e-3
        assert printed[0] <= 1e-7 and value[0] <= 1e-7, name
    elif name in ("err_forward", "err_missing_f_prime"):  # truncation, or a bug: the same to two digits
        np.testing.assert_allclose(printed, value, rtol=0.05)
    elif name in notes.DIGITS:
        np.testing.assert_allclose(printed, value, rtol=1e-9)
    else:
        np.testing.assert_allclose(printed[finite], value[finite], rtol=1e-5, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_printed_number_agrees_with_the_oracle(kind, lang, expected) -> None:
    printed = printed_values(kind, lang)
    assert len(printed) >= (100 if kind == "notes" else 20)
    missing = sorted({name for name, _ in printed} - set(expected))
    assert not missing, f"the oracle does not compute {missing}"
    for name, text in printed:
        _agree(name, _numbers(text), expected[name])


def test_the_oracle_computes_each_name_of_the_numbers_module_and_they_agree(expected) -> None:
    """Also the names no template prints yet: a number computed for the notes is a checked number."""
    values = nums.all_values()
    assert set(values) == set(expected)
    for name, value in values.items():
        _agree(name, _numbers(notes.printed(name, value)), expected[name])


def test_the_cost_is_counted_by_running_the_reference_not_by_the_formula() -> None:
    rows = nums.cost_rows(depths=(1, 3))
    assert [row[1:] for row in rows] == [_cost(1), _cost(3)]
    assert rows[1][3] / rows[1][2] > rows[0][3] / rows[0][2]  # differences fall further behind with depth


def test_the_templates_type_in_no_computed_number() -> None:
    """A number with three or more digits after the point is computed: it belongs in a placeholder."""
    for kind in KINDS:
        for lang in LANGUAGES:
            typed = re.findall(r"\d\.\d{3,}|\de[-+]?\d", notes.template(kind, lang))
            assert not typed, (kind, lang, typed)


# ------------------------------------------------------------------ the two languages, sections, exercises


def sections(text: str) -> dict[int, str]:
    parts = re.split(r"^(?=## \d+\. )", text, flags=re.M)[1:]
    return {int(re.match(r"## (\d+)\.", part).group(1)): part for part in parts}


def _shape(template: str) -> dict[int, tuple]:
    """Per section: its placeholders, its table rows, its exercises, its formulas and figures."""
    return {
        number: (
            sorted(PLACEHOLDER.findall(body)),
            len(re.findall(r"^\|", body, re.M)),
            EXERCISE.findall(body),
            body.count("$$"),
            body.count("!["),
            set(re.findall(r"`(\w+)`", body)),  # the mistakes and steps it names
        )
        for number, body in sections(template).items()
    }


def test_both_languages_have_the_same_sections_numbers_tables_and_exercises() -> None:
    en, zh = _shape(notes.template("notes", "en")), _shape(notes.template("notes", "zh"))
    assert list(en) == list(range(1, 10)) and en == zh
    assert ANSWER.findall(notes.template("answers", "en")) == ANSWER.findall(notes.template("answers", "zh"))
    en_answers = sorted(PLACEHOLDER.findall(notes.template("answers", "en")))
    assert en_answers == sorted(PLACEHOLDER.findall(notes.template("answers", "zh")))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_exercise_practises_a_reference_function_and_is_answered(lang) -> None:
    text = notes.notes_text(lang)
    exercises = EXERCISE.findall(text)
    assert {number for number, _, _ in exercises} == {str(n) for n in range(1, 10)}  # one a section or more
    assert all(callable(getattr(deep, function, None)) for _, _, function in exercises)
    assert ANSWER.findall(notes.answers_text(lang)) == exercises
    for number, body in sections(text).items():
        assert all(section == str(number) for section, _, _ in EXERCISE.findall(body))


def test_every_function_a_student_writes_is_practised_where_step_sections_says() -> None:
    source = Path(deep.__file__).read_text(encoding="utf-8")
    functions = re.split(r"^(?=def )", source, flags=re.M)[1:]
    written = {re.match(r"def (\w+)", body).group(1) for body in functions if "### BEGIN SOLUTION" in body}
    assert len(written) >= 12 and set(notes.STEP_SECTIONS) == written
    for lang in LANGUAGES:  # each step's exercise sits in the section STEP_SECTIONS names, and no other
        text = notes.notes_text(lang)
        practised = {(int(number), function) for number, _, function in EXERCISE.findall(text)}
        assert practised == {(number, step) for step, number in notes.STEP_SECTIONS.items()}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_misconception_is_taught_in_the_section_sections_names(lang) -> None:
    assert set(notes.SECTIONS) == TAUGHT
    by_number = sections(notes.notes_text(lang))
    for mistake, number in notes.SECTIONS.items():
        assert number in by_number, f"{mistake}: no section {number}"
        assert f"`{mistake}`" in by_number[number], f"section {number} does not teach {mistake}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_notes_show_their_own_languages_figures(lang) -> None:
    text = notes.notes_text(lang)
    for name in notes.FIGURES:
        assert f"](../figures/{name}.{lang}.svg)" in text


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_paragraph_is_broken_across_lines(kind, lang) -> None:
    """A line break inside a sentence shows as a stray space in rendered Chinese."""
    lines = re.sub(r"^```.*?^```$", "", notes.template(kind, lang), flags=re.M | re.S).splitlines()
    prose = [not re.match(r"(\s*$|#|\||>|!\[|\$\$|- |\d+\. )", line) for line in lines]
    broken = [lines[i] for i in range(1, len(lines)) if prose[i] and prose[i - 1]]
    assert not broken, broken[:3]


# ------------------------------------------------------------------ a fresh build, twice the same


def test_a_build_is_the_committed_one_and_the_same_bytes_every_time(tmp_path) -> None:
    first, second = notes.write_notes(tmp_path / "a"), notes.write_notes(tmp_path / "b")
    assert len(first) == len(LANGUAGES) * (2 + len(notes.FIGURES))
    for one, two in zip(first, second, strict=True):
        relative = one.relative_to(tmp_path / "a")
        assert one.read_bytes() == two.read_bytes(), relative
        committed = COURSE / relative
        assert committed.is_file() and committed.read_bytes() == one.read_bytes(), (
            f"{committed} is stale: run write_notes(Path('course/deep')) and commit the result"
        )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_figures_keep_their_words_as_text_and_draw_the_computed_values(tmp_path, lang) -> None:
    values = nums.all_values()
    for name in notes.FIGURES:
        notes.DRAW[name](tmp_path / f"{name}.svg", lang)
    network = (tmp_path / "network.svg").read_text(encoding="utf-8")
    cost = (tmp_path / "cost.svg").read_text(encoding="utf-8")
    words = notes.WORDS[lang]
    for key in ("inputs", "layer1", "layer3", "no_delta", "backward"):
        assert words[key].replace("<", "&lt;") in network, key
    for key in ("depth_axis", "work_axis", "backprop_line", "fd_line"):
        assert words[key] in cost, key
    for delta in ("delta1", "delta2", "delta3"):  # each unit's δ, as the notes print it to three digits
        for entry in np.ravel(values[delta]):
            assert f"= {nums.number(entry, 3)}" in network
