"""An instructor's own step: the solution, and the inputs to grade it on."""

import numpy as np

OUTPUTS = {"relu_grad": "array"}


def relu_grad(z: np.ndarray) -> np.ndarray:
    """The derivative of max(0, z)."""
    ### BEGIN SOLUTION
    return (np.asarray(z) > 0).astype(np.float64)
    ### END SOLUTION


def relu_grad_inputs(rng: np.random.Generator, index: int) -> dict:
    """Case `index` of the general property: a matrix of nonzero values, both signs."""
    shape = (1 + index % 4, 2 + index % 3)
    return {"z": rng.uniform(0.5, 5.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)}
