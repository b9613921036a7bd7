"""The formulas as the notes and the contract write them, unsimplified: what a tolerance must accept.

The reference (solutions/backprop.py) is written for accuracy. A student may rightly
write each step another way the notes teach: σ as 1 / (1 + e^(−z)), σ' as a − a², the
output δ as ∂E/∂p · ∂p/∂z, a gradient check that evaluates f. In float64 these differ
from the reference by their rounding, which is large where the formula is badly
conditioned (a − a² as a → 1, (1 − y)/(1 − p) as p → 1). The grader evaluates them on
each case and accepts what lies within a margin of their spread (graders/cases.py).
"""

from __future__ import annotations

import numpy as np

from backprop_lab.solutions import backprop as ref

Params = dict[str, np.ndarray]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(−z)): e^(−z) overflows to inf for z < −709, and 1/inf is the right 0."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))


def sigmoid_grad(a: np.ndarray) -> np.ndarray:
    """σ' = a − a², which loses its relative accuracy as a → 1."""
    a = np.asarray(a, dtype=np.float64)
    return a - a**2


def forward(X: np.ndarray, params: Params) -> dict[str, np.ndarray]:
    Z_hidden = X @ params["W_hidden"].T + params["b_hidden"]
    A_hidden = sigmoid(Z_hidden)
    Z_out = A_hidden @ params["W_out"].T + params["b_out"]
    return {"Z_hidden": Z_hidden, "A_hidden": A_hidden, "Z_out": Z_out, "P": sigmoid(Z_out)}


def output_delta(P: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """δ = ∂E/∂p · ∂p/∂z, never simplified to p − y."""
    return ref.cross_entropy_grad(P, Y) * sigmoid_grad(P)


def hidden_delta(A_hidden: np.ndarray, W_out: np.ndarray, delta_out: np.ndarray) -> np.ndarray:
    return (delta_out @ W_out) * sigmoid_grad(A_hidden)


def backward(X: np.ndarray, Y: np.ndarray, params: Params) -> Params:
    """Every textbook form at once: the forward pass above, the unsimplified δs."""
    cache = forward(X, params)
    delta_out = output_delta(cache["P"], Y)
    delta_hidden = hidden_delta(cache["A_hidden"], params["W_out"], delta_out)
    m = X.shape[0]
    return {
        "W_hidden": delta_hidden.T @ X / m,
        "b_hidden": delta_hidden.sum(axis=0) / m,
        "W_out": delta_out.T @ cache["A_hidden"] / m,
        "b_out": delta_out.sum(axis=0) / m,
    }
