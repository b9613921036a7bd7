"""The lecture notes: a fresh build of what is committed, and true to what they print.

Every number in a table is recomputed here from solutions/ (the matrix code, not the
scalar derivation the notes are filled from) and, where it is a gradient, from
autograd, an automatic differentiator this project did not write. The structure the
notes promise (symbols declared before use, δs given with their value, the same
sections in both languages, exercises with answers, the class report's links) is
read back from the text.
"""

from __future__ import annotations

import re
from pathlib import Path

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

from backprop_lab.class_report import notes_sections
from backprop_lab.exercises.backprop import notes_numbers as nums
from backprop_lab.exercises.backprop.notes import (
    BACKWARD_SIDE,
    DRAW,
    FIGURES,
    GRAPH_NODES,
    LANGUAGES,
    SECTIONS,
    WORDS,
    answers_text,
    graph_edges,
    label_anchor,
    measure_cost,
    notes_text,
)
from backprop_lab.exercises.backprop.steps import STEPS
from backprop_lab.exercises.catalog import Course
from backprop_lab.solutions import backprop as bp
from backprop_lab.solutions.named import BIAS_POSITIONS, MAZUR, WEIGHT_POSITIONS, to_matrices

COURSE = Path(__file__).resolve().parents[1] / "course"
EXERCISE = re.compile(r"\*\*(?:Exercise|练习) (\d+\.\d+)\*\*\s*[（(]`(\w+)`[)）]")
ANSWER = re.compile(r"^\*\*(\d+\.\d+)\*\*\s*[（(]`(\w+)`[)）]", re.M)
NUMBER = re.compile(r"^-?\d+(?:\.\d+)?(?:e[-+]?\d+)?$")
STEP_IDS = {step.id for step in STEPS} | {"personal_answers"}  # the personal questions are a step too


def fmt(value: float) -> str:
    return f"{value:.6g}"


def sections(text: str) -> dict[int, str]:
    parts = re.split(r"^(?=## \d+\. )", text, flags=re.M)[1:]
    return {int(re.match(r"## (\d+)\.", part).group(1)): part for part in parts}


def tables(text: str) -> list[list[list[str]]]:
    """Every Markdown table: rows of cells, the separator line left out."""
    found, current = [], []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            if not re.fullmatch(r"\|(?:-+\|)+", line):
                current.append([cell.strip() for cell in line.strip("|").split("|")])
        elif current:
            found.append(current)
            current = []
    return found


def rows_by_first_cell(table: list[list[str]]) -> dict[str, list[str]]:
    return {row[0]: row for row in table[1:]}


# ------------------------------------------------------------------ independent computations


def _sig(z):
    return 1.0 / (1.0 + anp.exp(-z))


def _forward(params, X):
    Zh = anp.dot(X, params["W_hidden"].T) + params["b_hidden"]
    Zo = anp.dot(_sig(Zh), params["W_out"].T) + params["b_out"]
    return Zh, Zo


def cross_entropy_loss(params, X, Y):
    P = _sig(_forward(params, X)[1])
    return anp.mean(-anp.sum(Y * anp.log(P) + (1 - Y) * anp.log(1 - P), axis=1))


def squared_error_loss(params, X, Y):
    P = _sig(_forward(params, X)[1])
    return anp.mean(0.5 * anp.sum((Y - P) ** 2, axis=1))


def named(grads) -> dict[str, float]:
    out = {name: float(grads[key][row, col]) for name, (key, row, col) in WEIGHT_POSITIONS.items()}
    out.update({name: float(grads[key][index]) for name, (key, index) in BIAS_POSITIONS.items()})
    return out


def autograd_gradients(loss, X, Y, params) -> dict[str, float]:
    return named(grad(loss)(params, X, Y))


def deltas(loss, X, Y, params) -> dict[str, float]:
    """δ1..δ4 = ∂E/∂z by autograd, from the weighted inputs forward."""
    Zh, Zo = _forward(params, X)

    def from_out(Z):
        P = _sig(Z)
        return loss_of_P(P, Y, loss)

    def from_hidden(Z):
        return loss_of_P(_sig(anp.dot(_sig(Z), params["W_out"].T) + params["b_out"]), Y, loss)

    d_out, d_hidden = grad(from_out)(Zo), grad(from_hidden)(Zh)
    return {"δ1": d_hidden[0, 0], "δ2": d_hidden[0, 1], "δ3": d_out[0, 0], "δ4": d_out[0, 1]}


def loss_of_P(P, Y, loss):
    if loss is squared_error_loss:
        return anp.mean(0.5 * anp.sum((Y - P) ** 2, axis=1))
    return anp.mean(-anp.sum(Y * anp.log(P) + (1 - Y) * anp.log(1 - P), axis=1))


@pytest.fixture(scope="module")
def example():
    X, Y, params = to_matrices(MAZUR)
    cache = bp.forward(X, params)
    values = {
        "z1": cache["Z_hidden"][0, 0], "z2": cache["Z_hidden"][0, 1],
        "a1": cache["A_hidden"][0, 0], "a2": cache["A_hidden"][0, 1],
        "z3": cache["Z_out"][0, 0], "z4": cache["Z_out"][0, 1],
        "p1": cache["P"][0, 0], "p2": cache["P"][0, 1],
        "E": bp.cross_entropy(cache["P"], Y),
    }  # fmt: skip
    values.update(deltas(cross_entropy_loss, X, Y, params))
    values.update({f"∂E/∂{k}": v for k, v in autograd_gradients(cross_entropy_loss, X, Y, params).items()})
    return X, Y, params, {k: float(v) for k, v in values.items()}


# ------------------------------------------------------------------ a fresh build


@pytest.mark.parametrize("lang", LANGUAGES)
def test_committed_notes_and_answers_are_a_fresh_build(lang) -> None:
    committed = (COURSE / "notes" / f"notes.{lang}.md").read_text(encoding="utf-8")
    answers = (COURSE / "instructor" / f"answers.{lang}.md").read_text(encoding="utf-8")
    assert committed == notes_text(lang), "run `backprop-lab notes` and commit the result"
    assert answers == answers_text(lang), "run `backprop-lab notes` and commit the result"
    assert "<<" not in committed + answers
    assert all((COURSE / "figures" / f"{name}.{lang}.svg").is_file() for name in FIGURES)
    assert f"figures/{FIGURES[0]}.{lang}.svg" in committed  # each language shows its own figures


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", FIGURES)
def test_figures_are_the_same_bytes_every_time_with_words_of_their_language(tmp_path, name, lang) -> None:
    DRAW[name](tmp_path / "a.svg", lang)
    DRAW[name](tmp_path / "b.svg", lang)
    svg = (tmp_path / "a.svg").read_text(encoding="utf-8")
    assert svg == (tmp_path / "b.svg").read_text(encoding="utf-8")
    words = {
        "network": ("inputs", "hidden", "bias"),
        "graph": ("loss_edge", "graph_note"),
        "cost": ("n_axis", "work_axis"),
    }
    for key in words[name]:  # kept as text: the reader's CJK font draws the Chinese, none is needed here
        assert WORDS[lang][key].replace("<", "&lt;") in svg


def test_the_network_draws_every_bias_with_its_value(tmp_path) -> None:
    DRAW["network"](tmp_path / "n.svg", "en")
    svg = (tmp_path / "n.svg").read_text(encoding="utf-8")
    for bias in ("b1", "b2", "b3", "b4"):
        assert f"{bias}={MAZUR[bias]:g}" in svg


def _distance(point: tuple[float, float], start: tuple[float, float], end: tuple[float, float]) -> float:
    p, a, b = np.array(point), np.array(start), np.array(end)
    t = np.clip(np.dot(p - a, b - a) / np.dot(b - a, b - a), 0.0, 1.0)
    return float(np.linalg.norm(p - (a + t * (b - a))))


@pytest.mark.parametrize("side", [+1, BACKWARD_SIDE])
def test_every_label_of_the_graph_is_nearest_to_its_own_edge(side) -> None:
    edges = [(GRAPH_NODES[start], GRAPH_NODES[end]) for start, end, _, _ in graph_edges("en")]
    for own, (start, end) in enumerate(edges):
        x, y, _ = label_anchor(start, end, side)
        distances = [_distance((x, y), a, b) for a, b in edges]
        assert int(np.argmin(distances)) == own, f"label of edge {own} sits nearer to another edge"


def test_the_cost_measurement_covers_growing_networks() -> None:
    rows = measure_cost(widths=(4, 8))  # timings are the benchmark's business, not a test's
    assert [n for n, _, _ in rows] == [2 * (4 * 4 + 4), 2 * (8 * 8 + 8)]
    assert all(backprop > 0 and differences > 0 for _, backprop, differences in rows)


# ------------------------------------------------------------------ symbols


LATEX = {"delta": "δ", "sigma": "σ", "eta": "η", "varepsilon": "ε", "theta": "θ"}
SYMBOL = re.compile(
    r"(?<![A-Za-z_\\])(?:[xyzapbW]\d(?!\d)|δ\d|(?:W|b|Z|A|δ)_(?:hidden|out|prev)|[σηεθ]"
    r"|E(?![A-Za-z_])|[XYP](?![A-Za-z_])|m(?![A-Za-z_]))"
)


def plain(text: str) -> str:
    """LaTeX written as the prose writes it: W_5 → W5, \\delta_3 → δ3, W_{\\mathrm{out}} → W_out."""
    text = re.sub(r"\\(delta|sigma|eta|varepsilon|theta)(?![A-Za-z])", lambda m: LATEX[m.group(1)], text)
    text = re.sub(r"_\{\\mathrm\{(\w+)\}\}", r"_\1", text)
    return re.sub(r"([A-Za-zδ])_\{?(\d)\}?", r"\1\2", text)


def declarations(text: str) -> dict[str, int]:
    """Where the notation box declares each symbol: the position of its row."""
    box = tables(sections(text)[1])[0]
    declared = {}
    for row in box[1:]:
        at = text.index(f"| {row[0]} |")
        for item in row[0].split(", "):
            span = re.fullmatch(r"(\D+)(\d)\.\.\1(\d)", item)  # W1..W8
            first, last = (int(span.group(2)), int(span.group(3))) if span else (0, -1)
            names = [f"{span.group(1)}{i}" for i in range(first, last + 1)] if span else [item]
            declared.update({name: at for name in names})
    return declared


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_symbol_is_declared_in_the_notation_box_before_its_first_use(lang) -> None:
    text = plain(notes_text(lang))
    declared = declarations(text)
    assert {"z2", "z4", "δ2", "W_out", "A_prev", "η", "ε", "θ", "m"} <= set(declared)
    used = [(m.group(0), m.start()) for m in SYMBOL.finditer(text)]
    assert len(used) > 500  # the detector sees the notes' symbols, prose and formulas alike
    undeclared = sorted({s for s, _ in used if s not in declared})
    assert not undeclared, f"used but not in the notation box: {undeclared}"
    early = sorted({s for s, at in used if at < declared[s]})
    assert not early, f"used before the notation box declares them: {early}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_delta_is_given_its_value_where_it_is_first_used(lang, example) -> None:
    text = plain(notes_text(lang))
    box_end = text.index("\n\n", text.index("| ε |"))
    for k in range(1, 5):
        first = text.index(f"δ{k}", box_end)
        line = text[text.rfind("\n", 0, first) + 1 : text.index("\n", first)]
        assert fmt(example[3][f"δ{k}"]) in line, f"δ{k} is first used without its value: {line}"


# ------------------------------------------------------------------ every number recomputed


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_forward_and_delta_tables_are_what_solutions_compute(lang, example) -> None:
    _, _, _, values = example
    by_section = sections(notes_text(lang))
    forward = rows_by_first_cell(tables(by_section[2])[0])
    assert set(forward) == {"z1", "z2", "z3", "z4", "a1", "a2", "p1", "p2", "E"}  # the whole forward pass
    for symbol, row in forward.items():
        assert row[-1] == fmt(values[symbol]), symbol
    delta_rows = [t for n in (3, 4) for t in tables(by_section[n]) if t[0][0] == "δ"]
    deltas_printed = {row[0]: row[-1] for t in delta_rows for row in t[1:]}
    assert deltas_printed == {f"δ{k}": fmt(values[f"δ{k}"]) for k in range(1, 5)}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_links_and_the_saturated_unit_agree_with_autograd(lang, example) -> None:
    _, _, _, values = example
    links, saturation = (t for t in tables(sections(notes_text(lang))[3]) if t[0][0] != "δ")
    y1 = MAZUR["y1"]
    dE_dp1 = grad(lambda p: -(y1 * anp.log(p) + (1 - y1) * anp.log(1 - p)))(values["p1"])
    dp1_dz3 = grad(_sig)(values["z3"])
    assert [row[-1] for row in links[1:]] == [fmt(dE_dp1), fmt(dp1_dz3), fmt(values["a1"])]
    z = nums.SATURATED_Z
    cross_entropy_delta = grad(lambda z: -anp.log(_sig(z)))(z)  # y = 1
    squared_error_delta = grad(lambda z: 0.5 * (1 - _sig(z)) ** 2)(z)
    assert [row[-1] for row in saturation[1:]] == [fmt(cross_entropy_delta), fmt(squared_error_delta)]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_all_twelve_gradients_agree_with_autograd(lang, example) -> None:
    _, _, _, values = example
    grid = tables(sections(notes_text(lang))[7])[-1]
    printed = dict(cell.split(" = ") for row in grid[1:] for cell in row)
    assert len(printed) == 12
    for symbol, number in printed.items():
        assert float(number) == pytest.approx(values[symbol], rel=1e-5, abs=1e-12), symbol
        assert number == fmt(values[symbol])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_mazurs_squared_error_reproduces_his_published_gradient(lang, example) -> None:
    X, Y, params, values = example
    theirs = autograd_gradients(squared_error_loss, X, Y, params)
    table = rows_by_first_cell(tables(sections(notes_text(lang))[8])[0])
    assert table["∂E/∂W5"][2] == "0.082167"  # the figure printed in Mazur's post, computed here
    assert table["∂E/∂W5"][2] == fmt(theirs["W5"]) and table["∂E/∂W1"][2] == fmt(theirs["W1"])
    assert table["E"][2] == fmt(float(squared_error_loss(params, X, Y)))
    assert table["δ3"][2] == fmt(float(deltas(squared_error_loss, X, Y, params)["δ3"]))
    for symbol in ("E", "δ3", "∂E/∂W5", "∂E/∂W1"):
        assert table[symbol][1] == fmt(values[symbol])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_batch_table_averages_the_rows(lang) -> None:
    X, Y = nums.BATCH_X, nums.BATCH_Y
    params = to_matrices(MAZUR)[2]
    rows = tables(sections(notes_text(lang))[6])[1]
    cache = bp.forward(X, params)
    per_row = -(Y * np.log(cache["P"]) + (1 - Y) * np.log(1 - cache["P"])).sum(axis=1)
    d_out = cache["P"] - Y
    for r in range(2):
        a1 = cache["A_hidden"][r, 0]
        expected = (*X[r], *Y[r], per_row[r], d_out[r, 0], a1, d_out[r, 0] * a1)
        assert rows[1 + r][1:9] == [fmt(v) for v in expected]
    gradients = autograd_gradients(cross_entropy_loss, X, Y, params)
    mean = rows[3]
    assert mean[5] == fmt(float(cross_entropy_loss(params, X, Y))) == fmt(per_row.mean())
    assert mean[6] == fmt(gradients["b3"]) and mean[8] == fmt(gradients["W5"])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_one_step_of_descent_lowers_e_to_the_printed_value(lang, example) -> None:
    X, Y, params, values = example
    section = sections(notes_text(lang))[10]
    table = rows_by_first_cell(tables(section)[0])
    assert len(table) == 12
    stepped = {key: value.copy() for key, value in params.items()}
    for name, (old, gradient, new) in ((n, row[1:]) for n, row in table.items()):
        assert gradient == fmt(values[f"∂E/∂{name}"])
        assert float(new) == pytest.approx(float(old) - 0.5 * values[f"∂E/∂{name}"], abs=1e-6)
    for name, (key, *index) in {**WEIGHT_POSITIONS, **BIAS_POSITIONS}.items():
        stepped[key][tuple(index)] -= 0.5 * values[f"∂E/∂{name}"]
    new_E = fmt(float(cross_entropy_loss(stepped, X, Y)))
    assert f"{fmt(values['E'])}" in section and new_E in section and float(new_E) < values["E"]


def _central(loss, theta: float, eps: float) -> float:
    return (loss(theta + eps) - loss(theta - eps)) / (2 * eps)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_gradient_check_tables_say_what_finite_differences_do(lang, example) -> None:
    X, Y, params, values = example
    section = sections(notes_text(lang))[11]
    steps, errors = tables(section)[0], tables(section)[1]

    def loss_of_w5(w5: float) -> float:
        moved = {**params, "W_out": params["W_out"].copy()}
        moved["W_out"][0, 0] = w5
        return float(cross_entropy_loss(moved, X, Y))

    exact, w5 = values["∂E/∂W5"], MAZUR["W5"]

    def relative(estimate: float) -> float:
        return abs(estimate - exact) / (abs(estimate) + abs(exact))

    printed = {float(row[0]): (float(row[1]), float(row[2])) for row in steps[1:]}
    for eps in (1e-2, 1e-4):  # where truncation, not rounding, decides: recomputed to two digits
        central = relative(_central(loss_of_w5, w5, eps))
        forward = relative((loss_of_w5(w5 + eps) - loss_of_w5(w5)) / eps)
        assert printed[eps] == (pytest.approx(central, rel=0.05), pytest.approx(forward, rel=0.05))
    assert printed[nums.EPSILON][0] < 1e-9 < printed[nums.EPSILON][1]  # the chosen ε: central far better
    assert min(c for c, _ in printed.values()) < min(f for _, f in printed.values())
    reference, forward_row, *bugs = [float(row[1]) for row in errors[1:]]
    assert reference <= 1e-7 and max(reference, forward_row) < 1e-6 <= 1e-3 <= min(bugs)


W = {name: MAZUR[name] for name in ("W5", "W6", "W7", "x1", "y1")}
MISTAKE_FORMULAS = {  # each wrong answer written afresh from the example's values
    "sigmoid_applied_twice": lambda v: (
        float(_sig(v["a1"]) * (1 - _sig(v["a1"]))) * (v["δ3"] * W["W5"] + v["δ4"] * W["W7"])
    ),
    "missing_activation_derivative": lambda v: v["δ3"] * W["W5"] + v["δ4"] * W["W7"],
    "single_path": lambda v: v["a1"] * (1 - v["a1"]) * v["δ3"] * W["W5"],
    "missing_transpose": lambda v: v["a1"] * (1 - v["a1"]) * (v["δ3"] * W["W5"] + v["δ4"] * W["W6"]),
    "sign_error": lambda v: -v["δ3"],
    "mse_delta_with_cross_entropy": lambda v: v["δ3"] * v["p1"] * (1 - v["p1"]),
    "loss_grad_as_delta": lambda v: -W["y1"] / v["p1"] + (1 - W["y1"]) / (1 - v["p1"]),
    "transposed_weight_grad": lambda v: v["∂E/∂W7"],
    "preactivation_as_input": lambda v: v["δ3"] * v["z1"],
    "bias_grad_times_input": lambda v: v["δ3"] * (v["a1"] + v["a2"]),
    "sigmoid_grad_on_preactivation": lambda v: (
        v["z1"] * (1 - v["z1"]) * (v["δ3"] * W["W5"] + v["δ4"] * W["W7"]) * W["x1"]
    ),
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_common_mistakes_come_from_the_catalog_with_their_wrong_numbers(lang, example) -> None:
    *_, values = example
    table = rows_by_first_cell(tables(sections(notes_text(lang))[9])[0])
    catalog = {m.id for step in STEPS for m in step.misconceptions}
    assert {cell.strip("`") for cell in table} == catalog
    rows = {cell.strip("`"): row for cell, row in table.items()}
    unshown = [mid for mid, row in rows.items() if row[4] == "—" and mid not in nums.NO_ANSWER]
    assert not unshown, f"add these to notes_numbers.SHOWN_ON: {unshown}"
    assert rows["single_path"][3:5] == [fmt(values["δ1"]), fmt(MISTAKE_FORMULAS["single_path"](values))]
    assert rows["single_path"][4][:6] == "0.0715"  # the "0.0716 instead of 0.0454", to rounding
    for mid, formula in MISTAKE_FORMULAS.items():
        right, wrong = rows[mid][3:5]
        assert wrong == fmt(formula(values)), mid
        assert right != wrong and NUMBER.match(right), mid
    batch_E = float(cross_entropy_loss(to_matrices(MAZUR)[2], nums.BATCH_X, nums.BATCH_Y))
    batch_W5 = autograd_gradients(cross_entropy_loss, nums.BATCH_X, nums.BATCH_Y, to_matrices(MAZUR)[2])["W5"]
    assert rows["mean_over_outputs"][3:5] == [fmt(batch_E), fmt(batch_E / 2)]  # 2 outputs: E/2 per entry
    assert rows["batch_mean_missing"][3:5] == [fmt(batch_W5), fmt(2 * batch_W5)]
    assert rows["batch_mean_twice"][3:5] == [fmt(batch_W5), fmt(batch_W5 / 2)]
    assert "(2, 2)" in rows["bias_not_reduced"][4]
    assert rows["bias_wrong_axis"][3] != rows["bias_wrong_axis"][4]


# ------------------------------------------------------------------ the two languages, exercises, links


def _shape(text: str) -> dict[int, list]:
    """Per section: each table's size and its numeric cells, and the exercises with their steps."""
    out = {}
    for number, body in sections(text).items():
        shapes = [(len(t), len(t[0]), [c for row in t for c in row if NUMBER.match(c)]) for t in tables(body)]
        out[number] = [shapes, EXERCISE.findall(body), body.count("$$"), body.count("![")]
    return out


def test_both_languages_have_the_same_sections_tables_numbers_and_exercises() -> None:
    en, zh = _shape(notes_text("en")), _shape(notes_text("zh"))
    assert list(en) == list(range(1, 12)) and en == zh
    assert ANSWER.findall(answers_text("en")) == ANSWER.findall(answers_text("zh"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_exercise_is_tied_to_a_step_and_answered_in_the_instructor_appendix(lang) -> None:
    text = notes_text(lang)
    exercises = EXERCISE.findall(text)
    assert len(exercises) >= 15 and {step for _, step in exercises} <= STEP_IDS
    assert {step for _, step in exercises} == STEP_IDS  # every graded step is practised on paper
    assert ANSWER.findall(answers_text(lang)) == exercises
    for number, body in sections(text).items():  # an exercise sits in the section it is numbered by
        assert all(ex.split(".")[0] == str(number) for ex, _ in EXERCISE.findall(body))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_class_report_links_land_on_the_section_that_teaches_the_step(lang) -> None:
    report_sections = notes_sections(Course().assignment, lang)
    steps = {key: number for key, number in SECTIONS.items() if key in STEP_IDS}
    assert set(steps) == STEP_IDS
    for step, number in steps.items():
        assert f"`{step}`" in report_sections[number], f"section {number} has no exercise on {step}"
    assert r"\theta \leftarrow \theta - \eta" in report_sections[SECTIONS["sgd_step"]]
    # the overflow-safe form, which the extremes property grades at z = ±1000
    assert "e^(−|z|)" in report_sections[SECTIONS["sigmoid"]]
    for mistake, number in SECTIONS.items():
        if mistake not in STEP_IDS:
            assert f"`{mistake}`" in report_sections[number]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_paragraph_is_broken_across_lines(lang) -> None:
    """A line break inside a sentence shows as a stray space in rendered Chinese."""
    for text in (notes_text(lang), answers_text(lang)):
        lines = text.splitlines()
        prose = [not re.match(r"(\s*$|#|\||>|!\[|\$\$|- |\d+\. )", line) for line in lines]
        broken = [lines[i] for i in range(1, len(lines)) if prose[i] and prose[i - 1]]
        assert not broken, broken[:3]


def test_the_class_reports_links_reach_an_inline_section_that_teaches_the_mistake() -> None:
    from backprop_lab.class_report import render
    from backprop_lab.graders.grade import GradingConfig
    from backprop_lab.graders.results import StepResult, SubmissionResult

    shown = {"sgd_step": "sign_error", "weight_grad": "batch_mean_missing", "hidden_delta": "single_path"}
    steps = [StepResult(s, 0.0, 10.0, "failed", [m], hints={m: {"en": m}}) for s, m in shown.items()]
    page = render([SubmissionResult("amy", 0, 30, steps)], GradingConfig(), "en", {"seed": 0})
    teaches = {10: r"\theta \leftarrow \theta - \eta", 6: "batch loss", 4: "every path counts"}
    for number, words in teaches.items():
        assert f'href="#notes-{number}"' in page
        article = page.split(f'id="notes-{number}">', 1)[1].split("</article>", 1)[0]
        assert words in article.replace("&lt;", "<")
