"""The gradient check, one step shared by every assignment, and its test function described by data.

The f a student's `numerical_gradient` estimates is a polynomial the grader evaluates on
its own side (the student's code calls it by name: see graders/calls.py); here are its
value, the exact answers the step is graded against, the one-sided difference students
write by mistake, and the step itself.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from backprop_lab.exercises.draw import nonzero
from backprop_lab.exercises.i18n import N_
from backprop_lab.exercises.step import Args, Misconception, Step, general, unchanged


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


# ------------------------------------------------------------------ the step, shared by every assignment

# The ε each case passes: large enough that a central difference's own truncation error,
# d·ε² ≥ 2e-7 on this f, is far above the step's tolerance (ATOL), and far above its
# rounding (≤ 1e-10 here). So the right answer is the central difference at that ε, and
# ignoring ε, a one-sided difference or the exact gradient each miss it. (At ε = 1e-4 the
# truncation, 2e-9, would be within 20× of the rounding: too close to tell apart on every draw.)
CHECK_EPS = (1e-2, 1e-3)
ATOL = 1e-8  # rounding ≤ 1e-10 passes; ε ignored, one-sided or exact: ≥ 2e-7 off


def arguments(rng: np.random.Generator, index: int, n: int) -> Args:
    """f, θ and ε of one case, θ small, 1-D or 2-D (about n entries): the grader answers each
    of f's evaluations."""
    shape = (2, n) if index % 2 else (n + 1,)
    f = {"kind": "poly", "c": rng.uniform(10.0, 20.0, size=shape), "d": nonzero(rng, shape, lo=0.2, hi=1.0)}
    return {"f": f, "theta": nonzero(rng, shape, lo=0.1, hi=1.0), "eps": CHECK_EPS[index % len(CHECK_EPS)]}


FORWARD_DIFFERENCE = Misconception(
    "forward_difference",
    forward_difference,
    N_(
        "A one-sided difference is off by a term proportional to ε. Which difference quotient cancels that "
        "term?"
    ),
    N_("Use (f(θ + ε) − f(θ − ε)) / 2ε: it is accurate to ε², not ε."),
)


def gradient_check(points: float, width: Callable[[int], int]) -> Step:
    """The gradient check step, `numerical_gradient(f, theta, eps)`, worth `points`; `width(index)`
    sizes each case's θ as the assignment's own shapes do."""

    def draw(rng: np.random.Generator, index: int) -> Args:
        return arguments(rng, index, width(index))

    return Step(
        id="numerical_gradient",
        title=N_("A gradient check"),
        instructions=N_(
            "Return the central-difference estimate, with step eps, of the gradient of the scalar function f "
            "at theta, same shape as theta. Leave theta unchanged."
        ),
        latex=r"\frac{\partial f}{\partial \theta_i} \approx \frac{f(\theta + \varepsilon e_i) - "
        r"f(\theta - \varepsilon e_i)}{2\varepsilon}",
        points=points,
        reference=central_poly_gradient,
        output="array",
        properties=(general(draw, 0.7), unchanged(0.3)),
        misconceptions=(FORWARD_DIFFERENCE,),
        atol=ATOL,
        functions=("f",),
        forms=(evaluated_central_difference,),
    )
