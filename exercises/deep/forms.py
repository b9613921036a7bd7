"""Right formulas the `deep` notes teach besides the reference's: the tolerance admits their rounding.

The notes derive the output δ as softmax's Jacobian applied to ∂E/∂p before it collapses
to P − Y; a student who computes it that way is right, and where the two round apart
(p near 0 or 1) each case widens by exactly their spread (see graders/cases.py).
"""

from __future__ import annotations

import numpy as np


def jacobian_output_delta(P: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """δ_k = Σ_j ∂E/∂p_j · p_j(1[j = k] − p_k) with ∂E/∂p = −Y/P, unsimplified."""
    dE_dP = -Y / P
    return P * (dE_dP - (P * dE_dP).sum(axis=1, keepdims=True))
