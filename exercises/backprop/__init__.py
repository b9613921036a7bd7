"""The default assignment, `backprop`: a 2-2-2 sigmoid network with cross-entropy, step by step.

Split by kind: `inputs` (what each property is tested on), `oracles` (finite differences
of the forward pass), `mistakes` (wrong formulas and their hints), `steps` (one record
per step), `derivation` (the worked numbers), `notes` (the lecture notes). The gradient
check is one step shared by every assignment (exercises/gradient_check.py).
"""

from __future__ import annotations

import inspect

import numpy as np

from backprop_lab.exercises import gradient_check
from backprop_lab.exercises.assignment import Answers, Assignment, SelfCheck
from backprop_lab.exercises.backprop.derivation import worked_derivation
from backprop_lab.exercises.backprop.steps import STEPS
from backprop_lab.exercises.i18n import N_, tr
from backprop_lab.solutions import backprop as ref
from backprop_lab.solutions import named


def personal_cell(lang: str) -> str:
    """A cell that shows a student their own numbers, from their id or their JupyterHub user."""
    constants = "".join(
        f"{name} = {getattr(named, name)!r}\n" for name in ("INPUTS", "TARGETS", "WEIGHTS", "BIASES")
    )
    function = inspect.getsource(named.personal_numbers)
    intro = tr(
        lang, N_("Your personal numbers: type your student id (on JupyterHub it is filled in for you).")
    )
    return (
        f"# {intro}\nimport hashlib\nimport os\n\nimport numpy as np\n\n"
        'STUDENT_ID = os.environ.get("JUPYTERHUB_USER", "")\n\n'
        f"{constants}\n\n{function}\n\n"
        "if STUDENT_ID:\n"
        "    for name, value in personal_numbers(STUDENT_ID).items():\n"
        '        print(f"{name} = {value}")\n'
    )


def self_check() -> SelfCheck:
    """The notebook's self-check on the notes' worked example (Mazur's numbers, four biases)."""
    X, Y, params = named.to_matrices(named.MAZUR)
    cache = ref.forward(X, params)
    delta_out = ref.output_delta(cache["P"], Y)
    delta_hidden = ref.hidden_delta(cache["A_hidden"], params["W_out"], delta_out)
    grads = ref.backward(X, Y, params)
    setup = (
        f"X = np.array({X.tolist()})",
        f"Y = np.array({Y.tolist()})",
        "params = {" + ", ".join(f'"{k}": np.array({v.tolist()})' for k, v in params.items()) + "}",
        f"P = np.array({cache['P'].tolist()})  # the reference forward pass, so each check stands alone",
        f"A = np.array({cache['A_hidden'].tolist()})",
    )
    checks = {
        "sigmoid": ("sigmoid(np.array([0.0, 2.0]))", ref.sigmoid(np.array([0.0, 2.0]))),
        "sigmoid_grad": ("sigmoid_grad(np.array([0.25]))", ref.sigmoid_grad(np.array([0.25]))),
        "forward": ('forward(X, params)["P"]', cache["P"]),
        "cross_entropy": ("cross_entropy(P, Y)", ref.cross_entropy(cache["P"], Y)),
        "cross_entropy_grad": ("cross_entropy_grad(P, Y)", ref.cross_entropy_grad(cache["P"], Y)),
        "output_delta": ("output_delta(P, Y)", delta_out),
        "hidden_delta": (f'hidden_delta(A, params["W_out"], np.array({delta_out.tolist()}))', delta_hidden),
        "weight_grad": (f"weight_grad(np.array({delta_out.tolist()}), A)", grads["W_out"]),
        "bias_grad": (f"bias_grad(np.array({delta_out.tolist()}))", grads["b_out"]),
        "backward": ('backward(X, Y, params)["W_hidden"]', grads["W_hidden"]),
        "numerical_gradient": (
            "numerical_gradient(lambda t: float((t ** 3).sum()), np.array([1.0, 2.0]))",
            np.array([3.0, 12.0]),
        ),
        "sgd_step": (
            'sgd_step(params, backward(X, Y, params), 0.5)["W_out"]',
            ref.sgd_step(params, grads, 0.5)["W_out"],
        ),
    }
    return SelfCheck(setup, checks)


def _notes():  # the notes module draws figures with matplotlib: imported when asked for
    from backprop_lab.exercises.backprop import notes

    return notes.NOTES


ASSIGNMENT = Assignment(
    name="backprop",
    title=N_("Backpropagation through the chain rule"),
    intro=N_(
        "Fill in one function per step of the derivation. Each function works on a batch of rows "
        "(X has shape (m, d)) and any layer sizes. The network of the notes is the 2-2-2 sigmoid network "
        "with cross-entropy: z1 = W1·x1 + W2·x2 + b1, a1 = σ(z1), …, p1 = σ(z3), "
        "E = −Σ_k [y_k ln p_k + (1 − y_k) ln(1 − p_k)]. "
        "Use only NumPy and the standard library. Check your work with `backprop-lab check {file}`."
    ),
    reference=ref,
    steps=STEPS,
    answers=Answers(
        keys=named.ANSWER_KEYS,
        numbers=named.personal_numbers,
        answers=named.personal_answers,
        cell=personal_cell,
        question=N_(
            "For the course's 2-2-2 network with your personal numbers, compute ∂E/∂W5, "
            "∂E/∂b3, ∂E/∂a1 (both paths) and ∂E/∂W1 by hand or with your functions, "
            "and write them into ANSWERS."
        ),
        derivation=worked_derivation,
        example=named.MAZUR,
    ),
    self_check=self_check,
    notes=_notes,
    functions={"poly": gradient_check.poly_value},
    slip=(
        "hidden_delta",  # the catalogued missing_transpose
        "def hidden_delta(A_hidden, W_out, delta_out):\n"
        "    return A_hidden * (1 - A_hidden) * (delta_out @ W_out.T)\n",
    ),
)
