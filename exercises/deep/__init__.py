"""The second assignment, `deep`: backpropagation through a network of any depth.

Layers as a list of (W, b), hidden activations tanh, ReLU and sigmoid, a softmax output
with categorical cross-entropy (solutions/deep.py). Its records are split by kind:
inputs, oracles, mistakes, steps, and the personal numeric question in answers.
"""

from __future__ import annotations

import numpy as np

from backprop_lab.exercises.assignment import Answers, Assignment, Notes, SelfCheck
from backprop_lab.exercises.deep import answers
from backprop_lab.exercises.deep.steps import STEPS
from backprop_lab.exercises.gradient_check import poly_value
from backprop_lab.exercises.i18n import N_
from backprop_lab.solutions import deep as ref
from backprop_lab.solutions.deep_example import example

NAME = "deep"
TITLE = N_("Backpropagation through deep networks")
INTRO = N_(
    "Fill in one function per step. A network is a list of layers [(W1, b1), ..., (WL, bL)] with Wl of shape "
    "(nl, n(l−1)); a batch is rows (X has shape (m, n0)); the hidden activations are tanh, ReLU or sigmoid, "
    "named in a list, and the output is a softmax with cross-entropy: E = −(1/m) Σ_rows Σ_k y_k ln p_k. "
    "activate and activation_grad are given. Use only NumPy and the standard library. Check your work with "
    "`backprop-lab check {file}`."
)
# The demo's classic slip: the recursion without f′ (the catalogued missing_f_prime).
SLIP = ("hidden_delta", "def hidden_delta(delta_next, W_next, f_prime):\n    return delta_next @ W_next\n")


def _array(value: np.ndarray) -> str:
    return f"np.array({np.asarray(value).tolist()})"


def self_check() -> SelfCheck:
    """The notebook's self-check on the notes' worked example: expressions and the reference's values."""
    X, Y, layers, activations = example()
    cache = ref.forward(X, layers, activations)
    Z, A, P = cache["Z"], cache["A"], cache["P"]
    delta3 = ref.output_delta(P, Y)
    f_prime = ref.activation_grad(Z[1], A[2], activations[1])
    delta2 = ref.hidden_delta(delta3, layers[2][0], f_prime)
    grads = ref.backward(X, Y, layers, activations)
    setup = (
        "import numpy as np",
        "",
        f"X = {_array(X)}",
        f"Y = {_array(Y)}",
        "layers = [" + ", ".join(f"({_array(W)}, {_array(b)})" for W, b in layers) + "]",
        f"activations = {list(activations)!r}",
        f"P = {_array(P)}  # the reference forward pass, so each check stands alone",
        f"A2 = {_array(A[2])}",
        f"delta3 = {_array(delta3)}",
    )
    checks = {
        "tanh_grad": ("tanh_grad(np.array([0.5, -0.2]))", ref.tanh_grad(np.array([0.5, -0.2]))),
        "relu_grad": ("relu_grad(np.array([-1.0, 0.0, 2.0]))", ref.relu_grad(np.array([-1.0, 0.0, 2.0]))),
        "sigmoid_grad": ("sigmoid_grad(np.array([0.25]))", ref.sigmoid_grad(np.array([0.25]))),
        "softmax": ("softmax(np.array([[1000.0, 999.0]]))", ref.softmax(np.array([[1000.0, 999.0]]))),
        "cross_entropy": ("cross_entropy(P, Y)", ref.cross_entropy(P, Y)),
        "forward": ('forward(X, layers, activations)["P"]', P),
        "output_delta": ("output_delta(P, Y)", delta3),
        "hidden_delta": (f"hidden_delta(delta3, layers[2][0], {_array(f_prime)})", delta2),
        "layer_grads": ("layer_grads(delta3, A2)[0]", ref.layer_grads(delta3, A[2])[0]),
        "backward": ("backward(X, Y, layers, activations)[0][0]", grads[0][0]),
        "numerical_gradient": (
            "numerical_gradient(lambda t: float((t ** 3).sum()), np.array([1.0, 2.0]))",
            np.array([3.0, 12.0]),
        ),
        "sgd_step": (
            "sgd_step(layers, backward(X, Y, layers, activations), 0.5)[2][0]",
            ref.sgd_step(layers, grads, 0.5)[2][0],
        ),
    }
    return SelfCheck(setup=setup, checks=checks)


def _notes() -> Notes:  # the notes draw figures with matplotlib: imported when asked for
    from backprop_lab.exercises.deep import notes

    return notes.NOTES


ANSWERS = Answers(
    keys=answers.KEYS,
    numbers=answers.personal_numbers,
    answers=answers.personal_answers,
    cell=answers.cell,
    question=answers.QUESTION,
    derivation=answers.derivation,
    example=answers.EXAMPLE,
)

ASSIGNMENT = Assignment(
    name=NAME,
    title=TITLE,
    intro=INTRO,
    reference=ref,
    steps=STEPS,
    answers=ANSWERS,
    self_check=self_check,
    notes=_notes,
    given={
        "activate": N_("A hidden layer's activation, by its name: tanh, relu or sigmoid. Given, not graded."),
        "activation_grad": N_(
            "f'(Z) of a hidden layer by its activation's name, from whichever of Z and A = f(Z) its "
            "formula uses (your tanh_grad, relu_grad and sigmoid_grad). Given, not graded."
        ),
    },
    functions={"poly": poly_value},
    slip=SLIP,
)
