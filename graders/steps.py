"""The gradable steps of the default assignment: what each is called with, and what is right.

Each step draws its inputs with a hypothesis strategy over every shape the contract
allows, computes the expected output with the reference, and — for steps that
produce a gradient — an independent finite-difference oracle from the reference
*forward* pass only. Inputs always come from the reference, so a mistake in one step
is never charged again in the next (error carried forward).
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from backprop_lab.solutions import backprop as ref
from backprop_lab.solutions.gradcheck import numerical_gradients

Args = dict[str, Any]

DIM = st.integers(min_value=1, max_value=6)
MODERATE = st.floats(-3.0, 3.0, allow_nan=False, allow_subnormal=False)
UNIT = st.floats(0.0, 1.0, allow_nan=False, allow_subnormal=False)
# Probabilities the network can really output, edges included (within 1e-6 of 0 and 1).
PROB = st.one_of(
    st.floats(1e-6, 1 - 1e-6, allow_subnormal=False),
    st.sampled_from([1e-6, 1 - 1e-6, 0.5, 1e-3, 0.999]),
)
OPEN_UNIT = st.floats(1e-3, 1 - 1e-3, allow_subnormal=False)
LARGE_Z = st.one_of(
    st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False),
    st.sampled_from([0.0, 1e3, -1e3, 710.0, -710.0, 40.0, -40.0, 745.5, -745.5]),
)


def _matrix(draw: st.DrawFn, rows: int, cols: int, elements: st.SearchStrategy[float]) -> np.ndarray:
    # fill=nothing draws every entry: a matrix of one repeated value hides transposes and mixed-up axes
    return draw(arrays(np.float64, (rows, cols), elements=elements, fill=st.nothing()))


def _vector(draw: st.DrawFn, n: int, elements: st.SearchStrategy[float]) -> np.ndarray:
    return draw(arrays(np.float64, (n,), elements=elements, fill=st.nothing()))


def _params(draw: st.DrawFn, d: int, h: int, k: int) -> dict[str, np.ndarray]:
    return {
        "W_hidden": _matrix(draw, h, d, MODERATE),
        "b_hidden": _vector(draw, h, MODERATE),
        "W_out": _matrix(draw, k, h, MODERATE),
        "b_out": _vector(draw, k, MODERATE),
    }


@st.composite
def _sigmoid_args(draw: st.DrawFn) -> Args:
    shape = draw(st.sampled_from(["matrix", "vector", "matrix"]))
    m, n = draw(DIM), draw(DIM)
    z = _matrix(draw, m, n, LARGE_Z) if shape == "matrix" else _vector(draw, n, LARGE_Z)
    return {"z": z}


@st.composite
def _sigmoid_grad_args(draw: st.DrawFn) -> Args:
    return {"a": _matrix(draw, draw(DIM), draw(DIM), UNIT)}


@st.composite
def _forward_args(draw: st.DrawFn) -> Args:
    m, d, h, k = (draw(DIM) for _ in range(4))
    return {"X": _matrix(draw, m, d, MODERATE), "params": _params(draw, d, h, k)}


@st.composite
def _probabilities_args(draw: st.DrawFn) -> Args:
    m, k = draw(DIM), draw(DIM)
    return {"P": _matrix(draw, m, k, PROB), "Y": _matrix(draw, m, k, UNIT)}


@st.composite
def _hidden_delta_args(draw: st.DrawFn) -> Args:
    m, h, k = draw(DIM), draw(DIM), draw(DIM)
    return {
        "A_hidden": _matrix(draw, m, h, OPEN_UNIT),
        "W_out": _matrix(draw, k, h, MODERATE),
        "delta_out": _matrix(draw, m, k, st.floats(-1.0, 1.0, allow_subnormal=False)),
    }


@st.composite
def _weight_grad_args(draw: st.DrawFn) -> Args:
    m, n_out, n_in = draw(DIM), draw(DIM), draw(DIM)
    return {"delta": _matrix(draw, m, n_out, MODERATE), "A_prev": _matrix(draw, m, n_in, MODERATE)}


@st.composite
def _bias_grad_args(draw: st.DrawFn) -> Args:
    return {"delta": _matrix(draw, draw(DIM), draw(DIM), MODERATE)}


@st.composite
def _backward_args(draw: st.DrawFn) -> Args:
    args = draw(_forward_args())  # the forward pass's inputs, and targets of the output's shape
    m, k = args["X"].shape[0], args["params"]["W_out"].shape[0]
    return {**args, "Y": _matrix(draw, m, k, UNIT)}


@st.composite
def _numerical_gradient_args(draw: st.DrawFn) -> Args:
    rows, cols = draw(DIM), draw(DIM)
    shape = draw(st.sampled_from([(rows, cols), (cols,)]))
    c = draw(arrays(np.float64, shape, elements=st.floats(10.0, 20.0), fill=st.nothing()))
    d = draw(arrays(np.float64, shape, elements=st.floats(-1.0, 1.0), fill=st.nothing()))
    theta = draw(
        arrays(np.float64, shape, elements=st.floats(-1.0, 1.0, allow_subnormal=False), fill=st.nothing())
    )
    return {"f": {"kind": "poly", "c": c, "d": d}, "theta": theta}


@st.composite
def _sgd_step_args(draw: st.DrawFn) -> Args:
    d, h, k = draw(DIM), draw(DIM), draw(DIM)
    return {
        "params": _params(draw, d, h, k),
        "grads": _params(draw, d, h, k),
        "lr": draw(st.sampled_from([0.5, 0.1, 0.01, 1.0])),
    }


def poly_value(spec: dict[str, np.ndarray], theta: np.ndarray) -> float:
    """f(θ) = Σ c·θ² + Σ d·θ³: the function whose gradient `numerical_gradient` must find."""
    return float((spec["c"] * theta**2).sum() + (spec["d"] * theta**3).sum())


def _numerical_gradient_reference(f: dict[str, np.ndarray], theta: np.ndarray) -> np.ndarray:
    return 2 * f["c"] * theta + 3 * f["d"] * theta**2  # the exact gradient of the poly


# ------------------------------------------------------------------ finite-difference oracles


def _central(loss: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    """Central differences of a function of one array, by the reference's gradient check."""
    return numerical_gradients(lambda p: loss(p["x"]), {"x": np.asarray(x, dtype=np.float64)})["x"]


def _elementwise_ce(P: np.ndarray, Y: np.ndarray) -> np.ndarray:
    return -(Y * np.log(P) + (1 - Y) * np.log1p(-P))  # log1p: no cancellation in 1 − p for small p


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p) - np.log1p(-p)


def _fd_cross_entropy_grad(P: np.ndarray, Y: np.ndarray) -> np.ndarray:
    # Each entry of ∂E/∂P depends on its own p alone: one central difference per entry, with a
    # step relative to the distance from 0 and 1 (P may be 1e-6, where a fixed step would cross 0).
    h = 1e-6 * np.minimum(P, 1 - P)
    return (_elementwise_ce(P + h, Y) - _elementwise_ce(P - h, Y)) / (2 * h)


def _ce_of_logits(Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """−[y ln σ(z) + (1 − y) ln(1 − σ(z))] = ln(1 + e^z) − y·z, without the cancellation in 1 − σ(z)."""
    return np.logaddexp(0.0, Z) - Y * Z


def _fd_output_delta(P: np.ndarray, Y: np.ndarray) -> np.ndarray:
    Z, h = _logit(P), 1e-6
    return (_ce_of_logits(Z + h, Y) - _ce_of_logits(Z - h, Y)) / (2 * h)


def _fd_hidden_delta(A_hidden: np.ndarray, W_out: np.ndarray, delta_out: np.ndarray) -> np.ndarray:
    # δ_out is ∂E/∂Z_out, so E changes with Z_hidden as Σ δ_out ⊙ (σ(Z_hidden) W_outᵀ) does, to first order.
    return _central(lambda z: float((delta_out * (ref.sigmoid(z) @ W_out.T)).sum()), _logit(A_hidden))


def _fd_weight_grad(delta: np.ndarray, A_prev: np.ndarray) -> np.ndarray:
    m, W = delta.shape[0], np.zeros((delta.shape[1], A_prev.shape[1]))
    return _central(lambda w: float((delta * (A_prev @ w.T)).sum()) / m, W)


def _fd_bias_grad(delta: np.ndarray) -> np.ndarray:
    m, b = delta.shape[0], np.zeros(delta.shape[1])
    return _central(lambda v: float((delta * v).sum()) / m, b)


def _fd_backward(X: np.ndarray, Y: np.ndarray, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    def loss(p: dict[str, np.ndarray]) -> float:
        return float(_ce_of_logits(ref.forward(X, p)["Z_out"], Y).sum(axis=1).mean())

    return numerical_gradients(loss, params)


# ------------------------------------------------------------------ the steps


@dataclass(frozen=True)
class Step:
    """One derivation step: the student's function, its inputs, the right answer."""

    id: str
    params: tuple[str, ...]
    strategy: Callable[[], st.SearchStrategy[Args]]
    reference: Callable[..., Any]
    output: str  # "array", "float", "arrays" (a dict of arrays)
    finite_difference: Callable[..., Any] | None = None
    bounded: bool = False  # outputs must lie in [0, 1]

    def expected(self, args: Args) -> Any:
        return self.reference(**args)


STEPS: tuple[Step, ...] = (
    Step("sigmoid", ("z",), _sigmoid_args, ref.sigmoid, "array", bounded=True),
    Step("sigmoid_grad", ("a",), _sigmoid_grad_args, ref.sigmoid_grad, "array"),
    Step("forward", ("X", "params"), _forward_args, ref.forward, "arrays"),
    Step("cross_entropy", ("P", "Y"), _probabilities_args, ref.cross_entropy, "float"),
    Step(
        "cross_entropy_grad",
        ("P", "Y"),
        _probabilities_args,
        ref.cross_entropy_grad,
        "array",
        _fd_cross_entropy_grad,
    ),
    Step("output_delta", ("P", "Y"), _probabilities_args, ref.output_delta, "array", _fd_output_delta),
    Step(
        "hidden_delta",
        ("A_hidden", "W_out", "delta_out"),
        _hidden_delta_args,
        ref.hidden_delta,
        "array",
        _fd_hidden_delta,
    ),
    Step("weight_grad", ("delta", "A_prev"), _weight_grad_args, ref.weight_grad, "array", _fd_weight_grad),
    Step("bias_grad", ("delta",), _bias_grad_args, ref.bias_grad, "array", _fd_bias_grad),
    Step("backward", ("X", "Y", "params"), _backward_args, ref.backward, "arrays", _fd_backward),
    Step(
        "numerical_gradient",
        ("f", "theta"),
        _numerical_gradient_args,
        _numerical_gradient_reference,
        "array",
    ),
    Step("sgd_step", ("params", "grads", "lr"), _sgd_step_args, ref.sgd_step, "arrays"),
)
BY_ID = {step.id: step for step in STEPS}


@cache
def _instructor_module(path: str, mtime: float) -> ModuleType:
    """An instructor's module of custom steps (trusted code, like the course file)."""
    name = "backprop_lab_custom_" + hashlib.sha256(path.encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def custom_step(step_id: str, path: str) -> Step:
    """A step the instructor defined: `<id>` (the solution) and `<id>_args()` (a strategy)."""
    module = _instructor_module(path, Path(path).stat().st_mtime)
    reference = getattr(module, step_id)
    params = tuple(
        name
        for name, p in inspect.signature(reference).parameters.items()
        if p.default is inspect.Parameter.empty
    )
    output = getattr(module, "OUTPUTS", {}).get(step_id, "array")
    return Step(step_id, params, getattr(module, f"{step_id}_args"), reference, output)
