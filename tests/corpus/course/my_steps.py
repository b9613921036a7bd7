"""An instructor's own step: the solution, and the inputs to grade it on."""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

OUTPUTS = {"relu_grad": "array"}


def relu_grad(z: np.ndarray) -> np.ndarray:
    """The derivative of max(0, z)."""
    ### BEGIN SOLUTION
    return (np.asarray(z) > 0).astype(np.float64)
    ### END SOLUTION


def relu_grad_args():
    shapes = st.tuples(st.integers(1, 6), st.integers(1, 6))
    values = st.floats(-5, 5, allow_nan=False).filter(lambda v: v != 0)
    return shapes.flatmap(lambda s: arrays(np.float64, s, elements=values, fill=st.nothing())).map(lambda z: {"z": z})
