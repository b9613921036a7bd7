"""Reference solution of the `deep` assignment: backpropagation through any depth.

A network is a list of layers [(W1, b1), ..., (WL, bL)], with Wl of shape (n_l, n_(l-1))
and bl of shape (n_l,) (torch.nn.Linear's layout, as in the first assignment). A batch
is rows: X (m, n_0), Y (m, n_L) with every row of Y a distribution (it sums to 1).

    Z1 = X @ W1.T + b1         A1 = f1(Z1)         (f: tanh, relu or sigmoid)
    ...
    ZL = A(L-1) @ WL.T + bL    P  = softmax(ZL)
    E  = mean over rows of  −Σ_k Y_k ln P_k

Backward, for every layer from the top:
    δL = P − Y                               (softmax and cross-entropy together)
    δl = f'l(Zl) ⊙ (δ(l+1) @ W(l+1))         (every path through layer l+1, summed)
    ∂E/∂Wl = δlᵀ A(l-1) / m,  ∂E/∂bl = mean of δl over the rows   (A0 = X)

Each body sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` so that the
exercise generator can strip it mechanically into a student stub.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

Layers = list[tuple[np.ndarray, np.ndarray]]
HIDDEN_ACTIVATIONS = ("tanh", "relu", "sigmoid")


def tanh_grad(A: np.ndarray) -> np.ndarray:
    """tanh'(z) written through a = tanh(z): 1 − a²."""
    ### BEGIN SOLUTION
    A = np.asarray(A, dtype=np.float64)
    return 1.0 - A**2
    ### END SOLUTION


def relu_grad(Z: np.ndarray) -> np.ndarray:
    """relu'(z): 1 where z > 0, else 0; at the kink z = 0 the convention is 0."""
    ### BEGIN SOLUTION
    Z = np.asarray(Z, dtype=np.float64)
    return (Z > 0).astype(np.float64)  # z = 0 is not > 0: relu'(0) = 0
    ### END SOLUTION


def sigmoid_grad(A: np.ndarray) -> np.ndarray:
    """σ'(z) written through a = σ(z): a(1 − a)."""
    ### BEGIN SOLUTION
    A = np.asarray(A, dtype=np.float64)
    return A * (1.0 - A)
    ### END SOLUTION


def softmax(Z: np.ndarray) -> np.ndarray:
    """Each row's softmax, e^z_k / Σ_j e^z_j, finite for any finite Z."""
    ### BEGIN SOLUTION
    Z = np.asarray(Z, dtype=np.float64)
    shifted = np.exp(Z - Z.max(axis=1, keepdims=True))  # the largest exponent is e^0 = 1
    return shifted / shifted.sum(axis=1, keepdims=True)
    ### END SOLUTION


def cross_entropy(P: np.ndarray, Y: np.ndarray) -> float:
    """E = −Σ_k y_k ln p_k per row, averaged over the m rows (0·ln 0 counts as 0)."""
    ### BEGIN SOLUTION
    P, Y = np.asarray(P, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    terms = np.where(Y > 0, Y * np.log(np.where(Y > 0, P, 1.0)), 0.0)
    return float(-terms.sum(axis=1).mean())
    ### END SOLUTION


def activate(Z: np.ndarray, name: str) -> np.ndarray:
    """A hidden layer's activation by name (given to students: not a step)."""
    if name == "tanh":
        return np.tanh(Z)
    if name == "relu":
        return np.maximum(Z, 0.0)
    if name == "sigmoid":
        e = np.exp(-np.abs(Z))  # the overflow-safe σ of the first assignment
        return np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    raise ValueError(f"unknown activation {name!r}; expected one of {HIDDEN_ACTIVATIONS}")


def activation_grad(Z: np.ndarray, A: np.ndarray, name: str) -> np.ndarray:
    """f'(Z) of a hidden layer, from whichever of Z and A = f(Z) its formula uses."""
    if name == "tanh":
        return tanh_grad(A)
    if name == "relu":
        return relu_grad(Z)
    if name == "sigmoid":
        return sigmoid_grad(A)
    raise ValueError(f"unknown activation {name!r}; expected one of {HIDDEN_ACTIVATIONS}")


def forward(X: np.ndarray, layers: Layers, activations: Sequence[str]) -> dict[str, list | np.ndarray]:
    """Every layer's Z and A for a batch of rows: {"Z": [Z1..ZL], "A": [A0=X..A(L-1)], "P": P}."""
    ### BEGIN SOLUTION
    A = [np.asarray(X, dtype=np.float64)]
    Z = []
    for layer, (W, b) in enumerate(layers):
        Z.append(A[-1] @ W.T + b)
        if layer < len(layers) - 1:  # hidden layers; the last one feeds softmax
            A.append(activate(Z[-1], activations[layer]))
    return {"Z": Z, "A": A, "P": softmax(Z[-1])}
    ### END SOLUTION


def output_delta(P: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """δL = ∂E/∂ZL per row: softmax's Jacobian times −Y/P collapses to P − Y."""
    ### BEGIN SOLUTION
    return np.asarray(P, dtype=np.float64) - Y  # Σ_k Y_k = 1 is what makes the sum collapse
    ### END SOLUTION


def hidden_delta(delta_next: np.ndarray, W_next: np.ndarray, f_prime: np.ndarray) -> np.ndarray:
    """δl = f'(Zl) ⊙ (δ(l+1) @ W(l+1)): all the paths out of layer l, summed, times f'."""
    ### BEGIN SOLUTION
    return np.asarray(f_prime, dtype=np.float64) * (delta_next @ W_next)
    ### END SOLUTION


def layer_grads(delta: np.ndarray, A_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(∂E/∂W, ∂E/∂b) of the layer whose δ is given and which A_prev feeds, batch-averaged."""
    ### BEGIN SOLUTION
    m = delta.shape[0]
    return delta.T @ A_prev / m, np.asarray(delta, dtype=np.float64).mean(axis=0)
    ### END SOLUTION


def backward(X: np.ndarray, Y: np.ndarray, layers: Layers, activations: Sequence[str]) -> Layers:
    """[(∂E/∂W1, ∂E/∂b1), ..., (∂E/∂WL, ∂E/∂bL)] of the batch loss, for any depth."""
    ### BEGIN SOLUTION
    cache = forward(X, layers, activations)
    Z, A = cache["Z"], cache["A"]
    delta = output_delta(cache["P"], Y)
    grads = []
    for layer in range(len(layers) - 1, -1, -1):
        grads.append(layer_grads(delta, A[layer]))  # A[layer] fed this layer
        if layer > 0:  # no δ for the inputs: nothing below them has weights
            f_prime = activation_grad(Z[layer - 1], A[layer], activations[layer - 1])
            delta = hidden_delta(delta, layers[layer][0], f_prime)
    return grads[::-1]
    ### END SOLUTION


def numerical_gradient(f: Callable[[np.ndarray], float], theta: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences (f(θ + εeᵢ) − f(θ − εeᵢ)) / 2ε, one entry i at a time; θ unchanged."""
    ### BEGIN SOLUTION
    theta = np.asarray(theta, dtype=np.float64)
    grad = np.zeros_like(theta)
    for index in np.ndindex(theta.shape):
        shifted = theta.copy()
        shifted[index] = theta[index] + eps
        f_plus = f(shifted)
        shifted[index] = theta[index] - eps
        grad[index] = (f_plus - f(shifted)) / (2.0 * eps)
    return grad
    ### END SOLUTION


def sgd_step(layers: Layers, grads: Layers, lr: float) -> Layers:
    """One step of gradient descent on every layer, θ ← θ − lr·∂E/∂θ, as a new list."""
    ### BEGIN SOLUTION
    return [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(layers, grads, strict=True)]
    ### END SOLUTION
