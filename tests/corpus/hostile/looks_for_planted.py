"""The next student: sees nothing the previous one planted."""

import os

import numpy as np


def probe():
    return [
        p
        for p in (
            "/tmp/planted-by-student",
            "/tmp/results.json",
            "/dev/shm/planted-by-student",
            "results.json",
        )
        if os.path.exists(p)
    ]


def sigmoid(z):
    return 1 / (1 + np.exp(-z))
