"""Finite-difference oracles of the `deep` assignment, from the reference FORWARD pass only.

Each gradient step is checked against central differences of a loss written here from
the forward definitions (activations, log-sum-exp), never from the reference backward
formulas, so a wrong reference could not agree with its own oracle. The gradient
check's test function lives here too: the grader evaluates it for the student's code.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from backprop_lab.solutions import deep as ref

H = 1e-6  # the central difference's step: truncation ~1e-12, rounding ~1e-10


def central(loss: Callable[[np.ndarray], float], x: np.ndarray, h: float = H) -> np.ndarray:
    """(loss(x + h·e_i) − loss(x − h·e_i)) / 2h for every entry i of x."""
    x = np.asarray(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += h
        minus[index] -= h
        grad[index] = (loss(plus) - loss(minus)) / (2 * h)
    return grad


def _elementwise(f: Callable[[np.ndarray], np.ndarray], z: np.ndarray, h: float = H) -> np.ndarray:
    """f'(z) entry by entry for an elementwise f: one central difference for every entry at once."""
    return (f(z + h) - f(z - h)) / (2 * h)


def fd_tanh_grad(A: np.ndarray) -> np.ndarray:
    return _elementwise(np.tanh, np.arctanh(A))


def fd_relu_grad(Z: np.ndarray) -> np.ndarray:
    """Central differences of max(z, 0) off the kink; at z = 0 the difference from the left,
    the convention relu'(0) = 0 (a central difference there would give ½, no derivative at all)."""

    def relu(z: np.ndarray) -> np.ndarray:
        return np.maximum(z, 0.0)

    left = (relu(Z) - relu(Z - H)) / H
    return np.where(Z == 0, left, _elementwise(relu, Z))


def fd_sigmoid_grad(A: np.ndarray) -> np.ndarray:
    def sigma(z: np.ndarray) -> np.ndarray:
        return ref.activate(z, "sigmoid")

    return _elementwise(sigma, np.log(A) - np.log1p(-A))


def _row_losses(Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """−Σ_k y_k ln softmax(z)_k per row, through log-sum-exp: ln Σ e^z · Σ y − Σ y·z."""
    top = Z.max(axis=1, keepdims=True)
    lse = (top + np.log(np.exp(Z - top).sum(axis=1, keepdims=True)))[:, 0]
    return lse * Y.sum(axis=1) - (Y * Z).sum(axis=1)


def fd_output_delta(P: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """∂E/∂Z of each row's loss, at Z = ln P (softmax(ln P) = P since each row of P sums to 1)."""
    Z = np.log(P)
    return central(lambda z: float(_row_losses(z, Y).sum()), Z)


def fd_hidden_delta(delta_next: np.ndarray, W_next: np.ndarray, f_prime: np.ndarray) -> np.ndarray:
    """δ(l+1) is ∂E/∂Z(l+1); near Zl, a unit of slope f' feeds Z(l+1) = (f'⊙Zl) W(l+1)ᵀ + b, so E
    changes with Zl as Σ δ(l+1) ⊙ ((f'⊙Zl) W(l+1)ᵀ) does, to first order."""

    def loss(z: np.ndarray) -> float:
        return float((delta_next * ((f_prime * z) @ W_next.T)).sum())

    return central(loss, np.zeros_like(np.asarray(f_prime, dtype=np.float64)))


def fd_layer_grads(delta: np.ndarray, A_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """δ is ∂E/∂Z per row and Z = A_prev Wᵀ + b: the batch mean changes with W and b as
    Σ δ ⊙ (A_prev Wᵀ + b) / m does, to first order."""
    m, n_out, n_in = delta.shape[0], delta.shape[1], A_prev.shape[1]

    def loss(W: np.ndarray, b: np.ndarray) -> float:
        return float((delta * (A_prev @ W.T + b)).sum()) / m

    W, b = np.zeros((n_out, n_in)), np.zeros(n_out)
    return central(lambda w: loss(w, b), W), central(lambda v: loss(W, v), b)


def batch_loss(X: np.ndarray, Y: np.ndarray, layers: ref.Layers, activations: list[str]) -> float:
    """The batch loss from the forward definitions: activations by name, log-sum-exp at the top."""
    A = np.asarray(X, dtype=np.float64)
    for index, (W, b) in enumerate(layers):
        Z = A @ W.T + b
        A = ref.activate(Z, activations[index]) if index < len(layers) - 1 else Z
    return float(_row_losses(A, Y).mean())


def fd_backward(
    X: np.ndarray, Y: np.ndarray, layers: ref.Layers, activations: list[str]
) -> list[tuple[np.ndarray, np.ndarray]]:
    def moved(index: int, W: np.ndarray, b: np.ndarray) -> float:
        return batch_loss(X, Y, [*layers[:index], (W, b), *layers[index + 1 :]], activations)

    return [
        (
            central(lambda w, i=index, b=b: moved(i, w, b), W),
            central(lambda v, i=index, W=W: moved(i, W, v), b),
        )
        for index, (W, b) in enumerate(layers)
    ]
