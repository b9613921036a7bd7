"""The course's 2-2-2 network by name: x1, x2, y1, y2, W1..W8, b1..b4.

The worked derivation here is written scalar by scalar, exactly as in the notes, and
never calls the matrix code; the two therefore check each other in the tests.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

from backprop_lab.solutions.backprop import Params

INPUTS = ("x1", "x2")
TARGETS = ("y1", "y2")
WEIGHTS = tuple(f"W{i}" for i in range(1, 9))
BIASES = tuple(f"b{i}" for i in range(1, 5))
NAMES = INPUTS + TARGETS + WEIGHTS + BIASES

# Where each named weight sits in the matrices (row = unit fed, column = unit feeding).
WEIGHT_POSITIONS = {
    "W1": ("W_hidden", 0, 0), "W2": ("W_hidden", 0, 1),
    "W3": ("W_hidden", 1, 0), "W4": ("W_hidden", 1, 1),
    "W5": ("W_out", 0, 0), "W6": ("W_out", 0, 1),
    "W7": ("W_out", 1, 0), "W8": ("W_out", 1, 1),
}  # fmt: skip
BIAS_POSITIONS = {"b1": ("b_hidden", 0), "b2": ("b_hidden", 1), "b3": ("b_out", 0), "b4": ("b_out", 1)}

# Mazur's worked example with one bias per unit (b1 = b2 = 0.35, b3 = b4 = 0.60).
MAZUR = {
    "x1": 0.05, "x2": 0.10, "y1": 0.01, "y2": 0.99,
    "W1": 0.15, "W2": 0.20, "W3": 0.25, "W4": 0.30,
    "W5": 0.40, "W6": 0.45, "W7": 0.50, "W8": 0.55,
    "b1": 0.35, "b2": 0.35, "b3": 0.60, "b4": 0.60,
}  # fmt: skip


def to_matrices(named: dict[str, float]) -> tuple[np.ndarray, np.ndarray, Params]:
    """Named scalars → (X, Y, params) of the contract, one example (m = 1)."""
    X = np.array([[named["x1"], named["x2"]]], dtype=np.float64)
    Y = np.array([[named["y1"], named["y2"]]], dtype=np.float64)
    params = {
        "W_hidden": np.zeros((2, 2)), "b_hidden": np.zeros(2),
        "W_out": np.zeros((2, 2)), "b_out": np.zeros(2),
    }  # fmt: skip
    for name, (key, row, col) in WEIGHT_POSITIONS.items():
        params[key][row, col] = named[name]
    for name, (key, index) in BIAS_POSITIONS.items():
        params[key][index] = named[name]
    return X, Y, params


def from_matrices(X: np.ndarray, Y: np.ndarray, params: Params) -> dict[str, float]:
    """(X, Y, params) of a 2-2-2 network, first example → named scalars."""
    named = {"x1": X[0, 0], "x2": X[0, 1], "y1": Y[0, 0], "y2": Y[0, 1]}
    for name, (key, row, col) in WEIGHT_POSITIONS.items():
        named[name] = params[key][row, col]
    for name, (key, index) in BIAS_POSITIONS.items():
        named[name] = params[key][index]
    return {name: float(value) for name, value in named.items()}


def named_gradients(grads: Params) -> dict[str, float]:
    """Gradient matrices of the contract → {"dE_dW1": ..., "dE_db4": ...}."""
    out = {f"dE_d{name}": float(grads[key][row, col]) for name, (key, row, col) in WEIGHT_POSITIONS.items()}
    out.update({f"dE_d{name}": float(grads[key][index]) for name, (key, index) in BIAS_POSITIONS.items()})
    return out


def _sigma(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def derive(n: dict[str, float]) -> dict[str, float]:
    """Every intermediate of one forward and backward pass, named as in the notes."""
    d: dict[str, float] = {}
    # Forward pass.
    d["z1"] = n["W1"] * n["x1"] + n["W2"] * n["x2"] + n["b1"]
    d["z2"] = n["W3"] * n["x1"] + n["W4"] * n["x2"] + n["b2"]
    d["a1"], d["a2"] = _sigma(d["z1"]), _sigma(d["z2"])
    d["z3"] = n["W5"] * d["a1"] + n["W6"] * d["a2"] + n["b3"]
    d["z4"] = n["W7"] * d["a1"] + n["W8"] * d["a2"] + n["b4"]
    d["p1"], d["p2"] = _sigma(d["z3"]), _sigma(d["z4"])
    d["E"] = -sum(
        n[y] * math.log(d[p]) + (1 - n[y]) * math.log(1 - d[p]) for y, p in (("y1", "p1"), ("y2", "p2"))
    )
    # Output layer: ∂E/∂W5 = ∂E/∂p1 · ∂p1/∂z3 · ∂z3/∂W5.
    d["dE_dp1"] = -n["y1"] / d["p1"] + (1 - n["y1"]) / (1 - d["p1"])
    d["dE_dp2"] = -n["y2"] / d["p2"] + (1 - n["y2"]) / (1 - d["p2"])
    d["dp1_dz3"] = d["p1"] * (1 - d["p1"])
    d["dp2_dz4"] = d["p2"] * (1 - d["p2"])
    d["dz3_dW5"] = d["a1"]
    d["delta3"] = d["dE_dp1"] * d["dp1_dz3"]  # simplifies to p1 − y1
    d["delta4"] = d["dE_dp2"] * d["dp2_dz4"]  # simplifies to p2 − y2
    d["dE_dW5"] = d["delta3"] * d["a1"]
    d["dE_dW6"] = d["delta3"] * d["a2"]
    d["dE_dW7"] = d["delta4"] * d["a1"]
    d["dE_dW8"] = d["delta4"] * d["a2"]
    d["dE_db3"], d["dE_db4"] = d["delta3"], d["delta4"]
    # Hidden layer: a1 reaches E through z3 and through z4; the two paths add.
    d["dE_da1_via_z3"] = d["delta3"] * n["W5"]
    d["dE_da1_via_z4"] = d["delta4"] * n["W7"]
    d["dE_da1"] = d["dE_da1_via_z3"] + d["dE_da1_via_z4"]
    d["dE_da2_via_z3"] = d["delta3"] * n["W6"]
    d["dE_da2_via_z4"] = d["delta4"] * n["W8"]
    d["dE_da2"] = d["dE_da2_via_z3"] + d["dE_da2_via_z4"]
    d["da1_dz1"] = d["a1"] * (1 - d["a1"])
    d["da2_dz2"] = d["a2"] * (1 - d["a2"])
    d["delta1"] = d["da1_dz1"] * d["dE_da1"]
    d["delta2"] = d["da2_dz2"] * d["dE_da2"]
    d["dE_dW1"] = d["delta1"] * n["x1"]
    d["dE_dW2"] = d["delta1"] * n["x2"]
    d["dE_dW3"] = d["delta2"] * n["x1"]
    d["dE_dW4"] = d["delta2"] * n["x2"]
    d["dE_db1"], d["dE_db2"] = d["delta1"], d["delta2"]
    return d


ANSWER_KEYS = ("dE_dW5", "dE_db3", "dE_da1", "dE_dW1")


def personal_numbers(student_id: str) -> dict[str, float]:
    """The named network a student answers questions about, drawn from their id.

    The draw hashes the id (not Python's salted hash) so every machine agrees, and
    rounds to two decimals so the numbers can be printed and typed by hand.
    """
    digest = hashlib.sha256(f"backprop-lab/personal/{student_id}".encode()).digest()
    rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))

    def nonzero() -> float:  # a zero would make some answers trivially 0
        return round(float(rng.choice([-1.0, 1.0]) * rng.uniform(0.1, 1.0)), 2)

    named = {name: nonzero() for name in INPUTS + WEIGHTS + BIASES}
    named.update({y: float(rng.integers(0, 2)) for y in TARGETS})
    return named


def personal_answers(student_id: str) -> dict[str, float]:
    """The correct ANSWERS for a student: ∂E/∂W5, ∂E/∂b3, ∂E/∂a1, ∂E/∂W1."""
    d = derive(personal_numbers(student_id))
    return {key: d[key] for key in ANSWER_KEYS}
