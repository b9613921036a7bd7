"""Hypothesis strategies shared by the tests: networks of the contract's shapes."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

dims = st.integers(min_value=1, max_value=6)
values = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False, allow_subnormal=False)
probabilities = st.floats(min_value=0.0, max_value=1.0, allow_nan=False, allow_subnormal=False)


@st.composite
def networks(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """(X, Y, params) for any m, d, h, k in 1..6, as the contract allows."""
    m, d, h, k = (draw(dims) for _ in range(4))
    X = draw(arrays(np.float64, (m, d), elements=values))
    Y = draw(arrays(np.float64, (m, k), elements=probabilities))
    params = {
        "W_hidden": draw(arrays(np.float64, (h, d), elements=values)),
        "b_hidden": draw(arrays(np.float64, (h,), elements=values)),
        "W_out": draw(arrays(np.float64, (k, h), elements=values)),
        "b_out": draw(arrays(np.float64, (k,), elements=values)),
    }
    return X, Y, params
