"""sys.exit() at module level: only what comes after it in the unit is lost."""

import sys

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


sys.exit(3)
