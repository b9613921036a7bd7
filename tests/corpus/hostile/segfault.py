"""Dereferences a null pointer."""

import ctypes

import numpy as np


def probe():
    return ctypes.string_at(0)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
