"""The gradient check's test function, described by data, shared by every assignment.

The f a student's `numerical_gradient` estimates is a polynomial the grader evaluates on
its own side (the student's code calls it by name: see graders/calls.py); here are its
value, the exact answers a step is graded against, and the one-sided difference students
write by mistake.
"""

from __future__ import annotations

import numpy as np


def poly_value(f: dict[str, np.ndarray], theta: np.ndarray) -> float:
    """f(θ) = Σ c·θ² + Σ d·θ³: the function whose gradient `numerical_gradient` must estimate.

    Its curvature is at least 14 on |θ| ≤ 1, so a forward difference is off by about 10·ε,
    and its cubic term puts a central difference off the exact gradient by exactly d·ε².
    The grader evaluates it for the student's code (see graders/calls.py).
    """
    return float((f["c"] * theta**2).sum() + (f["d"] * theta**3).sum())


def central_poly_gradient(f: dict[str, np.ndarray], theta: np.ndarray, eps: float) -> np.ndarray:
    """The central difference (f(θ + εe_i) − f(θ − εe_i)) / 2ε of the described f, in closed form:
    the exact gradient 2cθ + 3dθ² plus the central difference's truncation d·ε², without rounding."""
    return 2 * f["c"] * theta + 3 * f["d"] * theta**2 + f["d"] * eps**2


def evaluated_central_difference(f: dict[str, np.ndarray], theta: np.ndarray, eps: float) -> np.ndarray:
    """The same central difference computed as a student does, by evaluating f: the rounding
    the step's tolerance must accept (its taught form)."""
    grad = np.zeros_like(theta)
    for i in np.ndindex(theta.shape):
        plus, minus = theta.copy(), theta.copy()
        plus[i] += eps
        minus[i] -= eps
        grad[i] = (poly_value(f, plus) - poly_value(f, minus)) / (2 * eps)
    return grad


def forward_difference(f: dict[str, np.ndarray], theta: np.ndarray, eps: float) -> np.ndarray:
    """The one-sided difference (f(θ + εe_i) − f(θ)) / ε: a mistake, off by about 10·ε here."""
    base, result = poly_value(f, theta), np.zeros_like(theta)
    for i in np.ndindex(theta.shape):
        shifted = theta.copy()
        shifted[i] += eps
        result[i] = (poly_value(f, shifted) - base) / eps
    return result
