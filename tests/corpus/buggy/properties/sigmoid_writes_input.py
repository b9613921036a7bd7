# A student's sigmoid, replacing the correct one: loses unchanged.
# Saves memory by computing e^(-z) into z itself: np.asarray returns the caller's array,
# so forward's Z_hidden and Z_out are overwritten by 1 + e^(-z).
import numpy as np


def sigmoid(z):
    z = np.asarray(z)
    np.exp(-z, out=z)
    z += 1.0
    return 1.0 / z
