"""Raises KeyboardInterrupt, which is not an Exception."""

import numpy as np


def probe():
    raise KeyboardInterrupt


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
