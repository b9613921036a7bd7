"""The `backprop` assignment's inputs: what each property of each step is tested on."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from backprop_lab.exercises.draw import between, nonzero, plan
from backprop_lab.exercises.step import Args
from backprop_lab.solutions import backprop as ref

# (m, d, h, k): the general property cycles through these (h ≠ k, h = k ≥ 2, d ≠ h and d = h, m ≥ 3);
# the single-example property through m = 1.
GENERAL_SHAPES = ((3, 2, 4, 3), (4, 3, 2, 2), (5, 4, 3, 3), (3, 5, 2, 4), (4, 2, 3, 5), (6, 3, 3, 2))
SINGLE_SHAPES = ((1, 2, 3, 2), (1, 3, 2, 2), (1, 4, 3, 5))


def params(rng: np.random.Generator, d: int, h: int, k: int, hi: float = 2.0) -> dict[str, np.ndarray]:
    return {
        "W_hidden": nonzero(rng, (h, d), hi=hi),
        "b_hidden": nonzero(rng, (h,), hi=hi),
        "W_out": nonzero(rng, (k, h), hi=hi),
        "b_out": nonzero(rng, (k,), hi=hi),
    }



def preactivations(rng: np.random.Generator, index: int) -> Args:
    m, n = plan(GENERAL_SHAPES, index)[:2]
    return {"z": nonzero(rng, (m, n), hi=5.0) if index % 3 else nonzero(rng, (n + 1,), hi=5.0)}


def preactivations_extreme(rng: np.random.Generator, index: int) -> Args:
    edges = np.array([1e3, -1e3, 710.0, -710.0, 745.5, -745.5, 40.0, -40.0])
    return {"z": np.concatenate([edges, nonzero(rng, (4,), lo=30.0, hi=900.0)]).reshape(3, 4)}


def activations(rng: np.random.Generator, index: int) -> Args:
    m, n = plan(GENERAL_SHAPES, index)[:2]
    return {"a": between(rng, (m, n))}


def forward_args(shapes: tuple[tuple[int, ...], ...], hi: float = 2.0) -> Callable[..., Args]:
    def draw(rng: np.random.Generator, index: int) -> Args:
        m, d, h, k = plan(shapes, index)
        return {"X": nonzero(rng, (m, d)), "params": params(rng, d, h, k, hi=hi)}

    return draw


def probabilities(shapes: tuple[tuple[int, ...], ...]) -> Callable[..., Args]:
    def draw(rng: np.random.Generator, index: int) -> Args:
        m, _, _, k = plan(shapes, index)
        return {"P": between(rng, (m, k)), "Y": between(rng, (m, k))}

    return draw


def probabilities_extreme(rng: np.random.Generator, index: int) -> Args:
    """Confident predictions, right and wrong, with labels of 0 and 1 as real data has them."""
    near = np.array([1e-6, 1 - 1e-6, 1e-4, 1 - 1e-4, 0.5, 0.25])
    P = rng.permutation(near).reshape(3, 2) if index % 2 else rng.permutation(near).reshape(2, 3)
    return {"P": P, "Y": rng.integers(0, 2, size=P.shape).astype(np.float64)}


def hidden_delta_args(shapes: tuple[tuple[int, ...], ...]) -> Callable[..., Args]:
    def draw(rng: np.random.Generator, index: int) -> Args:
        m, _, h, k = plan(shapes, index)
        return {
            "A_hidden": between(rng, (m, h)),
            "W_out": nonzero(rng, (k, h)),
            "delta_out": nonzero(rng, (m, k), lo=0.1, hi=1.0),
        }

    return draw


def weight_grad_args(shapes: tuple[tuple[int, ...], ...]) -> Callable[..., Args]:
    def draw(rng: np.random.Generator, index: int) -> Args:
        m, _, n_in, n_out = plan(shapes, index)  # n_in = n_out ≥ 2 in some plans: a transpose shows
        return {"delta": nonzero(rng, (m, n_out), lo=0.1, hi=1.0), "A_prev": nonzero(rng, (m, n_in))}

    return draw


def bias_grad_args(shapes: tuple[tuple[int, ...], ...]) -> Callable[..., Args]:
    def draw(rng: np.random.Generator, index: int) -> Args:
        m, _, _, n_out = plan(shapes, index)
        return {"delta": nonzero(rng, (m, n_out), lo=0.1, hi=1.0)}

    return draw


# The largest |z| of an output unit in backward's cases: σ(15) = 1 − 3.1e-7, so p is never
# exactly 0 or 1, where the chain rule's ∂E/∂p · ∂p/∂z is ∞ · 0 and the notes' δ undefined.
OUTPUT_Z_BOUND = 15.0


def backward_args(shapes: tuple[tuple[int, ...], ...], hi: float = 2.0) -> Callable[..., Args]:
    forward = forward_args(shapes, hi)

    def draw(rng: np.random.Generator, index: int) -> Args:
        args = forward(rng, index)
        m, k = args["X"].shape[0], args["params"]["W_out"].shape[0]
        p = args["params"]
        largest = np.abs(ref.forward(args["X"], p)["Z_out"]).max()
        if largest > OUTPUT_Z_BOUND:  # extreme hidden units stay saturated; the output layer shrinks
            scale = OUTPUT_Z_BOUND / largest
            args["params"] = {**p, "W_out": p["W_out"] * scale, "b_out": p["b_out"] * scale}
        return {**args, "Y": between(rng, (m, k))}

    return draw


def sgd_step_args(rng: np.random.Generator, index: int) -> Args:
    _, d, h, k = plan(GENERAL_SHAPES, index)
    lr = (0.5, 0.1, 0.05, 1.0)[index % 4]
    return {"params": params(rng, d, h, k), "grads": params(rng, d, h, k), "lr": lr}


