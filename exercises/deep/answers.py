"""The `deep` assignment's personal numeric question: a 2-3-2-2 network by named scalars.

The network is the notes' worked example's (tanh, then ReLU, then softmax with
cross-entropy); each student's numbers are drawn from their id. The derivation here is
written unit by unit, as by hand, and never calls the matrix code, so the two check each
other in the tests.
"""

from __future__ import annotations

import hashlib
import inspect
import math

import numpy as np

from backprop_lab.exercises.i18n import N_, tr
from backprop_lab.solutions import deep as ref
from backprop_lab.solutions.deep_example import ACTIVATIONS, example

WIDTHS = (2, 3, 2, 2)
KEYS = ("dE_dW3_11", "dE_db2_1", "delta1_1", "dE_dW1_11")
CELL_INTRO = N_("Your personal numbers: type your student id (on JupyterHub it is filled in for you).")
QUESTION = N_(
    "For the 2-3-2-2 network of the notes (tanh, then ReLU, then softmax with cross-entropy) with your "
    "personal numbers, compute ∂E/∂W3_11, ∂E/∂b2_1, δ1_1 (the δ of the first tanh unit) and ∂E/∂W1_11 by "
    "hand or with your functions, and write them into ANSWERS."
)


def weight_names(layer: int) -> list[str]:
    """W{l}_{ij}: row i is the unit fed, column j the unit feeding (torch.nn.Linear's layout)."""
    return [f"W{layer}_{i + 1}{j + 1}" for i in range(WIDTHS[layer]) for j in range(WIDTHS[layer - 1])]


def bias_names(layer: int) -> list[str]:
    return [f"b{layer}_{i + 1}" for i in range(WIDTHS[layer])]


def to_layers(n: dict[str, float]) -> tuple[np.ndarray, np.ndarray, ref.Layers, tuple[str, ...]]:
    """Named scalars → (X, Y, layers, activations), one example."""
    X = np.array([[n["x1"], n["x2"]]])
    Y = np.array([[n["y1"], n["y2"]]])
    layers = [
        (
            np.array([n[name] for name in weight_names(layer)]).reshape(WIDTHS[layer], WIDTHS[layer - 1]),
            np.array([n[name] for name in bias_names(layer)]),
        )
        for layer in range(1, len(WIDTHS))
    ]
    return X, Y, layers, ACTIVATIONS


def from_layers(X: np.ndarray, Y: np.ndarray, layers: ref.Layers) -> dict[str, float]:
    """(X, Y, layers) of a 2-3-2-2 network, first example → named scalars."""
    named = {"x1": X[0, 0], "x2": X[0, 1], "y1": Y[0, 0], "y2": Y[0, 1]}
    for layer, (W, b) in enumerate(layers, start=1):
        named.update(zip(weight_names(layer), W.ravel(), strict=True))
        named.update(zip(bias_names(layer), b, strict=True))
    return {name: float(value) for name, value in named.items()}


EXAMPLE = from_layers(*example()[:3])


def derive(n: dict[str, float]) -> dict[str, float]:
    """Every intermediate of one forward and backward pass, unit by unit, named as in the notes."""
    d: dict[str, float] = {}
    inputs = [n["x1"], n["x2"]]
    for layer in (1, 2, 3):
        for i in range(1, WIDTHS[layer] + 1):
            z = sum(n[f"W{layer}_{i}{j}"] * a for j, a in enumerate(inputs, start=1)) + n[f"b{layer}_{i}"]
            d[f"z{layer}_{i}"] = z
            if layer == 1:
                d[f"a1_{i}"] = math.tanh(z)
            elif layer == 2:
                d[f"a2_{i}"] = max(z, 0.0)
        if layer < 3:
            inputs = [d[f"a{layer}_{i}"] for i in range(1, WIDTHS[layer] + 1)]
    top = max(d["z3_1"], d["z3_2"])
    total = sum(math.exp(d[f"z3_{k}"] - top) for k in (1, 2))
    for k in (1, 2):
        d[f"p{k}"] = math.exp(d[f"z3_{k}"] - top) / total
        d[f"delta3_{k}"] = d[f"p{k}"] - n[f"y{k}"]  # softmax with cross-entropy: p − y
    d["E"] = -sum(n[f"y{k}"] * math.log(d[f"p{k}"]) for k in (1, 2) if n[f"y{k}"] > 0)
    for i in (1, 2):  # through the ReLU layer: every output unit's path, summed, times relu'(z)
        d[f"dE_da2_{i}"] = sum(d[f"delta3_{k}"] * n[f"W3_{k}{i}"] for k in (1, 2))
        d[f"relu_grad2_{i}"] = 1.0 if d[f"z2_{i}"] > 0 else 0.0
        d[f"delta2_{i}"] = d[f"relu_grad2_{i}"] * d[f"dE_da2_{i}"]
    for i in (1, 2, 3):  # through the tanh layer
        d[f"dE_da1_{i}"] = sum(d[f"delta2_{k}"] * n[f"W2_{k}{i}"] for k in (1, 2))
        d[f"tanh_grad1_{i}"] = 1.0 - d[f"a1_{i}"] ** 2
        d[f"delta1_{i}"] = d[f"tanh_grad1_{i}"] * d[f"dE_da1_{i}"]
    below = {1: [n["x1"], n["x2"]], 2: [d[f"a1_{j}"] for j in (1, 2, 3)], 3: [d["a2_1"], d["a2_2"]]}
    for layer in (1, 2, 3):
        for i in range(1, WIDTHS[layer] + 1):
            d[f"dE_db{layer}_{i}"] = d[f"delta{layer}_{i}"]
            for j, a in enumerate(below[layer], start=1):
                d[f"dE_dW{layer}_{i}{j}"] = d[f"delta{layer}_{i}"] * a
    return d


def personal_numbers(student_id: str) -> dict[str, float]:
    """The 2-3-2-2 network a student answers about, drawn from their id (sha256, not Python's salted
    hash, so every machine agrees), rounded to two decimals to be typed by hand. As in the notes'
    example, the first ReLU unit is on and the second off (|z| ≥ 0.05), so δ1_1 takes one path."""
    digest = hashlib.sha256(f"backprop-lab/deep/personal/{student_id}".encode()).digest()
    rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))
    shapes = {"x": (2,), "W1": (3, 2), "b1": (3,), "W2": (2, 3), "b2": (2,), "W3": (2, 2), "b3": (2,)}
    while True:
        drawn = {
            key: np.round(rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.1, 1.0, size=shape), 2)
            for key, shape in shapes.items()
        }
        z2 = drawn["W2"] @ np.tanh(drawn["W1"] @ drawn["x"] + drawn["b1"]) + drawn["b2"]
        if z2[0] >= 0.05 and z2[1] <= -0.05:
            break
    label = int(rng.integers(0, 2))
    named = {"x1": drawn["x"][0], "x2": drawn["x"][1], "y1": float(label == 0), "y2": float(label == 1)}
    for key in ("W1", "b1", "W2", "b2", "W3", "b3"):
        for index in np.ndindex(shapes[key]):
            named[f"{key}_{''.join(str(i + 1) for i in index)}"] = drawn[key][index]
    return {name: float(value) for name, value in named.items()}


def personal_answers(student_id: str) -> dict[str, float]:
    """The correct ANSWERS for a student."""
    d = derive(personal_numbers(student_id))
    return {key: d[key] for key in KEYS}


def cell(lang: str) -> str:
    """The notebook cell that prints a student's numbers; it runs in their kernel (numpy and hashlib only)."""
    intro = tr(lang, CELL_INTRO)
    return (
        f"# {intro}\nimport hashlib\nimport os\n\nimport numpy as np\n\n"
        'STUDENT_ID = os.environ.get("JUPYTERHUB_USER", "")\n\n\n'
        f"{inspect.getsource(personal_numbers)}\n\n"
        "if STUDENT_ID:\n"
        "    for name, value in personal_numbers(STUDENT_ID).items():\n"
        '        print(f"{name} = {value}")\n'
    )


DERIVATION_WORDS = {
    "forward": N_("Forward pass"),
    "output": N_("Output layer: δ3 = p − y (softmax with cross-entropy)"),
    "relu": N_("ReLU layer: δ2_i = relu'(z2_i) · Σ_k δ3_k W3_ki"),
    "tanh": N_("tanh layer: δ1_i = (1 − a1_i²) · Σ_k δ2_k W2_ki"),
    "answers": N_("Your answers"),
}


def derivation(numbers: dict[str, float], lang: str) -> str:
    """The worked derivation, unit by unit, as `backprop-lab derive` prints it."""
    words, d = {key: tr(lang, message) for key, message in DERIVATION_WORDS.items()}, derive(numbers)

    def line(name: str, formula: str) -> str:
        return f"  {name} = {formula} = {d[name]:.6f}"

    n = {name: f"({value:g})" if value < 0 else f"{value:g}" for name, value in numbers.items()}
    lines = [words["forward"]]
    for i in (1, 2, 3):
        lines.append(
            line(f"z1_{i}", f"{n[f'W1_{i}1']}·{n['x1']} + {n[f'W1_{i}2']}·{n['x2']} + {n[f'b1_{i}']}")
        )
        lines.append(line(f"a1_{i}", f"tanh(z1_{i})"))
    for i in (1, 2):
        terms = " + ".join(f"{n[f'W2_{i}{j}']}·a1_{j}" for j in (1, 2, 3))
        lines += [line(f"z2_{i}", f"{terms} + {n[f'b2_{i}']}"), line(f"a2_{i}", f"max(z2_{i}, 0)")]
    for k in (1, 2):
        lines.append(line(f"z3_{k}", f"{n[f'W3_{k}1']}·a2_1 + {n[f'W3_{k}2']}·a2_2 + {n[f'b3_{k}']}"))
    lines += [line(f"p{k}", f"e^z3_{k} / (e^z3_1 + e^z3_2)") for k in (1, 2)]
    lines.append(words["output"])
    lines += [line(f"delta3_{k}", f"p{k} − {n[f'y{k}']}") for k in (1, 2)]
    lines.append(words["relu"])
    for i in (1, 2):
        relu_grad = f"{d[f'relu_grad2_{i}']:g}"
        lines.append(line(f"delta2_{i}", f"{relu_grad} · (δ3_1·{n[f'W3_1{i}']} + δ3_2·{n[f'W3_2{i}']})"))
    lines.append(words["tanh"])
    for i in (1, 2, 3):
        lines.append(line(f"delta1_{i}", f"(1 − a1_{i}²) · (δ2_1·{n[f'W2_1{i}']} + δ2_2·{n[f'W2_2{i}']})"))
    lines.append(words["answers"])
    lines += [
        line("dE_dW3_11", "δ3_1 · a2_1"),
        line("dE_db2_1", "δ2_1"),
        line("delta1_1", "δ1_1"),
        line("dE_dW1_11", f"δ1_1 · {n['x1']}"),
    ]
    return "\n".join(lines) + "\n"
