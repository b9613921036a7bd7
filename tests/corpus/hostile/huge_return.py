"""Returns an array far larger than any answer."""

import numpy as np


def probe():
    return np.zeros(200_000_000 // 8 * 2)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
