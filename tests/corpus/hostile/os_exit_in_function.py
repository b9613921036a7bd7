"""os._exit() inside a step kills the worker; a fresh one takes the remaining steps."""

import os

import numpy as np


def probe():
    os._exit(0)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
