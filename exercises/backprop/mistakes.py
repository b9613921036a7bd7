"""The wrong formulas students write in the `backprop` assignment, with hints that name the idea."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from backprop_lab.exercises.i18n import N_
from backprop_lab.exercises.step import Misconception
from backprop_lab.solutions import backprop as ref


def backward_with(
    X: np.ndarray, Y: np.ndarray, params: dict[str, np.ndarray], *, hidden: Callable[..., np.ndarray]
) -> dict[str, np.ndarray]:
    """The reference backward pass with a student's way of computing the hidden δ."""
    c = ref.forward(X, params)
    d_out = c["P"] - Y
    d_hid = hidden(c, d_out, params["W_out"])
    m = X.shape[0]
    return {
        "W_hidden": d_hid.T @ X / m,
        "b_hidden": d_hid.mean(0),
        "W_out": d_out.T @ c["A_hidden"] / m,
        "b_out": d_out.mean(0),
    }


def scaled_backward(factor: Callable[[int], float]) -> Callable[..., dict[str, np.ndarray]]:
    def answer(X: np.ndarray, Y: np.ndarray, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {k: g * factor(X.shape[0]) for k, g in ref.backward(X, Y, params).items()}

    return answer


def replaced_backward(change: Callable[..., dict[str, np.ndarray]]) -> Callable[..., dict[str, np.ndarray]]:
    def answer(X: np.ndarray, Y: np.ndarray, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {**ref.backward(X, Y, params), **change(X, Y, params, ref.backward(X, Y, params))}

    return answer


def single_path_square(A_hidden: np.ndarray, W_out: np.ndarray, delta_out: np.ndarray) -> np.ndarray | None:
    if W_out.shape[0] != W_out.shape[1]:
        return None  # "one path per unit" needs as many outputs as hidden units
    return A_hidden * (1 - A_hidden) * (delta_out[:, : A_hidden.shape[1]] * np.diag(W_out))


SIGMOID_TWICE = N_(
    "The argument is already the activation a = σ(z). Applying σ to it again evaluates the slope at the wrong point."
)
MISSING_DERIVATIVE = N_(
    "δ of a hidden unit is ∂E/∂z, not ∂E/∂a: after summing the paths back to a, one more link of the chain "
    "takes you from a to z."
)
SINGLE_PATH = N_(
    "A hidden unit feeds every output unit. The chain rule adds up one term per path from the unit to E."
)
TRANSPOSE = N_(
    "Check which index of W_out belongs to the output unit and which to the hidden unit, and pair each weight "
    "with the δ of the unit it feeds."
)
WEIGHT_SHAPE = N_(
    "A gradient has the shape of what it differentiates: one entry per weight, rows for the units fed, "
    "columns for the units feeding."
)
SIGN = N_("Follow the sign: if the prediction is too high, does the error grow or shrink as z grows?")
DESCENT_SIGN = N_("The gradient points towards larger E. Which way must a step of gradient descent go?")
LOSS_SIGN = N_("The loss carries a minus sign in front of the logarithms: carry it through the derivative.")
MSE_DELTA = N_(
    "That is the δ of a different loss, the squared error. Differentiate this assignment's cross-entropy "
    "and multiply by ∂p/∂z: most factors cancel."
)
LOSS_GRAD = N_("That is ∂E/∂p, one link of the chain. δ is ∂E/∂z: one more link, from p to z.")
PREACTIVATION = N_("A weight multiplies the activation of the unit below it, not that unit's weighted input.")
BIAS_INPUT = N_("A bias is added, not multiplied by an input: what is ∂z/∂b?")
MEAN_OVER_OUTPUTS = N_("E adds up the outputs of one example; only the examples are averaged.")
MEAN_MISSING = N_(
    "The batch loss is the mean over the m examples, so everything derived from it is a mean too."
)
MEAN_TWICE = N_("The 1/m of the batch mean enters once. Count how often your code divides by m.")
BIAS_AXIS = N_("Rows are examples and columns are units: the bias gradient has one number per unit.")

def misconception(mid: str, answer: Callable[..., object], hint: str, formula_hint: str) -> Misconception:
    return Misconception(mid, answer, hint, formula_hint)
