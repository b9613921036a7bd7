"""Gradient checking: the finite-difference oracle backprop is tested against.

Three tools, as practice uses them: central differences for every entry, one
coordinate at a time (an approximation, off by O(ε²) plus rounding of about 1e-16/ε,
at 2n loss evaluations for n parameters); the relative error |a − n| / max(|a| + |n|, tiny)
of an analytic gradient a against a numeric estimate n; and one random directional
derivative (one pair of evaluations, as torch's fast gradcheck and jax's check_grads
do) for networks too large to check entry by entry.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from backprop_lab.solutions.backprop import Params

LossOfParams = Callable[[Params], float]


def _shifted(params: Params, name: str, index: tuple[int, ...], step: float) -> Params:
    moved = dict(params)
    moved[name] = params[name].copy()
    moved[name][index] += step
    return moved


def numerical_gradients(loss: LossOfParams, params: Params, eps: float = 1e-6) -> Params:
    """Central differences (L(θ + εeᵢ) − L(θ − εeᵢ)) / 2ε, one entry θᵢ at a time; params unchanged."""
    grads = {}
    for name, value in params.items():
        grad = np.zeros_like(value, dtype=np.float64)
        for index in np.ndindex(value.shape):
            plus = loss(_shifted(params, name, index, eps))
            minus = loss(_shifted(params, name, index, -eps))
            grad[index] = (plus - minus) / (2.0 * eps)
        grads[name] = grad
    return grads


def relative_error(analytic: np.ndarray, numeric: np.ndarray, tiny: float = 1e-12) -> float:
    """Largest |a − n| / max(|a| + |n|, tiny): scale-free, and 0/0 counts as agreement."""
    a, n = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    return float(np.max(np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), tiny), initial=0.0))


def directional_check(
    loss: LossOfParams,
    params: Params,
    analytic: Params,
    rng: np.random.Generator,
    eps: float = 1e-6,
) -> tuple[float, float]:
    """(analytic, numeric) derivative of the loss along one random unit direction u.

    Numeric: (L(θ + εu) − L(θ − εu)) / 2ε. Analytic: Σ ∇L · u. A wrong gradient
    almost surely disagrees along a random direction, at the price of two losses.
    """
    direction = {name: rng.standard_normal(value.shape) for name, value in params.items()}
    norm = np.sqrt(sum(float((u**2).sum()) for u in direction.values()))
    direction = {name: u / norm for name, u in direction.items()}
    plus = loss({name: params[name] + eps * direction[name] for name in params})
    minus = loss({name: params[name] - eps * direction[name] for name in params})
    numeric = (plus - minus) / (2.0 * eps)
    along = sum(float((analytic[name] * direction[name]).sum()) for name in params)
    return along, numeric
