"""The `deep` assignment's inputs: for each property of each step, (rng, index) → keyword arguments.

General cases are networks of depth 1–4 and widths 2–5 with the hidden activations
mixed, m ≥ 3, widths that differ (a transpose shows in the shape) and, in two plans,
widths that are all equal (a transpose or a wrong layer index then computes, and shows
in the values). Every case stays small: the grader sends it to the student's process.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import numpy as np

from backprop_lab.exercises.draw import between, nonzero, plan
from backprop_lab.exercises.step import Args
from backprop_lab.solutions import deep as ref

# (m, widths n0..nL): depth 1–4, widths 2–5; two plans of equal widths (m ≥ 3 everywhere).
GENERAL_NETWORKS = (
    (3, (2, 4, 3)),
    (4, (3, 3, 3, 3)),
    (5, (4, 2, 5, 3)),
    (3, (5, 3)),
    (4, (2, 3, 4, 2, 3)),
    (6, (4, 4, 4, 4, 4)),
)
SINGLE_NETWORKS = ((1, (2, 3, 2)), (1, (3, 3, 3, 3)), (1, (4, 2, 5, 3)))
# (m, n_in, n_out) of one layer: n_in ≠ n_out, and n_in = n_out ≥ 2 where a transpose computes.
GENERAL_LAYERS = ((3, 2, 4), (4, 3, 3), (5, 4, 2), (3, 5, 3), (4, 2, 2), (6, 3, 5))
SINGLE_LAYERS = ((1, 2, 3), (1, 3, 3), (1, 4, 2))
# Preactivations of ReLU units stay this far from the kink, where a central difference is wrong.
KINK_MARGIN = 0.05


def activations_for(depth: int, index: int) -> tuple[str, ...]:
    """The hidden activations, rotating so each of tanh, relu and sigmoid meets every depth."""
    names = ref.HIDDEN_ACTIVATIONS
    return tuple(names[(index + layer) % len(names)] for layer in range(depth - 1))


def layers_of(rng: np.random.Generator, widths: tuple[int, ...], hi: float = 1.5) -> ref.Layers:
    return [
        (nonzero(rng, (n_out, n_in), hi=hi), nonzero(rng, (n_out,), hi=hi))
        for n_in, n_out in pairwise(widths)
    ]


def distributions(rng: np.random.Generator, m: int, k: int) -> np.ndarray:
    """Rows that sum to 1, every entry at least 0.02: targets that are not one-hot (a wrong sign or
    a missing factor shows on every entry)."""
    return rng.dirichlet(np.full(k, 2.0), size=m) * (1 - 0.02 * k) + 0.02


def probabilities(rng: np.random.Generator, m: int, k: int) -> np.ndarray:
    """A softmax output: rows of positive entries that sum to 1, none near 0 or 1."""
    return ref.softmax(nonzero(rng, (m, k), lo=0.1, hi=1.5))


# ------------------------------------------------------------------ activations and their derivatives


def _shape(index: int) -> tuple[int, ...]:
    m, n_in, _ = plan(GENERAL_LAYERS, index)
    return (m, n_in) if index % 3 else (n_in + 1,)


def tanh_values(rng: np.random.Generator, index: int) -> Args:
    return {"A": nonzero(rng, _shape(index), lo=0.05, hi=0.95)}


def relu_preactivations(rng: np.random.Generator, index: int) -> Args:
    """Both signs, and exact zeros where the convention relu'(0) = 0 decides."""
    Z = nonzero(rng, _shape(index), lo=0.1, hi=3.0)
    Z.flat[:: max(2, Z.size // 3)] = 0.0
    return {"Z": Z}


def sigmoid_values(rng: np.random.Generator, index: int) -> Args:
    return {"A": between(rng, _shape(index))}


def logits(rng: np.random.Generator, index: int) -> Args:
    m, _, k = plan(GENERAL_LAYERS, index)  # m ≠ k mostly: a softmax over the wrong axis shows
    return {"Z": nonzero(rng, (m, k), hi=4.0)}


def logits_single(rng: np.random.Generator, index: int) -> Args:
    _, _, k = plan(SINGLE_LAYERS, index)
    return {"Z": nonzero(rng, (1, k), hi=4.0)}


def logits_extreme(rng: np.random.Generator, index: int) -> Args:
    """Rows far from 0. Even cases: where e^z is finite but its sum or its smallest terms are not
    (e^709 sums to ∞, e^-740 is subnormal); odd cases: |z| ~ 1e3, where e^z itself overflows."""
    if index % 2 == 0:
        top = np.array([[709.5, 708.0, 707.2], [-737.0, -738.5, -736.1]])
        return {"Z": top + rng.uniform(-0.3, 0.3, size=top.shape)}
    base = np.array([[1000.0, 998.0, -1000.0], [-1000.0, -1001.5, -999.0], [3.0, -1e3, 1e3]])
    return {"Z": base + rng.uniform(-0.5, 0.5, size=base.shape)}


# ------------------------------------------------------------------ the loss and the output δ


def _loss_args(layers: tuple[tuple[int, ...], ...]) -> Callable[..., Args]:
    def draw(rng: np.random.Generator, index: int) -> Args:
        m, _, k = plan(layers, index)
        return {"P": probabilities(rng, m, k), "Y": distributions(rng, m, k)}

    return draw


def loss_extreme(rng: np.random.Generator, index: int) -> Args:
    """One-hot labels and confident softmax outputs, right and wrong; a probability that
    underflowed to exactly 0 where its label is 0 (0·ln 0 counts as 0)."""
    P = np.array([[1 - 2e-12, 1e-12, 1e-12], [1e-9, 1 - 1e-9, 0.0], [0.5, 0.0, 0.5]])
    P = P[rng.permutation(3)]
    Y = np.zeros_like(P)
    for row, p in enumerate(P):
        Y[row, rng.choice(np.flatnonzero(p > 0))] = 1.0
    return {"P": P, "Y": Y}


def output_delta_extreme(rng: np.random.Generator, index: int) -> Args:
    """Confident predictions (p within 1e-12 of 0 or 1) with one-hot labels."""
    P = np.array([[1 - 2e-12, 1e-12, 1e-12], [1e-9, 1 - 1e-9 - 1e-12, 1e-12], [0.25, 0.25, 0.5]])
    Y = np.eye(3)[rng.integers(0, 3, size=3)]
    return {"P": P[rng.permutation(3)], "Y": Y}


LOSS_GENERAL = _loss_args(GENERAL_LAYERS)
LOSS_SINGLE = _loss_args(SINGLE_LAYERS)


# ------------------------------------------------------------------ one layer's δ and gradients


def _hidden_delta_args(layers: tuple[tuple[int, ...], ...]) -> Callable[..., Args]:
    def draw(rng: np.random.Generator, index: int) -> Args:
        m, n, n_next = plan(layers, index)
        return {
            "delta_next": nonzero(rng, (m, n_next), lo=0.1, hi=1.0),
            "W_next": nonzero(rng, (n_next, n)),
            "f_prime": rng.uniform(0.1, 1.0, size=(m, n)),  # a derivative of tanh, relu or σ is ≥ 0
        }

    return draw


def _layer_grads_args(layers: tuple[tuple[int, ...], ...]) -> Callable[..., Args]:
    def draw(rng: np.random.Generator, index: int) -> Args:
        m, n_in, n_out = plan(layers, index)
        return {"delta": nonzero(rng, (m, n_out), lo=0.1, hi=1.0), "A_prev": nonzero(rng, (m, n_in))}

    return draw


HIDDEN_DELTA_GENERAL = _hidden_delta_args(GENERAL_LAYERS)
HIDDEN_DELTA_SINGLE = _hidden_delta_args(SINGLE_LAYERS)
LAYER_GRADS_GENERAL = _layer_grads_args(GENERAL_LAYERS)
LAYER_GRADS_SINGLE = _layer_grads_args(SINGLE_LAYERS)


# ------------------------------------------------------------------ whole networks

# The largest |z| of an output unit in backward's cases: softmax stays away from exact 0 and 1,
# where the notes' δ = Jᵀ ∂E/∂p (a taught form) divides by p.
OUTPUT_Z_BOUND = 15.0


def _telling_relus(X: np.ndarray, layers: ref.Layers, activations: tuple[str, ...]) -> bool:
    """Every ReLU unit is on for some row (half of them for a single row: a dead layer would hide
    every δ below it) and no preactivation sits on the kink, where a central difference is no derivative."""
    Z = ref.forward(X, layers, activations)["Z"]
    relus = [z for z, name in zip(Z, activations, strict=False) if name == "relu"]
    return all(
        np.abs(z).min() >= KINK_MARGIN and (z > 0).any(axis=0).mean() >= (1.0 if len(z) > 1 else 0.5)
        for z in relus
    )


def _network_args(
    networks: tuple[tuple[int, tuple[int, ...]], ...],
    hi: float = 1.5,
    labels: bool = True,
    reach: float = 0.0,
) -> Callable[..., Args]:
    """Networks of the plans; with labels, targets and output |z| ≤ OUTPUT_Z_BOUND (for backward);
    with a reach, the output layer scaled so that its largest |z| is about that (softmax at the extremes)."""

    def draw(rng: np.random.Generator, index: int) -> Args:
        m, widths = plan(networks, index)
        activations = activations_for(len(widths) - 1, index)
        for _ in range(200):  # a dead ReLU unit, or one on its kink, tells nothing: draw again
            X, layers = nonzero(rng, (m, widths[0])), layers_of(rng, widths, hi)
            if _telling_relus(X, layers, activations):
                break
        else:
            raise RuntimeError(f"no telling network of widths {widths} in 200 draws")
        W, b = layers[-1]
        logits = ref.forward(X, layers, activations)["Z"][-1]
        largest = np.abs(logits).max()
        if reach:  # the largest |z| positive, where e^z overflows (a large negative one only underflows)
            scale = reach * rng.uniform(1.0, 1.5) / largest * (1.0 if logits.max() == largest else -1.0)
            layers[-1] = (W * scale, b * scale)
        elif labels and largest > OUTPUT_Z_BOUND:  # saturated hidden units stay; the output layer shrinks
            layers[-1] = (W * (OUTPUT_Z_BOUND / largest), b * (OUTPUT_Z_BOUND / largest))
        args: Args = {"X": X, "layers": layers, "activations": list(activations)}
        if labels:
            args["Y"] = distributions(rng, m, widths[-1])
        return args

    return draw


FORWARD_GENERAL = _network_args(GENERAL_NETWORKS, labels=False)
FORWARD_SINGLE = _network_args(SINGLE_NETWORKS, labels=False)
# Saturated hidden layers, and softmax at |z| ≥ 1e3.
FORWARD_EXTREME = _network_args(GENERAL_NETWORKS, hi=20.0, labels=False, reach=1e3)
BACKWARD_GENERAL = _network_args(GENERAL_NETWORKS)
BACKWARD_SINGLE = _network_args(SINGLE_NETWORKS)
BACKWARD_EXTREME = _network_args(GENERAL_NETWORKS, hi=12.0)  # saturated hidden layers


# ------------------------------------------------------------------ the gradient check and SGD


def sgd_step_args(rng: np.random.Generator, index: int) -> Args:
    _, widths = plan(GENERAL_NETWORKS, index)
    lr = (0.5, 0.1, 0.05, 0.3)[index % 4]
    return {"layers": layers_of(rng, widths), "grads": layers_of(rng, widths), "lr": lr}
