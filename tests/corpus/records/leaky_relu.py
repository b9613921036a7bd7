"""The solution of a step that exists only in a test: the slope of a leaky ReLU."""

import numpy as np


def leaky_relu_grad(z: np.ndarray) -> np.ndarray:
    """The derivative of max(0.1·z, z)."""
    ### BEGIN SOLUTION
    return np.where(np.asarray(z) > 0, 1.0, 0.1)
    ### END SOLUTION
