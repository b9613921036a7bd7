"""A bounded fork bomb: no new process may be created."""

import os

import numpy as np


def probe():
    children = 0
    for _ in range(5):
        pid = os.fork()
        if pid == 0:
            while True:
                pass
        children += 1
    return children


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
