"""Reference solution of the default assignment, one function per derivation step.

The course's network (notation of the notes):

    z1 = W1*x1 + W2*x2 + b1      a1 = σ(z1)
    z2 = W3*x1 + W4*x2 + b2      a2 = σ(z2)
    z3 = W5*a1 + W6*a2 + b3      p1 = σ(z3)
    z4 = W7*a1 + W8*a2 + b4      p2 = σ(z4)
    E  = -Σ_k [ y_k ln p_k + (1 - y_k) ln(1 - p_k) ]

In matrix form a batch is rows: X (m, d), Y (m, k), and
W_hidden = [[W1, W2], [W3, W4]], b_hidden = [b1, b2],
W_out = [[W5, W6], [W7, W8]], b_out = [b3, b4].

Each body sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` so that the
exercise generator can strip it mechanically into a student stub.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Params = dict[str, np.ndarray]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(-z)), elementwise; finite and in [0, 1] for any finite z."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))  # e^(-|z|) ≤ 1, so it never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))  # both forms equal σ(z)
    ### END SOLUTION


def sigmoid_grad(a: np.ndarray) -> np.ndarray:
    """σ'(z) written through the activation a = σ(z): ∂a/∂z = a(1 − a)."""
    ### BEGIN SOLUTION
    a = np.asarray(a, dtype=np.float64)
    return a * (1.0 - a)  # e.g. ∂p1/∂z3 = p1(1 − p1)
    ### END SOLUTION


def forward(X: np.ndarray, params: Params) -> dict[str, np.ndarray]:
    """Forward pass for a batch of rows; returns every intermediate backward needs."""
    ### BEGIN SOLUTION
    Z_hidden = X @ params["W_hidden"].T + params["b_hidden"]  # z1 = W1·x1 + W2·x2 + b1, ...
    A_hidden = sigmoid(Z_hidden)  # a1 = σ(z1), a2 = σ(z2)
    Z_out = A_hidden @ params["W_out"].T + params["b_out"]  # z3 = W5·a1 + W6·a2 + b3, ...
    P = sigmoid(Z_out)  # p1 = σ(z3), p2 = σ(z4)
    return {"Z_hidden": Z_hidden, "A_hidden": A_hidden, "Z_out": Z_out, "P": P}
    ### END SOLUTION


def cross_entropy(P: np.ndarray, Y: np.ndarray) -> float:
    """E = −Σ_k [y_k ln p_k + (1 − y_k) ln(1 − p_k)], averaged over the m examples."""
    ### BEGIN SOLUTION
    per_example = -(Y * np.log(P) + (1.0 - Y) * np.log(1.0 - P)).sum(axis=1)  # E per row
    return float(per_example.mean())  # the batch loss is the mean over rows
    ### END SOLUTION


def cross_entropy_grad(P: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """∂E/∂p_k for each example: −y_k/p_k + (1 − y_k)/(1 − p_k)."""
    ### BEGIN SOLUTION
    return -Y / P + (1.0 - Y) / (1.0 - P)  # ∂E/∂p1 = −y1/p1 + (1 − y1)/(1 − p1)
    ### END SOLUTION


def output_delta(P: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """δ_out = ∂E/∂z_out for each example; for sigmoid + cross-entropy it is p − y."""
    ### BEGIN SOLUTION
    # δ3 = ∂E/∂p1 · ∂p1/∂z3 = [−y1/p1 + (1 − y1)/(1 − p1)] · p1(1 − p1) = p1 − y1
    return np.asarray(P, dtype=np.float64) - Y
    ### END SOLUTION


def hidden_delta(A_hidden: np.ndarray, W_out: np.ndarray, delta_out: np.ndarray) -> np.ndarray:
    """δ_hidden = ∂E/∂z_hidden: every downstream path summed, times σ'."""
    ### BEGIN SOLUTION
    dE_dA = delta_out @ W_out  # ∂E/∂a1 = δ3·W5 + δ4·W7 (both paths, summed)
    return sigmoid_grad(A_hidden) * dE_dA  # δ1 = a1(1 − a1)·∂E/∂a1
    ### END SOLUTION


def weight_grad(delta: np.ndarray, A_prev: np.ndarray) -> np.ndarray:
    """∂E/∂W for the layer fed by A_prev, averaged over the batch: shape (n_out, n_in)."""
    ### BEGIN SOLUTION
    m = delta.shape[0]
    return delta.T @ A_prev / m  # ∂E/∂W5 = δ3·a1, one row per output unit, mean over rows
    ### END SOLUTION


def bias_grad(delta: np.ndarray) -> np.ndarray:
    """∂E/∂b averaged over the batch: ∂z/∂b = 1, so it is the mean δ."""
    ### BEGIN SOLUTION
    return np.asarray(delta, dtype=np.float64).mean(axis=0)  # ∂E/∂b3 = δ3
    ### END SOLUTION


def backward(X: np.ndarray, Y: np.ndarray, params: Params) -> Params:
    """Gradients of the batch loss for every parameter, by the four steps of backprop."""
    ### BEGIN SOLUTION
    cache = forward(X, params)  # 1. forward pass
    delta_out = output_delta(cache["P"], Y)  # 2. output δ: δ3, δ4
    delta_hidden = hidden_delta(cache["A_hidden"], params["W_out"], delta_out)  # 3. δ1, δ2
    return {  # 4. gradients: δ of the layer times what fed it
        "W_hidden": weight_grad(delta_hidden, X),  # ∂E/∂W1 = δ1·x1
        "b_hidden": bias_grad(delta_hidden),  # ∂E/∂b1 = δ1
        "W_out": weight_grad(delta_out, cache["A_hidden"]),  # ∂E/∂W5 = δ3·a1
        "b_out": bias_grad(delta_out),  # ∂E/∂b3 = δ3
    }
    ### END SOLUTION


def numerical_gradient(f: Callable[[np.ndarray], float], theta: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences (f(θ + ε) − f(θ − ε)) / 2ε for every entry; θ is left unchanged."""
    ### BEGIN SOLUTION
    theta = np.asarray(theta, dtype=np.float64)
    grad = np.zeros_like(theta)
    for index in np.ndindex(theta.shape):
        shifted = theta.copy()  # perturb a copy, never the caller's array
        shifted[index] = theta[index] + eps
        f_plus = f(shifted)
        shifted[index] = theta[index] - eps
        f_minus = f(shifted)
        grad[index] = (f_plus - f_minus) / (2.0 * eps)  # error O(ε²), not O(ε)
    return grad
    ### END SOLUTION


def sgd_step(params: Params, grads: Params, lr: float) -> Params:
    """One step of gradient descent, θ ← θ − lr·∂E/∂θ, as a new dict."""
    ### BEGIN SOLUTION
    return {name: params[name] - lr * grads[name] for name in params}  # downhill: minus
    ### END SOLUTION
