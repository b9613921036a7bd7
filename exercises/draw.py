"""Drawing inputs with NumPy: shapes that expose mistakes, values away from degenerate points.

A transpose hides in a 1×1 or a symmetric matrix, a missing mean hides when m = 1, a
wrong sign hides at zero: the general property's inputs avoid all of these by
construction (every entry drawn, magnitudes bounded away from 0, shapes from plans that
cover h ≠ k, h = k ≥ 2, d ≠ h, d = h and m ≥ 3). Drawing with a seeded NumPy generator makes the
same seed give the same cases in every process, whatever it has imported.
"""

from __future__ import annotations

import numpy as np


def plan(plans: tuple[tuple[int, ...], ...], index: int) -> tuple[int, ...]:
    return plans[index % len(plans)]


def nonzero(
    rng: np.random.Generator, shape: tuple[int, ...], lo: float = 0.25, hi: float = 2.0
) -> np.ndarray:
    """Magnitudes in [lo, hi] with random signs: no zero hides a missing factor or a wrong sign."""
    return rng.uniform(lo, hi, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def between(
    rng: np.random.Generator, shape: tuple[int, ...], lo: float = 0.05, hi: float = 0.95
) -> np.ndarray:
    """Values strictly inside (0, 1), away from the ends: probabilities, activations, targets."""
    return rng.uniform(lo, hi, size=shape)


def readable(value: object) -> object:
    """The same input with every number rounded to two decimals, for feedback a student can read."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return np.round(value, 2)
    if isinstance(value, dict):
        return {k: readable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(readable(v) for v in value)
    if isinstance(value, float):
        return round(value, 2)
    return value
