"""`backprop-lab notes`: the lecture notes, with every number and figure computed from `solutions/`.

The prose lives in `notes/notes.<lang>.md` with placeholders `<<name>>` for the
numbers of the worked derivation; the figures are drawn here from the reference.
Figures carry only symbols and numbers, so one set serves both languages.
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import numpy as np

from backprop_lab.solutions.gradcheck import numerical_gradients
from backprop_lab.solutions.mlp import MLP
from backprop_lab.solutions.named import MAZUR, derive

TEMPLATES = Path(__file__).with_name("notes")
LANGUAGES = ("en", "zh")
PNG_METADATA = {"Software": None}  # no matplotlib version in the file: the same figure, the same bytes


def _number(value: float) -> str:
    return f"{value:.6g}"


def notes_text(lang: str) -> str:
    """The notes in one language, numbers filled in from the worked derivation."""
    values = {**MAZUR, **derive(MAZUR)}
    template = (TEMPLATES / f"notes.{lang}.md.in").read_text(encoding="utf-8")

    def fill(match: re.Match[str]) -> str:
        return _number(values[match.group(1)])

    return re.sub(r"<<(\w+)>>", fill, template)


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def draw_network(path: Path) -> None:
    """The 2-2-2 network with the example's weights and activations."""
    plt = _plt()
    d = derive(MAZUR)
    nodes = {
        "x1": (0, 1, f"$x_1$\n{MAZUR['x1']:g}"),
        "x2": (0, 0, f"$x_2$\n{MAZUR['x2']:g}"),
        "a1": (1, 1, f"$a_1$\n{d['a1']:.3f}"),
        "a2": (1, 0, f"$a_2$\n{d['a2']:.3f}"),
        "p1": (2, 1, f"$p_1$\n{d['p1']:.3f}"),
        "p2": (2, 0, f"$p_2$\n{d['p2']:.3f}"),
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
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for start, end, weight in edges:
        (x0, y0, _), (x1, y1, _) = nodes[start], nodes[end]
        ax.annotate("", (x1 - 0.13, y1), (x0 + 0.13, y0), arrowprops={"arrowstyle": "->", "color": "0.4"})
        t = 0.3 if y0 == y1 else 0.25
        ax.text(
            x0 + t * (x1 - x0),
            y0 + t * (y1 - y0) + 0.06,
            f"${weight[0]}_{weight[1]}$={MAZUR[weight]:g}",
            fontsize=8,
            ha="center",
        )
    for x, y, label in nodes.values():
        ax.add_patch(plt.Circle((x, y), 0.13, color="#dbe7f7", ec="#4878d0"))
        ax.text(x, y, label, ha="center", va="center", fontsize=8)
    for name, (x, y, _) in (("p1", nodes["p1"]), ("p2", nodes["p2"])):
        target = MAZUR["y1" if name == "p1" else "y2"]
        ax.text(x + 0.2, y, f"$y_{name[1]}$={target:g}", va="center", fontsize=8)
    ax.text(2.35, 0.5, f"E = {d['E']:.4f}", va="center", fontsize=9)
    ax.set(xlim=(-0.3, 2.8), ylim=(-0.35, 1.35), aspect="equal")
    ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=120, metadata=PNG_METADATA)
    plt.close(fig)


def draw_graph(path: Path) -> None:
    """The computational graph of the paths from W1 to E: forward black, backward red."""
    plt = _plt()
    d = derive(MAZUR)
    nodes = {
        "W1": (0, 1),
        "z1": (1, 1),
        "a1": (2, 1),
        "z3": (3, 1.6),
        "z4": (3, 0.4),
        "p1": (4, 1.6),
        "p2": (4, 0.4),
        "E": (5, 1),
    }
    forward = [
        ("W1", "z1", "×x1"),
        ("z1", "a1", "σ"),
        ("a1", "z3", "×W5"),
        ("a1", "z4", "×W7"),
        ("z3", "p1", "σ"),
        ("z4", "p2", "σ"),
        ("p1", "E", "CE"),
        ("p2", "E", "CE"),
    ]
    backward = {
        ("E", "p1"): f"∂E/∂p1={d['dE_dp1']:.3g}",
        ("p1", "z3"): f"δ3={d['delta3']:.3g}",
        ("E", "p2"): f"∂E/∂p2={d['dE_dp2']:.3g}",
        ("p2", "z4"): f"δ4={d['delta4']:.3g}",
        ("z3", "a1"): f"δ3·W5={d['dE_da1_via_z3']:.3g}",
        ("z4", "a1"): f"δ4·W7={d['dE_da1_via_z4']:.3g}",
        ("a1", "z1"): f"δ1={d['delta1']:.3g}",
        ("z1", "W1"): f"δ1·x1={d['dE_dW1']:.3g}",
    }
    fig, ax = plt.subplots(figsize=(10, 3.6))
    for start, end, op in forward:
        (x0, y0), (x1, y1) = nodes[start], nodes[end]
        ax.annotate("", (x1 - 0.18, y1), (x0 + 0.18, y0), arrowprops={"arrowstyle": "->", "color": "black"})
        ax.text((x0 + x1) / 2, (y0 + y1) / 2 + 0.1, op, ha="center", fontsize=8)
    for (start, end), label in backward.items():
        (x0, y0), (x1, y1) = nodes[start], nodes[end]
        ax.annotate(
            "",
            (x1 + 0.18, y1 - 0.08),
            (x0 - 0.18, y0 - 0.08),
            arrowprops={"arrowstyle": "->", "color": "#c03030", "linestyle": "--"},
        )
        below = 0.25 if y0 == y1 else 0.45  # clear of the slanted arrows
        ax.text(
            (x0 + x1) / 2 - (0.35 if y0 != y1 else 0),
            (y0 + y1) / 2 - below,
            label,
            ha="center",
            fontsize=7,
            color="#c03030",
        )
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
    ax.text(2, 1.45, f"∂E/∂a1 = {d['dE_da1']:.3g}", ha="center", fontsize=8, color="#c03030")
    ax.set(xlim=(-0.4, 5.4), ylim=(-0.1, 2.0))
    ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=120, metadata=PNG_METADATA)
    plt.close(fig)


def _products(sizes: list[int], batch: int) -> tuple[int, int]:
    """Multiply-adds in the matrix products of one forward and of one backward pass of
    solutions/mlp.py on a batch: forward A @ W.T per layer; backward δ.T @ A (∂E/∂W) per
    layer and δ @ W (δ one layer down) for every layer but the first."""
    layers = [batch * n_in * n_out for n_in, n_out in pairwise(sizes)]
    return sum(layers), sum(layers) + sum(layers[1:])


def measure_cost(widths: tuple[int, ...] = (4, 8, 16, 32, 64, 96)) -> list[tuple[int, int, int]]:
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
    return rows


def draw_cost(path: Path) -> None:
    plt = _plt()
    rows = measure_cost()
    n = np.array([r[0] for r in rows], dtype=float)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.loglog(n, [r[1] for r in rows], "o-", label="backprop: $O(n)$", color="#4878d0")
    ax.loglog(
        n,
        [r[2] for r in rows],
        "s-",
        label=r"$\frac{E(\theta+\varepsilon)-E(\theta-\varepsilon)}{2\varepsilon}$: "
        r"$O(n^2)$",
        color="#d65f5f",
    )
    ax.set(xlabel="$n$", ylabel="multiply-adds")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120, metadata=PNG_METADATA)
    plt.close(fig)


def write_notes(out: Path) -> list[Path]:
    """notes/notes.<lang>.md and figures/*.png under out (e.g. the repository's course/)."""
    (out / "notes").mkdir(parents=True, exist_ok=True)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    written = []
    for lang in LANGUAGES:
        path = out / "notes" / f"notes.{lang}.md"
        path.write_text(notes_text(lang), encoding="utf-8")
        written.append(path)
    for name, draw in (("network", draw_network), ("graph", draw_graph), ("cost", draw_cost)):
        draw(out / "figures" / f"{name}.png")
        written.append(out / "figures" / f"{name}.png")
    return written
