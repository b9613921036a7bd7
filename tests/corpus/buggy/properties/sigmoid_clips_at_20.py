# A student's sigmoid, replacing the correct one: loses extremes.
# Clips z to ±20 against overflow: σ(20) = 1 − 2.1e-9, far from the σ(z) = 1 of large z.
import numpy as np


def sigmoid(z):
    z = np.clip(z, -20.0, 20.0)
    return 1.0 / (1.0 + np.exp(-z))
