"""sys.exit() inside a step."""

import sys

import numpy as np


def probe():
    sys.exit(0)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
