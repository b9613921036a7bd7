"""Mutants of the `deep` reference: each one a single small mistake in a single step.

As tests/mutants.py for the first assignment: the reference with one edit (a sign, a
transpose, an axis, a factor dropped, a wrong layer index, an off-by-one in the depth,
ε misused, an in-place write, a softmax that overflows, ...), each of which must lose
the step it edits. Value mutants must score 0 for the step; the others must lose the
property they break (inputs unchanged, stable at extremes).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from tests import mutants

REFERENCE = Path(__file__).resolve().parents[1] / "solutions" / "deep.py"


@dataclass(frozen=True)
class Mutant(mutants.Mutant):
    reference: ClassVar[Path] = REFERENCE


TANH = "return 1.0 - A**2"
RELU = "return (Z > 0).astype(np.float64)"
SIG = "return A * (1.0 - A)"
SHIFT = "Z - Z.max(axis=1, keepdims=True)"
NORM = "shifted / shifted.sum(axis=1, keepdims=True)"
CE_TERMS = "terms = np.where(Y > 0, Y * np.log(np.where(Y > 0, P, 1.0)), 0.0)"
CE = "-terms.sum(axis=1).mean()"
LINEAR = "A[-1] @ W.T + b"
OUT = "np.asarray(P, dtype=np.float64) - Y"
REC = "np.asarray(f_prime, dtype=np.float64) * (delta_next @ W_next)"
DW = "delta.T @ A_prev / m"
DB = "np.asarray(delta, dtype=np.float64).mean(axis=0)"
F_PRIME = "activation_grad(Z[layer - 1], A[layer], activations[layer - 1])"
NG = "grad[index] = (f_plus - f(shifted)) / (2.0 * eps)"
SGD = "(W - lr * dW, b - lr * db)"

MUTANTS: tuple[Mutant, ...] = (
    # tanh_grad
    Mutant("tanh_grad", TANH, "return 1.0 + A**2"),
    Mutant("tanh_grad", TANH, "return 1.0 - A"),
    Mutant("tanh_grad", TANH, "return 1.0 - np.tanh(A) ** 2"),
    Mutant("tanh_grad", TANH, "return A**2 - 1.0"),
    Mutant("tanh_grad", TANH, "return A * (1.0 - A)"),
    Mutant("tanh_grad", "A = np.asarray(A, dtype=np.float64)", "A = np.asarray(A, dtype=np.float32)"),
    # relu_grad
    Mutant("relu_grad", "(Z > 0)", "(Z >= 0)"),
    Mutant("relu_grad", "(Z > 0)", "(Z < 0)"),
    Mutant("relu_grad", RELU, "return Z > 0"),
    Mutant("relu_grad", RELU, "return np.maximum(Z, 0.0)"),
    Mutant("relu_grad", RELU, "return np.abs(np.sign(Z))"),
    # sigmoid_grad
    Mutant("sigmoid_grad", SIG, "return A * (1.0 + A)"),
    Mutant("sigmoid_grad", SIG, "return 1.0 - A"),
    Mutant("sigmoid_grad", SIG, "return 1.0 - A**2"),
    Mutant("sigmoid_grad", SIG, 'return activate(A, "sigmoid") * (1.0 - activate(A, "sigmoid"))'),
    # softmax
    Mutant("softmax", SHIFT, "Z", loses="extremes"),
    # right in value, but the largest row's shift underflows another row
    Mutant("softmax", SHIFT, "Z - Z.max()", loses="extremes"),
    Mutant("softmax", SHIFT, "Z - Z.min(axis=1, keepdims=True)", loses="extremes"),
    Mutant("softmax", SHIFT, "Z + Z.max(axis=1, keepdims=True)", loses="extremes"),
    Mutant("softmax", SHIFT, "Z - Z.max(axis=0, keepdims=True)"),
    Mutant("softmax", NORM, "shifted / shifted.sum(axis=0, keepdims=True)"),
    Mutant("softmax", NORM, "shifted / shifted.sum()"),
    Mutant("softmax", NORM, "shifted / shifted.max(axis=1, keepdims=True)"),
    Mutant("softmax", NORM, "shifted"),
    # cross_entropy
    Mutant("cross_entropy", CE, "-terms.sum()"),
    Mutant("cross_entropy", CE, "-terms.mean()"),
    Mutant("cross_entropy", CE, "terms.sum(axis=1).mean()"),
    Mutant("cross_entropy", CE, "-terms.sum(axis=0).mean()"),
    Mutant("cross_entropy", "np.where(Y > 0, P, 1.0)", "np.where(Y > 0, 1.0 - P, 1.0)"),
    Mutant("cross_entropy", "Y * np.log(", "np.log("),
    Mutant("cross_entropy", CE_TERMS, "terms = Y * np.log(P)", loses="extremes"),  # 0·ln 0 is nan
    # forward
    Mutant("forward", LINEAR, "A[-1] @ W.T - b"),
    Mutant("forward", LINEAR, "A[-1] @ W.T"),
    Mutant("forward", LINEAR, "A[0] @ W.T + b"),
    Mutant("forward", "if layer < len(layers) - 1:", "if layer < len(layers) - 2:"),
    Mutant("forward", "activations[layer]", "activations[0]"),
    Mutant("forward", '"P": softmax(Z[-1])', '"P": softmax(activate(Z[-1], activations[-1]))'),
    Mutant("forward", '"A": A', '"A": A[1:]'),
    Mutant("forward", '"Z": Z', '"Z": Z[::-1]'),
    Mutant(
        "forward",
        '"P": softmax(Z[-1])',
        '"P": np.exp(Z[-1]) / np.exp(Z[-1]).sum(axis=1, keepdims=True)',
        loses="extremes",
    ),
    # output_delta
    Mutant("output_delta", OUT, "Y - np.asarray(P, dtype=np.float64)"),
    Mutant("output_delta", OUT, "(np.asarray(P, dtype=np.float64) - Y) * P * (1 - P)"),
    Mutant("output_delta", OUT, "-Y / np.asarray(P, dtype=np.float64)"),
    Mutant("output_delta", OUT, "(np.asarray(P, dtype=np.float64) - Y) / P.shape[0]"),
    Mutant("output_delta", OUT, "np.asarray(P, dtype=np.float64) - Y * P"),
    # hidden_delta
    Mutant("hidden_delta", "(delta_next @ W_next)", "(delta_next @ W_next.T)"),
    Mutant("hidden_delta", REC, "delta_next @ W_next"),
    Mutant("hidden_delta", "* (delta_next @ W_next)", "+ (delta_next @ W_next)"),
    Mutant("hidden_delta", REC, f"{REC} / delta_next.shape[0]"),
    Mutant("hidden_delta", REC, "(1 - np.asarray(f_prime, dtype=np.float64)) * (delta_next @ W_next)"),
    Mutant("hidden_delta", REC, "np.asarray(f_prime, dtype=np.float64) * (delta_next[:, :1] @ W_next[:1])"),
    # layer_grads
    Mutant("layer_grads", DW, "A_prev.T @ delta / m"),
    Mutant("layer_grads", DW, "delta.T @ A_prev"),
    Mutant("layer_grads", DW, "delta.T @ A_prev / m**2"),
    Mutant("layer_grads", "m = delta.shape[0]", "m = delta.shape[1]"),
    Mutant("layer_grads", ".mean(axis=0)", ".mean(axis=1)"),
    Mutant("layer_grads", ".mean(axis=0)", ".sum(axis=0)"),
    Mutant("layer_grads", DB, "(delta.T @ A_prev / m).sum(axis=1)"),
    # backward
    Mutant("backward", "layers[layer][0]", "layers[layer - 1][0]"),  # the wrong layer index
    Mutant("backward", "return grads[::-1]", "return grads"),
    Mutant("backward", "layer_grads(delta, A[layer])", "layer_grads(delta, A[layer - 1])"),
    Mutant("backward", F_PRIME, "activation_grad(Z[layer], A[layer], activations[layer - 1])"),
    Mutant("backward", F_PRIME, "activation_grad(Z[layer - 1], Z[layer - 1], activations[layer - 1])"),
    Mutant("backward", "activations[layer - 1])", "activations[layer - 2])"),
    Mutant("backward", 'delta = output_delta(cache["P"], Y)', 'delta = Y - cache["P"]'),
    Mutant("backward", "if layer > 0:", "if layer > 1:"),
    Mutant(
        "backward",
        "delta = hidden_delta(delta, layers[layer][0], f_prime)",
        "delta = delta @ layers[layer][0]",
    ),
    Mutant("backward", "range(len(layers) - 1, -1, -1)", "range(len(layers) - 1, 0, -1)"),
    Mutant("backward", "return grads[::-1]", "X *= 2.0\n    return grads[::-1]", loses="unchanged"),
    # numerical_gradient
    Mutant("numerical_gradient", "(2.0 * eps)", "eps"),
    Mutant("numerical_gradient", "shifted[index] = theta[index] - eps", "shifted[index] = theta[index]"),
    Mutant("numerical_gradient", NG, "grad[index] = (f_plus - f(theta)) / eps"),
    Mutant(
        "numerical_gradient",
        "theta = np.asarray(theta, dtype=np.float64)",
        "theta = np.asarray(theta, dtype=np.float64)\n    eps = 1e-6",
    ),
    Mutant("numerical_gradient", "shifted = theta.copy()", "shifted = theta"),
    Mutant("numerical_gradient", "return grad", "theta += 1.0\n    return grad", loses="unchanged"),
    # sgd_step
    Mutant("sgd_step", SGD, "(W + lr * dW, b + lr * db)"),
    Mutant("sgd_step", SGD, "(W - lr * dW, b)"),
    Mutant("sgd_step", SGD, "(W - dW, b - db)"),
    Mutant("sgd_step", SGD, "(W - lr * dW, b - lr * lr * db)"),
    Mutant("sgd_step", "zip(layers, grads, strict=True)", "zip(layers, grads[::-1], strict=True)"),
    Mutant("sgd_step", SGD, "(W.__isub__(lr * dW), b.__isub__(lr * db))", loses="unchanged"),
)
