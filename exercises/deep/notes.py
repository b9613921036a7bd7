"""The `deep` assignment's lecture notes, produced like the first assignment's (exercises/backprop/notes.py).

The prose lives in `templates/notes.<lang>.md.in` and `templates/answers.<lang>.md.in`
with placeholders `<<name>>` for the numbers of exercises/deep/notes_numbers.py; the
figures are SVG drawn with notes.py's helpers, words kept as text, one set per language.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from backprop_lab.exercises.assignment import Notes
from backprop_lab.exercises.deep import notes_numbers as nums
from backprop_lab.exercises.figures import figure, pyplot, save_svg, styled
from backprop_lab.exercises.i18n import LANGUAGES
from backprop_lab.solutions.deep_example import example

TEMPLATES = Path(__file__).with_name("templates")
FIGURES = ("network", "cost")
# Where each misconception of the deep assignment is taught: the notes' section number.
SECTIONS: dict[str, int] = {
    "activation_on_output": 1,
    "relu_grad_at_zero": 2,
    "tanh_grad_of_z": 2,
    "sigmoid_grad_of_z": 2,
    "softmax_no_shift": 3,
    "softmax_wrong_axis": 3,
    "jacobian_twice": 4,
    "output_delta_sign": 4,
    "wrong_layer_index": 5,
    "missing_f_prime": 5,
    "delta_for_input_layer": 5,
    "sum_not_mean": 6,
    "forward_difference": 8,
    "sign_error": 9,
}
# Where each function a student writes (a solution block of solutions/deep.py) is practised:
# the section holding its exercise, for links such as the class report's.
STEP_SECTIONS: dict[str, int] = {
    "forward": 1,
    "tanh_grad": 2,
    "relu_grad": 2,
    "sigmoid_grad": 2,
    "softmax": 3,
    "cross_entropy": 4,
    "output_delta": 4,
    "hidden_delta": 5,
    "layer_grads": 6,
    "backward": 7,
    "numerical_gradient": 8,
    "sgd_step": 9,
}
DIGITS = {"fd_plus": 10, "fd_minus": 10}  # two losses that differ in the fifth digit: shown to ten
ERROR_KEYS = re.compile(r"err_\w+$")  # relative errors: two digits say enough

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "inputs": "inputs X = A⁰",
        "layer1": "layer 1: tanh",
        "layer2": "layer 2: ReLU",
        "layer3": "layer 3: softmax",
        "loss": "loss",
        "forward": "forward: Zˡ = Aˡ⁻¹ Wˡᵀ + bˡ, Aˡ = f(Zˡ)",
        "backward": "backward (red): δˡ = f′(Zˡ) ⊙ (δˡ⁺¹ Wˡ⁺¹), from the top",
        "no_delta": "no δ⁰: nothing below X has weights",
        "off": "switched off: z < 0",
        "values": "in each unit: its activation a (p for the outputs); under it, in red, its δ",
        "depth_axis": "depth L (number of layers)",
        "work_axis": "multiply-adds for the whole gradient",
        "backprop_line": "backward(): one forward and one backward pass",
        "fd_line": "central differences: two forward passes per parameter",
        "cost_title": "hidden layers of {width} tanh units, a batch of {batch} rows, 2 classes (counted)",
    },
    "zh": {
        "inputs": "输入 X = A⁰",
        "layer1": "第 1 层：tanh",
        "layer2": "第 2 层：ReLU",
        "layer3": "第 3 层：softmax",
        "loss": "损失",
        "forward": "前向：Zˡ = Aˡ⁻¹ Wˡᵀ + bˡ，Aˡ = f(Zˡ)",
        "backward": "反向（红色）：δˡ = f′(Zˡ) ⊙ (δˡ⁺¹ Wˡ⁺¹)，自顶向下",
        "no_delta": "没有 δ⁰：X 下面没有权重",
        "off": "已关闭：z < 0",
        "values": "圆圈内是该单元的激活值 a（输出层为 p），下方红字是它的 δ",
        "depth_axis": "网络深度 L（层数）",
        "work_axis": "求完整梯度所需的乘加次数",
        "backprop_line": "backward()：一次前向加一次反向",
        "fd_line": "中心差分：每个参数两次前向",
        "cost_title": "隐藏层各 {width} 个 tanh 单元，每批 {batch} 行，2 个类别（计数所得）",
    },
}


def printed(key: str, value: nums.Value) -> str:
    """How the notes print the number named key: relative errors to two digits, the rest by nums.show."""
    if ERROR_KEYS.match(key):
        return f"{float(value):.2g}"
    return nums.show(value, DIGITS.get(key, 6))


def _fill(template: str) -> str:
    values = nums.all_values()
    return re.sub(r"<<(\w+)>>", lambda match: printed(match.group(1), values[match.group(1)]), template)


def template(kind: str, lang: str) -> str:
    """The prose of the notes (kind "notes") or of the answers ("answers"), placeholders unfilled."""
    return (TEMPLATES / f"{kind}.{lang}.md.in").read_text(encoding="utf-8")


def notes_text(lang: str) -> str:
    """The deep notes in one language, numbers filled in from the reference."""
    return _fill(template("notes", lang))


def answers_text(lang: str) -> str:
    """The instructor's answers to the deep notes' exercises, not for students."""
    return _fill(template("answers", lang))


# ------------------------------------------------------------------ figures

RED = "#c03030"
COLUMN_X = (0.0, 1.6, 3.2, 4.8)


def _unit_rows(count: int) -> list[float]:
    """Heights of a column's units, centred on 0."""
    return [(count - 1) / 2 - i for i in range(count)]


@styled
def draw_network(path: Path, lang: str = "en") -> None:
    """The example's 2-3-2-2 network as a list of layers, its values, and δ flowing back."""
    w, values = WORDS[lang], nums.all_values()
    _, _, layers, _ = example()
    columns = [
        (values["x"][0], None),
        (values["A1"][0], values["delta1"][0]),
        (values["A2"][0], values["delta2"][0]),
        (values["P"][0], values["delta3"][0]),
    ]
    fig, ax = figure((10, 6.2))
    plt = pyplot()
    for layer, (W, _) in enumerate(layers):
        (x0, x1) = COLUMN_X[layer], COLUMN_X[layer + 1]
        for y1 in _unit_rows(W.shape[0]):
            for y0 in _unit_rows(W.shape[1]):
                ax.plot([x0 + 0.2, x1 - 0.2], [y0, y1], color="0.75", lw=0.8, zorder=1)
        size = f"{W.shape[0]}×{W.shape[1]}"
        ax.text((x0 + x1) / 2, 1.3, f"W{'¹²³'[layer]} ({size}), b{'¹²³'[layer]}", ha="center", fontsize=9)
    for column, (activations, deltas) in enumerate(columns):
        x = COLUMN_X[column]
        for unit, y in enumerate(_unit_rows(len(activations))):
            off = column == 2 and values["fp2"][0][unit] == 0
            face = "#eeeeee" if off else "#dbe7f7"
            ax.add_patch(plt.Circle((x, y), 0.2, color=face, ec="0.5" if off else "#4878d0", zorder=2))
            ax.text(x, y, nums.number(activations[unit], 3), ha="center", va="center", fontsize=8, zorder=3)
            if deltas is not None:
                label = f"δ{'¹²³'[column - 1]}{'₁₂₃'[unit]} = {nums.number(deltas[unit], 3)}"
                ax.text(x, y - 0.3, label, ha="center", va="center", fontsize=7.5, color=RED)
            if off:
                ax.text(x, y - 0.48, w["off"], ha="center", va="center", fontsize=7, color="0.4")
    for column, word in enumerate((w["inputs"], w["layer1"], w["layer2"], w["layer3"])):
        ax.text(COLUMN_X[column], -1.6, word, ha="center", fontsize=9, color="0.25")
    ax.text(5.95, 0, f"E = {nums.number(values['E'], 4)}", ha="center", va="center", fontsize=10)
    ax.text(5.95, -0.3, w["loss"], ha="center", va="center", fontsize=8, color="0.4")
    ax.annotate("", (5.45, 0), (5.05, 0), arrowprops={"arrowstyle": "->", "color": "0.45"})
    for column in range(3, 0, -1):  # δ travels down: from each layer's δ to the one below, none below 1
        color = RED if column > 1 else "0.6"
        ax.annotate(
            "",
            (COLUMN_X[column - 1] + 0.25, 1.6),
            (COLUMN_X[column] - 0.25, 1.6),
            arrowprops={"arrowstyle": "->", "color": color, "linestyle": "--"},
        )
        if column > 1:
            up, down = "¹²³"[column - 1], "¹²³"[column - 2]
            label = f"δ{down} = f′(Z{down}) ⊙ (δ{up} W{up})"
            middle = (COLUMN_X[column - 1] + COLUMN_X[column]) / 2
            ax.text(middle, 1.68, label, ha="center", fontsize=8, color=RED)
    ax.text(COLUMN_X[0], 1.6, "✗ δ⁰", ha="center", va="center", fontsize=10, color="0.4")
    ax.text(COLUMN_X[0] - 0.4, -1.85, w["no_delta"], ha="left", fontsize=8, color="0.4")
    ax.text(2.4, 2.1, w["forward"], ha="center", fontsize=9)
    ax.text(2.4, 1.88, w["backward"], ha="center", fontsize=9, color=RED)
    ax.text(2.4, -2.1, w["values"], ha="center", fontsize=8, color="0.3")
    ax.set(xlim=(-0.6, 6.6), ylim=(-2.25, 2.3), aspect="equal")
    ax.axis("off")
    fig.subplots_adjust(0.01, 0.01, 0.99, 0.99)
    save_svg(fig, path)


@styled
def draw_cost(path: Path, lang: str = "en") -> None:
    """Multiply-adds of one whole gradient against depth: backprop grows like L, differences like L²."""
    w, rows = WORDS[lang], nums.cost_rows()
    fig, ax = figure((7, 4.6))
    depth = np.array([row[0] for row in rows])
    ax.semilogy(depth, [row[2] for row in rows], "o-", label=w["backprop_line"], color="#4878d0")
    ax.semilogy(depth, [row[3] for row in rows], "s-", label=w["fd_line"], color="#d65f5f")
    ax.set_xticks(depth)
    ax.set_xlabel(w["depth_axis"])
    ax.set_ylabel(w["work_axis"])
    ax.set_title(w["cost_title"].format(width=nums.COST_WIDTH, batch=nums.COST_BATCH), fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="center right", fontsize=8)
    fig.subplots_adjust(left=0.13, right=0.97, top=0.92, bottom=0.12)
    save_svg(fig, path)


DRAW = {"network": draw_network, "cost": draw_cost}


def write_notes(out: Path) -> list[Path]:
    """notes/notes.<lang>.md, figures/<name>.<lang>.svg and instructor/answers.<lang>.md under out.

    out is e.g. the repository's course/deep/; instructor/ is the appendix not given to students.
    """
    written = []
    for folder in ("notes", "figures", "instructor"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    for lang in LANGUAGES:
        for path, text in (
            (out / "notes" / f"notes.{lang}.md", notes_text(lang)),
            (out / "instructor" / f"answers.{lang}.md", answers_text(lang)),
        ):
            path.write_text(text, encoding="utf-8")
            written.append(path)
        for name in FIGURES:
            path = out / "figures" / f"{name}.{lang}.svg"
            DRAW[name](path, lang)
            written.append(path)
    return written


NOTES = Notes(write=write_notes, text=notes_text, sections={**STEP_SECTIONS, **SECTIONS})
