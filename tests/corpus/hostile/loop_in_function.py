"""An infinite loop inside a step; the other steps must still be graded."""

import numpy as np


def probe():
    while True:
        pass


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
