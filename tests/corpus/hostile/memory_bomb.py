"""Allocates far more memory than the limit, and touches it."""

import numpy as np


def probe():
    return np.ones(8 * 1024**3 // 8).sum()


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
