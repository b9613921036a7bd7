"""Wrong formulas students write in the `deep` assignment, each with a hint that names the idea.

Each answer is a function of the step's own arguments and returns what the mistaken
code would return, or None where that code has no answer (a shape it cannot multiply,
or a result that is not finite). Hints name the idea and never give the answer; the
formula hint, shown only where the course allows, states the corrected formula.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from backprop_lab.exercises.i18n import N_
from backprop_lab.exercises.step import Misconception
from backprop_lab.solutions import deep as ref


def _mistake(mid: str, answer: Callable[..., Any], hint: str, formula_hint: str) -> Misconception:
    return Misconception(id=mid, answer=answer, hint=hint, formula_hint=formula_hint)


def _finite(value: np.ndarray) -> np.ndarray | None:
    return value if np.isfinite(value).all() else None


# ------------------------------------------------------------------ activation derivatives

ACTIVATION_ARGUMENT = N_(
    "The argument is already the activation a = f(z). Applying f to it again evaluates the slope at the "
    "wrong point."
)

TANH_GRAD_OF_Z = _mistake(
    "tanh_grad_of_z",
    lambda A: 1.0 - np.tanh(A) ** 2,
    ACTIVATION_ARGUMENT,
    N_("tanh'(z) = 1 − a², with a the argument itself; 1 − tanh(a)² is the slope at z = a."),
)
SIGMOID_GRAD_OF_Z = _mistake(
    "sigmoid_grad_of_z",
    lambda A: ref.activate(A, "sigmoid") * (1.0 - ref.activate(A, "sigmoid")),
    ACTIVATION_ARGUMENT,
    N_("σ'(z) = a(1 − a), with a the argument itself; σ(a)(1 − σ(a)) is the slope at z = a."),
)
RELU_GRAD_AT_ZERO = _mistake(
    "relu_grad_at_zero",
    lambda Z: (np.asarray(Z) >= 0).astype(np.float64),
    N_(
        "ReLU has a kink at z = 0, where no derivative exists; the convention of the notes decides what "
        "the kink contributes. Check which side of the kink 0 belongs to."
    ),
    N_("relu'(z) = 1 for z > 0 only: at z = 0 the convention is 0."),
)

# ------------------------------------------------------------------ softmax and the loss


def _softmax_unshifted(Z: np.ndarray) -> np.ndarray | None:
    with np.errstate(all="ignore"):
        e = np.exp(Z)
        return _finite(e / e.sum(axis=1, keepdims=True))


def _softmax_columns(Z: np.ndarray) -> np.ndarray:
    e = np.exp(Z - Z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


SOFTMAX_NO_SHIFT = _mistake(
    "softmax_no_shift",
    _softmax_unshifted,
    N_(
        "e^z overflows for z above about 709 and vanishes below about −745, although every ratio "
        "e^z_k / Σ e^z_j is a modest number. What can you subtract from a row without changing its softmax?"
    ),
    N_("Subtract each row's maximum first: softmax(z) = e^(z − max z) / Σ e^(z − max z)."),
)
SOFTMAX_WRONG_AXIS = _mistake(
    "softmax_wrong_axis",
    _softmax_columns,
    N_("Rows are examples and columns are classes: each example's probabilities sum to 1."),
    N_("Normalise along axis 1 (the classes), with keepdims=True."),
)
SUM_NOT_MEAN = N_(
    "The batch loss is the mean over the m examples, so it and everything derived from it is a mean."
)


def _labelled_logs(P: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """y·ln p, with 0·ln 0 = 0 as the loss defines it."""
    return np.where(Y > 0, Y * np.log(np.where(Y > 0, P, 1.0)), 0.0)


def _binary_cross_entropy(P: np.ndarray, Y: np.ndarray) -> float | None:
    with np.errstate(all="ignore"):
        value = float(-(Y * np.log(P) + (1 - Y) * np.log(1 - P)).sum(axis=1).mean())
    return value if np.isfinite(value) else None


CROSS_ENTROPY_SUM = _mistake(
    "sum_not_mean",
    lambda P, Y: float(-_labelled_logs(P, Y).sum()),
    SUM_NOT_MEAN,
    N_("E = −(1/m) Σ_rows Σ_k y_k ln p_k: sum over the classes, then the mean over the rows."),
)
BINARY_CROSS_ENTROPY = _mistake(
    "binary_cross_entropy",
    _binary_cross_entropy,
    N_(
        "That is the loss of independent sigmoid outputs. With softmax the classes share one distribution: "
        "only the probability of each labelled class enters the loss."
    ),
    N_("E = −Σ_k y_k ln p_k per row, with no (1 − y) ln(1 − p) terms."),
)

# ------------------------------------------------------------------ the output δ

JACOBIAN_TWICE = _mistake(
    "jacobian_twice",
    lambda P, Y: (P - Y) * P * (1 - P),
    N_(
        "Softmax's Jacobian is one link of the chain, used once: once ∂E/∂p has been carried through it, "
        "multiplying by p(1 − p) again counts that link twice."
    ),
    N_("δL = P − Y, with no further factor."),
)
OUTPUT_DELTA_SIGN = _mistake(
    "output_delta_sign",
    lambda P, Y: Y - P,
    N_("Follow the sign: if a class gets too much probability, does the loss grow or shrink as its z grows?"),
    N_("δL = P − Y; Y − P has the opposite sign."),
)
LOSS_GRAD_AS_DELTA = _mistake(
    "loss_grad_as_delta",
    lambda P, Y: -Y / P,
    N_(
        "That is ∂E/∂p, one link of the chain. δ is ∂E/∂z: one more link, softmax's Jacobian, and the sum collapses."
    ),
    N_("Multiply ∂E/∂p = −y/p by softmax's Jacobian ∂p_j/∂z_k = p_j(1[j = k] − p_k); it collapses to P − Y."),
)

# ------------------------------------------------------------------ the recursion


def _transposed_recursion(
    delta_next: np.ndarray, W_next: np.ndarray, f_prime: np.ndarray
) -> np.ndarray | None:
    if W_next.shape[0] != W_next.shape[1]:
        return None  # δ(l+1) @ W(l+1)ᵀ only multiplies when the two layers are as wide
    return f_prime * (delta_next @ W_next.T)


MISSING_F_PRIME_HINT = N_(
    "δ of a hidden layer is ∂E/∂z, not ∂E/∂a: after summing the paths back to a, one more link of the "
    "chain takes you from a to z."
)
MISSING_F_PRIME = _mistake(
    "missing_f_prime",
    lambda delta_next, W_next, f_prime: delta_next @ W_next,
    MISSING_F_PRIME_HINT,
    N_("δl = f'(Zl) ⊙ (δ(l+1) @ W(l+1)): multiply by f_prime entry by entry."),
)
MISSING_TRANSPOSE = _mistake(
    "missing_transpose",
    _transposed_recursion,
    N_(
        "Check which index of W(l+1) belongs to layer l+1 and which to layer l, and pair each weight with the "
        "δ of the unit it feeds."
    ),
    N_("W(l+1) has shape (n(l+1), nl): δ(l+1) @ W(l+1) has shape (m, nl); no transpose."),
)

# ------------------------------------------------------------------ one layer's gradients

WEIGHT_SHAPE = N_(
    "A gradient has the shape of what it differentiates: one entry per weight, rows for the units fed, "
    "columns for the units feeding."
)
TRANSPOSED_WEIGHT_GRAD = _mistake(
    "transposed_weight_grad",
    lambda delta, A_prev: (A_prev.T @ delta / delta.shape[0], delta.mean(axis=0)),
    WEIGHT_SHAPE,
    N_("∂E/∂W = δᵀ A_prev / m, shape (n_out, n_in), not A_prevᵀ δ / m."),
)
LAYER_GRADS_SUM = _mistake(
    "sum_not_mean",
    lambda delta, A_prev: (delta.T @ A_prev, delta.sum(axis=0)),
    SUM_NOT_MEAN,
    N_("Divide both by m: ∂E/∂W = δᵀ A_prev / m, ∂E/∂b = the mean of δ over the rows."),
)
BIAS_WRONG_AXIS = _mistake(
    "bias_wrong_axis",
    lambda delta, A_prev: (delta.T @ A_prev / delta.shape[0], delta.mean(axis=1)),
    N_("Rows are examples and columns are units: the bias gradient has one number per unit."),
    N_("∂E/∂b = δ.mean(axis=0), shape (n_out,)."),
)

# ------------------------------------------------------------------ the backward pass


def backward_with(
    X: np.ndarray,
    Y: np.ndarray,
    layers: ref.Layers,
    activations: list[str],
    *,
    recursion: Callable[[np.ndarray, ref.Layers, int, np.ndarray], np.ndarray],
) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """The reference backward pass with a student's δ recursion: (δ(l+1), layers, l, f'(Zl)) → δl,
    l counted from 0 for the first hidden layer; None where that recursion cannot multiply."""
    cache = ref.forward(X, layers, activations)
    Z, A, m = cache["Z"], cache["A"], X.shape[0]
    delta, grads = cache["P"] - Y, []
    try:
        for layer in range(len(layers) - 1, -1, -1):
            grads.append((delta.T @ A[layer] / m, delta.mean(axis=0)))
            if layer > 0:
                f_prime = ref.activation_grad(Z[layer - 1], A[layer], activations[layer - 1])
                delta = recursion(delta, layers, layer, f_prime)
    except ValueError:
        return None
    return grads[::-1]


def _input_delta_shift(
    X: np.ndarray, Y: np.ndarray, layers: ref.Layers, activations: list[str]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The recursion goes on to the inputs (δ0 = δ1 @ W1, there being no activation there), and
    the δs, one too many, are paired with the activations one place off: layer l gets δ of l−1."""
    cache = ref.forward(X, layers, activations)
    Z, A, m = cache["Z"], cache["A"], X.shape[0]
    deltas = [cache["P"] - Y]
    for layer in range(len(layers) - 1, -1, -1):
        W = layers[layer][0]
        if layer > 0:
            f_prime = ref.activation_grad(Z[layer - 1], A[layer], activations[layer - 1])
            deltas.insert(0, f_prime * (deltas[0] @ W))
        else:
            deltas.insert(0, deltas[0] @ W)  # ∂E/∂X: a δ for the input layer
    return [(deltas[layer].T @ A[layer] / m, deltas[layer].mean(axis=0)) for layer in range(len(layers))]


DELTA_FOR_INPUT_LAYER = _mistake(
    "delta_for_input_layer",
    _input_delta_shift,
    N_(
        "The inputs have no weights below them and no activation: the recursion stops at the first hidden "
        "layer. Count the δs: one per layer with weights."
    ),
    N_("Layer l's gradients are δlᵀ A(l−1) / m and the mean of δl, for l = 1..L; no δ0 is needed."),
)
WRONG_LAYER_INDEX = _mistake(
    "wrong_layer_index",
    lambda X, Y, layers, activations: backward_with(
        X,
        Y,
        layers,
        activations,
        recursion=lambda delta, layers, layer, f_prime: f_prime * (delta @ layers[layer - 1][0]),
    ),
    N_(
        "δ of layer l collects the paths through the weights that leave layer l. Which layer's matrix "
        "holds them?"
    ),
    N_("δl = f'(Zl) ⊙ (δ(l+1) @ W(l+1)): the weights of the layer above, not Wl."),
)
BACKWARD_MISSING_F_PRIME = _mistake(
    "missing_f_prime",
    lambda X, Y, layers, activations: backward_with(
        X, Y, layers, activations, recursion=lambda delta, layers, layer, f_prime: delta @ layers[layer][0]
    ),
    MISSING_F_PRIME_HINT,
    N_("Every hidden δ is f'(Zl) ⊙ (δ(l+1) @ W(l+1))."),
)


def _scaled_backward(
    factor: Callable[[int], float],
) -> Callable[..., list[tuple[np.ndarray, np.ndarray]]]:
    def answer(
        X: np.ndarray, Y: np.ndarray, layers: ref.Layers, activations: list[str]
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        f = factor(X.shape[0])
        return [(dW * f, db * f) for dW, db in ref.backward(X, Y, layers, activations)]

    return answer


BACKWARD_SUM = _mistake(
    "sum_not_mean",
    _scaled_backward(float),
    SUM_NOT_MEAN,
    N_("Every gradient of the batch loss is divided by m once."),
)
BACKWARD_SIGN = _mistake(
    "output_delta_sign",
    _scaled_backward(lambda m: -1.0),
    OUTPUT_DELTA_SIGN.hint,
    N_("Start from δL = P − Y (not Y − P)."),
)

# ------------------------------------------------------------------ forward, the check, SGD


def _activated_output(X: np.ndarray, layers: ref.Layers, activations: list[str]) -> dict[str, Any] | None:
    """The forward pass that also applies the last hidden activation to the output layer's Z."""
    if not activations:
        return None
    cache = ref.forward(X, layers, activations)
    return {**cache, "P": ref.softmax(ref.activate(cache["Z"][-1], activations[-1]))}


ACTIVATION_ON_OUTPUT = _mistake(
    "activation_on_output",
    _activated_output,
    N_("The output layer has no hidden activation: softmax itself turns its z into probabilities."),
    N_("P = softmax(ZL), with ZL = A(L−1) @ WLᵀ + bL, no f in between."),
)


SGD_SIGN = _mistake(
    "sign_error",
    lambda layers, grads, lr: [
        (W + lr * dW, b + lr * db) for (W, b), (dW, db) in zip(layers, grads, strict=True)
    ],
    N_("The gradient points towards larger E. Which way must a step of gradient descent go?"),
    N_("W ← W − lr·∂E/∂W and b ← b − lr·∂E/∂b."),
)
SGD_NO_RATE = _mistake(
    "learning_rate_missing",
    lambda layers, grads, lr: [(W - dW, b - db) for (W, b), (dW, db) in zip(layers, grads, strict=True)],
    N_("A step of gradient descent is scaled: the gradient gives the direction, something else the length."),
    N_("θ ← θ − lr·∂E/∂θ."),
)
