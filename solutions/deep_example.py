"""The worked example of the `deep` assignment: a 2-3-2-2 network, one example, by hand-sized numbers.

Two hidden layers (tanh, then ReLU, one of whose units is switched off here) and a softmax
output: small enough to follow every number in the notes, deep enough that δ travels
through two hidden layers.
"""

from __future__ import annotations

import numpy as np

from backprop_lab.solutions.deep import Layers

ACTIVATIONS = ("tanh", "relu")


def example() -> tuple[np.ndarray, np.ndarray, Layers, tuple[str, ...]]:
    """(X, Y, layers, activations) of the notes' worked example."""
    X = np.array([[0.5, -0.2]])
    Y = np.array([[1.0, 0.0]])
    layers = [
        (np.array([[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]]), np.array([0.1, 0.0, -0.1])),
        (np.array([[0.3, -0.1, 0.2], [-0.4, 0.5, 0.1]]), np.array([0.05, -0.05])),
        (np.array([[0.6, -0.3], [-0.2, 0.4]]), np.array([0.0, 0.1])),
    ]
    return X, Y, layers, ACTIVATIONS
