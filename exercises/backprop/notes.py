"""`backprop-lab notes`: the lecture notes, with every number and figure computed from `solutions/`.

The prose lives in `notes/notes.<lang>.md.in` with placeholders `<<name>>` for the
numbers (exercises/backprop/notes_numbers.py) and `<<block>>` for the tables built from them;
the instructor's answers to the exercises live in `notes/answers.<lang>.md.in`.
Figures are SVG with their words kept as text, one set per language: the Chinese
labels need no font on the machine that draws them (the reader's renders them), and
the same code gives the same bytes everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from itertools import pairwise
from pathlib import Path

import numpy as np

from backprop_lab.exercises.assignment import Notes
from backprop_lab.exercises.backprop import notes_numbers as nums
from backprop_lab.exercises.backprop.steps import STEPS
from backprop_lab.exercises.figures import figure, pyplot, save_svg, styled
from backprop_lab.exercises.i18n import LANGUAGES, tr
from backprop_lab.exercises.step import MUTATES_INPUT
from backprop_lab.solutions.gradcheck import numerical_gradients
from backprop_lab.solutions.mlp import MLP
from backprop_lab.solutions.named import MAZUR, WEIGHTS, derive

TEMPLATES = Path(__file__).with_name("templates")
BY_ID = {step.id: step for step in STEPS}
FIGURES = ("network", "graph", "cost")
ERROR_KEYS = re.compile(r"check_(central|forward|bug_\w+)$")  # relative errors: two digits say enough

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "mistake": "mistake",
        "step": "step",
        "quantity": "on",
        "right": "right",
        "wrong": "wrong",
        "hint": "the idea it misses",
        "every_step": "every step",
        "none": "no wrong number: the caller's arrays change",
        "relative_error": "relative error of ∂E/∂W5",
        "batch": " (batch)",
        "shape": "shape",
        "parameter": "parameter θ",
        "before": "θ",
        "gradient": "∂E/∂θ",
        "after": "θ − η·∂E/∂θ",
        "eps": "ε",
        "central": "central, relative error",
        "forward": "forward, relative error",
        # figures
        "inputs": "inputs",
        "hidden": "hidden units",
        "outputs": "outputs",
        "targets": "targets",
        "bias": "bias",
        "network_note": "each unit: z = Σ (weight · input) + b, then σ(z)",
        "forward_pass": "forward: what each node computes",
        "backward_pass": "backward (red): ∂E/∂ of the node each arrow points to, along that path",
        "loss_edge": "cross-entropy",
        "graph_note": "σ: the sigmoid;  ×W5: times W5;  E: the cross-entropy of p1, p2 against y1, y2",
        "n_axis": "number of parameters n",
        "work_axis": "multiply-adds for the whole gradient",
        "backprop_line": "backprop: one forward and one backward pass, O(n)",
        "fd_line": "central differences: 2n forward passes, O(n²)",
        "cost_title": "batch of 8 rows, two square sigmoid layers of growing width",
    },
    "zh": {
        "mistake": "错误",
        "step": "步骤",
        "quantity": "体现在",
        "right": "正确值",
        "wrong": "错误值",
        "hint": "缺少的思路",
        "every_step": "所有步骤",
        "none": "没有错误的数值：调用者的数组被改动了",
        "relative_error": "∂E/∂W5 的相对误差",
        "batch": "（批次）",
        "shape": "形状",
        "parameter": "参数 θ",
        "before": "θ",
        "gradient": "∂E/∂θ",
        "after": "θ − η·∂E/∂θ",
        "eps": "ε",
        "central": "中心差分的相对误差",
        "forward": "前向差分的相对误差",
        "inputs": "输入",
        "hidden": "隐藏单元",
        "outputs": "输出",
        "targets": "目标",
        "bias": "偏置",
        "network_note": "每个单元：z = Σ（权重 · 输入）+ b，再取 σ(z)",
        "forward_pass": "前向：每个节点算什么",
        "backward_pass": "反向（红色）：沿这条路径，箭头所指节点的 ∂E/∂",
        "loss_edge": "交叉熵",
        "graph_note": "σ：sigmoid 函数；×W5：乘以 W5；E：p1、p2 相对 y1、y2 的交叉熵",
        "n_axis": "参数个数 n",
        "work_axis": "求完整梯度的乘加次数",
        "backprop_line": "反向传播：一次前向加一次反向，O(n)",
        "fd_line": "中心差分：2n 次前向传播，O(n²)",
        "cost_title": "每批 8 行，两层宽度递增的方形 sigmoid 层",
    },
}


def _format(key: str, value: float) -> str:
    return f"{value:.2g}" if ERROR_KEYS.match(key) else nums.number(value)


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def mistakes_table(lang: str) -> str:
    """The misconception catalog on the example: each mistake's wrong number next to the right one."""
    w = WORDS[lang]
    rows = []
    for row in nums.mistake_rows():
        if row["step"] is None:
            hint = tr(lang, MUTATES_INPUT.hint)
            rows.append([f"`{row['id']}`", w["every_step"], "—", "—", w["none"], hint])
            continue
        if row["symbol"] is None:
            hint = tr(lang, BY_ID[row["step"]].misconception(row["id"]).hint)
            rows.append([f"`{row['id']}`", f"`{row['step']}`", "—", "—", "—", hint])
            continue
        symbol = w["relative_error"] if row["step"] == "numerical_gradient" else row["symbol"]
        if row["where"] == "batch":
            symbol += w["batch"]
        hint = tr(lang, BY_ID[row["step"]].misconception(row["id"]).hint)
        right, wrong = row["right"], row["wrong"]
        if row["step"] == "numerical_gradient":
            right, wrong = f"{right:.2g}", f"{wrong:.2g}"
        else:
            right, wrong = nums.show(right, w["shape"]), nums.show(wrong, w["shape"])
        rows.append([f"`{row['id']}`", f"`{row['step']}`", symbol, right, wrong, hint])
    header = [w["mistake"], w["step"], w["quantity"], w["right"], w["wrong"], w["hint"]]
    return _table(header, rows)


def descent_table(lang: str) -> str:
    """Every parameter before and after one step of gradient descent on the example."""
    w, values = WORDS[lang], nums.all_values()
    names = [*WEIGHTS, "b1", "b2", "b3", "b4"]
    rows = [
        [
            name,
            nums.number(values[name]),
            nums.number(values[f"dE_d{name}"]),
            nums.number(values[f"new_{name}"]),
        ]
        for name in names
    ]
    return _table([w["parameter"], w["before"], w["gradient"], w["after"]], rows)


def epsilon_table(lang: str) -> str:
    w = WORDS[lang]
    rows = [
        [f"{eps:.0e}", f"{central:.2g}", f"{forward:.2g}"] for eps, central, forward in nums.epsilon_rows()
    ]
    return _table([w["eps"], w["central"], w["forward"]], rows)


BLOCKS: dict[str, Callable[[str], str]] = {
    "mistakes": mistakes_table,
    "descent": descent_table,
    "epsilon": epsilon_table,
}


def _fill(template: str, lang: str) -> str:
    values = nums.all_values()

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        return BLOCKS[name](lang) if name in BLOCKS else _format(name, values[name])

    return re.sub(r"<<(\w+)>>", fill, template)


def notes_text(lang: str) -> str:
    """The notes in one language, numbers filled in from the reference."""
    return _fill((TEMPLATES / f"notes.{lang}.md.in").read_text(encoding="utf-8"), lang)


def answers_text(lang: str) -> str:
    """The instructor's appendix: the answers to the notes' exercises, not for students."""
    return _fill((TEMPLATES / f"answers.{lang}.md.in").read_text(encoding="utf-8"), lang)


# ------------------------------------------------------------------ figures


@styled
def draw_network(path: Path, lang: str = "en") -> None:
    """The 2-2-2 network with the example's weights, biases and values."""
    w, d = WORDS[lang], derive(MAZUR)
    fig, ax = figure((8, 4.4))
    nodes = {
        "x1": (0, 1, f"x1\n{MAZUR['x1']:g}"),
        "x2": (0, 0, f"x2\n{MAZUR['x2']:g}"),
        "a1": (1.4, 1, f"a1\n{d['a1']:.3f}"),
        "a2": (1.4, 0, f"a2\n{d['a2']:.3f}"),
        "p1": (2.8, 1, f"p1\n{d['p1']:.3f}"),
        "p2": (2.8, 0, f"p2\n{d['p2']:.3f}"),
    }
    edges = [
        ("x1", "a1", "W1"),
        ("x2", "a1", "W2"),
        ("x1", "a2", "W3"),
        ("x2", "a2", "W4"),
        ("a1", "p1", "W5"),
        ("a2", "p1", "W6"),
        ("a1", "p2", "W7"),
        ("a2", "p2", "W8"),
    ]
    for start, end, weight in edges:
        (x0, y0, _), (x1, y1, _) = nodes[start], nodes[end]
        ax.annotate("", (x1 - 0.14, y1), (x0 + 0.14, y0), arrowprops={"arrowstyle": "->", "color": "0.45"})
        # Each label lies along its own edge, near the unit it comes from, where the edges are apart.
        _along(
            ax,
            (x0, y0),
            (x0 + 0.5 * (x1 - x0), y0 + 0.5 * (y1 - y0)),
            f"{weight}={MAZUR[weight]:g}",
            0.6,
            "0.2",
        )
    for unit, bias in (("a1", "b1"), ("a2", "b2"), ("p1", "b3"), ("p2", "b4")):
        x, y, _ = nodes[unit]
        below = -1 if y == 0 else 1
        ax.annotate(
            "",
            (x, y + below * 0.14),
            (x, y + below * 0.34),
            arrowprops={"arrowstyle": "->", "color": "#b07020"},
        )
        ax.text(
            x,
            y + below * 0.4,
            f"{bias}={MAZUR[bias]:g}",
            ha="center",
            va="center",
            fontsize=8,
            color="#b07020",
        )
    for x, y, label in nodes.values():
        ax.add_patch(pyplot().Circle((x, y), 0.14, color="#dbe7f7", ec="#4878d0"))
        ax.text(x, y, label, ha="center", va="center", fontsize=8)
    for name, target in (("p1", "y1"), ("p2", "y2")):
        x, y, _ = nodes[name]
        ax.text(x + 0.45, y, f"{target}={MAZUR[target]:g}", va="center", ha="center", fontsize=8)
    for x, word in ((0, w["inputs"]), (1.4, w["hidden"]), (2.8, w["outputs"]), (3.25, w["targets"])):
        ax.text(x, 1.75, word, ha="center", fontsize=9, color="0.3")
    ax.text(
        1.4, -0.75, f"{w['bias']}: b1..b4   ·   {w['network_note']}", ha="center", fontsize=8, color="0.3"
    )
    ax.text(3.8, 0.5, f"E = {d['E']:.4f}", va="center", ha="center", fontsize=9)
    ax.set(xlim=(-0.4, 4.3), ylim=(-0.9, 1.95), aspect="equal")
    ax.axis("off")
    fig.subplots_adjust(0.01, 0.01, 0.99, 0.99)
    save_svg(fig, path)


Point = tuple[float, float]


def label_anchor(start: Point, end: Point, side: float) -> tuple[float, float, float]:
    """(x, y, angle) of a label for the edge start→end: at its middle, turned along it, on one
    side of it (+1 above, −1 below), so that a label belongs to one edge only."""
    (x0, y0), (x1, y1) = start, end
    dx, dy = x1 - x0, y1 - y0
    length = float(np.hypot(dx, dy))
    nx, ny = -dy / length, dx / length
    if ny < 0:
        nx, ny = -nx, -ny  # "above" means towards larger y whichever way the edge points
    angle = float(np.degrees(np.arctan2(dy, dx)))
    if angle > 90 or angle < -90:
        angle -= 180 * np.sign(angle)
    return (x0 + x1) / 2 + side * 0.16 * nx, (y0 + y1) / 2 + side * 0.16 * ny, angle


def _along(ax, start: Point, end: Point, label: str, side: float, color: str) -> None:
    x, y, angle = label_anchor(start, end, side)
    ax.text(
        x, y, label, ha="center", va="center", rotation=angle, rotation_mode="anchor", fontsize=8, color=color
    )


GRAPH_NODES: dict[str, Point] = {
    "W1": (0, 1),
    "z1": (1, 1),
    "a1": (2, 1),
    "z3": (3.2, 1.8),
    "z4": (3.2, 0.2),
    "p1": (4.4, 1.8),
    "p2": (4.4, 0.2),
    "E": (5.6, 1),
}
BACKWARD_SIDE = -1.25  # backward labels below their edge, forward ones (+1) above it


def graph_edges(lang: str) -> list[tuple[str, str, str, str]]:
    """(from, to, forward operation, backward label) of every edge on the paths from W1 to E."""
    w, d = WORDS[lang], derive(MAZUR)
    return [
        ("W1", "z1", "×x1", f"δ1·x1 = {d['dE_dW1']:.3g}"),
        ("z1", "a1", "σ", f"δ1 = {d['delta1']:.3g}"),
        ("a1", "z3", "×W5", f"δ3·W5 = {d['dE_da1_via_z3']:.3g}"),
        ("a1", "z4", "×W7", f"δ4·W7 = {d['dE_da1_via_z4']:.3g}"),
        ("z3", "p1", "σ", f"δ3 = {d['delta3']:.3g}"),
        ("z4", "p2", "σ", f"δ4 = {d['delta4']:.3g}"),
        ("p1", "E", w["loss_edge"], f"∂E/∂p1 = {d['dE_dp1']:.3g}"),
        ("p2", "E", w["loss_edge"], f"∂E/∂p2 = {d['dE_dp2']:.3g}"),
    ]


@styled
def draw_graph(path: Path, lang: str = "en") -> None:
    """The computational graph of the paths from W1 to E: forward black, backward red."""
    w, d = WORDS[lang], derive(MAZUR)
    red = "#c03030"
    fig, ax = figure((10, 4.4))
    nodes = GRAPH_NODES
    for start, end, op, back in graph_edges(lang):
        (x0, y0), (x1, y1) = nodes[start], nodes[end]
        ax.annotate(
            "",
            (x1 - 0.2, y1 + 0.03),
            (x0 + 0.2, y0 + 0.03),
            arrowprops={"arrowstyle": "->", "color": "black"},
        )
        _along(ax, (x0, y0), (x1, y1), op, +1, "black")
        # The backward arrow runs against the forward one, just below it, and is labelled below it.
        ax.annotate(
            "",
            (x0 + 0.2, y0 - 0.05),
            (x1 - 0.2, y1 - 0.05),
            arrowprops={"arrowstyle": "->", "color": red, "linestyle": "--"},
        )
        _along(ax, (x0, y0), (x1, y1), back, BACKWARD_SIDE, red)
    for name, (x, y) in nodes.items():
        ax.text(
            x,
            y,
            name,
            ha="center",
            va="center",
            fontsize=10,
            bbox={"boxstyle": "round", "fc": "#f3f3f3", "ec": "0.5"},
        )
    ax.text(1.3, 1.45, f"∂E/∂a1 = δ3·W5 + δ4·W7 = {d['dE_da1']:.3g}", ha="center", fontsize=8, color=red)
    ax.text(0.1, 2.35, w["forward_pass"], fontsize=9, color="black", ha="left")
    ax.text(0.1, 2.15, w["backward_pass"], fontsize=9, color=red, ha="left")
    ax.text(2.8, -0.45, w["graph_note"], ha="center", fontsize=8, color="0.3")
    ax.set(xlim=(-0.4, 6.0), ylim=(-0.6, 2.5))
    ax.axis("off")
    fig.subplots_adjust(0.01, 0.01, 0.99, 0.99)
    save_svg(fig, path)


def _products(sizes: list[int], batch: int) -> tuple[int, int]:
    """Multiply-adds in the matrix products of one forward and of one backward pass of
    solutions/mlp.py on a batch: forward A @ W.T per layer; backward δ.T @ A (∂E/∂W) per
    layer and δ @ W (δ one layer down) for every layer but the first."""
    layers = [batch * n_in * n_out for n_in, n_out in pairwise(sizes)]
    return sum(layers), sum(layers) + sum(layers[1:])


@cache
def measure_cost(widths: tuple[int, ...] = (4, 8, 16, 32, 64, 96)) -> tuple[tuple[int, int, int], ...]:
    """(parameters, multiply-adds for backprop, multiply-adds for central differences) per width:
    counted, not timed, so `notes` draws the same figure on every machine. Central
    differences' forward passes are counted by running solutions/gradcheck.py itself."""
    rows = []
    batch = 8
    for width in widths:
        net = MLP([width, width, width], ["sigmoid", "sigmoid"], loss="bce", seed=width)
        n = sum(p.size for p in net.params.values())
        forward, backward = _products([width, width, width], batch)
        passes = []
        numerical_gradients(lambda params, passes=passes: passes.append(1) or 0.0, net.params)
        rows.append((n, forward + backward, len(passes) * forward))
    return tuple(rows)


@styled
def draw_cost(path: Path, lang: str = "en") -> None:
    """Multiply-adds of a whole gradient against the number of parameters, log-log, both methods."""
    w, rows = WORDS[lang], measure_cost()
    fig, ax = figure((7, 4.6))
    n = np.array([r[0] for r in rows], dtype=float)
    ax.loglog(n, [r[1] for r in rows], "o-", label=w["backprop_line"], color="#4878d0")
    ax.loglog(n, [r[2] for r in rows], "s-", label=w["fd_line"], color="#d65f5f")
    ax.set_xlabel(w["n_axis"])
    ax.set_ylabel(w["work_axis"])
    ax.set_title(w["cost_title"], fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    fig.subplots_adjust(left=0.13, right=0.97, top=0.92, bottom=0.12)
    save_svg(fig, path)


DRAW = {"network": draw_network, "graph": draw_graph, "cost": draw_cost}


def write_notes(out: Path) -> list[Path]:
    """notes/notes.<lang>.md, figures/<name>.<lang>.svg and instructor/answers.<lang>.md under out.

    out is e.g. the repository's course/; instructor/ is the appendix not given to students.
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


# The section of the notes that teaches what each step practises (it holds the step's
# exercise; tests/test_notes.py checks both), and the mistakes about the batch mean, taught
# where the batch loss is defined whichever step shows them: the class report links them.
SECTIONS = {
    "sigmoid": 2, "forward": 2,
    "sigmoid_grad": 3, "cross_entropy_grad": 3, "output_delta": 3,
    "hidden_delta": 4, "personal_answers": 4, "weight_grad": 5, "bias_grad": 5,
    "cross_entropy": 6, "backward": 7, "sgd_step": 10, "numerical_gradient": 11,
    "mean_over_outputs": 6, "batch_mean_missing": 6, "batch_mean_twice": 6,
    "bias_wrong_axis": 6, "bias_not_reduced": 6,
}  # fmt: skip

NOTES = Notes(write=write_notes, text=notes_text, sections=SECTIONS)
