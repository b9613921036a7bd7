"""Prints tens of megabytes."""

import sys

import numpy as np


def probe():
    for _ in range(100_000):
        print("x" * 500)
        sys.stderr.write("y" * 500)
    return "flooded"


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
