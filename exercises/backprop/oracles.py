"""Finite-difference oracles, from the reference forward pass only: the steps' independent checks."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from backprop_lab.solutions import backprop as ref
from backprop_lab.solutions.gradcheck import numerical_gradients


def central(loss: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    """Central differences of a function of one array, by the reference's gradient check."""
    return numerical_gradients(lambda p: loss(p["x"]), {"x": np.asarray(x, dtype=np.float64)})["x"]


def elementwise_ce(P: np.ndarray, Y: np.ndarray) -> np.ndarray:
    return -(Y * np.log(P) + (1 - Y) * np.log1p(-P))  # log1p: no cancellation in 1 − p for small p


def logit(p: np.ndarray) -> np.ndarray:
    return np.log(p) - np.log1p(-p)


def ce_of_logits(Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """−[y ln σ(z) + (1 − y) ln(1 − σ(z))] = ln(1 + e^z) − y·z, without the cancellation in 1 − σ(z)."""
    return np.logaddexp(0.0, Z) - Y * Z


def fd_cross_entropy_grad(P: np.ndarray, Y: np.ndarray) -> np.ndarray:
    # Each entry depends on its own p alone; the step is relative to the distance from 0 and 1.
    h = 1e-6 * np.minimum(P, 1 - P)
    return (elementwise_ce(P + h, Y) - elementwise_ce(P - h, Y)) / (2 * h)


def fd_output_delta(P: np.ndarray, Y: np.ndarray) -> np.ndarray:
    Z, h = logit(P), 1e-6
    return (ce_of_logits(Z + h, Y) - ce_of_logits(Z - h, Y)) / (2 * h)


def fd_hidden_delta(A_hidden: np.ndarray, W_out: np.ndarray, delta_out: np.ndarray) -> np.ndarray:
    # δ_out is ∂E/∂Z_out, so E changes with Z_hidden as Σ δ_out ⊙ (σ(Z_hidden) W_outᵀ) does, to first order.
    return central(lambda z: float((delta_out * (ref.sigmoid(z) @ W_out.T)).sum()), logit(A_hidden))


def fd_weight_grad(delta: np.ndarray, A_prev: np.ndarray) -> np.ndarray:
    m, W = delta.shape[0], np.zeros((delta.shape[1], A_prev.shape[1]))
    return central(lambda w: float((delta * (A_prev @ w.T)).sum()) / m, W)


def fd_bias_grad(delta: np.ndarray) -> np.ndarray:
    m, b = delta.shape[0], np.zeros(delta.shape[1])
    return central(lambda v: float((delta * v).sum()) / m, b)


def fd_backward(X: np.ndarray, Y: np.ndarray, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    def loss(p: dict[str, np.ndarray]) -> float:
        return float(ce_of_logits(ref.forward(X, p)["Z_out"], Y).sum(axis=1).mean())

    return numerical_gradients(loss, params)


